"""vulnerability: a flaw the report names, its CVE id as the external reference STIX asks for."""

from __future__ import annotations

import stix2

from stix_mtac.build.builders.common import BuildContext, StixObject
from stix_mtac.build.facts import Entity

CVE_RECORD_URL = "https://www.cve.org/CVERecord?id={cve}"


def cve_reference(cve: str) -> dict[str, str]:
    """STIX 2.1 section 4.18: a CVE is cited with source_name ``cve`` and the id."""
    return {"source_name": "cve", "external_id": cve, "url": CVE_RECORD_URL.format(cve=cve)}


def build_vulnerability(entity: Entity, context: BuildContext) -> StixObject:
    common = context.entity_common(entity)
    cve = entity.properties.get("cve")
    references = [*([cve_reference(cve)] if cve else []), *common.pop("external_references", [])]
    return stix2.v21.Vulnerability(
        name=entity.name,
        description=context.describe(entity),
        allow_custom=False,
        **({"external_references": references} if references else {}),
        **common,
    )
