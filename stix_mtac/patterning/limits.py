"""How big a pattern may be before any parser reads it (documented in README, validate).

The reference parser (ANTLR, stix2patterns) builds a parse tree one level deeper for every
operator of a chain (``A OR B OR ...``), every path step and every qualifier, and walks it
recursively: about 980 levels reach Python's recursion limit. Patterns are therefore bounded
by length and by :func:`chain_length`, a linear-time upper bound of that depth; the bounds
keep the reference parser well inside the limit, so both engines see the same patterns.
"""

from __future__ import annotations

from stix_mtac.patterning.lexer import tokenize

MAX_PATTERN_LENGTH = 50_000  # characters
MAX_PATTERN_CHAIN = 500  # boolean operators + qualifiers + the longest object path

_CHAINING = frozenset({"AND", "OR", "FOLLOWEDBY", "START", "WITHIN", "REPEATS"})
_STEPS = frozenset({".", "["})
_PATH_PARTS = frozenset({"Identifier", "String", "IntPos", "IntNeg", "*", "]"})


def chain_length(pattern: str) -> int:
    """Boolean operators and qualifiers, plus the longest object path (its steps after ':')."""
    chained = longest = run = 0
    in_path = False
    for token in tokenize(pattern):
        kind = token.kind
        if kind == ":":
            in_path, run = True, 0
        elif in_path and kind in _STEPS:
            run += 1
            longest = max(longest, run)
        elif kind not in _PATH_PARTS:
            in_path = False
            chained += kind in _CHAINING
    return chained + longest


def size_problem(pattern: str) -> str | None:
    """Why ``pattern`` is too big to parse, or None."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        return f"pattern of {len(pattern):,} characters (at most {MAX_PATTERN_LENGTH:,})"
    if len(pattern) <= 2 * MAX_PATTERN_CHAIN:
        return None  # every unit of the chain takes two characters of its own at least
    chain = chain_length(pattern)
    if chain > MAX_PATTERN_CHAIN:
        return (
            f"pattern with {chain:,} chained operators, qualifiers and path steps "
            f"(at most {MAX_PATTERN_CHAIN})"
        )
    return None
