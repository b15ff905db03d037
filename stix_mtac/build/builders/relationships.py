"""relationship: the typed edges between the objects of one report."""

from __future__ import annotations

import stix2

from stix_mtac.build import ids
from stix_mtac.build.builders.common import BuildContext, StixObject, describe
from stix_mtac.build.facts import RelationshipFact


def relationship_stix_id(relation: RelationshipFact, context: BuildContext) -> str:
    return ids.relationship_id(
        context.id_of(relation.source), relation.relationship_type, context.id_of(relation.target)
    )


def build_relationship(relation: RelationshipFact, context: BuildContext) -> StixObject:
    """``description`` is the generated sentence followed by the facts' own description."""
    props = relation.properties
    times = {name: props[name] for name in ("start_time", "stop_time") if name in props}
    return stix2.v21.Relationship(
        relationship_type=relation.relationship_type,
        source_ref=context.id_of(relation.source),
        target_ref=context.id_of(relation.target),
        description=describe(context, "", relation.description, relation.facts),
        allow_custom=False,
        **times,
        **context.common(relationship_stix_id(relation, context), relation.facts, props),
    )
