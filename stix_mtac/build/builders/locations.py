"""location: countries, regions and named areas such as the South China Sea."""

from __future__ import annotations

import stix2

from stix_mtac.build.builders.common import BuildContext, StixObject, pick
from stix_mtac.build.facts import Entity

_PLACE = ("country", "region", "administrative_area", "city", "latitude", "longitude", "precision")


def build_location(entity: Entity, context: BuildContext) -> StixObject:
    return stix2.v21.Location(
        name=entity.name,
        description=context.describe(entity),
        allow_custom=False,
        **pick(entity, _PLACE),
        **context.entity_common(entity),
    )
