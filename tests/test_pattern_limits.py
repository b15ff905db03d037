"""Hostile and out-of-range STIX patterns (issue 14): bounded before parsing, findings not crashes.

Every case is checked by both engines (stix2-validator's path and the fast one): the same
finding, never C199. Where a case used to take seconds, its CPU time is bounded with a
generous margin (stated at each bound), never wall-clock time.
"""

from __future__ import annotations

import copy
import json
import resource
import time
from pathlib import Path
from typing import Any

import pytest

from stix_mtac.patterning.limits import MAX_PATTERN_CHAIN, MAX_PATTERN_LENGTH, chain_length
from stix_mtac.patterning.parser import MAX_DEPTH, PatternSyntaxError, parse
from stix_mtac.validate.api import ValidationOptions, validate_bundle
from stix_mtac.validate.conformance import conformance_findings

GOOD: dict[str, Any] = json.loads(
    (Path(__file__).parent / "corpus" / "good" / "full.json").read_text(encoding="utf-8")
)
INDICATOR = {
    "type": "indicator",
    "spec_version": "2.1",
    "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
    "created": "2023-09-07T00:00:00.000Z",
    "modified": "2023-09-07T00:00:00.000Z",
    "name": "bad address",
    "description": "seen in the campaign",
    "pattern_type": "stix",
    "valid_from": "2023-09-07T00:00:00Z",
}
WHERE = f"$.objects[{len(GOOD['objects'])}].pattern"


def bundle_with(pattern: str) -> dict[str, Any]:
    bundle = copy.deepcopy(GOOD)
    bundle["objects"].append({**INDICATOR, "pattern": pattern})
    return bundle


def codes(pattern: str, engine: str) -> set[tuple[str, str]]:
    found = conformance_findings(bundle_with(pattern), engine=engine)  # type: ignore[arg-type]
    return {(f.code, f.json_path) for f in found}


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def ors(count: int) -> str:
    return (
        "["
        + " OR ".join(f"ipv4-addr:value = '10.0.{i // 256}.{i % 256}'" for i in range(count))
        + "]"
    )


HOSTILE = {
    "3M-character literal": "[file:name = '" + "a" * 3_000_000 + "']",
    "10k ORs": ors(10_000),
    "5,000 boolean terms": ors(5_000),
    "400 KB pattern": "[file:name = '" + "b" * 400_000 + "']",
    "backslash storm": "[file:name = '" + "\\'" * 30_000 + "]",
}
# Under the length bound: parsed, a syntax error (C112) in both engines.
STORMS = {
    "quote storm": "[file:name = " + "'\\a" * 4_000 + "]",
    "backslash storm": "[file:name = '" + "\\\\" * 6_000 + "q]",
    "comment storm": "[file:name = 'a'] " + "/*" * 6_000,
}


@pytest.mark.parametrize("engine", ["fast", "reference"])
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_patterns_are_refused_before_parsing(name: str, engine: str) -> None:
    pattern = HOSTILE[name]
    before = cpu_seconds()
    found = codes(pattern, engine)
    # generous: refusing takes well under 0.5 s of CPU; the parsers took 15-35 s before
    assert cpu_seconds() - before < 10
    assert ("C122", WHERE) in found
    assert not any(code == "C199" for code, _ in found)


@pytest.mark.parametrize("name", sorted(STORMS))
def test_storms_under_the_bound_are_syntax_errors_in_linear_time(name: str) -> None:
    pattern = STORMS[name]
    assert len(pattern) < MAX_PATTERN_LENGTH
    before = cpu_seconds()
    found = codes(pattern, "fast")
    # generous: the fast engine reads these in ~0.05 s of CPU (linear)
    assert cpu_seconds() - before < 10
    assert found == {("C112", WHERE[: -len(".pattern")])}
    assert codes(pattern, "reference") == found


def test_the_bounds_are_the_documented_ones() -> None:
    assert MAX_PATTERN_LENGTH == 50_000 and MAX_PATTERN_CHAIN == 500
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert "50,000 characters" in readme and "500 chained" in readme


@pytest.mark.parametrize("engine", ["fast", "reference"])
def test_a_pattern_at_the_bounds_is_checked_by_both_engines_alike(engine: str) -> None:
    # 500 chained operators: the reference parser's recursion stays inside Python's limit
    pattern = ors(MAX_PATTERN_CHAIN + 1)
    assert chain_length(pattern) == MAX_PATTERN_CHAIN
    assert codes(pattern, engine) == set()
    assert ("C122", WHERE) in codes(ors(MAX_PATTERN_CHAIN + 2), engine)


