"""location: countries, regions and named areas such as the South China Sea."""

from __future__ import annotations

import stix2

from stix_mtac.builders.common import BuildContext, StixObject
from stix_mtac.facts import Entity


def build_location(entity: Entity, context: BuildContext) -> StixObject:
    place = {
        name: entity.properties[name] for name in ("country", "region") if name in entity.properties
    }
    return stix2.v21.Location(
        id=context.id_of(entity.ref),
        name=entity.name,
        description=context.describe(entity),
        allow_custom=False,
        **place,
        **context.common(entity.facts),
    )
