"""Facts files: reading, the shape check, and the records the builders consume.

A facts file (YAML, docs/facts-format.md) holds one report's claims, each with the source
sentence behind it, and the STIX objects those claims support. Loading checks everything at
once: the shape against ``data/facts.schema.json``, then what a schema cannot say (checks.py).
All problems are reported together, one line each, as ``file:line: key.path: message``; entries
whose shape is broken are left out of the later checks, so a shape error does not hide the
reference errors of the rest of the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from stix_mtac.build import catalogues
from stix_mtac.build.facts import checks, creator, schema
from stix_mtac.build.facts.problems import Problems
from stix_mtac.build.facts.records import (
    Creator,
    Entity,
    Fact,
    RelationshipFact,
    ReportFacts,
    ReportInfo,
    Source,
    Statement,
)
from stix_mtac.build.facts.sections import sections
from stix_mtac.errors import FactsError, FactsFileError
from stix_mtac.fileio import read_bounded
from stix_mtac.yamlload import KeyPath, YamlProblem, load_located_yaml

MAX_FACTS_BYTES = 8 * 1024 * 1024
MAX_SOURCE_TEXT_BYTES = 16 * 1024 * 1024
SCHEMA_VERSION = 2

# Top-level keys of schema_version 1, to say which keys of an old file are new in 2.
_VERSION_1_KEYS = frozenset(
    {
        "schema_version",
        "report",
        "producer",
        "marking",
        "sources",
        "corrections",
        "facts",
        "identities",
        "locations",
        "threat_actors",
        "intrusion_sets",
        "campaigns",
        "attack_patterns",
        "relationships",
    }
)
_MIGRATION = (
    "schema_version 1 is no longer read; this stix-mtac reads schema_version 2 "
    "(`producer` -> `report.authors` + `identities`, `marking` -> `markings.default`, "
    "attack patterns cite `catalogue` + `technique`; see docs/facts-format.md, "
    "'From schema_version 1 to 2')"
)


def load_facts(path: Path) -> ReportFacts:
    """Load and check a facts file; raise FactsError listing every problem."""
    display = path.name
    text = _read_text(path)
    try:
        located = load_located_yaml(text)
    except YamlProblem as problem:
        raise FactsError([f"{display}:{problem.line}: {problem.message}"]) from None
    problems = Problems(display, located)
    data = located.data
    if not isinstance(data, dict):
        problems.add((), f"expected a mapping of sections at the top, got {schema.kind(data)}")
        problems.raise_if_any()
    _check_keys(data, (), problems)
    problems.raise_if_any()
    _check_version(data, problems)
    problems.raise_if_any()
    broken = schema.check_shape(data, problems)
    if {(), ("report",), ("facts",), ("markings",)} & broken:
        problems.raise_if_any()  # nothing below can be checked without them
    source_text_path = path.parent / data["report"]["source_text"]
    facts = checks.check_all(data, problems, source_text_path, broken)
    problems.raise_if_any()
    return _records(path, data, facts, source_text_path)


def _read_text(path: Path) -> str:
    display = path.name
    raw = read_bounded(path, MAX_FACTS_BYTES, what="facts file", error=FactsFileError)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FactsError([f"{display}: byte {exc.start}: not UTF-8 text"]) from None
    if not text.strip():
        raise FactsError([f"{display}: the file is empty; expected a facts document"])
    return text


def read_source_text(path: Path) -> str:
    """The source text file, read bounded (no devices, no FIFOs, MAX_SOURCE_TEXT_BYTES)."""
    raw = read_bounded(path, MAX_SOURCE_TEXT_BYTES, what="source text", error=FactsFileError)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise FactsFileError(f"{path}: not UTF-8 text") from None


def _check_keys(value: Any, path: KeyPath, problems: Problems) -> None:
    """Every mapping key must be text: YAML also allows numbers, dates, null and lists."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                problems.add(path, f"key {key!r} is not text (quote it, or check the indentation)")
            else:
                _check_keys(item, (*path, key), problems)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_keys(item, (*path, index), problems)


def _check_version(data: dict[str, Any], problems: Problems) -> None:
    version = data.get("schema_version")
    if version == SCHEMA_VERSION:
        return
    if version == 1:
        for key in data:
            if key not in _VERSION_1_KEYS:
                problems.add((key,), f"`{key}` is not supported in schema_version 1; it is from 2")
        problems.add(("schema_version",), _MIGRATION)
    elif version is None:
        problems.add((), f"missing `schema_version` (this stix-mtac reads {SCHEMA_VERSION})")
    else:
        problems.add(
            ("schema_version",),
            f"schema_version {version!r} is not one this stix-mtac reads ({SCHEMA_VERSION})",
        )


def _tupled(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tupled(item) for item in value)
    if isinstance(value, dict):
        return {key: _tupled(item) for key, item in value.items()}
    return value


def _entity(stix_type: str, section: str, raw: Mapping[str, Any]) -> Entity:
    properties = {
        name: _tupled(value) for name, value in raw.items() if name not in ("key", "facts", "type")
    }
    if section == "attack_patterns":  # its name is the catalogue's (checked to exist)
        technique = catalogues.technique(raw["catalogue"], raw["technique"])
        assert technique is not None
        properties["name"] = technique.name
    return Entity(
        stix_type=stix_type,
        key=raw["key"],
        facts=tuple(raw["facts"]),
        properties=properties,
        section=section,
    )


def _records(
    path: Path, data: dict[str, Any], facts: dict[str, Fact], source_text_path: Path
) -> ReportFacts:
    report = data["report"]
    the_creator = creator.creator_of(data)
    entities = tuple(
        _entity(raw.get("type") or section.stix_type or "", name, raw)
        for name, section in sections().items()
        for raw in data.get(name, [])
    )
    names = {entity.ref: entity.name for entity in entities}
    authors = tuple(report["authors"])
    markings = data["markings"]
    return ReportFacts(
        path=path,
        report=ReportInfo(
            key=report["key"],
            title=report["title"],
            published=report["published"],
            timestamp=report["timestamp"],
            modified=report.get("modified", report["timestamp"]),
            description=report["description"],
            facts=tuple(report["facts"]),
            report_types=tuple(report.get("report_types", ["threat-report"])),
            external_references=tuple(report.get("external_references", [])),
            source_text=read_source_text(source_text_path),
            authors=authors,
            cited_as=report.get("cited_as") or " and ".join(names[ref] for ref in authors),
            lang=report.get("lang"),
            labels=tuple(report.get("labels", ())),
            markings=tuple(report["markings"]) if "markings" in report else None,
        ),
        creator=Creator(**the_creator),
        id_namespace=data.get("id_namespace", the_creator["key"]),
        default_markings=tuple(markings["default"]),
        statements={
            raw["key"]: Statement(raw["key"], raw["statement"], raw.get("created"))
            for raw in markings.get("statements", [])
        },
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
        entities=entities,
        relationships=tuple(
            RelationshipFact(
                source=raw["source"],
                relationship_type=raw["type"],
                target=raw["target"],
                facts=tuple(raw["facts"]),
                description=raw.get("description"),
                properties={
                    name: _tupled(value)
                    for name, value in raw.items()
                    if name not in ("source", "type", "target", "facts", "description")
                },
            )
            for raw in data.get("relationships", [])
        ),
    )


__all__ = ["Creator", "load_facts"]
