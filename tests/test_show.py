"""`stix-mtac show`: the terminal summary and its JSON form."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from test_show_support import (
    ACTOR,
    BUILTIN,
    CAMPAIGN,
    INTRUSION_SET,
    PLACE,
    PRODUCER,
    TECHNIQUE,
    TLP_CLEAR,
    VICTIM,
    builtin_bundle,
    sample_bundle,
    write_bundle,
)

from stix_mtac.cli import cli
from stix_mtac.view.text import safe, wrapped


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_json_summary_of_a_hand_built_bundle(tmp_path: Path) -> None:
    path = write_bundle(tmp_path / "b.json", sample_bundle())
    code, out, _ = run("show", "--format", "json", str(path))
    assert code == 0
    summary = json.loads(out)
    assert summary["bundle_id"] == "bundle--99999999-9999-4999-8999-999999999999"
    assert summary["object_count"] == 14
    assert summary["types"] == {
        "attack-pattern": 1,
        "campaign": 1,
        "identity": 2,
        "intrusion-set": 1,
        "location": 1,
        "marking-definition": 1,
        "relationship": 5,
        "report": 1,
        "threat-actor": 1,
    }
    assert summary["producers"] == [{"id": PRODUCER, "type": "identity", "name": "Test Producer"}]
    assert summary["markings"] == [
        {"id": TLP_CLEAR, "type": "marking-definition", "name": "TLP:CLEAR"}
    ]
    actors = {actor["id"]: actor for actor in summary["actors"]}
    assert set(actors) == {ACTOR, INTRUSION_SET}
    assert actors[ACTOR]["aliases"] == ["Typhoon Alias", "Other Alias"]
    # The campaign is attributed to the intrusion set, not directly to the actor.
    assert actors[ACTOR]["campaigns"] == []
    assert [ref["id"] for ref in actors[INTRUSION_SET]["attributed_to"]] == [ACTOR]
    assert actors[ACTOR]["targets"] == actors[ACTOR]["techniques"] == []
    assert [c["id"] for c in actors[INTRUSION_SET]["campaigns"]] == [CAMPAIGN]
    (campaign,) = summary["campaigns"]
    assert campaign["first_seen"] == "2023-05-15T00:00:00Z"
    assert campaign["last_seen"] is None
    assert [ref["id"] for ref in campaign["attributed_to"]] == [INTRUSION_SET]
    assert {ref["id"] for ref in campaign["targets"]} == {VICTIM, PLACE}
    assert campaign["techniques"] == [
        {
            "id": TECHNIQUE,
            "type": "attack-pattern",
            "name": "Forge Web Credentials",
            "external_ids": ["T1606"],
        }
    ]


def test_text_summary_names_actors_campaigns_targets_and_techniques(tmp_path: Path) -> None:
    path = write_bundle(tmp_path / "b.json", sample_bundle())
    code, out, _ = run("show", str(path))
    assert code == 0
    assert "Producer: Test Producer" in out
    assert "Markings: TLP:CLEAR" in out
    assert "Sample Typhoon [threat-actor]" in out
    assert "aliases: Typhoon Alias; Other Alias" in out
    assert "attributed to: Storm-0001" in out
    assert "targets: Europe; Government agencies" in out
    assert "techniques: T1606 Forge Web Credentials" in out


def test_builtin_bundle_summary_fits_80_columns_and_counts_every_object() -> None:
    code, out, _ = run("show", str(BUILTIN))
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= 80
    objects = builtin_bundle()["objects"]
    assert f": {len(objects)} objects" in out.splitlines()[0]
    for name in (o["name"] for o in objects if o["type"] in ("threat-actor", "intrusion-set")):
        assert name in out


def test_json_summary_of_builtin_lists_every_campaign_once() -> None:
    code, out, _ = run("show", "--format", "json", str(BUILTIN))
    assert code == 0
    summary = json.loads(out)
    campaigns = {o["id"] for o in builtin_bundle()["objects"] if o["type"] == "campaign"}
    assert sorted(c["id"] for c in summary["campaigns"]) == sorted(campaigns)
    assert sum(summary["types"].values()) == summary["object_count"]
    relationships = [o for o in builtin_bundle()["objects"] if o["type"] == "relationship"]

    def ends(source: str, kind: str) -> list[str]:
        return sorted(
            r["target_ref"]
            for r in relationships
            if r["source_ref"] == source and r["relationship_type"] == kind
        )

    for actor in summary["actors"]:
        assert sorted(ref["id"] for ref in actor["targets"]) == ends(actor["id"], "targets")
        assert sorted(ref["id"] for ref in actor["techniques"]) == ends(actor["id"], "uses")
    for campaign in summary["campaigns"]:
        assert sorted(ref["id"] for ref in campaign["targets"]) == ends(campaign["id"], "targets")
        assert sorted(ref["id"] for ref in campaign["attributed_to"]) == ends(
            campaign["id"], "attributed-to"
        )


def test_control_characters_in_names_never_reach_the_terminal(tmp_path: Path) -> None:
    bundle = sample_bundle()
    for obj in bundle["objects"]:
        if obj["id"] == ACTOR:
            obj["name"] = "Evil\x1b]0;pwned\x07 Actor"
    code, out, _ = run("show", str(write_bundle(tmp_path / "b.json", bundle)))
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    assert "Evil\\x1b]0;pwned\\x07 Actor" in out


def test_long_unbroken_names_still_fit_80_columns(tmp_path: Path) -> None:
    bundle = sample_bundle()
    for obj in bundle["objects"]:
        if obj["id"] == CAMPAIGN:
            obj["name"] = "X" * 300
    code, out, _ = run("show", str(write_bundle(tmp_path / "b.json", bundle)))
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= 80
    assert out.count("X") >= 300


def test_not_a_bundle_is_one_line_exit_4(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text("[1, 2]", encoding="utf-8")
    code, out, err = run("show", str(path))
    assert code == 4
    assert out == ""
    assert err == f"error: {path}: not a STIX bundle (expected a JSON object with type 'bundle')\n"


def test_object_without_id_is_located_by_json_path(tmp_path: Path) -> None:
    bundle = sample_bundle()
    del bundle["objects"][3]["id"]
    code, _, err = run("show", str(write_bundle(tmp_path / "b.json", bundle)))
    assert code == 4
    assert err.strip() == f"error: {tmp_path / 'b.json'}: $.objects[3].id: missing or not a string"


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "dup.json"
    path.write_text('{"type": "bundle", "type": "bundle", "objects": []}', encoding="utf-8")
    code, _, err = run("show", str(path))
    assert code == 4
    assert "duplicate key 'type'" in err
    assert len(err.splitlines()) == 1


def test_missing_file_exit_4(tmp_path: Path) -> None:
    code, _, err = run("show", str(tmp_path / "absent.json"))
    assert code == 4
    assert err == f"error: {tmp_path / 'absent.json'}: no such file\n"


def test_newest_version_of_an_object_is_shown(tmp_path: Path) -> None:
    bundle = sample_bundle()
    campaign = next(o for o in bundle["objects"] if o["id"] == CAMPAIGN)
    newer = dict(campaign, name="Renamed campaign", modified="2023-09-08T00:00:00.000Z")
    bundle["objects"].insert(0, newer)  # the newer version first: order must not matter
    code, out, _ = run("show", "--format", "json", str(write_bundle(tmp_path / "b.json", bundle)))
    assert code == 0
    assert [c["name"] for c in json.loads(out)["campaigns"]] == ["Renamed campaign"]


@settings(max_examples=200, deadline=None)
@given(st.text(), st.integers(min_value=0, max_value=20))
def test_wrapped_lines_fit_and_lose_no_visible_text(text: str, indent: int) -> None:
    lines = wrapped(text, indent, indent + 2)
    assert all(len(line) <= 80 for line in lines)
    assert "".join("".join(lines).split()) == "".join(safe(text).split())
    assert all(ord(char) >= 0x20 and char != "\x7f" for line in lines for char in line)


EXPECTED_SAMPLE_TEXT = """\
Bundle bundle--99999999-9999-4999-8999-999999999999: 14 objects

Objects by type
  attack-pattern                    1
  campaign                          1
  identity                          2
  intrusion-set                     1
  location                          1
  marking-definition                1
  relationship                      5
  report                            1
  threat-actor                      1

Producer: Test Producer
Markings: TLP:CLEAR
Report: Sample report (published 2023-09-07T00:00:00Z)

Threat actors and intrusion sets (2)
  Sample Typhoon [threat-actor]
    aliases: Typhoon Alias; Other Alias
    campaigns: none stated
  Storm-0001 [intrusion-set]
    attributed to: Sample Typhoon
    campaigns: Email access campaign

Campaigns (1)
  Email access campaign
    first seen: 2023-05-15T00:00:00Z; last seen: not stated
    attributed to: Storm-0001
    targets: Europe; Government agencies
    techniques: T1606 Forge Web Credentials
"""


def test_text_summary_of_the_sample_bundle_reads_exactly_so(tmp_path: Path) -> None:
    code, out, _ = run("show", str(write_bundle(tmp_path / "b.json", sample_bundle())))
    assert code == 0
    assert out == EXPECTED_SAMPLE_TEXT
