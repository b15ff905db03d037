"""The common STIX pattern shape read without the ANTLR parser (which costs ~0.5 ms each).

``[type:prop.step = 'value'] OR [type:prop != 'value' AND type:prop = 'value'] ...``: square
brackets, ``=``/``!=`` against quoted strings, AND/OR inside, AND/OR/FOLLOWEDBY between, one
space or more around keywords. A pattern that matches this shape is valid STIX pattern syntax,
and its comparisons are read here exactly as stix2patterns' inspector reads them (path steps
unquoted, values raw). Anything else (qualifiers, parentheses, numbers, LIKE, ...) returns
None and goes to the real parser: this is a shortcut, never a second grammar.
"""

from __future__ import annotations

import re

_IDENT = r"[a-z_][a-z0-9_]*"
_TYPE = r"[a-z_][a-z0-9_-]*"
_STRING = r"'(?:[^'\\]|\\'|\\\\)*'"
_STEP = rf"\.(?:{_IDENT}|'[^'\\]*')"
_COMPARISON = rf"{_TYPE}:{_IDENT}(?:{_STEP})*[ ]*!?=[ ]*{_STRING}"
_OBSERVATION = rf"\[[ ]*{_COMPARISON}(?:[ ]+(?:AND|OR)[ ]+{_COMPARISON})*[ ]*\]"
SIMPLE_PATTERN = re.compile(
    rf"[ ]*{_OBSERVATION}(?:[ ]+(?:AND|OR|FOLLOWEDBY)[ ]+{_OBSERVATION})*[ ]*"
)
_PARTS = re.compile(
    rf"(?P<type>{_TYPE}):(?P<path>{_IDENT}(?:{_STEP})*)[ ]*(?P<op>!?=)[ ]*(?P<value>{_STRING})"
)
_STEPS = re.compile(rf"\.({_IDENT})|\.'([^'\\]*)'")
# Lower-case words the lexer reads as literals, not identifiers.
_RESERVED = frozenset({"true", "false"})

# type -> [(path, op, raw value)], as stix2patterns' ``inspect().comparisons``.
Comparisons = dict[str, list[tuple[list[str], str, str]]]


def simple_comparisons(pattern: str) -> Comparisons | None:
    """The comparisons of a pattern of the simple shape, or None (use the parser)."""
    if not SIMPLE_PATTERN.fullmatch(pattern):
        return None
    comparisons: Comparisons = {}
    for match in _PARTS.finditer(pattern):
        object_type, path_text = match.group("type"), match.group("path")
        first = path_text.split(".", 1)[0].split("'", 1)[0]
        if object_type in _RESERVED or first in _RESERVED:
            return None
        path = [first]
        for step in _STEPS.finditer(path_text, len(first)):
            ident, quoted = step.groups()
            if ident in _RESERVED:
                return None
            path.append(ident if ident is not None else quoted)
        comparisons.setdefault(object_type, []).append(
            (path, match.group("op"), match.group("value"))
        )
    return comparisons
