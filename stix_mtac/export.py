"""Write a built bundle to disk: validated first, atomically, signed when a key is given.

This is the only module that decides where bundles go and what they are called; the bytes
come from ``canonical.pretty_bytes`` and reach the disk only through ``fileio``: a signed export
replaces the bundle, its signature and the manifest together (``fileio.replace_together``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stix_mtac.build import BuildResult
from stix_mtac.canonical import pretty_bytes
from stix_mtac.fileio import holds, replace_together, write_atomic

# A gate raises InvalidBundleError when the bundle must not be written.
Gate = Callable[[dict[str, Any], str], None]
# A signer returns the files that sign the bundle bytes it is given at that path (signature,
# manifest), to be written together with the bundle.
Signer = Callable[[Path, bytes], dict[Path, bytes]]


@dataclass(frozen=True)
class ExportResult:
    bundle_path: Path | None  # None when written to stdout
    signature_path: Path | None
    data: bytes
    summary: str
    # an unsigned export changed the bytes that an existing .jws beside them signs
    stale_signature: Path | None = None


def bundle_file_name(result: BuildResult) -> str:
    return f"{result.name}.json"


def summarise(result: BuildResult) -> str:
    """``73 objects (36 relationship, 11 identity, ...); 18/18 facts covered``."""
    objects = result.bundle["objects"]
    by_type = Counter(obj["type"] for obj in objects)
    types = ", ".join(
        f"{count} {name}" for name, count in sorted(by_type.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    covered = sum(1 for refs in result.objects_by_fact.values() if refs)
    return (
        f"{len(objects)} objects ({types}); {covered}/{len(result.objects_by_fact)} facts covered"
    )


def export_bundle(
    result: BuildResult,
    out_dir: Path | None,
    gate: Gate,
    signer: Signer | None = None,
) -> ExportResult:
    """Validate, then write ``<out_dir>/<report key>.json`` (or only return bytes when
    ``out_dir`` is None) and sign it when a signer is given."""
    name = bundle_file_name(result)
    gate(result.bundle, name)
    data = pretty_bytes(result.bundle)
    summary = summarise(result)
    if out_dir is None:
        return ExportResult(None, None, data, summary)
    path = out_dir / name
    from stix_mtac.signing.bundles import signature_path

    if signer is not None:
        replace_together({path: data, **signer(path, data)})
        return ExportResult(path, signature_path(path), data, summary)
    old_signature = signature_path(path)
    stale = old_signature.exists() and not holds(path, data)
    write_atomic(path, data)
    return ExportResult(path, None, data, summary, old_signature if stale else None)
