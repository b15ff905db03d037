"""Facts -> bundle: the pure core of ``stix-mtac export``.

``build_bundle`` is a function of the facts alone (no clock, no network), so the same facts
give the same bundle, byte for byte, on any machine and in any order they are listed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from stix_mtac import ids, stixdata
from stix_mtac.builders import BUILDERS, BuildContext
from stix_mtac.builders.identities import build_identity
from stix_mtac.builders.prose import relation_prose, sentence
from stix_mtac.builders.relationships import build_relationship
from stix_mtac.builders.report import build_report
from stix_mtac.bundle import assemble, to_json_data
from stix_mtac.facts import RelationshipFact, ReportFacts, load_facts

BUILTIN_REPORT = "mtac-east-asia-2023-09-07"


@dataclass(frozen=True)
class BuildResult:
    bundle: dict[str, Any]
    # fact id -> ids of the objects that cite it (the report's traceability)
    objects_by_fact: Mapping[str, tuple[str, ...]]
    facts: ReportFacts

    @property
    def name(self) -> str:
        """File stem for the bundle: the report's key."""
        return self.facts.report.key


def builtin_reports() -> dict[str, Path]:
    """Built-in facts files by report key."""
    folder = resources.files("stix_mtac.data").joinpath("reports")
    found = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".yaml"):
            found[entry.name.removesuffix(".yaml")] = Path(str(entry))
    return dict(sorted(found.items()))


def builtin_facts_path(key: str = BUILTIN_REPORT) -> Path:
    return builtin_reports()[key]


def build_bundle(facts: ReportFacts) -> BuildResult:
    producer_key = facts.producer.key
    producer_id = ids.object_id(producer_key, "identity", producer_key)
    marking = dict(stixdata.marking_definition(facts.marking))
    context = BuildContext(
        facts=facts,
        producer_id=producer_id,
        marking_id=marking["id"],
        relation_prose=relation_prose(facts),
    )
    built: list[dict[str, Any]] = [marking, to_json_data(build_identity(facts.producer, context))]
    cited_by: dict[str, list[str]] = {fact_id: [] for fact_id in facts.facts}

    def record(obj: dict[str, Any], fact_ids: tuple[str, ...]) -> None:
        built.append(obj)
        for fact_id in fact_ids:
            cited_by[fact_id].append(obj["id"])

    for fact_id in facts.producer.facts:
        cited_by[fact_id].append(producer_id)
    for entity in facts.entities:
        record(to_json_data(BUILDERS[entity.stix_type](entity, context)), entity.facts)
    for relation in facts.relationships:
        prose = sentence(facts, relation.source, relation.relationship_type, relation.target)
        described = RelationshipFact(
            source=relation.source,
            relationship_type=relation.relationship_type,
            target=relation.target,
            facts=relation.facts,
            description=" ".join(filter(None, [prose, relation.description])),
        )
        record(to_json_data(build_relationship(described, context)), relation.facts)

    # object_refs takes SDOs, SROs and SCOs; the marking applies through object_marking_refs.
    object_refs = sorted(obj["id"] for obj in built if obj["type"] != "marking-definition")
    report = to_json_data(build_report(object_refs, context))
    record(report, facts.report.facts)
    bundle = assemble(ids.bundle_id(producer_key, facts.report.key), built, producer_id)
    return BuildResult(
        bundle=bundle,
        objects_by_fact={fact_id: tuple(sorted(set(refs))) for fact_id, refs in cited_by.items()},
        facts=facts,
    )


def build_from_path(path: Path) -> BuildResult:
    return build_bundle(load_facts(path))


def build_builtin_bundle() -> dict[str, Any]:
    """The built-in report's bundle as JSON data."""
    return build_from_path(builtin_facts_path()).bundle
