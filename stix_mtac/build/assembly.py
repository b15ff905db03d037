"""Facts -> bundle: the pure core of ``stix-mtac export``.

``build_bundle`` is a function of the facts alone (no clock, no network), so the same facts
give the same bundle, byte for byte, on any machine and in any order they are listed.
``build_bundles`` builds several reports together, so that an object they share (same id)
keeps one ``created``: the earliest any of them declares.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from stix_mtac.build import ids, markings
from stix_mtac.build.builders import BUILDERS, BuildContext
from stix_mtac.build.builders.identities import build_creator
from stix_mtac.build.builders.observables import observable_id
from stix_mtac.build.builders.prose import relation_prose, sentence
from stix_mtac.build.builders.relationships import build_relationship
from stix_mtac.build.builders.report import build_report, build_statement, statement_id
from stix_mtac.build.bundle import assemble, to_json_data
from stix_mtac.build.facts import RelationshipFact, ReportFacts, load_facts
from stix_mtac.build.facts.sections import observable_keys
from stix_mtac.errors import FactsError

BUILTIN_REPORT = "mtac-east-asia-2023-09-07"
# Types whose objects carry no created/modified of their own (SCOs) or cannot be versioned.
_UNVERSIONED = frozenset({"marking-definition", *observable_keys()})


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


def creator_id(facts: ReportFacts) -> str:
    return ids.object_id(facts.creator.key, "identity", facts.creator.key)


def _stix_ids(facts: ReportFacts) -> dict[str, str]:
    """``type/key`` -> STIX id for everything the file declares. Observables first without
    references (their ids do not depend on them), then network-traffic (whose ids do)."""
    found: dict[str, str] = {}
    scos = observable_keys()
    for entity in facts.entities:
        if entity.stix_type not in scos:
            found[entity.ref] = ids.object_id(facts.id_namespace, entity.stix_type, entity.key)
    for late in (False, True):
        for entity in facts.entities:
            if entity.stix_type in scos and (entity.stix_type == "network-traffic") == late:
                found[entity.ref] = observable_id(entity, found)
    for relation in facts.relationships:
        if relation.key is not None:
            found[f"relationship/{relation.key}"] = ids.relationship_id(
                found[relation.source], relation.relationship_type, found[relation.target]
            )
    return found


def _marking_ids(facts: ReportFacts, context_ids: Mapping[str, str]) -> dict[str, str]:
    found = {name: definition["id"] for name, definition in markings.tlp_definitions().items()}
    for key in facts.statements:
        found[f"statement/{key}"] = ids.object_id(facts.id_namespace, "marking-definition", key)
    return found


def build_bundle(facts: ReportFacts, created_of: Mapping[str, str] | None = None) -> BuildResult:
    """One report's bundle; ``created_of`` (STIX id -> created) overrides the created of
    objects shared with other reports (see build_bundles)."""
    stix_ids = _stix_ids(facts)
    context = BuildContext(
        facts=facts,
        creator_id=creator_id(facts),
        marking_ids=_marking_ids(facts, stix_ids),
        ids=stix_ids,
        relation_prose=relation_prose(facts),
        created_of=created_of or {},
    )
    built: list[dict[str, Any]] = [
        to_json_data(build_creator(facts.creator, context.creator_id, context))
    ]
    cited_by: dict[str, list[str]] = {fact_id: [] for fact_id in facts.facts}

    def record(obj: dict[str, Any], fact_ids: tuple[str, ...]) -> None:
        built.append(obj)
        for fact_id in fact_ids:
            cited_by[fact_id].append(obj["id"])

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
            properties=relation.properties,
        )
        record(to_json_data(build_relationship(described, context)), relation.facts)

    # object_refs takes SDOs, SROs and SCOs; markings apply through object_marking_refs.
    object_refs = sorted(obj["id"] for obj in built)
    record(to_json_data(build_report(object_refs, context)), facts.report.facts)
    definitions = _used_markings(facts, context, built)
    bundle = assemble(
        ids.bundle_id(facts.id_namespace, facts.report.key),
        [*definitions, *built],
        context.creator_id,
    )
    return BuildResult(
        bundle=bundle,
        objects_by_fact={fact_id: tuple(sorted(set(refs))) for fact_id, refs in cited_by.items()},
        facts=facts,
    )


def _used_markings(
    facts: ReportFacts, context: BuildContext, built: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The marking definitions the objects refer to: the TLP ones as published, statements."""
    used = {ref for obj in built for ref in obj.get("object_marking_refs", ())}
    found: list[dict[str, Any]] = [
        dict(definition)
        for definition in markings.tlp_definitions().values()
        if definition["id"] in used
    ]
    for statement in facts.statements.values():
        if statement_id(context, statement) in used:
            found.append(to_json_data(build_statement(statement, context)))
    return found


def build_bundles(all_facts: Iterable[ReportFacts]) -> list[BuildResult]:
    """Build reports together: an object several of them declare takes the earliest created
    among them (deterministic, whatever the order), and two reports may not give one object
    different content under the same ``modified``."""
    reports = list(all_facts)
    first = [build_bundle(facts) for facts in reports]
    earliest: dict[str, str] = {}
    for result in first:
        for obj in _versioned(result):
            known = earliest.get(obj["id"])
            if known is None or obj["created"] < known:
                earliest[obj["id"]] = obj["created"]
    results = [
        build_bundle(facts, earliest)
        if any(obj["created"] != earliest[obj["id"]] for obj in _versioned(result))
        else result
        for facts, result in zip(reports, first, strict=True)
    ]
    _check_shared_versions(results)
    return results


def _versioned(result: BuildResult) -> Iterable[dict[str, Any]]:
    return (obj for obj in result.bundle["objects"] if obj["type"] not in _UNVERSIONED)


def _check_shared_versions(results: list[BuildResult]) -> None:
    seen: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    problems: list[str] = []
    for result in results:
        for obj in _versioned(result):
            version = (obj["id"], obj["modified"])
            earlier = seen.get(version)
            if earlier is None:
                seen[version] = (result.facts.path.name, obj)
            elif earlier[1] != obj:
                name = obj.get("name", obj["id"])
                problems.append(
                    f"{result.facts.path.name}: {obj['type']} {name!r} ({obj['id']}) is also in "
                    f"{earlier[0]} with other content but the same modified {obj['modified']}; "
                    "give it a `modified:` of its own in one of them"
                )
    if problems:
        raise FactsError(problems)


def build_from_path(path: Path) -> BuildResult:
    return build_bundle(load_facts(path))


def build_builtin_bundle() -> dict[str, Any]:
    """The built-in MTAC report's bundle as JSON data (built with the other built-in reports,
    so that the objects they share have one created)."""
    results = build_bundles(load_facts(path) for path in builtin_reports().values())
    return next(result.bundle for result in results if result.name == BUILTIN_REPORT)
