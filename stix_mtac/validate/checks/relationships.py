"""Relationship types the STIX 2.1 specification suggests for each source/target pair."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from stix_mtac.stixdata import is_suggested_relationship, suggested_relationship_types
from stix_mtac.validate.context import BundleContext
from stix_mtac.validate.findings import Severity
from stix_mtac.validate.refdata import stix_types
from stix_mtac.validate.registry import Alias, Issue, check


@check(
    code="SX301",
    name="unsuggested-relationship",
    severity=Severity.WARNING,
    types=("relationship",),
    aliases=(Alias("202"),),
)
def unsuggested_relationship(
    obj: Mapping[str, Any], path: str, ctx: BundleContext
) -> Iterator[Issue]:
    """A relationship uses a type the spec suggests for its source and target types.

    The spec lists the relationship types it suggests for each pair of source and target
    types (data/stix/relationships.json); importers may drop others. Custom types are not
    compared.
    """
    relationship_type = obj.get("relationship_type")
    source, target = obj.get("source_ref"), obj.get("target_ref")
    if not all(isinstance(value, str) for value in (relationship_type, source, target)):
        return  # missing properties are the schema's findings
    assert isinstance(relationship_type, str) and isinstance(source, str)
    assert isinstance(target, str)
    source_type, target_type = ctx.type_of(source), ctx.type_of(target)
    known = stix_types()
    if source_type not in known or target_type not in known:
        return  # the spec suggests nothing for custom types, so there is nothing to compare
    if is_suggested_relationship(source_type, relationship_type, target_type):
        return
    choices = ", ".join(suggested_relationship_types(source_type, target_type))
    yield Issue(
        f"{path}.relationship_type",
        f"{source_type} {relationship_type} {target_type} is not a relationship the STIX 2.1 "
        f"spec suggests; importers may drop it (suggested for this pair: {choices})",
        obj.get("id") if isinstance(obj.get("id"), str) else None,
    )