def test_path_steps_count_towards_the_chain() -> None:
    deep_path = "[file:" + ".".join(["a"] * 400) + " = 'x']"
    assert chain_length(deep_path) == 399
    assert chain_length("[a:b.c = 'x' AND a:b.c.d = 'y'] WITHIN 5 SECONDS") == 2 + 2


def test_the_parser_does_not_recurse_past_its_depth() -> None:
    # deep nesting is refused as a syntax error by the parser itself, never a RecursionError
    with pytest.raises(PatternSyntaxError, match="nested"):
        parse("(" * (MAX_DEPTH + 5) + "[a:b = 1]" + ")" * (MAX_DEPTH + 5))
    parse("(" * 50 + "[a:bc = 1]" + ")" * 50)


def test_parsing_is_linear_in_the_input() -> None:
    # operation count, not time: the lexer reads every string end once, however quotes repeat
    for size in (1_000, 8_000):
        storm = "[a:b = " + "'\\q" * size + "]"
        with pytest.raises(PatternSyntaxError):
            parse(storm)
    started = time.process_time()
    with pytest.raises(PatternSyntaxError):
        parse("[a:b = " + "'\\q" * 30_000 + "]")
    # generous: linear work is ~0.1 s here; the quadratic reading took minutes
    assert time.process_time() - started < 10


# Our own checks on what the spec requires of qualifiers (SX701) and names (SX702) ---------


def ours(pattern: str) -> set[tuple[str, str, str]]:
    result = validate_bundle(bundle_with(pattern), options=ValidationOptions(conformance=False))
    return {(f.code, f.severity.value, f.json_path) for f in result.findings}


@pytest.mark.parametrize(
    "pattern",
    [
        "[file:name = 'a'] REPEATS 0 TIMES",
        "[file:name = 'a'] REPEATS +0 TIMES",
        "[file:name = 'a'] WITHIN 0 SECONDS",
        "[file:name = 'a'] WITHIN 0.0 SECONDS",
        "[file:name = 'a'] START t'2020-01-02T00:00:00Z' STOP t'2020-01-01T00:00:00Z'",
        "[file:name = 'a'] START t'2020-01-01T00:00:00Z' STOP t'2020-01-01T00:00:00Z'",
        "[file:name = 'a'] START t'2020-01-01T00:00:00.5Z' STOP t'2020-01-01T00:00:00.50Z'",
        "([file:name = 'a'] AND [file:name = 'b']) START t'2021-01-01T00:00:00Z' "
        "STOP t'2020-01-01T00:00:00Z'",
    ],
)
def test_qualifier_values_the_spec_forbids(pattern: str) -> None:
    assert ("SX701", "error", WHERE) in ours(pattern)


@pytest.mark.parametrize(
    "pattern",
    [
        "[file:name = 'a'] REPEATS 1 TIMES",
        "[file:name = 'a'] WITHIN 1.5 SECONDS",  # the spec and grammar allow a positive float
        "[file:name = 'a'] WITHIN 1 SECONDS",
        "[file:name = 'a'] START t'2020-01-01T00:00:00Z' STOP t'2020-01-01T00:00:00.001Z'",
    ],
)
def test_qualifier_values_the_spec_allows(pattern: str) -> None:
    assert not any(code == "SX701" for code, _, _ in ours(pattern))


@pytest.mark.parametrize(
    ("pattern", "word"),
    [
        ("[fiel:name = 'a']", "fiel"),
        ("[file:nmae = 'a']", "nmae"),
        ("[file:hashes.'SHA256' = 'a']", "SHA256"),
        ("[file:hashes.md5 = 'd41d8cd98f00b204e9800998ecf8427e']", "md5"),
        ("[ipv4-addr:value = '1.2.3.4' AND network-traffic:dst_prot = 'a']", "dst_prot"),
    ],
)
def test_unknown_names_are_warnings(pattern: str, word: str) -> None:
    result = validate_bundle(bundle_with(pattern), options=ValidationOptions(conformance=False))
    warnings = [f for f in result.findings if f.code == "SX702"]
    assert [f.severity.value for f in warnings] == ["warning"]
    assert word in warnings[0].message and warnings[0].json_path == WHERE


@pytest.mark.parametrize(
    "pattern",
    [
        "[file:hashes.'SHA-256' = 'a' AND file:name = 'b' AND file:x_acme = 1]",
        "[x-acme-widget:anything = 'a']",
        "[network-traffic:dst_ref.value = '1.2.3.4' AND email-message:to_refs[*].value = 'a']",
        "[file:hashes.x_custom = 'a' AND file:extensions.'x-ext'.p = 1]",
    ],
)
def test_known_and_custom_names_are_not_warned(pattern: str) -> None:
    assert not any(code == "SX702" for code, _, _ in ours(pattern))
