"""infrastructure: the servers, domains and services an actor runs (C2, hosting, phishing)."""

from __future__ import annotations

import stix2

from stix_mtac.build.builders.common import BuildContext, StixObject, kill_chain_phases, pick
from stix_mtac.build.facts import Entity

_INFRASTRUCTURE_PROPERTIES = ("infrastructure_types", "aliases", "first_seen", "last_seen")


def build_infrastructure(entity: Entity, context: BuildContext) -> StixObject:
    return stix2.v21.Infrastructure(
        name=entity.name,
        description=context.describe(entity),
        allow_custom=False,
        **pick(entity, _INFRASTRUCTURE_PROPERTIES),
        **kill_chain_phases(entity),
        **context.entity_common(entity),
    )
