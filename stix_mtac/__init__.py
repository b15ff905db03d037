"""stix-mtac: threat-report facts to signed, validated STIX 2.1 bundles.

The library API (see ``stix_mtac.api``; importing it costs nothing until a function is called)::

    from stix_mtac import build_report, validate_bundle, sign_bundle, verify_bundle, publish_bundle
"""

from importlib.metadata import PackageNotFoundError, version

from stix_mtac.api import (
    SignedBundle,
    build_report,
    publish_bundle,
    sign_bundle,
    validate_bundle,
    verify_bundle,
)

try:
    __version__ = version("stix-mtac")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = [
    "SignedBundle",
    "__version__",
    "build_report",
    "publish_bundle",
    "sign_bundle",
    "validate_bundle",
    "verify_bundle",
]
