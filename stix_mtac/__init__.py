"""stix-mtac: threat-report facts to signed, validated STIX 2.1 bundles."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("stix-mtac")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
