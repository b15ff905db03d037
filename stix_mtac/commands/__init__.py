"""One module per command family; each exposes click commands named in ``stix_mtac.cli``."""
