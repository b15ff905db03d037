"""attack-pattern: techniques cited from a shipped catalogue (ATT&CK, DISARM, CAPEC, ATLAS).

The object says only what the catalogue says: its name, kill-chain phases and the external
reference as the catalogue's own STIX objects carry them (ATT&CK and DISARM: ``mitre-attack``),
so a TIP merges it with the catalogue object it already holds (OpenCTI keys techniques on that
id) instead of creating a second technique, and no report's prose overwrites the catalogue's
text there. How this report's actors use the technique goes on their ``uses`` relationship, with
the confidence of the sentences that say so; the object itself claims nothing about the report,
so it has no confidence of its own (and is the same object in every report that cites it). We
never reuse the catalogue's STIX id (that would claim its object).
"""

from __future__ import annotations

import stix2

from stix_mtac.build import catalogues
from stix_mtac.build.builders.common import BuildContext, StixObject, pick
from stix_mtac.build.facts import Entity


def technique_reference(catalogue_name: str, technique_id: str) -> dict[str, str]:
    entry = catalogues.catalogue(catalogue_name)
    technique = entry.techniques[technique_id]
    return {"source_name": entry.source_name, "external_id": technique_id, "url": technique.url}


def build_attack_pattern(entity: Entity, context: BuildContext) -> StixObject:
    name = entity.properties["catalogue"]
    technique_id = entity.properties["technique"]
    entry = catalogues.catalogue(name)
    technique = entry.techniques[technique_id]
    common = context.entity_common(entity)
    del common["confidence"]  # the report's confidence is on the `uses` relationships
    references = [
        technique_reference(name, technique_id),
        *common.pop("external_references", []),
    ]
    phases = entity.properties.get("phases") or technique.tactics
    optional = {}
    if phases and entry.kill_chain_name:
        optional["kill_chain_phases"] = [
            {"kill_chain_name": entry.kill_chain_name, "phase_name": phase} for phase in phases
        ]
    return stix2.v21.AttackPattern(
        name=technique.name,
        external_references=references,
        allow_custom=False,
        **pick(entity, ("aliases",)),
        **optional,
        **common,
    )
