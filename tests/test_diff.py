"""`stix-mtac diff`: added, removed, changed by id; changes without a newer `modified` flagged."""

from __future__ import annotations

import copy
import json
import random
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from test_show_support import (
    BUILTIN,
    CAMPAIGN,
    REL_USES,
    VICTIM,
    builtin_bundle,
    sample_bundle,
    write_bundle,
)

from stix_mtac.cli import cli
from stix_mtac.view.diff import changed_properties
from stix_mtac.view.timestamps import timestamp_key


def run_diff(old: Path, new: Path, *options: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["diff", *options, str(old), str(new)])
    return result.exit_code, result.stdout, result.stderr


def edited(bundle: dict[str, Any], object_id: str, **changes: Any) -> dict[str, Any]:
    copied = copy.deepcopy(bundle)
    for obj in copied["objects"]:
        if obj["id"] == object_id:
            obj.update(changes)
    return copied


def test_builtin_bundle_against_itself_is_empty() -> None:
    code, out, err = run_diff(BUILTIN, BUILTIN)
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == "no differences"
    code, out, _ = run_diff(BUILTIN, BUILTIN, "--format", "json")
    assert code == 0
    assert json.loads(out) == {
        "identical": True,
        "added": [],
        "removed": [],
        "changed": [],
        "not_bumped": 0,
    }


def test_edited_description_without_modified_bump_is_named_and_flagged(tmp_path: Path) -> None:
    bundle = builtin_bundle()
    target = next(o for o in bundle["objects"] if o["type"] == "campaign")
    new = write_bundle(
        tmp_path / "new.json", edited(bundle, target["id"], description="Edited text.")
    )
    code, out, _ = run_diff(BUILTIN, new, "--format", "json")
    assert code == 1
    assert json.loads(out) == {
        "identical": False,
        "added": [],
        "removed": [],
        "changed": [
            {
                "id": target["id"],
                "type": "campaign",
                "name": target["name"],
                "properties": ["description"],
                "old_modified": target["modified"],
                "new_modified": target["modified"],
                "modified_newer": False,
            }
        ],
        "not_bumped": 1,
    }
    code, text, _ = run_diff(BUILTIN, new)
    assert code == 1
    assert f"~ {target['id']}" in text
    assert "properties: description" in text
    assert "'modified' not newer" in text
    assert "TIPs holding the old version would ignore this change" in " ".join(text.split())
    assert text.splitlines()[-1] == ("0 added, 0 removed, 1 changed (1 without a newer 'modified')")
    assert max(len(line) for line in text.splitlines()) <= 80


def test_bumped_modified_is_not_flagged(tmp_path: Path) -> None:
    old = write_bundle(tmp_path / "old.json", sample_bundle())
    bumped = edited(
        sample_bundle(), CAMPAIGN, description="New.", modified="2023-09-08T00:00:00.000Z"
    )
    code, out, _ = run_diff(old, write_bundle(tmp_path / "new.json", bumped), "--format", "json")
    assert code == 1
    (change,) = json.loads(out)["changed"]
    assert change["properties"] == ["description", "modified"]
    assert change["modified_newer"] is True
    assert json.loads(out)["not_bumped"] == 0


def test_older_modified_is_flagged(tmp_path: Path) -> None:
    old = write_bundle(tmp_path / "old.json", sample_bundle())
    older = edited(sample_bundle(), CAMPAIGN, modified="2023-09-06T23:59:59.999Z")
    code, out, _ = run_diff(old, write_bundle(tmp_path / "new.json", older), "--format", "json")
    assert code == 1
    assert json.loads(out)["changed"][0]["modified_newer"] is False


def test_change_that_drops_modified_or_has_none_is_flagged(tmp_path: Path) -> None:
    old = write_bundle(tmp_path / "old.json", sample_bundle())
    changed = sample_bundle()
    campaign = next(o for o in changed["objects"] if o["id"] == CAMPAIGN)
    del campaign["modified"]
    marking = changed["objects"][0]  # marking-definitions have no `modified` at all
    marking["name"] = "TLP:CLEAR (renamed)"
    new = write_bundle(tmp_path / "new.json", changed)
    code, out, _ = run_diff(old, new, "--format", "json")
    assert code == 1
    result = json.loads(out)
    assert {c["id"]: c["modified_newer"] for c in result["changed"]} == {
        CAMPAIGN: False,
        marking["id"]: False,
    }
    assert result["not_bumped"] == 2
    _, text, _ = run_diff(old, new)
    flat = " ".join(text.split())
    assert flat.count("! no 'modified' property: importers cannot tell this version is newer") == 2


def test_added_and_removed_objects_by_id(tmp_path: Path) -> None:
    old_data = sample_bundle()
    new_data = copy.deepcopy(old_data)
    new_data["objects"] = [o for o in new_data["objects"] if o["id"] != REL_USES]
    added = "identity--bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
    new_data["objects"].append(dict(old_data["objects"][1], id=added, name="New identity"))
    old = write_bundle(tmp_path / "old.json", old_data)
    new = write_bundle(tmp_path / "new.json", new_data)
    code, out, _ = run_diff(old, new, "--format", "json")
    assert code == 1
    result = json.loads(out)
    assert result["added"] == [{"id": added, "type": "identity", "name": "New identity"}]
    assert result["removed"] == [{"id": REL_USES, "type": "relationship", "name": "uses"}]
    assert result["changed"] == []
    code, text, _ = run_diff(old, new)
    assert f"+ {added}" in text and f"- {REL_USES}" in text


