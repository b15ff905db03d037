"""What MISP keeps of the built-in bundle, proven with MISP's own STIX 2.1 importer (misp-stix).

These tests pin today's behaviour of misp-stix, losses included: when an upstream release
starts keeping relationships between galaxy clusters, ``test_relationships_between_clusters
_are_dropped`` fails and should be updated, and the prose in descriptions can be revisited.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from typing import Any

import stix2
from misp_stix_converter import ExternalSTIX2toMISPParser

from stix_mtac.build import build_builtin_bundle

TLP_CLEAR = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
REPORT_DAY_EPOCH = "1796169600"  # 2026-12-02T00:00:00Z, the report's modified time
# MISP names the STIX creator (created_by_ref) as producer: the stix-mtac project, which made
# the STIX; MTAC is the report's author (README, "Authors and creator").
PRODUCER_TAG = 'misp-galaxy:producer="stix-mtac"'
# STIX type (identity: by identity_class) -> the MISP galaxy its objects become.
GALAXY_OF = {
    "threat-actor": "stix-2.1-threat-actor",
    "intrusion-set": "stix-2.1-intrusion-set",
    "campaign": "stix-2.1-campaign",
    "attack-pattern": "stix-2.1-attack-pattern",
    "location": "stix-2.1-location",
    "identity/class": "sector",
}
# Relationships whose meaning an analyst needs and that MISP drops: they must survive as prose.
PROSE_RELATIONS = ("attributed-to", "targets", "uses")


@cache
def bundle() -> dict[str, Any]:
    return build_builtin_bundle()


@cache
def converted() -> tuple[dict[str, Any], Any]:
    """The MISP event as a dict, and the parser (for its errors and warnings)."""
    parser = ExternalSTIX2toMISPParser()
    parser.load_stix_bundle(stix2.parse(json.dumps(bundle()), allow_custom=True))
    parser.parse_stix_bundle()
    return parser.misp_event.to_dict(), parser


def event() -> dict[str, Any]:
    return converted()[0]


def objects_of(kind: str) -> list[dict[str, Any]]:
    found = []
    for obj in bundle()["objects"]:
        key = obj["type"]
        if key == "identity":
            key = f"identity/{obj.get('identity_class')}"
        if key == kind:
            found.append(obj)
    return found


def all_clusters() -> Iterator[tuple[str, dict[str, Any]]]:
    """(galaxy type, cluster) at event level and on the attributes of MISP objects."""
    for galaxy in event().get("Galaxy", []):
        for cluster in galaxy["GalaxyCluster"]:
            yield galaxy["type"], cluster
    for misp_object in event().get("Object", []):
        for attribute in misp_object["Attribute"]:
            for galaxy in attribute.get("Galaxy", []):
                for cluster in galaxy["GalaxyCluster"]:
                    yield galaxy["type"], cluster


def test_conversion_reports_no_errors_or_warnings() -> None:
    _, parser = converted()
    assert dict(parser.errors) == {}
    assert dict(parser.warnings) == {}


def test_the_report_becomes_the_event() -> None:
    report = next(o for o in bundle()["objects"] if o["type"] == "report")
    assert event()["uuid"] == report["id"].split("--", 1)[1]
    assert event()["info"] == report["name"]
    assert event()["timestamp"] == REPORT_DAY_EPOCH
    # Today's behaviour: misp-stix sets no event date (MISP fills in the import day) and
    # marks the event published when modified is later than published (this revision of the
    # STIX, 2026-12-02, is later than the report's publication, 2023-09-07).
    assert "date" not in event()
    assert event()["published"] is True
    # The report's description arrives as an event report.
    assert [r["content"] for r in event()["EventReport"]] == [report["description"]]


def test_tlp_clear_and_producer_are_event_tags() -> None:
    tags = {tag["name"] for tag in event()["Tag"]}
    assert "tlp:clear" in tags
    assert PRODUCER_TAG in tags
    assert TLP_CLEAR in {m["id"] for m in bundle()["objects"] if m["type"] == "marking-definition"}


def test_a_galaxy_cluster_for_every_actor_campaign_technique_location_and_sector() -> None:
    clusters: dict[str, set[str]] = {}
    for galaxy_type, cluster in all_clusters():
        clusters.setdefault(galaxy_type, set()).add(cluster["value"])
    for kind, galaxy_type in GALAXY_OF.items():
        expected = {obj["name"] for obj in objects_of(kind)}
        assert expected, kind
        assert clusters.get(galaxy_type) == expected, kind


def test_organisations_become_misp_objects_with_their_location_as_a_galaxy() -> None:
    organisations = [o for o in objects_of("identity/organization") if o["id"] != producer_id()]
    misp_objects = {
        next(a["value"] for a in o["Attribute"] if a["object_relation"] == "name"): o
        for o in event()["Object"]
        if o["name"] == "organization"
    }
    assert set(misp_objects) == {o["name"] for o in organisations}
    # identity -located-at-> location survives, as a location galaxy on the object's attributes.
    by_id = {o["id"]: o for o in bundle()["objects"]}
    for organisation in organisations:
        located = {
            by_id[r["target_ref"]]["name"]
            for r in relationships()
            if r["source_ref"] == organisation["id"] and r["relationship_type"] == "located-at"
        }
        attached = {
            cluster["value"]
            for attribute in misp_objects[organisation["name"]]["Attribute"]
            for galaxy in attribute.get("Galaxy", [])
            for cluster in galaxy["GalaxyCluster"]
        }
        assert attached == located


def producer_id() -> str:
    report = next(o for o in bundle()["objects"] if o["type"] == "report")
    producer: str = report["created_by_ref"]
    return producer


def relationships() -> list[dict[str, Any]]:
    return [o for o in bundle()["objects"] if o["type"] == "relationship"]


def test_relationships_between_clusters_are_dropped() -> None:
    """Today's misp-stix: SDO-to-SDO relationships vanish without an error or a warning."""
    by_id = {o["id"]: o for o in bundle()["objects"]}
    between_clusters = [
        r
        for r in relationships()
        if by_id[r["source_ref"]]["type"] != "identity"
        or by_id[r["source_ref"]].get("identity_class") == "class"
    ]
    assert len(between_clusters) > 20
    kept = [
        relation
        for _, cluster in all_clusters()
        for relation in cluster.get("GalaxyClusterRelation", [])
    ]
    assert kept == []
    assert all(not o.get("ObjectReference") for o in event()["Object"])
    assert "Attribute" not in event()  # nothing else carries them either


def descriptions() -> dict[str, str]:
    """Name -> description as an analyst sees it in MISP (cluster or object)."""
    seen = {cluster["value"]: cluster.get("description", "") for _, cluster in all_clusters()}
    for misp_object in event()["Object"]:
        values = {a["object_relation"]: a["value"] for a in misp_object["Attribute"]}
        seen[values.get("name", "")] = values.get("description", "")
    return seen


def test_descriptions_carry_the_dropped_relations_in_prose() -> None:
    by_id = {o["id"]: o for o in bundle()["objects"]}
    text = descriptions()
    missing = [
        (by_id[r["source_ref"]]["name"], r["relationship_type"], by_id[r["target_ref"]]["name"])
        for r in relationships()
        if r["relationship_type"] in PROSE_RELATIONS
        and by_id[r["target_ref"]]["name"] not in text[by_id[r["source_ref"]]["name"]]
    ]
    assert missing == []
