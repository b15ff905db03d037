"""identity: the producer, named organisations, and victim classes and sectors."""

from __future__ import annotations

import stix2

from stix_mtac.builders.common import BuildContext, StixObject
from stix_mtac.facts import Entity


def build_identity(entity: Entity, context: BuildContext) -> StixObject:
    properties = entity.properties
    optional = {
        name: list(properties[name]) if isinstance(properties[name], tuple) else properties[name]
        for name in ("sectors", "contact_information")
        if name in properties
    }
    return stix2.v21.Identity(
        id=context.id_of(entity.ref),
        name=entity.name,
        identity_class=properties["identity_class"],
        description=context.describe(entity),
        allow_custom=False,
        **optional,
        **context.common(entity.facts),
    )
