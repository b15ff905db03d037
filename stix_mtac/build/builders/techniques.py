"""attack-pattern: techniques cited from a shipped catalogue (ATT&CK, DISARM, CAPEC, ATLAS).

Name, kill-chain phases and the catalogue's external reference come from the catalogue table,
as the catalogue's own objects carry them, so TIPs can merge ours with theirs. We describe how
this report's actors use the technique; we never reuse the catalogue's STIX id (that would
claim its object).
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
        description=context.describe(entity),
        external_references=references,
        allow_custom=False,
        **pick(entity, ("aliases",)),
        **optional,
        **common,
    )
