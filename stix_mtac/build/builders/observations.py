"""observed-data and sighting: what was seen, when, how often, and where."""

from __future__ import annotations

import stix2

from stix_mtac.build.builders.common import BuildContext, StixObject, pick
from stix_mtac.build.facts import Entity


def build_observed_data(entity: Entity, context: BuildContext) -> StixObject:
    """STIX gives observed-data no name or description: its provenance is the report's."""
    return stix2.v21.ObservedData(
        object_refs=[context.id_of(ref) for ref in entity.properties["observables"]],
        allow_custom=False,
        **pick(entity, ("first_observed", "last_observed", "number_observed")),
        **context.entity_common(entity),
    )


def build_sighting(entity: Entity, context: BuildContext) -> StixObject:
    props = entity.properties
    refs = {
        "observed_data_refs": [context.id_of(ref) for ref in props.get("observed_data", ())],
        "where_sighted_refs": [context.id_of(ref) for ref in props.get("where_sighted", ())],
    }
    return stix2.v21.Sighting(
        sighting_of_ref=context.id_of(props["sighting_of"]),
        description=context.describe(entity),
        allow_custom=False,
        **{name: value for name, value in refs.items() if value},
        **pick(entity, ("first_seen", "last_seen", "count", "summary")),
        **context.entity_common(entity),
    )
