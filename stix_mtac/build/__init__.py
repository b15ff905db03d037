"""The build half of stix-mtac: facts files in, signed STIX 2.1 bundles out.

- ``facts``: the facts format (docs/facts-format.md): loading and checking;
- ``ids``: deterministic STIX ids; ``catalogues``, ``markings``, ``patterns``: reference data;
- ``builders``: one module per family of STIX types;
- ``assembly``: facts -> bundle (pure), several reports together;
- ``versions``: created/modified against the previous bundle;
- ``export``: validate, check versions, write atomically, sign: ``export_report`` is the one
  library function the CLI calls.
"""

from stix_mtac.build.assembly import (
    BUILTIN_REPORT,
    BuildResult,
    build_builtin_bundle,
    build_bundle,
    build_bundles,
    build_from_path,
    builtin_facts_path,
    builtin_reports,
)
from stix_mtac.build.facts import ReportFacts, load_facts

__all__ = [
    "BUILTIN_REPORT",
    "BuildResult",
    "ReportFacts",
    "build_builtin_bundle",
    "build_bundle",
    "build_bundles",
    "build_from_path",
    "builtin_facts_path",
    "builtin_reports",
    "load_facts",
]
