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
from stix_mtac.validate.context import BundleContext
from stix_mtac.validate.findings import Severity
from stix_mtac.validate.pattern_verdicts import PatternVerdict, verdict
from stix_mtac.validate.registry import Issue, check

INDICATOR = ("indicator",)


def _verdict(obj: Mapping[str, Any]) -> PatternVerdict | None:
    pattern = obj.get("pattern")
    if obj.get("pattern_type", "") != "stix" or not isinstance(pattern, str):
        return None
    if obj.get("pattern_version", "2.1") != "2.1" or size_problem(pattern) is not None:
        return None
    return verdict(pattern)


def _object_id(obj: Mapping[str, Any]) -> str | None:
    stix_id = obj.get("id")
    return stix_id if isinstance(stix_id, str) else None


@check(code="SX701", name="pattern-qualifier", severity=Severity.ERROR, types=INDICATOR)
def pattern_qualifier(obj: Mapping[str, Any], path: str, ctx: BundleContext) -> Iterator[Issue]:
    """A pattern's qualifiers have the values the spec allows (REPEATS, WITHIN, START/STOP).

    A REPEATS count is a positive integer, a WITHIN window positive (WITHIN 1.5 SECONDS is
    allowed: the spec and grammar take a positive float), and STOP is later than START.
    """
    found = _verdict(obj)
    for problem in found.qualifier_problems if found is not None else ():
        yield Issue(f"{path}.pattern", problem, _object_id(obj))


@check(code="SX702", name="pattern-unknown-name", severity=Severity.WARNING, types=INDICATOR)
def pattern_unknown_name(obj: Mapping[str, Any], path: str, ctx: BundleContext) -> Iterator[Issue]:
    """A pattern names object types, properties and hash algorithms the spec defines.

    Cyber-observable types of STIX 2.1 (custom ones start with x-), their properties (custom:
    x_) and hash algorithms of the hash-algorithm vocabulary: a misspelt name makes an
    indicator that never matches.
    """
    found = _verdict(obj)
    for warning in found.name_warnings if found is not None else ():
        yield Issue(f"{path}.pattern", warning, _object_id(obj))
