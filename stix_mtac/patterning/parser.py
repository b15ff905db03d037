"""The STIX 2.1 patterning grammar, read by recursive descent over the lexer's tokens.

Chains (``A AND B AND ...``, path steps, qualifiers) are loops, not recursion; only
parentheses recurse, and no deeper than :data:`MAX_DEPTH`, so no input reaches Python's
recursion limit. What a parse yields is what stix2patterns' inspector collects (comparisons
by object type, with the path steps and the literal's text as the reference parse tree gives
it) plus the qualifier values and the reference validator's duplicate-qualifier rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from stix_mtac.patterning import lexer as t
from stix_mtac.patterning.lexer import Token, tokenize

# Parentheses and brackets deeper than this are refused (a syntax error, never a crash).
MAX_DEPTH = 100


class Star:
    """The ``[*]`` list step of an object path."""

    def __repr__(self) -> str:
        return "[*]"


STAR = Star()
PathStep = str | int | Star


@dataclass(frozen=True)
class Comparison:
    """One comparison: ``object_type:path op value`` (``op`` with its ``NOT `` prefix)."""

    object_type: str
    path: tuple[PathStep, ...]
    op: str
    value: str  # the literal's text without white space, as the reference parse tree has it
    value_kind: str  # a lexer token kind; "(" for a set literal
    position: int


@dataclass(frozen=True)
class Qualifier:
    """``WITHIN n SECONDS``, ``REPEATS n TIMES`` or ``START t'..' STOP t'..'``."""

    kind: str  # "WITHIN", "REPEATS", "START"
    values: tuple[str, ...]  # the literal texts (two timestamps for START/STOP)
    position: int


@dataclass
class ParsedPattern:
    comparisons: list[Comparison] = field(default_factory=list)
    qualifiers: list[Qualifier] = field(default_factory=list)
    # Qualifier kinds repeated on one bracketed observation (the reference validator's rule).
    duplicate_qualifiers: list[str] = field(default_factory=list)
    existence_paths: int = 0
    # A ``[-n]`` list step somewhere (in the grammar; stix2patterns' inspector crashes on it).
    negative_index: bool = False

    def by_type(self) -> dict[str, list[Comparison]]:
        """Comparisons grouped by object type, in order of first appearance."""
        grouped: dict[str, list[Comparison]] = {}
        for comparison in self.comparisons:
            grouped.setdefault(comparison.object_type, []).append(comparison)
        return grouped


class PatternSyntaxError(ValueError):
    """The pattern is not in the grammar; ``position`` is the offset of the offending token."""

    def __init__(self, text: str, position: int, message: str) -> None:
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1)
        super().__init__(f"line {line}:{column}: {message}")
        self.position = position


_ORDERABLE = frozenset(
    {t.INT_POS, t.INT_NEG, t.FLOAT_POS, t.FLOAT_NEG, t.STRING, t.BINARY, t.HEX, t.TIMESTAMP}
)
_PRIMITIVE = _ORDERABLE | {t.BOOL}
_ORDER_OPS = frozenset({t.GT, t.LT, t.GE, t.LE})
_STRING_OPS = frozenset({"LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET"})
_QUALIFIERS = frozenset({"START", "WITHIN", "REPEATS"})


def unquote(literal: str) -> str:
    """A string literal's value (its two escapes undone), as stix2patterns reads path keys."""
    return literal[1:-1].replace("\\'", "'").replace("\\\\", "\\")


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0
        self.result = ParsedPattern()

    # token helpers -------------------------------------------------------------------
    def peek(self) -> str:
        return self.tokens[self.index].kind

    def take(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def fail(self, expected: str) -> PatternSyntaxError:
        token = self.tokens[self.index]
        shown = "<EOF>" if token.kind == t.EOF else repr(token.text)
        return PatternSyntaxError(self.text, token.position, f"{shown}: expected {expected}")

    def expect(self, kinds: frozenset[str] | str, expected: str) -> Token:
        kind = self.peek()
        if kind == kinds if isinstance(kinds, str) else kind in kinds:
            return self.take()
        raise self.fail(expected)

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"at most {MAX_DEPTH} nested brackets and parentheses")

    # grammar -------------------------------------------------------------------------
    def pattern(self) -> ParsedPattern:
        self.observations()
        self.expect(t.EOF, "AND, OR, FOLLOWEDBY, a qualifier or the end of the pattern")
        return self.result

    def observations(self) -> None:
        """observationExpressions: Or (FOLLOWEDBY Or)*; Or: And (OR And)*; And: Obs (AND Obs)*."""
        self.observation()
        while self.peek() in ("AND", "OR", "FOLLOWEDBY"):
            self.take()
            self.observation()

    def observation(self) -> None:
        kind = self.peek()
        if kind == "[":
            self.take()
            self.enter()
            self.comparisons()
            self.expect("]", "AND, OR or ']'")
            self.depth -= 1
            simple = True
        elif kind == "(":
            self.take()
            self.enter()
            self.observations()
            self.expect(")", "AND, OR, FOLLOWEDBY, a qualifier or ')'")
            self.depth -= 1
            simple = False
        else:
            raise self.fail("'[' or '('")
        seen: set[str] = set()
        while self.peek() in _QUALIFIERS:
            qualifier = self.qualifier()
            if simple and qualifier.kind in seen:
                name = "STARTSTOP" if qualifier.kind == "START" else qualifier.kind
                self.result.duplicate_qualifiers.append(name)
            seen.add(qualifier.kind)

    def qualifier(self) -> Qualifier:
        keyword = self.take()
        if keyword.kind == "START":
            first = self.expect(t.TIMESTAMP, "a timestamp t'...'")
            self.expect("STOP", "STOP")
            second = self.expect(t.TIMESTAMP, "a timestamp t'...'")
            values: tuple[str, ...] = (first.text, second.text)
        elif keyword.kind == "WITHIN":
            number = self.expect(frozenset({t.INT_POS, t.FLOAT_POS}), "a positive number")
            self.expect("SECONDS", "SECONDS")
            values = (number.text,)
        else:
            number = self.expect(t.INT_POS, "a positive integer")
            self.expect("TIMES", "TIMES")
            values = (number.text,)
        qualifier = Qualifier(keyword.kind, values, keyword.position)
        self.result.qualifiers.append(qualifier)
        return qualifier

    def comparisons(self) -> None:
        """comparisonExpression: And (OR And)*; And: propTest (AND propTest)*."""
        self.test()
        while self.peek() in ("AND", "OR"):
            self.take()
            self.test()

    def test(self) -> None:
        kind = self.peek()
        if kind == "(":
            self.take()
            self.enter()
            self.comparisons()
            self.expect(")", "AND, OR or ')'")
            self.depth -= 1
            return
        if kind == "EXISTS":
            self.take()
            self.path()
            self.result.existence_paths += 1
            return
        position = self.tokens[self.index].position
        object_type, path = self.path()
        op = "NOT " if self.peek() == "NOT" else ""
        if op:
            self.take()
        operator = self.take()
        if operator.kind in (t.EQ, t.NEQ):
            value, value_kind = self.literal(_PRIMITIVE)
        elif operator.kind in _ORDER_OPS:
            value, value_kind = self.literal(_ORDERABLE)
        elif operator.kind == "IN":
            value, value_kind = self.set_literal(), "("
        elif operator.kind in _STRING_OPS:
            value, value_kind = self.expect(t.STRING, "a string literal").text, t.STRING
        else:
            self.index -= 1
            raise self.fail("a comparison operator")
        self.result.comparisons.append(
            Comparison(object_type, path, op + operator.text, value, value_kind, position)
        )

    def literal(self, kinds: frozenset[str]) -> tuple[str, str]:
        token = self.expect(kinds, "a literal")
        return token.text, token.kind

    def set_literal(self) -> str:
        self.expect("(", "'('")
        if self.peek() == ")":
            self.take()
            return "()"
        parts = [self.literal(_PRIMITIVE)[0]]
        while self.peek() == ",":
            self.take()
            parts.append(self.literal(_PRIMITIVE)[0])
        self.expect(")", "',' or ')'")
        return "(" + ",".join(parts) + ")"

    def path(self) -> tuple[str, tuple[PathStep, ...]]:
        object_type = self.expect(frozenset({t.IDENT, t.IDENT_HYPHEN}), "an object type").text
        self.expect(":", "':'")
        first = self.expect(frozenset({t.IDENT, t.STRING}), "a property name")
        steps: list[PathStep] = [unquote(first.text) if first.kind == t.STRING else first.text]
        while True:
            kind = self.peek()
            if kind == ".":
                self.take()
                key = self.expect(frozenset({t.IDENT, t.STRING}), "a property name")
                steps.append(unquote(key.text) if key.kind == t.STRING else key.text)
            elif kind == "[":
                self.take()
                index = self.expect(frozenset({t.INT_POS, t.INT_NEG, "*"}), "a list index")
                self.expect("]", "']'")
                if index.kind == "*":
                    steps.append(STAR)
                else:
                    self.result.negative_index |= index.kind == t.INT_NEG
                    steps.append(int(index.text))
            else:
                return object_type, tuple(steps)


def parse(text: str) -> ParsedPattern:
    """Parse a STIX 2.1 pattern; raises :class:`PatternSyntaxError` when it is not one."""
    return _Parser(text).pattern()


@lru_cache(maxsize=4096)
def parsed(text: str) -> ParsedPattern | None:
    """:func:`parse`, cached by text; None for a pattern outside the grammar."""
    try:
        return parse(text)
    except PatternSyntaxError:
        return None
