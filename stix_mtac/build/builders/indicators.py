"""indicator: a detection pattern, built from the report's observables or printed by it."""

from __future__ import annotations

import stix2

from stix_mtac.build import patterns
from stix_mtac.build.builders.common import BuildContext, StixObject, kill_chain_phases, pick
from stix_mtac.build.builders.observables import observable_values
from stix_mtac.build.facts import Entity


def indicator_pattern(entity: Entity, context: BuildContext) -> tuple[str, str]:
    """(pattern, pattern_type): the one the facts give, or one observation per observable."""
    if "pattern" in entity.properties:
        return " ".join(entity.properties["pattern"].split()), entity.properties["pattern_type"]
    observed = []
    for ref in entity.properties["observables"]:
        observable = context.facts.entity(ref)
        assert observable is not None  # references are checked when the facts load
        values = observable_values(observable)
        for end in ("src", "dst"):
            end_ref = observable.properties.get(end)
            end_entity = context.facts.entity(end_ref) if isinstance(end_ref, str) else None
            if end_entity is not None and "value" in end_entity.properties:
                values[f"{end}_value"] = observable_values(end_entity)["value"]
        observed.append((observable.stix_type, values))
    return patterns.pattern_of(observed), "stix"


def build_indicator(entity: Entity, context: BuildContext) -> StixObject:
    pattern, pattern_type = indicator_pattern(entity, context)
    valid_from = (
        entity.properties.get("valid_from") or f"{context.facts.report.published}T00:00:00Z"
    )
    return stix2.v21.Indicator(
        name=entity.name,
        description=context.describe(entity),
        pattern=pattern,
        pattern_type=pattern_type,
        valid_from=valid_from,
        allow_custom=False,
        **pick(entity, ("indicator_types", "valid_until")),
        **kill_chain_phases(entity),
        **context.entity_common(entity),
    )
