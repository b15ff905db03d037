"""The options apply to stix2-validator's findings as to ours: a real SHOULD finding (check 103,
ids SHOULD be UUIDv4) is reported as a warning, promoted by strict, and disabled by code or name."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from stix_mtac.validate.api import ValidationOptions, validate_bundle
from stix_mtac.validate.findings import Severity

GOOD = Path(__file__).parent / "corpus" / "good" / "full.json"


def bundle_with_uuid5_id() -> dict[str, Any]:
    bundle: dict[str, Any] = json.loads(GOOD.read_text(encoding="utf-8"))
    pattern = dict(next(o for o in bundle["objects"] if o["type"] == "attack-pattern"))
    pattern["id"] = f"attack-pattern--{uuid.uuid5(uuid.NAMESPACE_URL, 'example')}"
    bundle["objects"].append(pattern)
    return bundle


def uuid_findings(options: ValidationOptions) -> tuple[bool, list[Any]]:
    result = validate_bundle(bundle_with_uuid5_id(), options=options)
    return result.is_valid, [f for f in result.findings if f.code == "103"]


def test_should_finding_is_a_warning_with_object_and_path() -> None:
    valid, findings = uuid_findings(ValidationOptions(engine="reference"))
    assert valid
    assert [f.severity for f in findings] == [Severity.WARNING]
    assert findings[0].object_id == "attack-pattern--" + str(
        uuid.uuid5(uuid.NAMESPACE_URL, "example")
    )
    assert findings[0].json_path.startswith("$.objects[13]")


def test_strict_and_disable_apply_to_conformance_findings() -> None:
    valid, findings = uuid_findings(ValidationOptions(engine="reference", strict=True))
    assert not valid and [f.severity for f in findings] == [Severity.ERROR]
    name = findings[0].name
    for key in ("103", name):
        options = ValidationOptions(engine="reference", strict=True, disabled=frozenset({key}))
        assert uuid_findings(options) == (True, [])


def test_fast_engine_reports_the_same_finding() -> None:
    _, reference = uuid_findings(ValidationOptions(engine="reference"))
    _, fast = uuid_findings(ValidationOptions(engine="fast"))
    assert [(f.code, f.json_path, f.object_id) for f in fast] == [
        (f.code, f.json_path, f.object_id) for f in reference
    ]
