"""The project's pattern engine gives stix2patterns' and stix2-validator's verdicts.

Compared on (valid?, crash?, message classes) for: the STIX 2.1 spec's examples and the
patterns of real-world bundles (vendored under tests/corpus/patterns, see SOURCES.md), random
patterns drawn from the grammar, and mutations of them (mostly invalid). For every valid
pattern the comparisons read are also those of stix2patterns' inspector.

The number of random examples is bounded for the suite; a longer run (documented in README,
Patterns) sets ``STIX_MTAC_PATTERN_EXAMPLES``, e.g. 20000.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stix_mtac.patterning.parser import STAR, parse
from stix_mtac.validate.fast_checks import ENUMS
from stix_mtac.validate.fast_patterns import UpstreamCrash, pattern_problems

PATTERNS = Path(__file__).parent / "corpus" / "patterns"
EXAMPLES = int(os.environ.get("STIX_MTAC_PATTERN_EXAMPLES", "100"))
LONG = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

_CLASSES = (
    ("hash", "hash"),
    ("qualifier", "qualifier"),
    ("Duplicate qualifier", "qualifier"),
    ("observable type name", "type"),
    ("observable property name", "property"),
)


def _classify(message: str) -> str:
    if any(mark in message for mark in ("syntax error", "Error found", "start with '['")):
        return "syntax"
    for needle, name in _CLASSES:
        if needle in message:
            return name
    return "syntax"


def reference_verdict(pattern: str) -> tuple[str, ...]:
    """stix2-validator's ``patterns`` MUST (which runs stix2patterns), as message classes."""
    from stix2validator import ValidationOptions
    from stix2validator.v21 import musts

    indicator = {"type": "indicator", "id": "indicator--x", "pattern_type": "stix"}
    try:
        options = _options(ValidationOptions)
        errors = list(musts.patterns({**indicator, "pattern": pattern}, options))
    except Exception:
        return ("crash",)
    return tuple(sorted({_classify(str(error)) for error in errors}))


_OPTIONS: list[Any] = []


def _options(factory: Any) -> Any:
    if not _OPTIONS:
        _OPTIONS.append(factory(version="2.1"))
    return _OPTIONS[0]


def our_verdict(pattern: str) -> tuple[str, ...]:
    try:
        problems = pattern_problems(pattern, "2.1", ENUMS)
    except UpstreamCrash:
        return ("crash",)
    return tuple(sorted({_classify(problem) for problem in problems}))


def reference_comparisons(pattern: str) -> dict[str, list[tuple[list[Any], str, str]]]:
    from stix2patterns.inspector import INDEX_STAR
    from stix2patterns.v21.pattern import Pattern

    found = Pattern(pattern).inspect().comparisons
    return {
        kind: [([("*" if s is INDEX_STAR else s) for s in path], op, v) for path, op, v in items]
        for kind, items in found.items()
    }


def our_comparisons(pattern: str) -> dict[str, list[tuple[list[Any], str, str]]]:
    return {
        kind: [([("*" if s is STAR else s) for s in c.path], c.op, c.value) for c in items]
        for kind, items in parse(pattern).by_type().items()
    }


def assert_agree(pattern: str) -> None:
    reference = reference_verdict(pattern)
    assert our_verdict(pattern) == reference, pattern
    if reference != ("crash",) and "syntax" not in reference:
        assert our_comparisons(pattern) == reference_comparisons(pattern), pattern


SPEC = [line.strip() for line in (PATTERNS / "spec_examples.txt").read_text().splitlines()]
REAL = [entry["pattern"] for entry in json.loads((PATTERNS / "realworld.json").read_text())]


def test_the_vendored_corpus_is_there() -> None:
    assert len([p for p in SPEC if p]) >= 20 and len(REAL) >= 50


@pytest.mark.parametrize("pattern", [p for p in SPEC if p] + sorted(set(REAL)))
def test_spec_and_real_world_patterns(pattern: str) -> None:
    assert_agree(pattern)
    assert reference_verdict(pattern) in ((), ("hash",)), "the corpus is meant to be valid"


