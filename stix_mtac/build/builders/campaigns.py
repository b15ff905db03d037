"""campaign: a set of activity with a purpose, attributed to an actor."""

from __future__ import annotations

import stix2

from stix_mtac.build.builders.common import BuildContext, StixObject, pick
from stix_mtac.build.facts import Entity

_CAMPAIGN_PROPERTIES = ("aliases", "objective", "first_seen", "last_seen")


def build_campaign(entity: Entity, context: BuildContext) -> StixObject:
    return stix2.v21.Campaign(
        name=entity.name,
        description=context.describe(entity),
        allow_custom=False,
        **pick(entity, _CAMPAIGN_PROPERTIES),
        **context.entity_common(entity),
    )
