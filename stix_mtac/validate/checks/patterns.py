"""STIX patterns: what the spec requires of qualifiers, and names the spec does not know.

stix2-validator checks a pattern's syntax and the form of its names (C112); these checks add
the spec's value rules for qualifiers (REPEATS a positive integer, WITHIN a positive number,
STOP later than START) and warn of object types, properties and hash algorithms that no
STIX 2.1 consumer will recognise (a typo in a pattern makes an indicator that never fires).
Only patterns that parse and fit the size bounds are read (others already have C112/C121/C122).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from stix_mtac.patterning.limits import size_problem
from stix_mtac.patterning.parser import Comparison, ParsedPattern, Qualifier, parsed
from stix_mtac.validate.context import BundleContext
from stix_mtac.validate.fast_checks import ENUMS
from stix_mtac.validate.findings import Severity
from stix_mtac.validate.registry import Issue, check

INDICATOR = ("indicator",)
_HASH_ALGORITHMS = frozenset(ENUMS.HASH_ALGO_OV)
# properties every cyber-observable object may carry, besides its own
_COMMON = frozenset({"type", "id", "spec_version", "extensions", "defanged"})


def _stix_pattern(obj: Mapping[str, Any]) -> ParsedPattern | None:
    pattern = obj.get("pattern")
    if obj.get("pattern_type", "") != "stix" or not isinstance(pattern, str):
        return None
    if obj.get("pattern_version", "2.1") != "2.1" or size_problem(pattern) is not None:
        return None
    return parsed(pattern)


def _instant(literal: str) -> tuple[str, str]:
    """A timestamp literal t'...Z' as comparable (seconds part, fraction) strings."""
    text = literal[2:-2]
    whole, _, fraction = text.partition(".")
    return whole, fraction


def _qualifier_problem(qualifier: Qualifier) -> str | None:
    if qualifier.kind == "REPEATS" and int(qualifier.values[0]) == 0:
        return "REPEATS 0 TIMES: the number of repetitions must be a positive integer"
    if qualifier.kind == "WITHIN" and float(qualifier.values[0]) == 0:
        return f"WITHIN {qualifier.values[0]} SECONDS: the time window must be positive"
    if qualifier.kind == "START":
        start, stop = (_instant(value) for value in qualifier.values)
        width = max(len(start[1]), len(stop[1]))
        if (stop[0], stop[1].ljust(width, "0")) <= (start[0], start[1].ljust(width, "0")):
            return (
                f"START {qualifier.values[0]} STOP {qualifier.values[1]}: STOP must be later "
                "than START"
            )
    return None


@check(code="SX701", name="pattern-qualifier", severity=Severity.ERROR, types=INDICATOR)
def pattern_qualifier(obj: Mapping[str, Any], path: str, ctx: BundleContext) -> Iterator[Issue]:
    """A pattern's qualifiers have the values the spec allows (REPEATS, WITHIN, START/STOP)."""
    pattern = _stix_pattern(obj)
    if pattern is None:
        return
    stix_id = obj.get("id") if isinstance(obj.get("id"), str) else None
    for qualifier in pattern.qualifiers:
        problem = _qualifier_problem(qualifier)
        if problem is not None:
            where = f"(at character {qualifier.position})"
            yield Issue(f"{path}.pattern", f"{problem} {where}", stix_id)


def _name_warning(comparison: Comparison) -> str | None:
    kind, first = comparison.object_type, comparison.path[0]
    if kind not in ENUMS.OBSERVABLE_TYPES:
        if kind.startswith("x-"):
            return None  # a custom object: its properties are its own
        return f"{kind!r} is not a STIX 2.1 cyber-observable type (custom types start with x-)"
    known = ENUMS.OBSERVABLE_PROPERTIES.get(kind, ())
    custom = isinstance(first, str) and first.startswith("x_")
    if isinstance(first, str) and first not in known and first not in _COMMON and not custom:
        return f"{kind} has no property {first!r} in STIX 2.1 (custom ones start with x_)"
    steps = comparison.path
    for index, step in enumerate(steps[:-1]):
        if step == "hashes":
            algorithm = steps[index + 1]
            named = isinstance(algorithm, str) and not algorithm.startswith("x_")
            if named and algorithm not in _HASH_ALGORITHMS:
                return (
                    f"{algorithm!r} is not a hash algorithm of the hash-algorithm-ov "
                    f"vocabulary ({', '.join(sorted(_HASH_ALGORITHMS))})"
                )
    return None


@check(code="SX702", name="pattern-unknown-name", severity=Severity.WARNING, types=INDICATOR)
def pattern_unknown_name(obj: Mapping[str, Any], path: str, ctx: BundleContext) -> Iterator[Issue]:
    """A pattern names object types, properties and hash algorithms the spec defines."""
    pattern = _stix_pattern(obj)
    if pattern is None:
        return
    stix_id = obj.get("id") if isinstance(obj.get("id"), str) else None
    reported: set[str] = set()
    for comparison in pattern.comparisons:
        warning = _name_warning(comparison)
        if warning is not None and warning not in reported:
            reported.add(warning)
            yield Issue(f"{path}.pattern", f"pattern: {warning}", stix_id)
