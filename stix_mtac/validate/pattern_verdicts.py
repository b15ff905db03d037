"""Everything validation says about one STIX 2.1 pattern, computed from a single parse.

A pattern is read once per text: stix2-validator's C112 verdict (``fast_patterns.py``) and
our own SX701/SX702 findings (``checks/patterns.py``) both come from :func:`verdict`. The
cache holds only the verdicts (almost always the shared empty tuples), not the parse trees,
so it can remember every pattern of a large bundle between the check phases.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from stix_mtac.patterning.parser import Comparison, ParsedPattern, Qualifier
from stix_mtac.validate.fast_checks import ENUMS
from stix_mtac.validate.fast_patterns import UpstreamCrash, name_problems, syntax_errors

_HASH_ALGORITHMS = frozenset(ENUMS.HASH_ALGO_OV)
# properties every cyber-observable object may carry, besides its own
_COMMON = frozenset({"type", "id", "spec_version", "extensions", "defanged"})


@dataclass(frozen=True)
class PatternVerdict:
    problems: tuple[str, ...]  # C112 messages (stix2-validator's verdict)
    crash: str | None  # why stix2-validator would crash (reported as C199), or None
    qualifier_problems: tuple[str, ...]  # SX701
    name_warnings: tuple[str, ...]  # SX702


_EMPTY: tuple[str, ...] = ()


def _instant(literal: str) -> tuple[str, str]:
    """A timestamp literal t'...Z' as comparable (seconds part, fraction) strings."""
    whole, _, fraction = literal[2:-2].partition(".")
    return whole, fraction


def qualifier_problem(qualifier: Qualifier) -> str | None:
    """What the spec forbids in a qualifier's value, or None."""
    if qualifier.kind == "REPEATS" and int(qualifier.values[0]) == 0:
        problem = "REPEATS 0 TIMES: the number of repetitions must be a positive integer"
    elif qualifier.kind == "WITHIN" and float(qualifier.values[0]) == 0:
        problem = f"WITHIN {qualifier.values[0]} SECONDS: the time window must be positive"
    elif qualifier.kind == "START":
        start, stop = (_instant(value) for value in qualifier.values)
        width = max(len(start[1]), len(stop[1]))
        if (stop[0], stop[1].ljust(width, "0")) > (start[0], start[1].ljust(width, "0")):
            return None
        first, second = qualifier.values
        problem = f"START {first} STOP {second}: STOP must be later than START"
    else:
        return None
    return f"{problem} (at character {qualifier.position})"


def name_warning(comparison: Comparison) -> str | None:
    """A name in the comparison that no STIX 2.1 consumer knows, or None."""
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


def _ours(parsed: ParsedPattern) -> tuple[tuple[str, ...], tuple[str, ...]]:
    qualifiers = [qualifier_problem(q) for q in parsed.qualifiers]
    names = dict.fromkeys(name_warning(c) for c in parsed.comparisons)
    return (
        tuple(p for p in qualifiers if p is not None) or _EMPTY,
        tuple(f"pattern: {w}" for w in names if w is not None) or _EMPTY,
    )


@lru_cache(maxsize=131_072)
def verdict(pattern: str) -> PatternVerdict:
    """The verdicts on one pattern of ``pattern_version`` 2.1 (cached by text)."""
    try:
        errors, parsed = syntax_errors(pattern)
    except UpstreamCrash as crash:
        return PatternVerdict(_EMPTY, str(crash), _EMPTY, _EMPTY)
    if parsed is None:
        return PatternVerdict(
            tuple(f"pattern does not parse: {e}" for e in errors), None, _EMPTY, _EMPTY
        )
    qualifiers, names = _ours(parsed)
    if errors:
        return PatternVerdict(
            tuple(f"pattern does not parse: {e}" for e in errors), None, qualifiers, names
        )
    problems = tuple(f"pattern: {p}" for p in name_problems(parsed, ENUMS)) or _EMPTY
    return PatternVerdict(problems, None, qualifiers, names)
