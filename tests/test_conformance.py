"""conformance_findings: the contract the validate CLI relies on, under both engines."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stix_mtac.validate import fast
from stix_mtac.validate.conformance import conformance_findings, pattern_nesting
from stix_mtac.validate.conformance_codes import MAX_PATTERN_NESTING, SHOULD_NAMES
from stix_mtac.validate.findings import Severity

GOOD: dict[str, Any] = json.loads(
    (Path(__file__).parent / "corpus" / "good" / "full.json").read_text(encoding="utf-8")
)
ENGINES = ["fast", "reference"]
INDICATOR = {
    "type": "indicator",
    "spec_version": "2.1",
    "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
    "created": "2023-09-07T00:00:00.000Z",
    "modified": "2023-09-07T00:00:00.000Z",
    "name": "bad address",
    "description": "seen in the campaign",
    "pattern": "[ipv4-addr:value = '198.51.100.1']",
    "pattern_type": "stix",
    "valid_from": "2023-09-07T00:00:00Z",
}


def with_object(obj: Any) -> dict[str, Any]:
    bundle = copy.deepcopy(GOOD)
    bundle["objects"].append(obj)
    return bundle


def at(findings: list[Any], path: str) -> set[tuple[str, Severity]]:
    return {(f.code, f.severity) for f in findings if f.json_path.startswith(path)}


@pytest.mark.parametrize("engine", ENGINES)
def test_good_bundle_has_no_findings(engine: str) -> None:
    assert conformance_findings(copy.deepcopy(GOOD), engine=engine) == []  # type: ignore[arg-type]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("change", "code", "severity", "path"),
    [
        ({"created": "2023-02-30T00:00:00.000Z"}, "C101", Severity.ERROR, "$.objects[13]"),
        ({"created": "2024-01-01T00:00:00.000Z"}, "C102", Severity.ERROR, "$.objects[13]"),
        ({"pattern": "[ipv4-addr:value = '1'"}, "C112", Severity.ERROR, "$.objects[13]"),
        ({"pattern": "[x:y = 'z']"}, "C112", Severity.ERROR, "$.objects[13]"),
        ({"valid_from": 7}, "C100", Severity.ERROR, "$.objects[13].valid_from"),
        (
            {"id": "indicator--6ba7b810-9dad-11d1-80b4-00c04fd430c8"},
            "103",
            Severity.WARNING,
            "$.objects[13]",
        ),
        ({"indicator_types": ["Bad_Type"]}, "111", Severity.WARNING, "$.objects[13]"),
        ({"x_custom": 1}, "401", Severity.WARNING, "$.objects[13]"),
        ({"lang": "klingon"}, "C110", Severity.ERROR, "$.objects[13]"),
    ],
)
def test_each_kind_of_finding_at_its_object(
    engine: str, change: dict[str, Any], code: str, severity: Severity, path: str
) -> None:
    findings = conformance_findings(with_object({**INDICATOR, **change}), engine=engine)  # type: ignore[arg-type]
    assert (code, severity) in at(findings, path)
    assert all(f.object_id == change.get("id", INDICATOR["id"]) for f in findings)


@pytest.mark.parametrize("engine", ENGINES)
def test_should_findings_are_errors_under_strict(engine: str) -> None:
    bundle = with_object({**INDICATOR, "indicator_types": ["Bad_Type"]})
    findings = conformance_findings(bundle, engine=engine, strict=True)  # type: ignore[arg-type]
    assert at(findings, "$.objects[13]") == {("111", Severity.ERROR), ("214", Severity.ERROR)}


@pytest.mark.parametrize("engine", ENGINES)
def test_unsuggested_relationship_and_duplicate_ids(engine: str) -> None:
    bundle = copy.deepcopy(GOOD)
    relationship = next(o for o in bundle["objects"] if o["type"] == "relationship")
    relationship["relationship_type"] = "eats"
    bundle["objects"].append(copy.deepcopy(bundle["objects"][1]))
    findings = conformance_findings(bundle, engine=engine)  # type: ignore[arg-type]
    index = bundle["objects"].index(relationship)
    assert ("202", Severity.WARNING) in at(findings, f"$.objects[{index}]")
    duplicate = [f for f in findings if f.code == "203"]
    assert [(f.json_path, f.object_id) for f in duplicate] == [
        ("$.objects[13]", bundle["objects"][1]["id"])
    ]
    assert duplicate[0].name == SHOULD_NAMES["203"] == "duplicate-ids"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("entry", [None, 3, "x", [], {"type": "identity"}, {"id": "a--b"}])
def test_entries_that_are_not_objects(engine: str, entry: Any) -> None:
    findings = conformance_findings(with_object(entry), engine=engine)  # type: ignore[arg-type]
    assert [(f.code, f.json_path) for f in findings] == [("C120", "$.objects[13]")]


@pytest.mark.parametrize("engine", ENGINES)
def test_pattern_that_would_recurse_without_end_is_a_finding(engine: str) -> None:
    deep = "(" * 5000 + "[ipv4-addr:value = '1']" + ")" * 5000
    findings = conformance_findings(with_object({**INDICATOR, "pattern": deep}), engine=engine)  # type: ignore[arg-type]
    assert {(f.code, f.json_path) for f in findings} == {("C121", "$.objects[13].pattern")}


@pytest.mark.parametrize("engine", ENGINES)
@settings(max_examples=12, deadline=None)
@given(value=st.recursive(st.none() | st.integers() | st.text(max_size=5), st.lists, max_leaves=8))
def test_never_raises_whatever_a_property_holds(engine: str, value: Any) -> None:
    for prop in ("pattern", "created", "granular_markings", "external_references", "id"):
        conformance_findings(with_object({**INDICATOR, prop: value}), engine=engine)  # type: ignore[arg-type]


@given(st.text(alphabet="()[]' \\ab", max_size=40))
def test_pattern_nesting_ignores_quoted_brackets(text: str) -> None:
    quoted = "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
    assert pattern_nesting(f"[a:b = {quoted}]") == 1
    assert pattern_nesting("(" * MAX_PATTERN_NESTING + "[") == MAX_PATTERN_NESTING + 1


def test_worker_processes_give_the_same_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = copy.deepcopy(GOOD)
    for n in range(40):
        bundle["objects"].append(
            {
                **INDICATOR,
                "id": f"indicator--{n:08d}-0000-4000-8000-000000000000",
                "lang": "x" if n % 3 else "en",
            }
        )
    single = conformance_findings(bundle, jobs=1)
    monkeypatch.setattr(fast, "PARALLEL_THRESHOLD", 10)
    monkeypatch.setattr(fast, "CHUNK", 7)
    calls: list[tuple[int, int]] = []
    parallel = conformance_findings(bundle, jobs=2, progress=lambda d, t: calls.append((d, t)))
    assert sorted(parallel) == sorted(single) and len(single) >= 26
    assert calls[-1] == (53, 53) and len(calls) == 8


def test_fast_engine_never_imports_stix2validator() -> None:
    code = (
        "import json, sys\n"
        "from stix_mtac.validate.conformance import conformance_findings\n"
        f"bundle = json.loads({json.dumps(json.dumps(with_object(INDICATOR)))})\n"
        "conformance_findings(bundle)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('stix2validator', 'jsonschema', 'rfc3987_syntax')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("objects", [5, "x", {"a": 1}, None])
def test_objects_that_is_not_a_list(engine: str, objects: Any) -> None:
    bundle = {**copy.deepcopy(GOOD), "objects": objects}
    findings = conformance_findings(bundle, engine=engine)  # type: ignore[arg-type]
    assert [(f.code, f.json_path) for f in findings] == [("C120", "$.objects")]
