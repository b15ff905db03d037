"""malware and tool: the software a report's actors use (families, samples, and tools)."""

from __future__ import annotations

import stix2

from stix_mtac.build.builders.common import BuildContext, StixObject, kill_chain_phases, pick
from stix_mtac.build.facts import Entity

_MALWARE_PROPERTIES = (
    "is_family",
    "malware_types",
    "aliases",
    "capabilities",
    "implementation_languages",
    "architecture_execution_envs",
    "first_seen",
    "last_seen",
)
_TOOL_PROPERTIES = ("tool_types", "aliases", "tool_version")


def build_malware(entity: Entity, context: BuildContext) -> StixObject:
    samples = [context.id_of(ref) for ref in entity.properties.get("samples", ())]
    return stix2.v21.Malware(
        name=entity.name,
        description=context.describe(entity),
        allow_custom=False,
        **({"sample_refs": samples} if samples else {}),
        **pick(entity, _MALWARE_PROPERTIES),
        **kill_chain_phases(entity),
        **context.entity_common(entity),
    )


def build_tool(entity: Entity, context: BuildContext) -> StixObject:
    return stix2.v21.Tool(
        name=entity.name,
        description=context.describe(entity),
        allow_custom=False,
        **pick(entity, _TOOL_PROPERTIES),
        **kill_chain_phases(entity),
        **context.entity_common(entity),
    )
