"""stix2-validator's pattern check (MUST ``patterns``, code C112) on the project's own parser.

The same verdicts as stix2patterns' ``run_validator`` followed by stix2-validator's object
type and property name checks, for valid and invalid patterns alike (the differential tests
in ``tests/test_pattern_differential.py`` hold this): a syntax error; a hash value that does
not fit its algorithm (stix2patterns' table, quirks included); a qualifier type repeated on
one bracketed observation; then, for a pattern without errors, object type and property
names that are neither in the spec nor well-formed custom names.

Where stix2patterns or stix2-validator crash (an empty pattern, a ``[-1]`` list index, a list
index as the last step of a ``hashes`` path), :class:`UpstreamCrash` is raised, so the fast
engine reports C199 exactly where the reference engine does.

Patterns of ``pattern_version`` 2.1 are read once each (``pattern_verdicts.py``, cached); an
older version goes to stix2patterns' 2.0 grammar (ANTLR), as stix2-validator does.
"""

from __future__ import annotations

import re
from typing import Any

from stix_mtac.patterning.parser import STAR, ParsedPattern, PatternSyntaxError, parse

TYPE_FORMAT_RE = re.compile(r"^\-?[a-z0-9]+(-[a-z0-9]+)*\-?$")
PROPERTY_FORMAT_RE = re.compile(r"^[a-z0-9_]{3,250}$")

# stix2patterns' hash value table (v21 object_validator), by selector upper-cased without
# '-': matched with re.match, so '$' also accepts one trailing newline. Its MD6 expression
# is kept as it is (its alternatives are not anchored and one holds a newline and spaces).
HASH_VALUE_RE: dict[str, re.Pattern[str]] = {
    name: re.compile(expression)
    for name, expression in {
        "MD5": r"^[a-fA-F0-9]{32}$",
        "MD6": "^[a-fA-F0-9]{32}|[a-fA-F0-9]{40}|[a-fA-F0-9]{56}|\n    "
        "[a-fA-F0-9]{64}|[a-fA-F0-9]{96}|[a-fA-F0-9]{128}$",
        "RIPEMD160": r"^[a-fA-F0-9]{40}$",
        "SHA1": r"^[a-fA-F0-9]{40}$",
        "SHA224": r"^[a-fA-F0-9]{56}$",
        "SHA256": r"^[a-fA-F0-9]{64}$",
        "SHA384": r"^[a-fA-F0-9]{96}$",
        "SHA512": r"^[a-fA-F0-9]{128}$",
        "SHA3224": r"^[a-fA-F0-9]{56}$",
        "SHA3256": r"^[a-fA-F0-9]{64}$",
        "SHA3384": r"^[a-fA-F0-9]{96}$",
        "SHA3512": r"^[a-fA-F0-9]{128}$",
        "SSDEEP": r"^[a-zA-Z0-9/+:.]{1,128}$",
        "WHIRLPOOL": r"^[a-fA-F0-9]{128}$",
    }.items()
}


class UpstreamCrash(Exception):
    """stix2patterns or stix2-validator would raise on this pattern (the reference: C199)."""


def _hash_errors(parsed: ParsedPattern) -> list[str]:
    errors: list[str] = []
    for comparison in parsed.comparisons:
        path = comparison.path
        if "hashes" not in path:
            continue
        selector = path[-1]
        if selector is STAR:
            continue
        if not isinstance(selector, str):
            raise UpstreamCrash(f"list index {selector} as a hash algorithm")
        expected = HASH_VALUE_RE.get(selector.upper().replace("-", "").replace("'", ""))
        text = comparison.value.replace("'", "")
        if expected is not None and not expected.match(text):
            errors.append(f"'{text}' is not a valid {selector} hash")
    return errors


def _brackets_missing(pattern: str) -> bool:
    """stix2patterns' ``brackets_check``: the first character past '(' and blanks is '['."""
    if not pattern:
        raise UpstreamCrash("empty pattern")  # brackets_check reads an unbound variable
    first = pattern[-1]
    for first in pattern:
        if first != "(" and not first.isspace():
            break
    return first != "["


def syntax_errors(pattern: str) -> tuple[list[str], ParsedPattern | None]:
    """stix2patterns' ``run_validator(pattern, '2.1')`` verdict, and the parse when valid."""
    errors: list[str] = []
    parsed: ParsedPattern | None
    try:
        parsed = parse(pattern)
    except PatternSyntaxError as error:
        parsed = None
        errors.append(f"syntax error at {error}")
    if parsed is not None:
        if parsed.negative_index:
            raise UpstreamCrash("negative list index")  # the inspector reads no IntPosLiteral
        errors.extend(_hash_errors(parsed))
        errors[:0] = [f"qualifier {kind} given twice" for kind in parsed.duplicate_qualifiers[:1]]
    if _brackets_missing(pattern):
        errors.insert(0, "the pattern does not start with '[' (after any '(')")
    return errors, parsed


def name_problems(parsed: ParsedPattern, enums: Any) -> list[str]:
    """stix2-validator's object type and property name checks (default options)."""
    problems: list[str] = []
    for object_type, comparisons in parsed.by_type().items():
        if object_type not in enums.OBSERVABLE_TYPES and (
            not TYPE_FORMAT_RE.match(object_type) or not 3 <= len(object_type) <= 250
        ):
            problems.append(f"{object_type!r} is not a valid observable type name")
        known = enums.OBSERVABLE_PROPERTIES.get(object_type)
        for comparison in comparisons:
            prop = comparison.path[0]
            if known is not None and prop in known:
                continue
            if not isinstance(prop, str) or not PROPERTY_FORMAT_RE.match(prop):
                problems.append(f"{prop!r} is not a valid observable property name")
    return problems


def _reference_errors(pattern: str, version: Any) -> list[str]:
    """Patterns of another ``pattern_version``: stix2patterns' own (ANTLR) 2.0 grammar."""
    from stix2patterns.validator import run_validator

    return [str(error) for error in run_validator(pattern, version)]


def pattern_problems(pattern: str, version: Any, enums: Any) -> tuple[str, ...]:
    """C112 messages for one pattern; raises :class:`UpstreamCrash` where upstream crashes.

    ``enums``: stix2-validator's vocabulary module (observable types and properties).
    """
    if version == "2.1":
        from stix_mtac.validate.pattern_verdicts import verdict

        found = verdict(pattern)
        if found.crash is not None:
            raise UpstreamCrash(found.crash)
        return found.problems
    errors = _reference_errors(pattern, version)
    if errors:
        return tuple(f"pattern does not parse: {error}" for error in errors)
    try:  # stix2-validator then inspects the pattern with the 2.1 grammar
        reparsed = parse(pattern)
    except PatternSyntaxError as error:
        raise UpstreamCrash(f"valid in pattern_version {version} only") from error
    return tuple(f"pattern: {problem}" for problem in name_problems(reparsed, enums))
