"""Relations in words, so they survive importers that drop relationship objects (MISP)."""

from __future__ import annotations

from collections.abc import Mapping

from stix_mtac.facts import ReportFacts

# relationship type -> (phrase on the source, phrase on the target)
RELATION_PHRASES: Mapping[str, tuple[str, str]] = {
    "attributed-to": ("Attributed to", "Responsible for"),
    "targets": ("Targets", "Targeted by"),
    "uses": ("Uses", "Used by"),
    "located-at": ("Located in", "Location of"),
    "originates-from": ("Originates from", "Origin of"),
    "impersonates": ("Impersonates", "Impersonated by"),
    "related-to": ("Related to", "Related to"),
}


def sentence(facts: ReportFacts, source_ref: str, relationship_type: str, target_ref: str) -> str:
    """``China AI-generated imagery influence campaign targets U.S. voters.``"""
    names = _names(facts)
    verb = relationship_type.replace("-", " ")
    return f"{names[source_ref]} {verb} {names[target_ref]}."


def relation_prose(facts: ReportFacts) -> dict[str, tuple[str, ...]]:
    """For each object ("type/key"), lines such as ``Targeted by: A; B.``, in a stable order."""
    names = _names(facts)
    grouped: dict[str, dict[str, list[str]]] = {}
    for relation in facts.relationships:
        forward, backward = RELATION_PHRASES.get(
            relation.relationship_type, (relation.relationship_type, relation.relationship_type)
        )
        grouped.setdefault(relation.source, {}).setdefault(forward, []).append(
            names[relation.target]
        )
        grouped.setdefault(relation.target, {}).setdefault(backward, []).append(
            names[relation.source]
        )
    return {
        ref: tuple(
            f"{phrase}: {'; '.join(sorted(set(others)))}."
            for phrase, others in sorted(by_phrase.items())
        )
        for ref, by_phrase in grouped.items()
    }


def _names(facts: ReportFacts) -> dict[str, str]:
    names = {entity.ref: entity.name for entity in facts.entities}
    names[facts.producer.ref] = facts.producer.name
    return names
