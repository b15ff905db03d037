"""note, opinion and grouping: what the report says about other objects, and sets of them."""

from __future__ import annotations

import stix2

from stix_mtac.build.builders.common import BuildContext, StixObject, pick, provenance
from stix_mtac.build.facts import Entity


def _refs(entity: Entity, context: BuildContext) -> list[str]:
    return [context.id_of(ref) for ref in entity.properties["object_refs"]]


def build_note(entity: Entity, context: BuildContext) -> StixObject:
    """A note has no description; its content ends with the sentences it rests on."""
    content = " ".join(entity.properties["content"].split())
    return stix2.v21.Note(
        content=f"{content}\n\n{provenance(context, entity.facts)}",
        object_refs=_refs(entity, context),
        allow_custom=False,
        **pick(entity, ("abstract", "authors")),
        **context.entity_common(entity),
    )


def build_opinion(entity: Entity, context: BuildContext) -> StixObject:
    explanation = " ".join(entity.properties.get("explanation", "").split())
    return stix2.v21.Opinion(
        opinion=entity.properties["opinion"],
        explanation="\n\n".join(filter(None, [explanation, provenance(context, entity.facts)])),
        object_refs=_refs(entity, context),
        allow_custom=False,
        **pick(entity, ("authors",)),
        **context.entity_common(entity),
    )


def build_grouping(entity: Entity, context: BuildContext) -> StixObject:
    return stix2.v21.Grouping(
        name=entity.name,
        context=entity.properties["context"],
        description=context.describe(entity),
        object_refs=_refs(entity, context),
        allow_custom=False,
        **context.entity_common(entity),
    )
