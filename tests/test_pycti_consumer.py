"""OpenCTI's own client library, pycti, on every built-in bundle, as far as it runs without an
OpenCTI platform: the splitter its connectors and the ImportFileStix worker put every bundle
through, and the deterministic ids OpenCTI gives imported objects (two of our objects with one
OpenCTI id would be merged into one on import)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pycti
import pytest
from pycti.utils.opencti_stix2_splitter import OpenCTIStix2Splitter

from stix_mtac.build import build_from_path, builtin_reports

REPO = Path(__file__).resolve().parent.parent


def committed_bundles() -> dict[str, dict[str, Any]]:
    found = {}
    for path in sorted((REPO / "bundles").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("type") == "bundle":
            found[f"committed {path.name}"] = data
    return found


def every_bundle() -> dict[str, dict[str, Any]]:
    built = {
        f"built {key}": build_from_path(path).bundle for key, path in builtin_reports().items()
    }
    return {**committed_bundles(), **built}


BUNDLES = every_bundle()


def references(obj: dict[str, Any]) -> list[str]:
    refs: list[str] = []
    for key, value in obj.items():
        if key.endswith("_ref") and isinstance(value, str):
            refs.append(value)
        elif key.endswith("_refs") and isinstance(value, list):
            refs.extend(value)
    return refs


def test_there_is_a_committed_bundle_for_every_built_in_report() -> None:
    assert len(committed_bundles()) >= 1
    assert len(committed_bundles()) == len(builtin_reports())
    # the sighting checks below have something to check: both CISA MARs carry one
    assert sum(o["type"] == "sighting" for b in BUNDLES.values() for o in b["objects"]) >= 4


@pytest.mark.parametrize("name", sorted(BUNDLES))
def test_the_splitter_keeps_every_object_and_every_reference(name: str) -> None:
    bundle = BUNDLES[name]
    originals = {obj["id"]: obj for obj in bundle["objects"]}
    splitter = OpenCTIStix2Splitter()
    expectations, incompatible, parts = splitter.split_bundle_with_expectations(
        json.dumps(bundle), use_json=True, cleanup_inconsistent_bundle=True
    )
    assert incompatible == []  # OpenCTI drops nothing as inconsistent, sightings included
    assert expectations == len(originals)
    pieces = [json.loads(part) for part in parts]
    assert all(len(piece["objects"]) == 1 for piece in pieces)
    order = [piece["objects"][0]["id"] for piece in pieces]
    assert sorted(order) == sorted(originals)
    position = {object_id: index for index, object_id in enumerate(order)}
    for piece in pieces:
        split = piece["objects"][0]
        original = originals[split["id"]]
        # nothing dropped but a self reference (the producer identity is created by itself;
        # the splitter drops that, so OpenCTI shows the producer without an author)
        kept = [ref for ref in references(original) if ref != original["id"]]
        assert references(split) == kept, split["id"]
        # and each piece comes after everything it refers to, as the workers need
        for ref in kept:
            if ref in position:
                assert position[ref] < position[split["id"]], (split["id"], ref)


def _opencti_id(obj: dict[str, Any]) -> str | None:
    """The id OpenCTI computes for an imported object, by pycti's own functions."""
    by_type: dict[str, Callable[[dict[str, Any]], str]] = {
        "attack-pattern": pycti.AttackPattern.generate_id_from_data,
        "campaign": pycti.Campaign.generate_id_from_data,
        "identity": pycti.Identity.generate_id_from_data,
        "intrusion-set": pycti.IntrusionSet.generate_id_from_data,
        "location": pycti.Location.generate_id_from_data,
        "report": pycti.Report.generate_id_from_data,
        "threat-actor": pycti.ThreatActorGroup.generate_id_from_data,
        "relationship": pycti.StixCoreRelationship.generate_id_from_data,
        "malware": pycti.Malware.generate_id_from_data,
        "tool": pycti.Tool.generate_id_from_data,
        "vulnerability": pycti.Vulnerability.generate_id_from_data,
        "indicator": pycti.Indicator.generate_id_from_data,
        "course-of-action": pycti.CourseOfAction.generate_id_from_data,
        "infrastructure": pycti.Infrastructure.generate_id_from_data,
        "note": pycti.Note.generate_id_from_data,
        "opinion": pycti.Opinion.generate_id_from_data,
        "grouping": pycti.Grouping.generate_id_from_data,
        "observed-data": pycti.ObservedData.generate_id_from_data,
        "sighting": pycti.StixSightingRelationship.generate_id_from_data,
    }
    if obj["type"] in SCO_TYPES:
        # Cyber-observables carry the STIX deterministic ids (spec section 2.9), which is
        # what OpenCTI's standard ids for observables are derived from as well.
        return str(obj["id"])
    generate = by_type.get(obj["type"])
    return generate(copy.deepcopy(obj)) if generate else None


SCO_TYPES = frozenset(
    {"ipv4-addr", "ipv6-addr", "domain-name", "url", "email-addr", "file", "network-traffic"}
)


@pytest.mark.parametrize("name", sorted(BUNDLES))
def test_every_sighting_says_where_it_was_sighted_and_opencti_keeps_it(name: str) -> None:
    # OpenCTI attaches a sighting to its where_sighted_refs: without one, its splitter drops
    # the sighting as inconsistent and pycti cannot compute its id
    sightings = [obj for obj in BUNDLES[name]["objects"] if obj["type"] == "sighting"]
    for sighting in sightings:
        assert sighting.get("where_sighted_refs"), sighting["id"]
    _, incompatible, parts = OpenCTIStix2Splitter().split_bundle_with_expectations(
        json.dumps(BUNDLES[name]), use_json=True, cleanup_inconsistent_bundle=True
    )
    assert incompatible == []
    kept = {
        piece["objects"][0]["id"]: piece["objects"][0]
        for piece in map(json.loads, parts)
        if piece["objects"][0]["type"] == "sighting"
    }
    assert sorted(kept) == sorted(s["id"] for s in sightings)
    for sighting in sightings:
        assert kept[sighting["id"]]["where_sighted_refs"] == sighting["where_sighted_refs"]
        assert pycti.StixSightingRelationship.generate_id_from_data(copy.deepcopy(sighting))


@pytest.mark.parametrize("name", sorted(BUNDLES))
def test_no_two_objects_become_one_in_opencti(name: str) -> None:
    objects = BUNDLES[name]["objects"]
    # Markings are matched to OpenCTI's own TLP definitions, not by a computed id.
    identified = [obj for obj in objects if obj["type"] != "marking-definition"]
    ids = {obj["id"]: _opencti_id(obj) for obj in identified}
    assert None not in ids.values(), [k for k, v in ids.items() if v is None]
    assert len(set(ids.values())) == len(identified)
