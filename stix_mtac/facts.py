"""Facts files: loading, checking and the frozen records the builders consume.

A facts file (YAML) holds one report's claims, each with the source sentence behind it, and the
STIX objects those claims support. Loading checks everything at once: the shape against
``data/facts.schema.json``, then cross-references (fact ids, object keys), vocabularies,
relationship types per source/target pair, and that every quote occurs in the report's source
text. All problems are reported together, one line each, as ``file:line: key.path: message``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema_rs

from stix_mtac import stixdata
from stix_mtac.errors import FactsError, FactsFileError
from stix_mtac.fileio import read_bounded
from stix_mtac.yamlload import KeyPath, LocatedYaml, YamlProblem, format_path, load_located_yaml

# Section of the facts file -> STIX type of the objects it declares.
SECTIONS: Mapping[str, str] = {
    "identities": "identity",
    "locations": "location",
    "threat_actors": "threat-actor",
    "intrusion_sets": "intrusion-set",
    "campaigns": "campaign",
    "attack_patterns": "attack-pattern",
}

# Property -> open vocabulary its values must come from.
VOCABULARY_OF: Mapping[str, str] = {
    "identity_class": "identity-class-ov",
    "sectors": "industry-sector-ov",
    "region": "region-ov",
    "threat_actor_types": "threat-actor-type-ov",
    "roles": "threat-actor-role-ov",
    "resource_level": "attack-resource-level-ov",
    "primary_motivation": "attack-motivation-ov",
    "report_types": "report-type-ov",
}

MAX_FACTS_BYTES = 8 * 1024 * 1024
MAX_SOURCE_TEXT_BYTES = 16 * 1024 * 1024


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
    """A STIX domain object declared by the facts: its type, natural key and properties."""

    stix_type: str
    key: str
    name: str
    facts: tuple[str, ...]
    properties: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        """How relationships in facts files name this object: ``type/key``."""
        return f"{self.stix_type}/{self.key}"


@dataclass(frozen=True)
class RelationshipFact:
    source: str  # "type/key"
    relationship_type: str
    target: str
    facts: tuple[str, ...]
    description: str | None = None


@dataclass(frozen=True)
class ReportInfo:
    key: str
    title: str
    published: str
    timestamp: str
    description: str
    facts: tuple[str, ...]
    report_types: tuple[str, ...]
    external_references: tuple[Mapping[str, str], ...]
    source_text: str


@dataclass(frozen=True)
class ReportFacts:
    """Everything one facts file says, checked and immutable."""

    path: Path
    report: ReportInfo
    producer: Entity
    marking: str
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


@cache
def _schema_validator() -> Any:
    text = resources.files("stix_mtac.data").joinpath("facts.schema.json").read_text("utf-8")
    return jsonschema_rs.validator_for(json.loads(text), validate_formats=True)


class _Problems:
    """Collects problems with their position, to report them all at once."""

    def __init__(self, display: str, located: LocatedYaml) -> None:
        self.display = display
        self.located = located
        self.lines: list[tuple[int, str]] = []

    def add(self, path: KeyPath, message: str) -> None:
        line = self.located.line_of(path) or 1
        where = f"{format_path(path)}: " if path else ""
        self.lines.append((line, f"{self.display}:{line}: {where}{message}"))

    def raise_if_any(self) -> None:
        if self.lines:
            ordered = sorted(set(self.lines))
            raise FactsError([text for _, text in ordered])


def load_facts(path: Path) -> ReportFacts:
    """Load and check a facts file; raise FactsError listing every problem."""
    display = path.name
    raw = read_bounded(path, MAX_FACTS_BYTES, what="facts file", error=FactsFileError)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FactsError([f"{display}: byte {exc.start}: not UTF-8 text"]) from None
    if not text.strip():
        raise FactsError([f"{display}: the file is empty; expected a facts document"])
    try:
        located = load_located_yaml(text)
    except YamlProblem as problem:
        raise FactsError([f"{display}:{problem.line}: {problem.message}"]) from None
    problems = _Problems(display, located)
    data = located.data
    if not isinstance(data, dict):
        problems.add((), f"expected a mapping of sections at the top, got {_kind(data)}")
        problems.raise_if_any()
    for error in _schema_validator().iter_errors(data):
        instance_path = tuple(error.instance_path)
        for error_path, message in _explain_schema_error(error, instance_path):
            problems.add(error_path, message)
    problems.raise_if_any()  # cross-reference checks below assume the shape is right
    source_text_path = path.parent / data["report"]["source_text"]
    facts = _check_references(data, problems, source_text_path)
    problems.raise_if_any()
    return _records(path, data, facts, source_text_path)


def _kind(value: Any) -> str:
    names = {dict: "a mapping", list: "a list", str: "a string", bool: "true/false"}
    if value is None:
        return "nothing"
    return names.get(type(value), type(value).__name__)


TIMESTAMP_KEYS = ("timestamp", "first_seen", "last_seen")


def _explain_schema_error(error: Any, path: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    """Turn one JSON-schema error into messages a person editing YAML understands."""
    kind = type(error.kind).__name__
    value = error.instance
    if kind == "AdditionalProperties":
        for name in error.kind.unexpected:
            yield (*path, name), "unknown key (check the spelling; see data/facts.schema.json)"
    elif kind == "Required":
        yield path, f"missing required key {error.kind.property!r}"
    elif kind == "Format" and error.kind.format == "date":
        yield path, f"{value!r} is not a date (YYYY-MM-DD)"
    elif kind in ("Pattern", "Format") and path and path[-1] in TIMESTAMP_KEYS:
        yield path, f"{value!r} is not a UTC timestamp (YYYY-MM-DDTHH:MM:SS[.sss]Z)"
    elif kind == "Type":
        expected = " or ".join(str(t) for t in error.kind.types)
        yield path, f"expected {expected}, got {_kind(value)}"
    elif kind == "OneOfNotValid" and len(path) == 2 and path[0] == "facts":
        yield path, "a fact needs either `wording` (the report's own claim) or `source` and `grade`"
    elif kind == "OneOfMultipleValid":
        yield path, "a fact cannot have both `wording` and `source`/`grade`"
    else:
        yield path, str(error.message)


def _check_seen_order(path: KeyPath, raw: dict[str, Any], problems: _Problems) -> None:
    """STIX requires last_seen >= first_seen; say so here rather than fail in the builder."""
    try:
        first = datetime.fromisoformat(raw["first_seen"])
        last = datetime.fromisoformat(raw["last_seen"])
    except (KeyError, TypeError, ValueError):
        return  # absent, or already reported as not a timestamp
    if last < first:
        problems.add(
            (*path, "last_seen"),
            f"{raw['last_seen']!r} is before first_seen {raw['first_seen']!r}",
        )


def _check_references(
    data: dict[str, Any], problems: _Problems, source_text_path: Path
) -> dict[str, Fact]:
    """Cross-reference checks; returns the facts by id (with their confidence)."""
    wordings, grades = stixdata.confidence_scale()
    source_keys = {source["key"] for source in data.get("sources", [])}
    source_text = _read_source_text(source_text_path, problems)

    facts: dict[str, Fact] = {}
    for index, raw in enumerate(data["facts"]):
        path: KeyPath = ("facts", index)
        if raw["id"] in facts:
            problems.add((*path, "id"), f"fact id {raw['id']!r} is used twice")
            continue
        confidence = 0
        if "wording" in raw:
            if raw["wording"] not in wordings:
                problems.add(
                    (*path, "wording"),
                    f"{raw['wording']!r} is not on the confidence scale "
                    f"(one of: {', '.join(sorted(wordings))})",
                )
            confidence = wordings.get(raw["wording"], 0)
            if source_text is not None and _normalise(raw["quote"]) not in source_text:
                problems.add(
                    (*path, "quote"),
                    f"quote not found in {source_text_path.name} "
                    "(copy it verbatim from the source)",
                )
        else:
            if raw["source"] not in source_keys:
                problems.add(
                    (*path, "source"), f"no source with key {raw['source']!r} in `sources`"
                )
            if raw["grade"] not in grades:
                problems.add(
                    (*path, "grade"), f"{raw['grade']!r} is not a grade ({', '.join(grades)})"
                )
            confidence = grades.get(raw["grade"], 0)
        facts[raw["id"]] = Fact(
            id=raw["id"],
            claim=raw["claim"],
            quote=raw["quote"],
            confidence=confidence,
            wording=raw.get("wording"),
            source=raw.get("source"),
        )

    cited: set[str] = set()

    def check_fact_refs(path: KeyPath, fact_ids: list[str]) -> None:
        for position, fact_id in enumerate(fact_ids):
            cited.add(fact_id)
            if fact_id not in facts:
                problems.add((*path, position), f"no fact with id {fact_id!r}")

    check_fact_refs(("report", "facts"), data["report"]["facts"])
    check_fact_refs(("producer", "facts"), data["producer"]["facts"])
    _check_vocabulary(("report",), data["report"], problems)
    _check_vocabulary(("producer",), data["producer"], problems)
    if data["marking"] not in stixdata.marking_names():
        problems.add(
            ("marking",),
            f"unknown marking {data['marking']!r} (one of: {', '.join(stixdata.marking_names())})",
        )

    declared: dict[str, str] = {}  # "type/key" -> section
    declared[f"identity/{data['producer']['key']}"] = "producer"
    for section, stix_type in SECTIONS.items():
        for index, raw in enumerate(data.get(section, [])):
            path = (section, index)
            ref = f"{stix_type}/{raw['key']}"
            if ref in declared:
                problems.add((*path, "key"), f"{ref} is declared twice (also in {declared[ref]})")
            declared[ref] = section
            check_fact_refs((*path, "facts"), raw["facts"])
            _check_vocabulary(path, raw, problems)
            _check_seen_order(path, raw, problems)

    seen_triples: set[tuple[str, str, str]] = set()
    for index, raw in enumerate(data.get("relationships", [])):
        path = ("relationships", index)
        check_fact_refs((*path, "facts"), raw["facts"])
        for end in ("source", "target"):
            if raw[end] not in declared:
                problems.add((*path, end), f"no object {raw[end]!r} is declared in this file")
        source_type, target_type = raw["source"].split("/")[0], raw["target"].split("/")[0]
        if not stixdata.is_suggested_relationship(source_type, raw["type"], target_type):
            allowed = ", ".join(stixdata.suggested_relationship_types(source_type, target_type))
            problems.add(
                (*path, "type"),
                f"{source_type} {raw['type']} {target_type} is not a relationship the STIX 2.1 "
                f"spec suggests (for this pair: {allowed})",
            )
        triple = (raw["source"], raw["type"], raw["target"])
        if triple in seen_triples:
            problems.add(path, f"relationship {' '.join(triple)} is declared twice")
        seen_triples.add(triple)

    for index, fact_id in enumerate(facts):
        if fact_id not in cited:
            problems.add(
                ("facts", index, "id"), f"fact {fact_id} supports no object; cite it or drop it"
            )
    return facts


def _check_vocabulary(path: KeyPath, raw: Mapping[str, Any], problems: _Problems) -> None:
    vocabularies = stixdata.vocabularies()
    for prop, vocabulary in VOCABULARY_OF.items():
        if prop not in raw:
            continue
        values = raw[prop] if isinstance(raw[prop], list) else [raw[prop]]
        allowed = vocabularies[vocabulary]
        for position, value in enumerate(values):
            if value not in allowed:
                where = (*path, prop, position) if isinstance(raw[prop], list) else (*path, prop)
                problems.add(
                    where,
                    f"{value!r} is not in the STIX vocabulary {vocabulary} "
                    "(TIPs map only its values; say the rest in the description)",
                )


def _normalise(text: str) -> str:
    """Collapse white space so a quote may wrap differently from the source text."""
    return re.sub(r"\s+", " ", text).strip()


def read_source_text(path: Path) -> str:
    """The source text file, read bounded (no devices, no FIFOs, MAX_SOURCE_TEXT_BYTES)."""
    raw = read_bounded(path, MAX_SOURCE_TEXT_BYTES, what="source text", error=FactsFileError)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise FactsFileError(f"{path}: not UTF-8 text") from None


def _read_source_text(path: Path, problems: _Problems) -> str | None:
    try:
        return _normalise(read_source_text(path))
    except FactsError as exc:
        problems.add(("report", "source_text"), f"cannot read source text: {exc.message}")
        return None


def _entity(stix_type: str, raw: Mapping[str, Any]) -> Entity:
    properties = {
        name: tuple(value) if isinstance(value, list) else value
        for name, value in raw.items()
        if name not in ("key", "name", "facts")
    }
    return Entity(
        stix_type=stix_type,
        key=raw["key"],
        name=raw["name"],
        facts=tuple(raw["facts"]),
        properties=properties,
    )


def _records(
    path: Path, data: dict[str, Any], facts: dict[str, Fact], source_text_path: Path
) -> ReportFacts:
    report = data["report"]
    return ReportFacts(
        path=path,
        report=ReportInfo(
            key=report["key"],
            title=report["title"],
            published=report["published"],
            timestamp=report["timestamp"],
            description=report["description"],
            facts=tuple(report["facts"]),
            report_types=tuple(report.get("report_types", ["threat-report"])),
            external_references=tuple(report.get("external_references", [])),
            source_text=read_source_text(source_text_path),
        ),
        producer=_entity("identity", data["producer"]),
        marking=data["marking"],
        sources={
            raw["key"]: Source(
                key=raw["key"],
                source_name=raw["source_name"],
                description=raw.get("description"),
                url=raw.get("url"),
            )
            for raw in data.get("sources", [])
        },
        facts=facts,
        entities=tuple(
            _entity(stix_type, raw)
            for section, stix_type in SECTIONS.items()
            for raw in data.get(section, [])
        ),
        relationships=tuple(
            RelationshipFact(
                source=raw["source"],
                relationship_type=raw["type"],
                target=raw["target"],
                facts=tuple(raw["facts"]),
                description=raw.get("description"),
            )
            for raw in data.get("relationships", [])
        ),
    )
