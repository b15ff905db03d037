"""``python -m stix_mtac``: the same as the ``stix-mtac`` command."""

from stix_mtac.cli import main

main()
