"""relationship: the typed edges between the objects of one report."""

from __future__ import annotations

import stix2

from stix_mtac import ids
from stix_mtac.builders.common import BuildContext, StixObject, describe
from stix_mtac.facts import RelationshipFact


def build_relationship(relation: RelationshipFact, context: BuildContext) -> StixObject:
    source_id = context.id_of(relation.source)
    target_id = context.id_of(relation.target)
    return stix2.v21.Relationship(
        id=ids.relationship_id(source_id, relation.relationship_type, target_id),
        relationship_type=relation.relationship_type,
        source_ref=source_id,
        target_ref=target_id,
        description=describe(context, "", relation.description, relation.facts),
        allow_custom=False,
        **context.common(relation.facts),
    )
