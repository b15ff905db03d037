"""threat-actor and intrusion-set: who acts, and the named activity clusters."""

from __future__ import annotations

from typing import Any

import stix2

from stix_mtac.builders.common import BuildContext, StixObject
from stix_mtac.facts import Entity

_THREAT_ACTOR_PROPERTIES = (
    "aliases",
    "threat_actor_types",
    "roles",
    "goals",
    "resource_level",
    "primary_motivation",
)
_INTRUSION_SET_PROPERTIES = (
    "aliases",
    "goals",
    "resource_level",
    "primary_motivation",
    "first_seen",
)


def _pick(entity: Entity, names: tuple[str, ...]) -> dict[str, Any]:
    return {
        name: list(value) if isinstance(value, tuple) else value
        for name in names
        if (value := entity.properties.get(name)) is not None
    }


def build_threat_actor(entity: Entity, context: BuildContext) -> StixObject:
    return stix2.v21.ThreatActor(
        id=context.id_of(entity.ref),
        name=entity.name,
        description=context.describe(entity),
        allow_custom=False,
        **_pick(entity, _THREAT_ACTOR_PROPERTIES),
        **context.common(entity.facts),
    )


def build_intrusion_set(entity: Entity, context: BuildContext) -> StixObject:
    return stix2.v21.IntrusionSet(
        id=context.id_of(entity.ref),
        name=entity.name,
        description=context.describe(entity),
        allow_custom=False,
        **_pick(entity, _INTRUSION_SET_PROPERTIES),
        **context.common(entity.facts),
    )
