"""Write a built bundle to disk: validated, version-checked, written atomically, signed.

``export_report`` is the one library function that goes from facts to files; the CLI calls
it. The bytes come from ``canonical.pretty_bytes`` and reach the disk only through ``fileio``: a
signed export replaces the bundle, its signature and the manifest together
(``fileio.replace_together``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stix_mtac.build.assembly import BuildResult, build_bundles
from stix_mtac.build.facts import ReportFacts, load_facts
from stix_mtac.build.versions import version_problems
from stix_mtac.canonical import pretty_bytes
from stix_mtac.errors import FactsError, InputError, InvalidBundleError, KeyFileError
from stix_mtac.fileio import holds, refuse_unsafe_target, replace_together, write_atomic

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
    result: BuildResult | None = None


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


def validation_gate(bundle: dict[str, Any], source: str) -> None:
    """Refuse to write a bundle that our validator rejects."""
    from stix_mtac.validate.api import ValidationOptions, validate_bundle

    result = validate_bundle(bundle, source=source, options=ValidationOptions())
    if not result.is_valid:
        problems = [
            f"{finding.json_path}: [{finding.code}] {finding.message}" for finding in result.errors
        ]
        raise InvalidBundleError(
            f"{source}: refused to write an invalid bundle ({len(problems)} errors)", problems
        )


def key_signer(key: Path, out_path: Path, passphrase: bytes | None = None) -> Signer:
    """A signer with ``key``, the key checked (type, passphrase, trust) before anything is
    written to ``out_path``."""
    if not key.is_file():
        raise KeyFileError(f"{key}: no such signing key file")
    from stix_mtac.signing.bundles import signature_files, usable_signing_key

    usable_signing_key(out_path, key, passphrase)

    def sign(bundle_path: Path, data: bytes) -> dict[Path, bytes]:
        return signature_files(bundle_path, data, key, passphrase)

    return sign


def _previous_bundle(path: Path) -> dict[str, Any] | None:
    if path.is_symlink() or not path.is_file():
        return None  # nothing to compare with (a planted link is refused when writing)
    from stix_mtac.jsonio import read_json_file

    data = read_json_file(path)
    if not isinstance(data, dict) or not isinstance(data.get("objects"), list):
        raise InputError(f"{path}: not a STIX bundle (no objects list); cannot compare versions")
    return data


def check_versions(result: BuildResult, previous: Path | None) -> None:
    """Refuse a bundle whose objects break STIX versioning against the ``previous`` one."""
    if previous is None:
        return
    old = _previous_bundle(previous)
    if old is None:
        return
    problems = version_problems(result.bundle, old, result.facts.path.name)
    if problems:
        raise FactsError(problems)


def export_bundle(
    result: BuildResult,
    out_dir: Path | None,
    gate: Gate = validation_gate,
    signer: Signer | None = None,
    previous: Path | None = None,
) -> ExportResult:
    """Validate, check versions against ``previous`` (default: the file it replaces), then
    write ``<out_dir>/<report key>.json`` (or only return bytes when ``out_dir`` is None) and
    sign it when a signer is given."""
    name = bundle_file_name(result)
    gate(result.bundle, name)
    path = out_dir / name if out_dir is not None else None
    check_versions(result, previous if previous is not None else path)
    data = pretty_bytes(result.bundle)
    summary = summarise(result)
    if path is None:
        return ExportResult(None, None, data, summary, result=result)
    from stix_mtac.signing.bundles import signature_path

    if signer is not None:
        replace_together({path: data, **signer(path, data)})
        return ExportResult(path, signature_path(path), data, summary, result=result)
    old_signature = signature_path(path)
    stale = old_signature.exists() and not holds(path, data)
    write_atomic(path, data)
    return ExportResult(path, None, data, summary, old_signature if stale else None, result)


def export_report(
    facts: Path | ReportFacts,
    out_dir: Path | None,
    *,
    key: Path | None = None,
    passphrase: bytes | None = None,
    previous: Path | None = None,
    together_with: Sequence[Path | ReportFacts] = (),
    gate: Gate = validation_gate,
) -> ExportResult:
    """Build one report's facts into a bundle, validate it, check it against the previous
    bundle, write it to ``out_dir/<report key>.json`` atomically (``out_dir`` None: only return
    the bytes) and sign it with ``key`` (an Ed25519 PKCS#8 PEM private key) when given.

    ``together_with``: other reports built with it, so that objects they share keep one
    ``created`` (the earliest). Raises FactsError (exit 3), InvalidBundleError (1),
    KeyFileError (6), InputError (4) or OutputError (10); writes nothing on error.
    """
    loaded = [
        load_facts(item) if isinstance(item, Path) else item for item in (facts, *together_with)
    ]
    result = build_bundles(loaded)[0]
    return export_results(
        [result], out_dir, key=key, passphrase=passphrase, previous=previous, gate=gate
    )[0]


def export_results(
    results: Sequence[BuildResult],
    out_dir: Path | None,
    *,
    key: Path | None = None,
    passphrase: bytes | None = None,
    previous: Path | None = None,
    gate: Gate = validation_gate,
) -> list[ExportResult]:
    """Export built reports; every check runs for every report before the first is written
    (validity, versions, and that no target is a link or a non-file), so a refusal leaves all
    of them as they were."""
    for result in results:
        name = bundle_file_name(result)
        gate(result.bundle, name)
        target = out_dir / name if out_dir is not None else None
        if target is not None:
            refuse_unsafe_target(target)  # the writer's own check, run early
        check_versions(result, previous if previous is not None else target)
    exported = []
    for result in results:
        signer = None
        if key is not None and out_dir is not None:
            signer = key_signer(key, out_dir / bundle_file_name(result), passphrase)
        exported.append(export_bundle(result, out_dir, gate, signer, previous))
    return exported
