"""threat-actor and intrusion-set: who acts, and the named activity clusters."""

from __future__ import annotations

import stix2

from stix_mtac.build.builders.common import BuildContext, StixObject, pick
from stix_mtac.build.facts import Entity

_THREAT_ACTOR_PROPERTIES = (
    "aliases",
    "threat_actor_types",
    "roles",
    "goals",
    "sophistication",
    "resource_level",
    "primary_motivation",
    "secondary_motivations",
    "personal_motivations",
    "first_seen",
    "last_seen",
)
_INTRUSION_SET_PROPERTIES = (
    "aliases",
    "goals",
    "resource_level",
    "primary_motivation",
    "secondary_motivations",
    "first_seen",
    "last_seen",
)


def build_threat_actor(entity: Entity, context: BuildContext) -> StixObject:
    return stix2.v21.ThreatActor(
        name=entity.name,
        description=context.describe(entity),
        allow_custom=False,
        **pick(entity, _THREAT_ACTOR_PROPERTIES),
        **context.entity_common(entity),
    )


def build_intrusion_set(entity: Entity, context: BuildContext) -> StixObject:
    return stix2.v21.IntrusionSet(
        name=entity.name,
        description=context.describe(entity),
        allow_custom=False,
        **pick(entity, _INTRUSION_SET_PROPERTIES),
        **context.entity_common(entity),
    )
