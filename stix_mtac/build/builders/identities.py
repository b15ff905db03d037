"""identity: authors, named organisations, victim classes and sectors; and the creator."""

from __future__ import annotations

import stix2

from stix_mtac.build.builders.common import BuildContext, StixObject, pick
from stix_mtac.build.facts import Creator, Entity

CREATOR_MARKING = "tlp2:clear"


def build_identity(entity: Entity, context: BuildContext) -> StixObject:
    return stix2.v21.Identity(
        name=entity.name,
        identity_class=entity.properties["identity_class"],
        description=context.describe(entity),
        allow_custom=False,
        **pick(entity, ("sectors", "roles", "contact_information")),
        **context.entity_common(entity),
    )


def build_creator(creator: Creator, stix_id: str, context: BuildContext) -> StixObject:
    """The identity every object's created_by_ref names: it created itself. It is the same
    object in every bundle, public whatever the report's marking: TLP:CLEAR."""
    optional = {"contact_information": creator.contact_information}
    created = creator.created or context.facts.report.timestamp
    return stix2.v21.Identity(
        id=stix_id,
        name=creator.name,
        identity_class=creator.identity_class,
        description=creator.description,
        created=created,
        modified=created,
        created_by_ref=stix_id,
        object_marking_refs=[context.marking_ids[CREATOR_MARKING]],
        allow_custom=False,
        **{name: value for name, value in optional.items() if value},
    )
