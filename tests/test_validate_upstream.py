"""Our verdict is never weaker than stix2-validator's ``--strict --enforce-refs`` on the corpus:
every object it rejects, we reject too; and the references, versions and markings it passes
are exactly the defects our own checks exist for."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from stix2validator import ValidationOptions as UpstreamOptions
from stix2validator import validate_file

from stix_mtac.errors import InputError
from stix_mtac.validate.api import ValidationOptions, validate_bundle
from stix_mtac.validate.findings import Severity

CORPUS = Path(__file__).parent / "corpus"
FILES = sorted((CORPUS / "defects").glob("*.json")) + sorted((CORPUS / "good").glob("*.json"))
UPSTREAM = UpstreamOptions(strict=True, enforce_refs=True, silent=True)
VERDICTS = {
    "ours-only": ValidationOptions(conformance=False, strict=True),
    "with-conformance": ValidationOptions(strict=True),
}


def upstream_rejections(path: Path) -> tuple[bool, set[str]]:
    """(whole file rejected, ids of the objects stix2-validator rejects)."""
    result: Any = validate_file(str(path), UPSTREAM)
    if getattr(result, "fatal", None) is not None:
        return True, set()
    rejected = {r.object_id for r in result.object_results or () if not r.is_valid}
    return (not result.is_valid), rejected


@pytest.mark.parametrize("verdict", sorted(VERDICTS))
@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_never_weaker_than_stix2_validator(path: Path, verdict: str) -> None:
    file_rejected, rejected_ids = upstream_rejections(path)
    try:
        result = validate_bundle(
            json.loads(path.read_text(encoding="utf-8")),
            source=str(path),
            options=VERDICTS[verdict],
        )
    except InputError:
        return  # refused outright: stronger than any verdict
    if file_rejected:
        assert not result.is_valid
    ours = {f.object_id for f in result.findings if f.severity is Severity.ERROR}
    for object_id in rejected_ids:
        if object_id.startswith("bundle--"):
            continue  # bundle-level findings: covered by the file verdict above
        assert object_id in ours, f"stix2-validator rejects {object_id}, we do not"


# Defects stix2-validator --strict --enforce-refs passes (measured on this corpus) and ours catch.
UPSTREAM_MISSES = [
    "empty-objects",
    "missing-spec-version",
    "ref-created-by-missing",
    "ref-granular-marking-missing",
    "ref-grouping-object-missing",
    "ref-note-object-missing",
    "ref-object-marking-missing",
    "ref-observed-data-sco-missing",
    "ref-opinion-object-missing",
    "ref-report-object-missing",
    "ref-sighting-of-missing",
    "ref-where-sighted-missing",
    "tlp-altered",
    "tlp2-unofficial-id",
]


@pytest.mark.parametrize("name", UPSTREAM_MISSES)
def test_what_stix2_validator_passes_our_checks_reject(name: str) -> None:
    path = CORPUS / "defects" / f"{name}.json"
    assert upstream_rejections(path) == (False, set())
    bundle = json.loads(path.read_text(encoding="utf-8"))
    assert not validate_bundle(bundle, options=ValidationOptions(conformance=False)).is_valid
