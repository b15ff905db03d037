"""campaign: a set of activity with a purpose, attributed to an actor."""

from __future__ import annotations

import stix2

from stix_mtac.builders.common import BuildContext, StixObject
from stix_mtac.facts import Entity

_CAMPAIGN_PROPERTIES = ("aliases", "objective", "first_seen", "last_seen")


def build_campaign(entity: Entity, context: BuildContext) -> StixObject:
    optional = {
        name: " ".join(value.split()) if isinstance(value, str) and name == "objective" else value
        for name in _CAMPAIGN_PROPERTIES
        if (value := entity.properties.get(name)) is not None
    }
    if "aliases" in optional:
        optional["aliases"] = list(optional["aliases"])
    return stix2.v21.Campaign(
        id=context.id_of(entity.ref),
        name=entity.name,
        description=context.describe(entity),
        allow_custom=False,
        **optional,
        **context.common(entity.facts),
    )
