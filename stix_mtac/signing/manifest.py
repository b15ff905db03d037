"""``manifest.json`` beside the bundles: each bundle's digests, id, object count and signing kid.

The manifest is not signed and never makes a bundle pass. It lets ``sha256sum`` users check
files, and when a signature fails it tells *what* changed since signing (an object added or
removed, a value changed, the kid swapped, the signature itself damaged).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from stix_mtac.canonical import pretty_bytes
from stix_mtac.errors import InputError, SignatureError
from stix_mtac.fileio import read_bounded
from stix_mtac.jsonio import JsonLimits, parse_json

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = "stix-mtac-manifest/1"
MANIFEST_LIMITS = JsonLimits(max_bytes=64 * 1024 * 1024, max_depth=8, max_string=4096)


@dataclass(frozen=True)
class ManifestEntry:
    sha256: str  # of the file as written, for sha256sum
    canonical_sha256: str  # of the RFC 8785 bytes the signature covers
    bundle_id: str
    objects: int
    signature: str
    kid: str
    alg: str


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest_path(bundle_path: Path) -> Path:
    return bundle_path.parent / MANIFEST_NAME


def _read(path: Path) -> dict[str, Any]:
    try:
        raw = read_bounded(path, MANIFEST_LIMITS.max_bytes, what="manifest", error=InputError)
        data = parse_json(raw, str(path), MANIFEST_LIMITS)
    except InputError as exc:
        raise SignatureError(f"manifest {exc.message}") from None
    if (
        not isinstance(data, dict)
        or data.get("format") != MANIFEST_FORMAT
        or not isinstance(data.get("bundles"), dict)
    ):
        raise SignatureError(f"{path}: not a {MANIFEST_FORMAT} manifest")
    return data


def read_entry(bundle_path: Path) -> ManifestEntry | None:
    """The manifest's entry for ``bundle_path``, or None without a manifest or entry."""
    path = manifest_path(bundle_path)
    if not path.exists():
        return None
    entry = _read(path)["bundles"].get(bundle_path.name)
    if entry is None:
        return None
    try:
        return ManifestEntry(**entry)
    except TypeError:
        raise SignatureError(f"{path}: bundles.{bundle_path.name}: unexpected fields") from None


def updated(bundle_path: Path, entry: ManifestEntry) -> tuple[Path, bytes]:
    """The manifest's path and its new bytes with ``bundle_path``'s entry added or replaced.

    Nothing is written: the caller writes it together with the files it describes. A damaged
    manifest is an InputError (exit 4) here, raised before anything is written.
    """
    path = manifest_path(bundle_path)
    try:
        bundles = _read(path)["bundles"] if path.exists() else {}
    except SignatureError as exc:
        raise InputError(
            f"{exc.message}; fix or remove it, then sign again (nothing was written)"
        ) from None
    bundles[bundle_path.name] = asdict(entry)
    return path, pretty_bytes({"format": MANIFEST_FORMAT, "bundles": bundles})
