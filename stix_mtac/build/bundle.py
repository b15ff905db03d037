"""Assemble objects into a bundle: one stable order, references before their users."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from stix_mtac.build.builders.common import StixObject

# Definitions first, then the creator, then what relationships point at (observables before
# what refers to them), then relationships and sightings, then what comments on them, then the
# report that refers to everything: importers that resolve references in order (OpenCTI) never
# meet a reference to an object they have not seen.
TYPE_ORDER: tuple[str, ...] = (
    "marking-definition",
    "identity",
    "location",
    "threat-actor",
    "intrusion-set",
    "campaign",
    "attack-pattern",
    "vulnerability",
    "ipv4-addr",
    "ipv6-addr",
    "domain-name",
    "url",
    "email-addr",
    "file",
    "network-traffic",
    "malware",
    "tool",
    "infrastructure",
    "course-of-action",
    "observed-data",
    "indicator",
    "relationship",
    "sighting",
    "note",
    "opinion",
    "grouping",
    "report",
)


def to_json_data(stix_object: StixObject) -> dict[str, Any]:
    """A stix2 object as plain JSON data (stix2's own serialiser decides timestamp forms)."""
    data: dict[str, Any] = json.loads(stix_object.serialize())
    return data


def order_key(obj: Mapping[str, Any], first_id: str) -> tuple[int, int, str]:
    """Type rank, then the creator (``first_id``) first of the identities and the markings it
    created (statements) right after it, then by id."""
    stix_type = obj["type"]
    if stix_type == "marking-definition" and "created_by_ref" in obj:
        return (TYPE_ORDER.index("identity"), 1, obj["id"])
    rank = TYPE_ORDER.index(stix_type) if stix_type in TYPE_ORDER else len(TYPE_ORDER)
    return (rank, 0 if obj["id"] == first_id else 2, obj["id"])


def assemble(bundle_id: str, objects: Iterable[Mapping[str, Any]], first_id: str) -> dict[str, Any]:
    """The bundle as JSON data, objects deduplicated by id and in TYPE_ORDER, ``first_id`` (the
    creator) first of its type, then by id."""
    unique: dict[str, Mapping[str, Any]] = {}
    for obj in objects:
        existing = unique.get(obj["id"])
        if existing is not None and existing != obj:
            raise ValueError(f"{obj['id']}: built twice with different content")
        unique[obj["id"]] = obj
    ordered = sorted(unique.values(), key=lambda obj: order_key(obj, first_id))
    return {"type": "bundle", "id": bundle_id, "objects": [dict(obj) for obj in ordered]}
