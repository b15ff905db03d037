"""What the objects we build share: ids, creator, markings, timestamps, confidence, prose."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from stix_mtac.build.facts import Entity, ReportFacts

# stix2 objects are untyped; this alias marks where they flow.
StixObject = Any


@dataclass(frozen=True)
class BuildContext:
    """Shared defaults for one report, the way stix2's ObjectFactory keeps them, but explicit."""

    facts: ReportFacts
    creator_id: str
    # facts marking name ("tlp2:clear", "statement/x") -> marking-definition id
    marking_ids: Mapping[str, str]
    # "type/key" -> STIX id, for every object the file declares (SCOs: their deterministic ids)
    ids: Mapping[str, str]
    # "type/key" -> prose lines describing the object's relations ("Attributed to: ...")
    relation_prose: Mapping[str, tuple[str, ...]]
    # STIX id -> created, when objects shared with other reports take an earlier one
    created_of: Mapping[str, str] = field(default_factory=dict)

    def id_of(self, ref: str) -> str:
        """Id of the object a facts file names as ``type/key``."""
        return self.ids[ref]

    def markings_of(self, own: tuple[str, ...] | None) -> list[str]:
        names = own if own is not None else self.facts.default_markings
        return [self.marking_ids[name] for name in names]

    def timestamps(self, stix_id: str, properties: Mapping[str, Any]) -> dict[str, str]:
        report = self.facts.report
        created = properties.get("created") or self.created_of.get(stix_id) or report.timestamp
        modified = properties.get("modified") or report.modified
        return {"created": created, "modified": max(modified, created, key=_instant)}

    def common(
        self, stix_id: str, fact_ids: tuple[str, ...], properties: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Properties every SDO and SRO carries; confidence from the cited facts."""
        result: dict[str, Any] = {
            "id": stix_id,
            **self.timestamps(stix_id, properties),
            "created_by_ref": self.creator_id,
            "object_marking_refs": self.markings_of(properties.get("markings")),
            "confidence": self.facts.confidence_of(fact_ids),
        }
        lang = properties.get("lang") or self.facts.report.lang
        if lang:
            result["lang"] = lang
        if properties.get("labels"):
            result["labels"] = list(properties["labels"])
        references = [
            *(dict(reference) for reference in properties.get("external_references", ())),
            *self.outside_references(fact_ids),
        ]
        if references:
            result["external_references"] = references
        return result

    def entity_common(self, entity: Entity) -> dict[str, Any]:
        return self.common(self.id_of(entity.ref), entity.facts, entity.properties)

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
                reference["description"] = " ".join(source.description.split())
            if source.url:
                reference["url"] = source.url
            references.append(reference)
        return references

    def describe(self, entity: Entity) -> str:
        """The analyst-facing description: the facts' prose, the object's relations (MISP drops
        relationship objects on import, so they must survive as text), and the source sentences."""
        return describe(self, entity.ref, entity.properties.get("description"), entity.facts)


def _instant(timestamp: str) -> str:
    """Sort key for STIX timestamps of one form (RFC 3339 UTC): compare without the 'Z'."""
    base, _, fraction = timestamp.rstrip("Z").partition(".")
    return f"{base}.{fraction.ljust(6, '0')}"


def describe(context: BuildContext, ref: str, text: str | None, fact_ids: tuple[str, ...]) -> str:
    parts: list[str] = []
    if text:
        parts.append(" ".join(text.split()))
    relations = context.relation_prose.get(ref, ())
    if relations:
        parts.append("\n".join(relations))
    parts.append(provenance(context, fact_ids))
    return "\n\n".join(parts)


def provenance(context: BuildContext, fact_ids: tuple[str, ...]) -> str:
    """``Source:`` then one line per fact: its quote and who published it."""
    quotes = []
    for fact_id in fact_ids:
        fact = context.facts.facts[fact_id]
        origin = (
            context.facts.report.cited_as
            if fact.from_report
            else context.facts.sources[fact.source or ""].source_name
        )
        quotes.append(f'- "{fact.quote}" ({origin}, fact {fact.id}, confidence {fact.confidence})')
    return "Source:\n" + "\n".join(quotes)


def pick(entity: Entity, names: tuple[str, ...]) -> dict[str, Any]:
    """The entity's properties among ``names``, lists as lists, text with white space collapsed."""
    picked: dict[str, Any] = {}
    for name in names:
        value = entity.properties.get(name)
        if value is None:
            continue
        if isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, str) and name not in ("created", "modified"):
            value = " ".join(value.split())
        picked[name] = value
    return picked


def kill_chain_phases(entity: Entity) -> dict[str, Any]:
    phases = entity.properties.get("kill_chain_phases")
    if not phases:
        return {}
    return {
        "kill_chain_phases": [
            {"kill_chain_name": phase["kill_chain"], "phase_name": phase["phase"]}
            for phase in phases
        ]
    }