# Hand-picked corners of the grammar and of stix2patterns' behaviour (each differs from a
# neighbour by one token); the verdicts are the reference's, computed in the test.
CORNERS = [
    "[file:name = 'a']",
    "",
    "   ",
    "(",
    "/* c */ [file:name = 'a']",
    "[file:name = 'a'] // trailing comment",
    "[file:name = 'a'] /* never closed",
    "\u00a0[file:name = 'a']",
    "\x1c[file:name = 'a']",
    "[file:name = 'a\\'b\\\\c']",
    "[file:name = 'a\\nb']",
    "[file:name = 'a' AND]",
    "[file:size IN ()]",
    "[file:size IN (1, 2.5, true, h'0a', b'aGk=', t'2020-01-01T00:00:00Z')]",
    "[file:size > true]",
    "[file:size <> 5]",
    "[file:size == 5]",
    "[file:size = 007]",
    "[file:size = 1.]",
    "[file:size < .5]",
    "[file:content = b'']",
    "[file:content = h'0a0']",
    "[file:created = t'2016-13-01T00:00:00Z']",
    "[file:created = t'2016-12-31T23:59:60.123Z']",
    "[file:x.5 = 'a']",
    "[file:x.y-z = 'a']",
    "[true:name = 'a']",
    "[file:true = 'a']",
    "[AND:name = 'a']",
    "[file:name[01] = 'a']",
    "[file:name[+1] = 'a']",
    "[file:name[-1] = 'a']",
    "[file:hashes[0] = 'a']",
    "[file:hashes[*] = 'a']",
    "[file:hashes.MD5 = 5]",
    "[file:hashes.'SHA-256' = 'abc']",
    "[file:hashes.MD6 = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3zzz']",
    "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e\n']",
    "[file:name = 'a'] WITHIN 5 SECONDS WITHIN 6 SECONDS",
    "([file:name = 'a']) WITHIN 5 SECONDS WITHIN 6 SECONDS",
    "[file:name = 'a'] REPEATS 1.5 TIMES",
    "[file:name = 'a'] WITHIN -1 SECONDS",
    "[file:name = 'a'] LAST 5 SECONDS",
    "[EXISTS file:name]",
    "[EXISTS file:x[-1]]",
    "[x-foo:bar = 'a']",
    "[X-foo:bar = 'a']",
    "[file:Name = 'a']",
    "[file:'n a' = 'a']",
]


@pytest.mark.parametrize("pattern", CORNERS)
def test_corner_cases(pattern: str) -> None:
    assert_agree(pattern)


# A grammar-based generator of valid STIX 2.1 patterns --------------------------------------

_blank = st.sampled_from([" ", "  ", "\t", "\n", " /* c */ ", "\u3000", "\u00a0"])
_gap = st.one_of(st.just(""), _blank)
_sep = _blank  # where the grammar needs a separator between words
_type = st.sampled_from(
    [*sorted(ENUMS.OBSERVABLE_TYPES)[:12], "x-acme-widget", "x_foo", "File", "ab", "a-b-c"]
)
_ident = st.sampled_from(["name", "value", "hashes", "size", "x_acme", "Nm", "_a", "ab", "c9"])
_quoted_text = st.text(alphabet="ab'\\ .-9Ü", max_size=6)


def _quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


_key = st.one_of(_ident, _quoted_text.map(_quote), st.sampled_from(["'SHA-256'", "MD5", "'SHA-1'"]))
_step = st.one_of(
    _key.map(lambda key: "." + key),
    st.sampled_from(["[*]", "[0]", "[12]", "[+3]"]),
)
_path = st.builds(
    lambda kind, first, steps: f"{kind}:{first}{''.join(steps)}",
    _type,
    st.one_of(_ident, _quoted_text.map(_quote)),
    st.lists(_step, max_size=3),
)
_int = st.integers(-(10**6), 10**6).map(str) | st.sampled_from(["+5", "0", "-0"])
_float = st.floats(-1e6, 1e6, allow_nan=False).map(lambda f: f"{f:.3f}") | st.just(".5")
_hex = st.binary(max_size=6).map(lambda b: f"h'{b.hex()}'")
_b64 = st.sampled_from(["b'aGk='", "b'aGVsbG8='", "b'AAAA'", "b'+/8='"])
_ts = st.sampled_from(
    ["t'2016-06-01T00:00:00Z'", "t'2020-02-29T23:59:60.5Z'", "t'1999-12-31T12:00:00.000Z'"]
)
_hash_value = st.sampled_from(
    ["'d41d8cd98f00b204e9800998ecf8427e'", "'abc'", "'" + "a" * 64 + "'", "'3:ab:cd'"]
)
_string = st.one_of(_quoted_text.map(_quote), _hash_value)
_orderable = st.one_of(_int, _float, _string, _hex, _b64, _ts)
_primitive = st.one_of(_orderable, st.sampled_from(["true", "false"]))


