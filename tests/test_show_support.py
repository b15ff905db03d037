"""Shared test data for the show / graph / diff tests: a small bundle built with stix2.

Ids and timestamps are fixed so expectations can be written down by hand.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import stix2

REPO = Path(__file__).resolve().parent.parent
BUILTIN = REPO / "bundles" / "mtac-east-asia-2023-09-07.json"

WHEN = "2023-09-07T00:00:00.000Z"
PRODUCER = "identity--11111111-1111-4111-8111-111111111111"
ACTOR = "threat-actor--22222222-2222-4222-8222-222222222222"
INTRUSION_SET = "intrusion-set--33333333-3333-4333-8333-333333333333"
CAMPAIGN = "campaign--44444444-4444-4444-8444-444444444444"
VICTIM = "identity--55555555-5555-4555-8555-555555555555"
PLACE = "location--66666666-6666-4666-8666-666666666666"
TECHNIQUE = "attack-pattern--77777777-7777-4777-8777-777777777777"
REPORT = "report--88888888-8888-4888-8888-888888888888"
TLP_CLEAR = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
REL_ATTRIBUTED = "relationship--a0000000-0000-4000-8000-000000000001"
REL_SET_TO_ACTOR = "relationship--a0000000-0000-4000-8000-000000000002"
REL_TARGETS_VICTIM = "relationship--a0000000-0000-4000-8000-000000000003"
REL_TARGETS_PLACE = "relationship--a0000000-0000-4000-8000-000000000004"
REL_USES = "relationship--a0000000-0000-4000-8000-000000000005"
RELATIONSHIPS = (
    REL_ATTRIBUTED,
    REL_SET_TO_ACTOR,
    REL_TARGETS_VICTIM,
    REL_TARGETS_PLACE,
    REL_USES,
)


def sample_bundle() -> dict[str, Any]:
    """A bundle with one of each type the views care about, as plain JSON data."""
    common: dict[str, Any] = {
        "created": WHEN,
        "modified": WHEN,
        "created_by_ref": PRODUCER,
        "object_marking_refs": [TLP_CLEAR],
    }
    tlp = {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": TLP_CLEAR,
        "created": "2022-10-01T00:00:00.000Z",
        "name": "TLP:CLEAR",
        "extensions": {
            "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {
                "extension_type": "property-extension",
                "tlp_2_0": "clear",
            }
        },
    }
    objects = [
        stix2.Identity(id=PRODUCER, name="Test Producer", identity_class="organization", **common),
        stix2.ThreatActor(
            id=ACTOR,
            name="Sample Typhoon",
            aliases=["Typhoon Alias", "Other Alias"],
            threat_actor_types=["nation-state"],
            **common,
        ),
        stix2.IntrusionSet(id=INTRUSION_SET, name="Storm-0001", **common),
        stix2.Campaign(
            id=CAMPAIGN,
            name="Email access campaign",
            first_seen="2023-05-15T00:00:00Z",
            description="Original description.",
            **common,
        ),
        stix2.Identity(id=VICTIM, name="Government agencies", identity_class="class", **common),
        stix2.Location(id=PLACE, name="Europe", region="europe", **common),
        stix2.AttackPattern(
            id=TECHNIQUE,
            name="Forge Web Credentials",
            external_references=[{"source_name": "mitre-attack", "external_id": "T1606"}],
            **common,
        ),
        stix2.Relationship(
            id=REL_ATTRIBUTED,
            source_ref=CAMPAIGN,
            relationship_type="attributed-to",
            target_ref=INTRUSION_SET,
            **common,
        ),
        stix2.Relationship(
            id=REL_SET_TO_ACTOR,
            source_ref=INTRUSION_SET,
            relationship_type="attributed-to",
            target_ref=ACTOR,
            **common,
        ),
        stix2.Relationship(
            id=REL_TARGETS_VICTIM,
            source_ref=CAMPAIGN,
            relationship_type="targets",
            target_ref=VICTIM,
            **common,
        ),
        stix2.Relationship(
            id=REL_TARGETS_PLACE,
            source_ref=CAMPAIGN,
            relationship_type="targets",
            target_ref=PLACE,
            **common,
        ),
        stix2.Relationship(
            id=REL_USES,
            source_ref=CAMPAIGN,
            relationship_type="uses",
            target_ref=TECHNIQUE,
            **common,
        ),
        stix2.Report(
            id=REPORT,
            name="Sample report",
            published=WHEN,
            object_refs=[CAMPAIGN, ACTOR],
            **common,
        ),
    ]
    data = [json.loads(obj.serialize()) for obj in objects]
    return {
        "type": "bundle",
        "id": "bundle--99999999-9999-4999-8999-999999999999",
        "objects": [tlp, *data],
    }


def write_bundle(path: Path, bundle: dict[str, Any]) -> Path:
    path.write_text(json.dumps(bundle, indent=2), encoding="utf-8")
    return path


def builtin_bundle() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(BUILTIN.read_text(encoding="utf-8"))
    return data
