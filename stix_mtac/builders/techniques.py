"""attack-pattern: techniques cited from MITRE ATT&CK or DISARM by external id.

We describe how this report's actors use a technique and cite the catalogue entry through
external_references; we never reuse the catalogue's own STIX id (that would claim its object).
"""

from __future__ import annotations

import stix2

from stix_mtac import stixdata
from stix_mtac.builders.common import BuildContext, StixObject
from stix_mtac.facts import Entity


def technique_reference(framework: str, external_id: str) -> dict[str, str]:
    catalogue = stixdata.frameworks()[framework]
    url = catalogue["url"].format(id=external_id, id_path=external_id.replace(".", "/"))
    return {"source_name": catalogue["source_name"], "external_id": external_id, "url": url}


def build_attack_pattern(entity: Entity, context: BuildContext) -> StixObject:
    framework = entity.properties["framework"]
    external_id = entity.properties["external_id"]
    common = context.common(entity.facts)
    references = [
        technique_reference(framework, external_id),
        *common.pop("external_references", []),
    ]
    optional = {}
    if "phase" in entity.properties:
        kill_chain = stixdata.frameworks()[framework]["kill_chain_name"]
        optional["kill_chain_phases"] = [
            {"kill_chain_name": kill_chain, "phase_name": entity.properties["phase"]}
        ]
    return stix2.v21.AttackPattern(
        id=context.id_of(entity.ref),
        name=entity.name,
        description=context.describe(entity),
        external_references=references,
        allow_custom=False,
        **optional,
        **common,
    )
