"""Our own checks on the corpus: each fires where expected, stays quiet on good bundles, and
is silenced by --disable (by code and by name). The corpus expectations are written by hand in
``corpus/expectations.yaml``; these tests compare the validator against them."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from stix_mtac.errors import InputError
from stix_mtac.validate.api import ValidationOptions, validate_bundle
from stix_mtac.validate.findings import Severity
from stix_mtac.validate.registry import registered_checks

CORPUS = Path(__file__).parent / "corpus"
EXPECTATIONS: dict[str, dict[str, str]] = yaml.safe_load(
    (CORPUS / "expectations.yaml").read_text(encoding="utf-8")
)
GOOD = sorted((CORPUS / "good").glob("*.json"))
OURS = ValidationOptions(conformance=False)


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def defect_bundle(name: str) -> Any:
    return load(CORPUS / "defects" / f"{name}.json")


def test_corpus_is_large_enough_and_complete() -> None:
    assert len(EXPECTATIONS) >= 30
    assert sorted(p.stem for p in (CORPUS / "defects").glob("*.json")) == sorted(EXPECTATIONS)
    # every check of ours has at least one bundle where it must fire
    assert {c.code for c in registered_checks()} <= {e["code"] for e in EXPECTATIONS.values()}


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_defect_is_flagged_as_expected(name: str) -> None:
    expected = EXPECTATIONS[name]
    result = validate_bundle(defect_bundle(name), source=name, options=OURS)
    matching = [
        (f.severity.value, f.json_path) for f in result.findings if f.code == expected["code"]
    ]
    assert (expected["severity"], expected["path"]) in matching, result.findings
    # one defect, one kind of finding: no other check of ours fires on it
    assert {f.code for f in result.findings} == {expected["code"]}
    assert result.is_valid is (expected["severity"] != "error")


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_disabled_check_is_silent(name: str) -> None:
    expected = EXPECTATIONS[name]
    check = next(c for c in registered_checks() if c.code == expected["code"])
    for key in (check.code, check.name):
        options = ValidationOptions(conformance=False, disabled=frozenset({key}))
        result = validate_bundle(defect_bundle(name), source=name, options=options)
        assert all(f.code != check.code for f in result.findings)
        assert result.is_valid


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.stem)
def test_good_bundle_has_no_findings(path: Path) -> None:
    result = validate_bundle(load(path), source=str(path), options=OURS)
    assert result.findings == ()
    assert result.is_valid


def test_strict_turns_warnings_into_errors() -> None:
    bundle = defect_bundle("relationship-unsuggested")
    assert validate_bundle(bundle, options=OURS).is_valid
    strict = validate_bundle(bundle, options=ValidationOptions(conformance=False, strict=True))
    assert not strict.is_valid
    assert [f.severity for f in strict.findings] == [Severity.ERROR]


def test_open_bundle_downgrades_missing_references_only() -> None:
    options = ValidationOptions(conformance=False, open_bundle=True)
    for name in ("ref-created-by-missing", "ref-object-marking-missing"):
        result = validate_bundle(defect_bundle(name), options=options)
        assert result.is_valid
        assert [f.severity for f in result.findings] == [Severity.WARNING]
    assert not validate_bundle(defect_bundle("modified-before-created"), options=options).is_valid


def test_enable_reports_only_the_named_checks() -> None:
    bundle = defect_bundle("ref-created-by-missing")
    bundle["objects"][5]["confidence"] = 101  # a second, different defect
    both = validate_bundle(bundle, options=OURS)
    assert {f.code for f in both.findings} == {"SX201", "SX603"}
    only = validate_bundle(
        bundle, options=ValidationOptions(conformance=False, enabled=frozenset({"SX603"}))
    )
    assert {f.code for f in only.findings} == {"SX603"}
    by_name = ValidationOptions(conformance=False, enabled=frozenset({"unresolved-reference"}))
    assert {f.code for f in validate_bundle(bundle, options=by_name).findings} == {"SX201"}


def test_versions_of_one_object_are_fine_but_timestamps_compare_as_times() -> None:
    bundle = load(CORPUS / "good" / "versions.json")
    campaign = next(o for o in bundle["objects"] if o["type"] == "campaign")
    clash = copy.deepcopy(campaign)
    clash["modified"] = campaign["modified"].replace(".000Z", "Z")  # same instant, other spelling
    clash["name"] = "changed"
    bundle["objects"].append(clash)
    codes = [f.code for f in validate_bundle(bundle, options=OURS).findings]
    assert codes == ["SX401"]


@pytest.mark.parametrize(
    ("value", "kind"),
    [([], "an array"), ("bundle", "a string"), (3, "a number"), (None, "null")],
)
def test_top_level_that_is_not_an_object_is_an_input_error(value: Any, kind: str) -> None:
    with pytest.raises(InputError, match=f"top level is {kind}"):
        validate_bundle(value, source="x.json", options=OURS)


def test_single_object_is_not_a_bundle() -> None:
    with pytest.raises(InputError, match="'campaign' object, expected a bundle"):
        validate_bundle({"type": "campaign", "id": "campaign--1"}, source="x.json", options=OURS)


def test_every_check_is_documented_and_unique() -> None:
    checks = registered_checks()
    assert len({c.code for c in checks}) == len({c.name for c in checks}) == len(checks)
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    missing = [c.code for c in checks if f"`{c.code}`" not in readme]
    assert not missing, f"README does not list {missing}"