def test_removed_property_and_type_change_of_a_value_are_changes(tmp_path: Path) -> None:
    old = write_bundle(tmp_path / "old.json", sample_bundle())
    changed = sample_bundle()
    victim = next(o for o in changed["objects"] if o["id"] == VICTIM)
    del victim["created_by_ref"]
    campaign = next(o for o in changed["objects"] if o["id"] == CAMPAIGN)
    campaign["x_flag"] = True
    new = write_bundle(tmp_path / "new.json", changed)
    _, out, _ = run_diff(old, new, "--format", "json")
    by_id = {c["id"]: c["properties"] for c in json.loads(out)["changed"]}
    assert by_id == {VICTIM: ["created_by_ref"], CAMPAIGN: ["x_flag"]}


def test_reordered_and_reformatted_bundle_is_identical(tmp_path: Path) -> None:
    data = builtin_bundle()
    shuffled = copy.deepcopy(data)
    random.Random(7).shuffle(shuffled["objects"])
    shuffled["objects"] = [dict(reversed(list(o.items()))) for o in shuffled["objects"]]
    new = tmp_path / "new.json"
    new.write_text(json.dumps(shuffled, separators=(",", ":")), encoding="utf-8")
    code, out, _ = run_diff(BUILTIN, new)
    assert code == 0, out


def test_unreadable_input_is_exit_4_not_a_difference(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\xef\xbb\xbf{}")
    code, out, err = run_diff(BUILTIN, bad)
    assert code == 4
    assert out == ""
    assert err.startswith(f"error: {bad}: starts with a UTF-8 byte-order mark")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=6,
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.text(min_size=1, max_size=6), json_values, max_size=6),
    st.data(),
)
def test_changed_properties_are_exactly_the_edited_keys(base: dict[str, Any], data: Any) -> None:
    keys = sorted(base)
    edited_keys = data.draw(st.sets(st.sampled_from(keys)) if keys else st.just(set()))
    new = dict(base)
    for key in edited_keys:
        # Wrapping a value in a one-element list always changes it, whatever it was.
        new[key] = [base[key]]
    dropped = data.draw(st.sampled_from(keys)) if keys and data.draw(st.booleans()) else None
    if dropped is not None:
        del new[dropped]
    expected = set(edited_keys) | ({dropped} if dropped is not None else set())
    assert set(changed_properties(base, new)) == expected
    assert changed_properties(base, copy.deepcopy(base)) == ()


def test_one_and_true_differ_while_one_and_one_point_zero_do_not() -> None:
    assert changed_properties({"x": 1}, {"x": True}) == ("x",)
    assert changed_properties({"x": [0]}, {"x": [False]}) == ("x",)
    assert changed_properties({"x": 1}, {"x": 1.0}) == ()
    assert changed_properties({"x": 2**53 + 1}, {"x": 2**53}) == ("x",)
    assert changed_properties({"x": {"a": 1, "b": 2}}, {"x": {"b": 2, "a": 1}}) == ()


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(min_value=datetime(1000, 1, 1)),
    st.integers(min_value=0, max_value=10**9 - 1),
    st.integers(min_value=0, max_value=10**9 - 1),
    st.integers(min_value=0, max_value=9),
    st.integers(min_value=0, max_value=9),
)
def test_timestamp_order_matches_the_instants(
    moment: Any, nanos_a: int, nanos_b: int, pad_a: int, pad_b: int
) -> None:
    base = moment.strftime("%Y-%m-%dT%H:%M:%S")
    # Same instant may be written with more or fewer trailing zeros.
    text_a = f"{base}.{nanos_a:09d}{'0' * pad_a}Z"
    text_b = f"{base}.{nanos_b:09d}{'0' * pad_b}Z"
    key_a, key_b = timestamp_key(text_a), timestamp_key(text_b)
    assert (key_a < key_b) == (nanos_a < nanos_b)
    assert (key_a == key_b) == (nanos_a == nanos_b)
    assert timestamp_key(f"{base}Z") == timestamp_key(f"{base}.000Z")
    assert timestamp_key("not a time") < key_a


def test_readme_diff_example_is_what_diff_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    readme = (BUILTIN.parent.parent / "README.md").read_text("utf-8")
    example = readme.split("$ stix-mtac diff bundles/mtac-east-asia-2023-09-07.json edited.json\n")
    assert len(example) == 2, "the README shows one diff example"
    expected = example[1].split("```", 1)[0]
    bundle = builtin_bundle()
    target = next(o for o in bundle["objects"] if o.get("name", "").startswith("Storm-0558 acc"))
    # Run where the README's relative paths hold, so the output needs no rewriting.
    (tmp_path / "bundles").mkdir()
    write_bundle(tmp_path / "bundles" / BUILTIN.name, bundle)
    write_bundle(tmp_path / "edited.json", edited(bundle, target["id"], description="x"))
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_diff(Path("bundles") / BUILTIN.name, Path("edited.json"))
    assert code == 1
    assert out == expected