@st.composite
def _comparison(draw: st.DrawFn) -> str:
    path = draw(_path)
    negation = draw(st.sampled_from(["", "NOT "]))
    kind = draw(st.sampled_from(["eq", "order", "in", "string", "exists"]))
    g = draw(_gap)
    if kind == "exists":
        return f"EXISTS{draw(_sep)}{path}"
    if kind == "eq":
        op = draw(st.sampled_from(["=", "==", "!=", "<>"]))
        return f"{path}{g}{negation}{op}{g}{draw(_primitive)}"
    if kind == "order":
        op = draw(st.sampled_from([">", "<", ">=", "<="]))
        return f"{path}{g}{negation}{op}{g}{draw(_orderable)}"
    if kind == "in":
        values = draw(st.lists(_primitive, max_size=3))
        return f"{path}{draw(_sep)}{negation}IN{g}({','.join(values)})"
    op = draw(st.sampled_from(["LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET"]))
    return f"{path}{draw(_sep)}{negation}{op}{draw(_sep)}{draw(_string)}"


def _boolean(items: st.SearchStrategy[str], ops: list[str]) -> st.SearchStrategy[str]:
    return st.builds(
        lambda first, rest: first + "".join(f" {op} {item}" for op, item in rest),
        items,
        st.lists(st.tuples(st.sampled_from(ops), items), max_size=3),
    )


_comparisons = st.recursive(
    _comparison(),
    lambda inner: _boolean(inner, ["AND", "OR"]).map(lambda text: f"({text})"),
    max_leaves=6,
).flatmap(lambda first: _boolean(st.just(first) | _comparison(), ["AND", "OR"]))
_qualifier = st.one_of(
    st.sampled_from(["WITHIN 5 SECONDS", "WITHIN 2.5 SECONDS", "WITHIN +1 SECONDS"]),
    st.sampled_from(["REPEATS 3 TIMES", "REPEATS 0 TIMES"]),
    st.builds(lambda a, b: f"START {a} STOP {b}", _ts, _ts),
)


def _qualified(observation: str, qualifiers: list[str]) -> str:
    return observation + "".join(" " + qualifier for qualifier in qualifiers)


_observation = st.recursive(
    st.builds(lambda g, c: f"[{g}{c}{g}]", _gap, _comparisons),
    lambda inner: st.one_of(
        _boolean(inner, ["AND", "OR", "FOLLOWEDBY"]).map(lambda text: f"({text})"),
        st.builds(_qualified, inner, st.lists(_qualifier, max_size=2)),
    ),
    max_leaves=5,
)
patterns = _boolean(_observation, ["AND", "OR", "FOLLOWEDBY"])


@LONG
@given(patterns)
def test_generated_valid_patterns(pattern: str) -> None:
    parse(pattern)  # the generator makes patterns of the grammar
    assert_agree(pattern)


# Mutations: one to three edits with characters that matter to the lexer ------------------

_pieces = st.sampled_from(
    [*"[]()'\\.:,=!<>*-+/ \n", "AND", "OR", "NOT", "IN", "t'", "h'", "b'", "//", "/*", "0"]
)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(patterns)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = draw(_pieces)
        if action == "insert":
            text = text[:at] + piece + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 4)) :]
        else:
            text = text[:at] + piece + text[at + 1 :]
    return text


@LONG
@given(mutated())
def test_mutated_patterns(pattern: str) -> None:
    assert_agree(pattern)


def test_the_benchmark_generator_patterns_agree() -> None:
    # a second, independent generator (benchmarks/families.py, written from the spec's
    # constructs for the benchmark): its patterns get the same verdicts too
    import random
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    from families import PatternMaker

    maker = PatternMaker(random.Random(5))
    drawn = [maker.pattern() for _ in range(40)]
    for pattern in drawn:
        assert_agree(pattern)
    assert any(our_verdict(p) == ("hash",) for p in drawn + [maker.pattern() for _ in range(300)])
