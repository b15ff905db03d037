"""The frozen records a checked facts file becomes, and that the builders consume."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Fact:
    """One claim and the words that support it."""

    id: str
    claim: str
    quote: str
    confidence: int
    wording: str | None = None
    source: str | None = None  # key into ReportFacts.sources; None = the report itself

    @property
    def from_report(self) -> bool:
        return self.source is None


@dataclass(frozen=True)
class Source:
    """A publication other than the report, cited by outside facts."""

    key: str
    source_name: str
    description: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Entity:
    """An object declared by the facts: its STIX type, natural key, facts and properties.

    ``properties`` holds the entry's other keys as written (lists as tuples), references still
    as ``type/key`` and timestamps as strings; builders resolve and convert them.
    """

    stix_type: str
    key: str
    facts: tuple[str, ...]
    properties: Mapping[str, Any] = field(default_factory=dict)
    section: str = ""

    @property
    def ref(self) -> str:
        """How facts files name this object: ``type/key``."""
        return f"{self.stix_type}/{self.key}"

    @property
    def name(self) -> str:
        """What prose calls the object: its name, else its value, else its key."""
        for prop in ("name", "value", "abstract"):
            value = self.properties.get(prop)
            if isinstance(value, str):
                return value
        return self.key

    def get(self, prop: str, default: Any = None) -> Any:
        return self.properties.get(prop, default)


@dataclass(frozen=True)
class RelationshipFact:
    source: str  # "type/key"
    relationship_type: str
    target: str
    facts: tuple[str, ...]
    description: str | None = None
    properties: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str | None:
        value = self.properties.get("key")
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class Statement:
    """A statement marking (copyright, terms of use) declared under ``markings.statements``."""

    key: str
    statement: str
    created: str | None = None


@dataclass(frozen=True)
class ReportInfo:
    key: str
    title: str
    published: str
    timestamp: str
    modified: str
    description: str
    facts: tuple[str, ...]
    report_types: tuple[str, ...]
    external_references: tuple[Mapping[str, str], ...]
    source_text: str
    authors: tuple[str, ...]  # "identity/key"
    cited_as: str
    lang: str | None = None
    labels: tuple[str, ...] = ()
    markings: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Creator:
    """The identity in every object's created_by_ref: who made the STIX and signs the bundle."""

    key: str
    name: str
    identity_class: str
    description: str
    created: str | None = None
    contact_information: str | None = None


@dataclass(frozen=True)
class ReportFacts:
    """Everything one facts file says, checked and immutable."""

    path: Path
    report: ReportInfo
    creator: Creator
    id_namespace: str
    default_markings: tuple[str, ...]
    statements: Mapping[str, Statement]
    sources: Mapping[str, Source]
    facts: Mapping[str, Fact]
    entities: tuple[Entity, ...]
    relationships: tuple[RelationshipFact, ...]

    def confidence_of(self, fact_ids: tuple[str, ...]) -> int:
        """The lowest confidence among the cited facts from the report itself, or, when an
        object rests only on outside facts, the lowest of those."""
        cited = [self.facts[fact_id] for fact_id in fact_ids]
        own = [fact.confidence for fact in cited if fact.from_report]
        return min(own) if own else min(fact.confidence for fact in cited)

    def entity(self, ref: str) -> Entity | None:
        for entity in self.entities:
            if entity.ref == ref:
                return entity
        return None
