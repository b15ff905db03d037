"""Regenerate the validation corpus: good bundles and one-defect bundles with expectations.

Run from the repository root: ``python tests/corpus/make_corpus.py``. Each defect bundle is the
good base bundle with exactly one thing broken; ``expectations.yaml`` says which finding
(code, severity, JSON path) each must produce. Ids are fixed UUIDv4s (UUIDv5 for SCOs, as the spec derives them) so the files never change.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
T0 = "2023-09-07T00:00:00.000Z"
T1 = "2023-09-08T00:00:00.000Z"
TLP_CLEAR = {
    "created": "2022-10-01T00:00:00.000Z",
    "extensions": {
        "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {
            "extension_type": "property-extension",
            "tlp_2_0": "clear",
        }
    },
    "id": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "name": "TLP:CLEAR",
    "spec_version": "2.1",
    "type": "marking-definition",
}
TLP_WHITE = {
    "type": "marking-definition",
    "spec_version": "2.1",
    "id": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
    "created": "2017-01-20T00:00:00.000Z",
    "definition_type": "tlp",
    "name": "TLP:WHITE",
    "definition": {"tlp": "white"},
}
IDENTITY = "identity--6b7c4a0e-2d1f-4a8e-9c3b-1f2e3d4c5b6a"
VICTIM = "identity--0c9d8e7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f"
ACTOR = "threat-actor--9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
INTRUSION = "intrusion-set--1f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0b"
CAMPAIGN = "campaign--2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d"
LOCATION = "location--3b4c5d6e-7f8a-4b9c-8d1e-2f3a4b5c6d7e"
PATTERN = "attack-pattern--4c5d6e7f-8a9b-4c0d-9e2f-3a4b5c6d7e8f"
REL_ATTR = "relationship--5d6e7f8a-9b0c-4d1e-8f3a-4b5c6d7e8f9a"
REL_USES = "relationship--6e7f8a9b-0c1d-4e2f-9a4b-5c6d7e8f9a0b"
REL_TARGETS = "relationship--7f8a9b0c-1d2e-4f3a-8b5c-6d7e8f9a0b1c"
REL_ORIGIN = "relationship--8a9b0c1d-2e3f-4a4b-9c6d-7e8f9a0b1c2d"
REPORT = "report--9b0c1d2e-3f4a-4b5c-8d7e-8f9a0b1c2d3e"
MISSING = "identity--00000000-0000-4000-8000-00000000dead"


def common(type_: str, id_: str, **properties: Any) -> dict[str, Any]:
    return {
        "type": type_,
        "spec_version": "2.1",
        "id": id_,
        "created": T0,
        "modified": T0,
        "created_by_ref": IDENTITY,
        "object_marking_refs": [TLP_CLEAR["id"]],
        **properties,
    }


def relationship(id_: str, source: str, rel: str, target: str) -> dict[str, Any]:
    return common("relationship", id_, relationship_type=rel, source_ref=source, target_ref=target)


def base() -> dict[str, Any]:
    objects = [
        TLP_CLEAR,
        common("identity", IDENTITY, name="Example CTI team", identity_class="organization"),
        common("identity", VICTIM, name="Shipbuilders", identity_class="class",
               sectors=["manufacturing"]),
        common("threat-actor", ACTOR, name="Example state actor",
               threat_actor_types=["nation-state"], confidence=70),
        common("intrusion-set", INTRUSION, name="Storm-0000"),
        common("campaign", CAMPAIGN, name="Example campaign"),
        common("location", LOCATION, name="Example country", country="KP"),
        common("attack-pattern", PATTERN, name="Remote Email Collection"),
        relationship(REL_ATTR, INTRUSION, "attributed-to", ACTOR),
        relationship(REL_USES, CAMPAIGN, "uses", PATTERN),
        relationship(REL_TARGETS, CAMPAIGN, "targets", VICTIM),
        relationship(REL_ORIGIN, ACTOR, "located-at", LOCATION),
    ]
    ids = [obj["id"] for obj in objects[1:]]
    objects.append(common("report", REPORT, name="Example report", published=T0,
                          report_types=["threat-actor"], object_refs=ids))
    return {"type": "bundle", "id": "bundle--a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d",
            "objects": objects}


def index_of(bundle: dict[str, Any], id_: str) -> int:
    return next(i for i, obj in enumerate(bundle["objects"]) if obj.get("id") == id_)


def obj(bundle: dict[str, Any], id_: str) -> dict[str, Any]:
    result: dict[str, Any] = bundle["objects"][index_of(bundle, id_)]
    return result


DEFECTS: list[tuple[str, str, str, str, str, Any]] = []


def defect(name: str, description: str, code: str, severity: str):
    def register(fn: Any) -> Any:
        DEFECTS.append((name, description, code, severity, "", fn))
        return fn
    return register


def add(bundle: dict[str, Any], new: dict[str, Any]) -> str:
    bundle["objects"].append(new)
    return f"$.objects[{len(bundle['objects']) - 1}]"


@defect("ref-created-by-missing", "created_by_ref names an identity not in the bundle", "SX201", "error")
def _(b):
    obj(b, ACTOR)["created_by_ref"] = MISSING
    return f"$.objects[{index_of(b, ACTOR)}].created_by_ref"


@defect("ref-object-marking-missing", "object_marking_refs names a marking not in the bundle", "SX202", "error")
def _(b):
    obj(b, CAMPAIGN)["object_marking_refs"] = ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]
    return f"$.objects[{index_of(b, CAMPAIGN)}].object_marking_refs[0]"


@defect("ref-granular-marking-missing", "a granular marking names a marking not in the bundle", "SX202", "error")
def _(b):
    obj(b, CAMPAIGN)["granular_markings"] = [
        {"marking_ref": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "selectors": ["name"]}
    ]
    return f"$.objects[{index_of(b, CAMPAIGN)}].granular_markings[0].marking_ref"


@defect("ref-report-object-missing", "a report's object_refs lists an object not in the bundle", "SX201", "error")
def _(b):
    obj(b, REPORT)["object_refs"].append("malware--11111111-2222-4333-8444-555555555555")
    return f"$.objects[{index_of(b, REPORT)}].object_refs[{len(obj(b, REPORT)['object_refs']) - 1}]"


@defect("ref-relationship-target-missing", "a relationship's target_ref is not in the bundle", "SX201", "error")
def _(b):
    obj(b, REL_TARGETS)["target_ref"] = MISSING
    return f"$.objects[{index_of(b, REL_TARGETS)}].target_ref"


@defect("ref-relationship-source-missing", "a relationship's source_ref is not in the bundle", "SX201", "error")
def _(b):
    obj(b, REL_USES)["source_ref"] = "campaign--22222222-3333-4444-8555-666666666666"
    return f"$.objects[{index_of(b, REL_USES)}].source_ref"


@defect("ref-sighting-of-missing", "a sighting's sighting_of_ref is not in the bundle", "SX201", "error")
def _(b):
    path = add(b, common("sighting", "sighting--33333333-4444-4555-8666-777777777777",
                         sighting_of_ref="indicator--44444444-5555-4666-8777-888888888888",
                         where_sighted_refs=[VICTIM]))
    return f"{path}.sighting_of_ref"


@defect("ref-where-sighted-missing", "a sighting's where_sighted_refs names an identity not in the bundle", "SX201", "error")
def _(b):
    path = add(b, common("sighting", "sighting--33333333-4444-4555-8666-777777777777",
                         sighting_of_ref=CAMPAIGN, where_sighted_refs=[VICTIM, MISSING]))
    return f"{path}.where_sighted_refs[1]"


@defect("ref-note-object-missing", "a note's object_refs names an object not in the bundle", "SX201", "error")
def _(b):
    path = add(b, common("note", "note--55555555-6666-4777-8888-999999999999",
                         content="Seen again.", object_refs=[MISSING]))
    return f"{path}.object_refs[0]"


@defect("ref-opinion-object-missing", "an opinion's object_refs names an object not in the bundle", "SX201", "error")
def _(b):
    path = add(b, common("opinion", "opinion--66666666-7777-4888-8999-aaaaaaaaaaaa",
                         opinion="agree", object_refs=[CAMPAIGN, MISSING]))
    return f"{path}.object_refs[1]"


@defect("ref-grouping-object-missing", "a grouping's object_refs names an object not in the bundle", "SX201", "error")
def _(b):
    path = add(b, common("grouping", "grouping--77777777-8888-4999-8aaa-bbbbbbbbbbbb",
                         context="suspicious-activity", object_refs=[MISSING]))
    return f"{path}.object_refs[0]"


@defect("ref-observed-data-sco-missing", "observed-data's object_refs names an SCO not in the bundle", "SX201", "error")
def _(b):
    path = add(b, common("observed-data", "observed-data--88888888-9999-4aaa-8bbb-cccccccccccc",
                         first_observed=T0, last_observed=T0, number_observed=1,
                         object_refs=["ipv4-addr--99999999-aaaa-4bbb-8ccc-dddddddddddd"]))
    return f"{path}.object_refs[0]"


@defect("ref-sco-embedded-missing", "an SCO's embedded reference (belongs_to_ref) is not in the bundle", "SX201", "error")
def _(b):
    path = add(b, {"type": "email-addr", "spec_version": "2.1",
                   "id": "email-addr--2fc46721-26c0-5a8f-bb30-70274d376938",
                   "value": "someone@example.com",
                   "belongs_to_ref": "user-account--bbbbbbbb-cccc-4ddd-8eee-ffffffffffff"})
    return f"{path}.belongs_to_ref"


@defect("relationship-unsuggested", "intrusion-set located-at location is not suggested by the spec", "SX301", "warning")
def _(b):
    path = add(b, relationship("relationship--cccccccc-dddd-4eee-8fff-000000000000",
                               INTRUSION, "located-at", LOCATION))
    return f"{path}.relationship_type"


@defect("duplicate-id-conflict", "the same id and modified with different content", "SX401", "error")
def _(b):
    copy_ = copy.deepcopy(obj(b, CAMPAIGN))
    copy_["name"] = "Another name"
    return add(b, copy_)


@defect("duplicate-object-repeated", "an object repeated verbatim", "SX402", "warning")
def _(b):
    return add(b, copy.deepcopy(obj(b, CAMPAIGN)))


@defect("modified-before-created", "modified is earlier than created", "SX403", "error")
def _(b):
    target = obj(b, CAMPAIGN)
    target["created"], target["modified"] = T1, T0
    return f"$.objects[{index_of(b, CAMPAIGN)}].modified"


@defect("missing-spec-version", "an SDO without spec_version", "SX103", "error")
def _(b):
    del obj(b, PATTERN)["spec_version"]
    return f"$.objects[{index_of(b, PATTERN)}]"


@defect("wrong-spec-version", "an object claims spec_version 2.0 inside a 2.1 bundle", "SX104", "error")
def _(b):
    obj(b, PATTERN)["spec_version"] = "2.0"
    return f"$.objects[{index_of(b, PATTERN)}].spec_version"


@defect("bundle-spec-version", "the bundle itself has spec_version (a 2.0 habit)", "SX101", "warning")
def _(b):
    b["spec_version"] = "2.1"
    return "$.spec_version"


@defect("empty-objects", "the bundle's objects list is empty", "SX102", "error")
def _(b):
    b["objects"] = []
    return "$.objects"


@defect("objects-not-a-list", "the bundle's objects is a JSON object", "SX102", "error")
def _(b):
    b["objects"] = {"0": b["objects"][0]}
    return "$.objects"


@defect("object-not-an-object", "an entry of objects is a string", "SX102", "error")
def _(b):
    b["objects"].append("identity--6b7c4a0e-2d1f-4a8e-9c3b-1f2e3d4c5b6a")
    return f"$.objects[{len(b['objects']) - 1}]"


@defect("tlp-altered", "the official TLP:CLEAR id with another name", "SX501", "error")
def _(b):
    b["objects"][0] = dict(TLP_CLEAR, name="TLP:WHITE")
    return "$.objects[0].name"


@defect("tlp2-unofficial-id", "a TLP 2.0 marking with an id OASIS did not publish", "SX502", "error")
def _(b):
    fake = "marking-definition--12345678-1234-4234-8234-123456789012"
    b["objects"][0] = dict(TLP_CLEAR, id=fake)
    for item in b["objects"][1:]:
        item["object_marking_refs"] = [fake]
    return "$.objects[0].id"


@defect("tlp1-unofficial-id", "a TLP 1.0 marking with an id the spec does not define", "SX502", "error")
def _(b):
    fake = dict(TLP_WHITE, id="marking-definition--87654321-4321-4321-8321-210987654321")
    path = add(b, fake)
    obj(b, CAMPAIGN)["object_marking_refs"].append(fake["id"])
    return f"{path}.id"


@defect("custom-type-undeclared", "a custom object type without x- or an extension definition", "SX601", "error")
def _(b):
    path = add(b, common("threat-note", "threat-note--dddddddd-eeee-4fff-8000-111111111111",
                         x_text="hello"))
    return f"{path}.type"


@defect("custom-property-undeclared", "a typo'd property (create_by_ref) that is neither spec nor x_", "SX602", "warning")
def _(b):
    obj(b, CAMPAIGN)["create_by_ref"] = IDENTITY
    return f"$.objects[{index_of(b, CAMPAIGN)}].create_by_ref"


@defect("confidence-over-100", "confidence 150", "SX603", "error")
def _(b):
    obj(b, ACTOR)["confidence"] = 150
    return f"$.objects[{index_of(b, ACTOR)}].confidence"


@defect("confidence-not-integer", "confidence 70.5", "SX603", "error")
def _(b):
    obj(b, ACTOR)["confidence"] = 70.5
    return f"$.objects[{index_of(b, ACTOR)}].confidence"


@defect("location-without-place", "a location with only a name", "SX604", "error")
def _(b):
    del obj(b, LOCATION)["country"]
    return f"$.objects[{index_of(b, LOCATION)}]"


@defect("location-latitude-only", "a location with latitude but no longitude", "SX604", "error")
def _(b):
    del obj(b, LOCATION)["country"]
    obj(b, LOCATION)["latitude"] = 39.0
    return f"$.objects[{index_of(b, LOCATION)}]"


@defect("report-empty-object-refs", "a report with an empty object_refs", "SX203", "error")
def _(b):
    obj(b, REPORT)["object_refs"] = []
    return f"$.objects[{index_of(b, REPORT)}].object_refs"


@defect("report-without-object-refs", "a report without object_refs", "SX203", "error")
def _(b):
    del obj(b, REPORT)["object_refs"]
    return f"$.objects[{index_of(b, REPORT)}].object_refs"


@defect("ref-created-by-campaign", "created_by_ref names a campaign, not an identity", "SX204", "error")
def _(b):
    obj(b, ACTOR)["created_by_ref"] = CAMPAIGN
    return f"$.objects[{index_of(b, ACTOR)}].created_by_ref"


@defect("ref-marking-is-identity", "object_marking_refs names an identity, not a marking", "SX204", "error")
def _(b):
    obj(b, CAMPAIGN)["object_marking_refs"] = [TLP_CLEAR["id"], VICTIM]
    return f"$.objects[{index_of(b, CAMPAIGN)}].object_marking_refs[1]"


@defect("report-lists-itself", "a report lists its own id in object_refs", "SX205", "error")
def _(b):
    obj(b, REPORT)["object_refs"].append(REPORT)
    refs = obj(b, REPORT)["object_refs"]
    return f"$.objects[{index_of(b, REPORT)}].object_refs[{len(refs) - 1}]"


@defect("ref-in-list-of-lists-missing", "a reference inside a list of lists (in an extension) is not in the bundle", "SX201", "error")
def _(b):
    obj(b, CAMPAIGN)["extensions"] = {
        "extension-definition--d2e3f4a5-b6c7-4d8e-9f0a-1b2c3d4e5f6a": {
            "extension_type": "property-extension",
            "waves": [[{"target_ref": VICTIM}, {"target_ref": MISSING}]],
        }
    }
    path = f"$.objects[{index_of(b, CAMPAIGN)}].extensions"
    return f"{path}.extension-definition--d2e3f4a5-b6c7-4d8e-9f0a-1b2c3d4e5f6a.waves[0][1].target_ref"


def indicator(pattern: str) -> dict[str, Any]:
    return common("indicator", "indicator--5d1e6a3b-3c43-4a6e-9d4e-2f5b7c8a9e01",
                  name="Example indicator", description="Seen in the campaign.",
                  pattern=pattern, pattern_type="stix", valid_from=T0)


@defect("pattern-repeats-zero", "a pattern qualifier REPEATS 0 TIMES", "SX701", "error")
def _(b):
    return add(b, indicator("[file:name = 'a.exe'] REPEATS 0 TIMES")) + ".pattern"


@defect("pattern-stop-before-start", "a pattern whose STOP is before its START", "SX701", "error")
def _(b):
    return add(b, indicator(
        "[file:name = 'a.exe'] START t'2023-02-01T00:00:00Z' STOP t'2023-01-01T00:00:00Z'"
    )) + ".pattern"


@defect("pattern-unknown-hash", "a pattern with hash algorithm SHA256 (no hyphen)", "SX702",
        "warning")
def _(b):
    return add(b, indicator("[file:hashes.SHA256 = '" + "ab" * 32 + "']")) + ".pattern"


def good_bundles() -> dict[str, dict[str, Any]]:
    full = base()
    versions = base()
    newer = copy.deepcopy(obj(versions, CAMPAIGN))
    newer["modified"], newer["description"] = T1, "Updated."
    versions["objects"].append(newer)
    tlp1 = base()
    tlp1["objects"].append(TLP_WHITE)
    obj(tlp1, CAMPAIGN)["object_marking_refs"] = [TLP_WHITE["id"]]
    custom = base()
    extension = "extension-definition--c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f"
    custom["objects"].append(common(
        "extension-definition", extension, name="Example score", version="1.0.0",
        schema="A score from 1 to 5 in the top-level property example_score.",
        extension_types=["toplevel-property-extension"],
        extension_properties=["example_score"], description="Adds example_score."))
    obj(custom, ACTOR)["example_score"] = 3
    obj(custom, ACTOR)["extensions"] = {extension: {"extension_type": "toplevel-property-extension"}}
    observed = base()
    ip = {"type": "ipv4-addr", "id": "ipv4-addr--12592121-be4c-5a93-a813-5a5af16e50db",
          "value": "198.51.100.7"}
    observed["objects"].append(ip)
    observed["objects"].append(common(
        "observed-data", "observed-data--88888888-9999-4aaa-8bbb-cccccccccccc",
        first_observed=T0, last_observed=T0, number_observed=1, object_refs=[ip["id"]]))
    minimal = {"type": "bundle", "id": "bundle--b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e",
               "objects": [TLP_CLEAR]}
    return {"full": full, "versions": versions, "tlp1-white": tlp1, "toplevel-extension": custom,
            "observed-data": observed, "minimal": minimal}


def write(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def main() -> None:
    for name, bundle in good_bundles().items():
        write(HERE / "good" / f"{name}.json", bundle)
    lines = [
        "# One-defect bundles under defects/: what each breaks and the finding it must produce.",
        "# Regenerate with: python tests/corpus/make_corpus.py",
    ]
    for name, description, code, severity, _, fn in DEFECTS:
        bundle = base()
        path = fn(bundle)
        write(HERE / "defects" / f"{name}.json", bundle)
        lines += [
            f"{name}:",
            f"  defect: {json.dumps(description)}",
            f"  code: {code}",
            f"  severity: {severity}",
            f"  path: {json.dumps(path)}",
        ]
    (HERE / "expectations.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
