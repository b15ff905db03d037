"""OpenCTI's import rules, one checker each, on the committed built-in bundle, the built-in
bundle built afresh from its facts, a bundle built from a second facts file, and the committed
bundle of every other built-in report.

Each checker returns the problems it finds (empty: the rule holds). Each rule has a test that
it holds on all of these bundles and a test that it flags a deliberately broken copy, so a
checker that silently checks nothing cannot pass.

Sources for what OpenCTI does (read in its code, not run against a live instance):
``opencti-graphql/src/database/middleware.js`` (``inputResolveRefs``),
``client-python/pycti/utils/opencti_stix2_splitter.py``, the TAXII feed ingester in
``src/manager/ingestionManager.ts``, and /work/shared/research/signing-and-tip.md, part 2.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import stix2

from stix_mtac import stixdata
from stix_mtac.build import BUILTIN_REPORT, build_builtin_bundle, build_from_path, builtin_reports

REPO = Path(__file__).resolve().parent.parent
COMMITTED = REPO / "bundles" / "mtac-east-asia-2023-09-07.json"
SECOND_FACTS = Path(__file__).parent / "facts_examples" / "example-iran-style.yaml"

Bundle = dict[str, Any]


@cache
def _bundle(name: str) -> Bundle:
    if name == "committed":
        loaded: Bundle = json.loads(COMMITTED.read_text(encoding="utf-8"))
        return loaded
    if name == "fresh":
        return build_builtin_bundle()
    if name.startswith("bundles/"):  # the committed bundle of another built-in report
        other: Bundle = json.loads((REPO / f"{name}.json").read_text(encoding="utf-8"))
        return other
    return build_from_path(SECOND_FACTS).bundle


OTHER_REPORTS = tuple(f"bundles/{key}" for key in builtin_reports() if key != BUILTIN_REPORT)
BUNDLES = ("committed", "fresh", "iran-style", *OTHER_REPORTS)


@pytest.fixture(params=BUNDLES)
def bundle(request: pytest.FixtureRequest) -> Bundle:
    return copy.deepcopy(_bundle(request.param))


@pytest.fixture
def builtin() -> Bundle:
    """A copy of the fresh built-in bundle, for the broken copies (it has every kind of object)."""
    return copy.deepcopy(_bundle("fresh"))


def objects_of(bundle: Bundle, kind: str) -> list[dict[str, Any]]:
    return [obj for obj in bundle["objects"] if obj["type"] == kind]


def index_of(bundle: Bundle, object_id: str) -> int:
    return next(i for i, obj in enumerate(bundle["objects"]) if obj["id"] == object_id)


def refs_of(obj: dict[str, Any]) -> list[tuple[str, str]]:
    """(property, id) for every top-level ``*_ref`` and ``*_refs`` value: what OpenCTI's
    bundle splitter follows as a dependency."""
    found: list[tuple[str, str]] = []
    for key, value in obj.items():
        if key.endswith("_ref") and isinstance(value, str):
            found.append((key, value))
        elif key.endswith("_refs") and isinstance(value, list):
            found.extend((key, item) for item in value if isinstance(item, str))
    return found


# -- (a) the producer identity and every marking definition are in the bundle --------------
# OpenCTI resolves created_by_ref and object_marking_refs against the bundle and its database;
# an id found in neither is a MISSING_REFERENCE_ERROR (opencti#3775), retried and, in current
# versions, then dropped: the object is stored without its producer or its TLP marking. Its
# own TLP markings have OpenCTI-specific ids, so a reference to an OASIS TLP id resolves only
# when the marking-definition object travels with the bundle.

REQUIRED_KIND = {"created_by_ref": "identity", "object_marking_refs": "marking-definition"}
# The cyber-observable types these bundles carry (STIX 2.1 section 6): no created_by_ref.
SCO_TYPES = frozenset({"file", "ipv4-addr", "ipv6-addr", "domain-name", "url", "email-addr"})


def missing_producers_and_markings(bundle: Bundle) -> list[str]:
    by_id = {obj["id"]: obj for obj in bundle["objects"]}
    problems = []
    for obj in bundle["objects"]:
        for key, ref in refs_of(obj):
            if key not in REQUIRED_KIND:
                continue
            target = by_id.get(ref)
            if target is None:
                problems.append(f"{obj['id']}.{key}: {ref} is not in the bundle")
            elif target["type"] != REQUIRED_KIND[key]:
                problems.append(
                    f"{obj['id']}.{key}: {ref} is a {target['type']}, not {REQUIRED_KIND[key]}"
                )
    return problems


def test_a_producer_and_markings_are_in_the_bundle(bundle: Bundle) -> None:
    assert missing_producers_and_markings(bundle) == []
    # Not vacuous: every object names its producer (the marking excepted; STIX gives
    # cyber-observables no created_by_ref) and its marking.
    for obj in bundle["objects"]:
        assert obj.get("object_marking_refs") or obj["type"] == "marking-definition", obj["id"]
        producerless = obj["type"] == "marking-definition" or obj["type"] in SCO_TYPES
        assert "created_by_ref" in obj or producerless, obj["id"]


def test_a_flags_a_bundle_without_its_marking_or_producer(builtin: Bundle) -> None:
    marking = objects_of(builtin, "marking-definition")[0]
    producer_id = objects_of(builtin, "report")[0]["created_by_ref"]
    builtin["objects"] = [o for o in builtin["objects"] if o["id"] != marking["id"]]
    problems = missing_producers_and_markings(builtin)
    assert len(problems) == len(builtin["objects"])  # every remaining object is marked
    assert all(f"object_marking_refs: {marking['id']} is not in the bundle" in p for p in problems)

    builtin["objects"] = [o for o in builtin["objects"] if o["id"] != producer_id]
    problems = missing_producers_and_markings(builtin)
    assert any(f"created_by_ref: {producer_id} is not in the bundle" in p for p in problems)


def test_a_flags_a_creator_that_is_not_an_identity(builtin: Bundle) -> None:
    campaign = objects_of(builtin, "campaign")[0]
    report = objects_of(builtin, "report")[0]
    report["created_by_ref"] = campaign["id"]
    assert missing_producers_and_markings(builtin) == [
        f"{report['id']}.created_by_ref: {campaign['id']} is a campaign, not identity"
    ]


# -- (b) every object comes before the objects that reference it -----------------------------
# What OpenCTI requires, from its code:
# - A file import (Data > Import, or pycti's import_bundle) goes through the bundle splitter,
#   which re-sorts one bundle's objects by dependency count over every *_ref/*_refs key; within
#   one file the order is not what fails.
# - A TAXII feed ingester reads the collection page by page and pushes each page to the workers
#   as its own bundle; workers run in parallel (opencti#6688). So across pages, an object that
#   refers to one the platform has not stored yet races it. A relationship whose source_ref or
#   target_ref is unknown fails at once with MISSING_REFERENCE_ERROR; any other missing
#   reference (created_by_ref, object_marking_refs) is retried and then the object is stored
#   without it: a silent loss of the producer or the TLP marking.
# - A container's object_refs are the exception: inputResolveRefs "only accept[s] missing
#   objects_refs (Report, Opinion, Note, Observed-data)", and stores the report with the
#   objects it can resolve. So the report's object_refs are not part of this rule. (Ours
#   comes last anyway, so its object_refs resolve too.)
# TAXII servers return objects in the order they were added and `stix-mtac publish` posts
# them in bundle order, so bundle order is the order OpenCTI meets them in.

CONTAINER_TYPES = frozenset({"report", "grouping", "note", "opinion", "observed-data"})


def references_out_of_order(bundle: Bundle) -> list[str]:
    seen: set[str] = set()
    problems = []
    for index, obj in enumerate(bundle["objects"]):
        for key, ref in refs_of(obj):
            exempt = key == "object_refs" and obj["type"] in CONTAINER_TYPES
            if ref != obj["id"] and ref not in seen and not exempt:
                problems.append(f"$.objects[{index}].{key}: {ref} is not an earlier object")
        seen.add(obj["id"])
    return problems


def test_b_objects_come_before_what_references_them(bundle: Bundle) -> None:
    assert references_out_of_order(bundle) == []
    assert objects_of(bundle, "relationship"), "not vacuous: the bundle has relationships"


def test_b_flags_a_relationship_moved_before_its_target(builtin: Bundle) -> None:
    objects = builtin["objects"]
    relationship = objects_of(builtin, "relationship")[0]
    objects.remove(relationship)
    target = index_of(builtin, relationship["target_ref"])
    objects.insert(target, relationship)
    assert references_out_of_order(builtin) == [
        f"$.objects[{target}].target_ref: {relationship['target_ref']} is not an earlier object"
    ]


def test_b_flags_an_object_before_its_producer_and_marking(builtin: Bundle) -> None:
    objects = builtin["objects"]
    location = objects_of(builtin, "location")[0]
    objects.remove(location)
    objects.insert(0, location)
    assert references_out_of_order(builtin) == [
        f"$.objects[0].created_by_ref: {location['created_by_ref']} is not an earlier object",
        f"$.objects[0].object_marking_refs: {location['object_marking_refs'][0]} is not an "
        "earlier object",
    ]


def test_b_does_not_require_the_reports_object_refs_to_come_first(builtin: Bundle) -> None:
    objects = builtin["objects"]
    report = objects_of(builtin, "report")[0]
    objects.remove(report)
    objects.insert(index_of(builtin, report["created_by_ref"]) + 1, report)
    assert references_out_of_order(builtin) == []  # OpenCTI accepts the report this way


# -- (c) only the spec's relationship types for each source/target pair ----------------------
# OpenCTI creates only STIX core relationships between the pairs its schema allows; others are
# refused ("... is not allowed between ...", opencti#1766, #1794, #2286). Its table for SDOs is
# the STIX 2.1 one (opencti-graphql/tests/data/stix_relationships.json).
# The checker uses the project's data file. The table below is the independent expectation:
# the pairs these bundles use, with every type the STIX 2.1 specification suggests for them
# (section 4, each SDO's relationship table; copied by hand from the specification, not from
# stix_mtac/data/stix/relationships.json), so a wrong data file fails the tests too.

SPEC_COMMON = frozenset({"derived-from", "duplicate-of", "related-to"})  # any pair, section 5.1.1
SPEC_TYPES: dict[tuple[str, str], frozenset[str]] = {
    ("campaign", "attack-pattern"): frozenset({"uses"}),
    ("campaign", "infrastructure"): frozenset({"compromises", "uses"}),
    ("campaign", "malware"): frozenset({"uses"}),
    ("campaign", "identity"): frozenset({"targets"}),
    ("campaign", "intrusion-set"): frozenset({"attributed-to"}),
    ("campaign", "location"): frozenset({"originates-from", "targets"}),
    ("campaign", "threat-actor"): frozenset({"attributed-to"}),
    ("course-of-action", "attack-pattern"): frozenset({"mitigates"}),
    ("course-of-action", "malware"): frozenset({"mitigates", "remediates"}),
    ("course-of-action", "tool"): frozenset({"mitigates"}),
    ("course-of-action", "vulnerability"): frozenset({"mitigates", "remediates"}),
    ("identity", "location"): frozenset({"located-at"}),
    ("indicator", "malware"): frozenset({"indicates"}),
    ("intrusion-set", "attack-pattern"): frozenset({"uses"}),
    ("intrusion-set", "location"): frozenset({"originates-from", "targets"}),
    ("malware", "attack-pattern"): frozenset({"uses"}),
    ("malware", "malware"): frozenset({"controls", "downloads", "drops", "uses", "variant-of"}),
    ("malware", "vulnerability"): frozenset({"exploits"}),
    ("threat-actor", "attack-pattern"): frozenset({"uses"}),
    ("threat-actor", "identity"): frozenset({"attributed-to", "impersonates", "targets"}),
    ("threat-actor", "location"): frozenset({"located-at", "targets"}),
    ("threat-actor", "tool"): frozenset({"uses"}),
}


def stix_type(object_id: str) -> str:
    return object_id.split("--", 1)[0]


def triples(bundle: Bundle) -> set[tuple[str, str, str]]:
    return {
        (stix_type(r["source_ref"]), r["relationship_type"], stix_type(r["target_ref"]))
        for r in objects_of(bundle, "relationship")
    }


def relationship_types_outside_the_spec(bundle: Bundle) -> list[str]:
    return [
        f"{r['id']}: {stix_type(r['source_ref'])} {r['relationship_type']} "
        f"{stix_type(r['target_ref'])} is not a STIX 2.1 relationship"
        for r in objects_of(bundle, "relationship")
        if not stixdata.is_suggested_relationship(
            stix_type(r["source_ref"]), r["relationship_type"], stix_type(r["target_ref"])
        )
    ]


def test_c_only_spec_relationship_types(bundle: Bundle) -> None:
    assert relationship_types_outside_the_spec(bundle) == []
    used = triples(bundle)
    assert used, "not vacuous: the bundle has relationships"
    # The independent expectation: every relationship is one the hand-written table allows.
    allowed = {pair: types | SPEC_COMMON for pair, types in SPEC_TYPES.items()}
    assert {(s, t, o) for s, t, o in used if t not in allowed.get((s, o), SPEC_COMMON)} == set()


@pytest.mark.parametrize(("source", "target"), sorted(SPEC_TYPES))
def test_c_the_data_file_agrees_with_the_spec_table(source: str, target: str) -> None:
    expected = sorted(SPEC_TYPES[(source, target)]) + sorted(SPEC_COMMON)
    assert stixdata.suggested_relationship_types(source, target) == expected


def test_c_the_spec_table_covers_every_pair_the_bundles_use() -> None:
    used = {(s, o) for name in BUNDLES for s, _, o in triples(_bundle(name))}
    assert used == set(SPEC_TYPES)  # a new pair in the facts must be added (and checked) here


def test_c_flags_a_campaign_attributed_to_a_location(builtin: Bundle) -> None:
    relationship = next(
        r
        for r in objects_of(builtin, "relationship")
        if stix_type(r["source_ref"]) == "campaign" and stix_type(r["target_ref"]) == "location"
    )
    relationship["relationship_type"] = "attributed-to"
    assert relationship_types_outside_the_spec(builtin) == [
        f"{relationship['id']}: campaign attributed-to location is not a STIX 2.1 relationship"
    ]
    assert "attributed-to" not in SPEC_TYPES[("campaign", "location")] | SPEC_COMMON


def test_c_accepts_related_to_between_any_pair(builtin: Bundle) -> None:
    for relationship in objects_of(builtin, "relationship"):
        relationship["relationship_type"] = "related-to"
    assert relationship_types_outside_the_spec(builtin) == []


# -- (d) every location has a country or a region ---------------------------------------------
# stix2, which OpenCTI's Python client and connectors parse bundles with, refuses a location
# without region, country, or latitude and longitude, and with it the whole bundle
# (connectors#1128, #1495). OpenCTI files a location as a Country or a Region by these
# properties; coordinates alone would make a Position, not a place an analyst can filter on.


def locations_without_country_or_region(bundle: Bundle) -> list[str]:
    return [
        f"{loc['id']} ({loc.get('name', '?')}): a location needs a country or a region"
        for loc in objects_of(bundle, "location")
        if not loc.get("country") and not loc.get("region")
    ]


def test_d_every_location_has_a_country_or_region(bundle: Bundle) -> None:
    assert locations_without_country_or_region(bundle) == []


@pytest.mark.parametrize(
    "name", ["committed", "fresh", "iran-style", "bundles/doj-bot-farm-2024-07-09"]
)
def test_d_is_not_vacuous(name: str) -> None:
    assert objects_of(_bundle(name), "location"), "these bundles have locations"


def test_d_flags_a_location_without_country_or_region(builtin: Bundle) -> None:
    location = next(o for o in objects_of(builtin, "location") if o.get("country"))
    del location["country"], location["region"]
    assert locations_without_country_or_region(builtin) == [
        f"{location['id']} ({location['name']}): a location needs a country or a region"
    ]
    with pytest.raises(stix2.exceptions.PropertyPresenceError):  # why the rule matters
        stix2.parse(location, allow_custom=False)


@pytest.mark.parametrize("keep", ["country", "region"])
def test_d_either_one_is_enough(builtin: Bundle, keep: str) -> None:
    location = next(o for o in objects_of(builtin, "location") if o.get("country"))
    location.pop("region" if keep == "country" else "country")
    assert locations_without_country_or_region(builtin) == []
