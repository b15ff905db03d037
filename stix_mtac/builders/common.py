"""What every object we build shares: id, producer, marking, timestamps, confidence, prose."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stix_mtac import ids
from stix_mtac.facts import Entity, ReportFacts

# stix2 objects are untyped; this alias marks where they flow.
StixObject = Any


@dataclass(frozen=True)
class BuildContext:
    """Shared defaults for one report, the way stix2's ObjectFactory keeps them, but explicit."""

    facts: ReportFacts
    producer_id: str
    marking_id: str
    # "type/key" -> prose lines describing the object's relations ("Attributed to: ...")
    relation_prose: Mapping[str, tuple[str, ...]]

    def id_of(self, ref: str) -> str:
        """Id of the object a facts file names as ``type/key``."""
        stix_type, key = ref.split("/", 1)
        return ids.object_id(self.facts.producer.key, stix_type, key)

    def common(self, fact_ids: tuple[str, ...]) -> dict[str, Any]:
        """Properties every object carries, with confidence from the cited facts."""
        timestamp = self.facts.report.timestamp
        properties: dict[str, Any] = {
            "created": timestamp,
            "modified": timestamp,
            "created_by_ref": self.producer_id,
            "object_marking_refs": [self.marking_id],
            "confidence": self.facts.confidence_of(fact_ids),
        }
        outside = self.outside_references(fact_ids)
        if outside:
            properties["external_references"] = outside
        return properties

    def outside_references(self, fact_ids: tuple[str, ...]) -> list[dict[str, str]]:
        """external_references for the other publications the cited facts come from."""
        references: list[dict[str, str]] = []
        seen: set[str] = set()
        for fact_id in fact_ids:
            source_key = self.facts.facts[fact_id].source
            if source_key is None or source_key in seen:
                continue
            seen.add(source_key)
            source = self.facts.sources[source_key]
            reference = {"source_name": source.source_name}
            if source.description:
                reference["description"] = source.description
            if source.url:
                reference["url"] = source.url
            references.append(reference)
        return references

    def describe(self, entity: Entity) -> str:
        """The analyst-facing description: the facts' prose, the object's relations (MISP drops
        relationship objects on import, so they must survive as text), and the source sentences."""
        return describe(self, entity.ref, entity.properties.get("description"), entity.facts)


def describe(context: BuildContext, ref: str, text: str | None, fact_ids: tuple[str, ...]) -> str:
    parts: list[str] = []
    if text:
        parts.append(" ".join(text.split()))
    relations = context.relation_prose.get(ref, ())
    if relations:
        parts.append("\n".join(relations))
    quotes = []
    for fact_id in fact_ids:
        fact = context.facts.facts[fact_id]
        origin = (
            "MTAC report"
            if fact.from_report
            else context.facts.sources[fact.source or ""].source_name
        )
        quotes.append(f'- "{fact.quote}" ({origin}, fact {fact.id}, confidence {fact.confidence})')
    parts.append("Source:\n" + "\n".join(quotes))
    return "\n\n".join(parts)
