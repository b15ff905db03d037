"""Property tests for the reference check and the option filter: for any bundle shape, SX201
fires exactly for the references that name no object in the bundle, wherever they sit."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from stix_mtac.validate.api import ValidationOptions, apply_options, validate_bundle
from stix_mtac.validate.findings import Finding, Severity

OURS = ValidationOptions(conformance=False, enabled=frozenset({"SX201"}))
uuids = st.uuids(version=4).map(str)


@given(
    present=st.lists(uuids, min_size=1, max_size=6, unique=True),
    absent=st.lists(uuids, max_size=4, unique=True),
    data=st.data(),
)
def test_unresolved_reference_fires_exactly_for_missing_targets(
    present: list[str], absent: list[str], data: st.DataObject
) -> None:
    absent = [a for a in absent if a not in present]
    ids = [f"campaign--{u}" for u in present]
    missing = [f"campaign--{u}" for u in absent]
    objects: list[dict[str, Any]] = [{"type": "campaign", "id": i} for i in ids]
    expected: set[str] = set()
    for n, target in enumerate(ids + missing):
        holder = data.draw(st.sampled_from(objects))
        place = data.draw(st.sampled_from(["ref", "refs", "nested", "list-nested"]))
        if place == "ref":
            holder.setdefault("x_refs_ref_holder", {})[f"x_{n}_ref"] = target
        elif place == "refs":
            holder.setdefault("x_related_refs", []).append(target)
        elif place == "nested":
            holder.setdefault("extensions", {})[f"x-ext-{n}"] = {"subject_ref": target}
        else:
            holder.setdefault("granular_markings", []).append({"x_target_ref": target})
        if target in missing:
            expected.add(target)
    result = validate_bundle(
        {"type": "bundle", "id": "bundle--1", "objects": objects}, options=OURS
    )
    reported = {f.message.split(" points at ", 1)[1].split(",", 1)[0] for f in result.findings}
    assert reported == expected
    assert all(f.json_path.startswith("$.objects[") for f in result.findings)


codes = st.sampled_from(["103", "202", "SX201", "SX301"])


@given(st.lists(st.tuples(codes, st.sampled_from(list(Severity))), max_size=8), st.sets(codes))
def test_options_apply_to_every_finding(
    raw: list[tuple[str, Severity]], disabled: set[str]
) -> None:
    findings = [Finding(code, f"name-{code}", severity, "$", "m") for code, severity in raw]
    options = ValidationOptions(disabled=frozenset(disabled), strict=True)
    kept = apply_options(findings, options)
    # SX301 reports stix2-validator's 202 defect too, so it answers to --disable 202 (README)
    answers_to = {"SX301": {"SX301", "202"}}
    assert [f.code for f in kept] == [
        f.code for f in findings if not answers_to.get(f.code, {f.code}) & disabled
    ]
    assert all(f.severity is not Severity.WARNING for f in kept)
    infos = [
        f
        for f in findings
        if f.severity is Severity.INFO and not answers_to.get(f.code, {f.code}) & disabled
    ]
    assert [f for f in kept if f.severity is Severity.INFO] == infos
