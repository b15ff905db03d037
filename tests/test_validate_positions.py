"""Every finding points at the offending key, element or object, in pretty-printed (indent 2
and 4) and minified bundles, for every check that fires on the corpus.

The expected positions are computed independently of stix-mtac's reader: the test writes each
bundle itself with an emitter that records where every value starts (for an object member, its
key) and ends, and checks that its output is byte for byte what ``json.dumps`` writes, so the
recorded offsets describe the file that was validated.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from stix_mtac.cli import cli
from stix_mtac.jsonio import parse_json_bytes
from stix_mtac.validate.api import ValidationOptions
from stix_mtac.validate.registry import registered_checks
from stix_mtac.validate.sources import validate_paths

CORPUS = Path(__file__).parent / "corpus"
BUNDLES = sorted((CORPUS / "defects").glob("*.json")) + sorted((CORPUS / "good").glob("*.json"))
LAYOUTS: dict[str, dict[str, Any]] = {
    "indent2": {"indent": 2},
    "indent4": {"indent": 4},
    "minified": {"separators": (",", ":")},
}
PLAIN_KEY = re.compile(r"[A-Za-z0-9_\-]+")


def key_path(key: str) -> str:
    return f".{key}" if PLAIN_KEY.fullmatch(key) else f"[{json.dumps(key)}]"


def emit(
    value: Any, indent: int | None, *, ascii_only: bool = True
) -> tuple[str, dict[str, tuple[int, int]]]:
    """JSON text as json.dumps writes it, and each path's (start, end) offsets."""
    parts: list[str] = []
    spans: dict[str, tuple[int, int]] = {}
    length = 0
    item_separator = ","
    key_separator = ": " if indent is not None else ":"

    def write(text: str) -> None:
        nonlocal length
        parts.append(text)
        length += len(text)

    def newline(level: int) -> None:
        if indent is not None:
            write("\n" + " " * (indent * level))

    def walk(item: Any, path: str, level: int, anchor: int | None) -> None:
        start = length
        if isinstance(item, dict) and item:
            write("{")
            for position, (key, child) in enumerate(item.items()):
                if position:
                    write(item_separator)
                newline(level + 1)
                key_start = length
                write(json.dumps(key, ensure_ascii=ascii_only))
                write(key_separator)
                walk(child, path + key_path(key), level + 1, key_start)
            newline(level)
            write("}")
        elif isinstance(item, list) and item:
            write("[")
            for position, child in enumerate(item):
                if position:
                    write(item_separator)
                newline(level + 1)
                walk(child, f"{path}[{position}]", level + 1, None)
            newline(level)
            write("]")
        else:
            write(json.dumps(item, ensure_ascii=ascii_only))
        spans[path] = (start if anchor is None else anchor, length)

    walk(value, "$", 0, None)
    return "".join(parts), spans


def line_column(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def expected_span(path: str, text: str, spans: dict[str, tuple[int, int]]) -> tuple[int, ...]:
    """The span of the path, or of its deepest part that is in the document (a finding about a
    missing property points at the object that lacks it)."""
    candidates = [
        known
        for known in spans
        if path == known or (path.startswith(known) and path[len(known)] in ".[")
    ]
    start, end = spans[max(candidates, key=len)]
    return (*line_column(text, start), *line_column(text, end))


def deep_defects() -> dict[str, Any]:
    """Defects deep inside objects that stix2-validator's checks find (C1xx, SHOULDs)."""
    base = json.loads((CORPUS / "good" / "full.json").read_text(encoding="utf-8"))
    bundles: dict[str, Any] = {}

    def variant(name: str) -> dict[str, Any]:
        bundle = copy.deepcopy(base)
        bundles[name] = bundle
        return bundle

    def of_type(bundle: dict[str, Any], kind: str) -> dict[str, Any]:
        found: dict[str, Any] = next(o for o in bundle["objects"] if o["type"] == kind)
        return found

    pattern = of_type(variant("kill-chain-deep"), "attack-pattern")
    pattern["kill_chain_phases"] = [
        {"kill_chain_name": "mitre-attack", "phase_name": "collection"},
        {"kill_chain_name": "Mitre Attack", "phase_name": "Collection"},
    ]
    campaign = of_type(variant("external-reference-deep"), "campaign")
    campaign["external_references"] = [
        {"source_name": "report", "url": "https://example.org/r", "external_id": 7}
    ]
    actor = of_type(variant("granular-selector-deep"), "threat-actor")
    actor["granular_markings"] = [
        {"marking_ref": base["objects"][0]["id"], "selectors": ["name", "nope.deeper"]}
    ]
    campaign = of_type(variant("timestamp-deep"), "campaign")
    campaign["first_seen"] = "2023-02-30T00:00:00Z"
    campaign["last_seen"] = "2022-01-01T00:00:00Z"
    identity = of_type(variant("vocabulary-deep"), "identity")
    identity["sectors"] = ["manufacturing", "Ship Building"]
    relationship = of_type(variant("relationship-and-confidence"), "relationship")
    relationship["relationship_type"] = "hosts"
    relationship["confidence"] = 101
    location = of_type(variant("unicode-and-odd-keys"), "location")
    location["description"] = "Ünïcode → 東アジア 🚢"
    location["x_odd key"] = {
        "a.b": [{"created_by_ref": "campaign--2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d"}]
    }
    return bundles


def corpus() -> dict[str, Any]:
    bundles = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in BUNDLES}
    bundles.update(deep_defects())
    return bundles


CORPUS_BUNDLES = corpus()


@pytest.fixture(scope="module")
def located(
    tmp_path_factory: pytest.TempPathFactory,
) -> list[tuple[str, str, Any, str, tuple[int, ...]]]:
    """(bundle, layout, finding, file text, expected span) for every finding of the corpus."""
    directory = tmp_path_factory.mktemp("positions")
    rows = []
    for name, bundle in CORPUS_BUNDLES.items():
        for layout, arguments in LAYOUTS.items():
            text, spans = emit(bundle, arguments.get("indent"))
            assert text == json.dumps(bundle, **arguments)  # the emitter writes that file
            path = directory / f"{name}.{layout}.json"
            path.write_text(text, encoding="utf-8")
            (report,) = validate_paths([str(path)], ValidationOptions())
            assert report.result is not None, report.input_error
            for finding in report.result.findings:
                rows.append(
                    (name, layout, finding, text, expected_span(finding.json_path, text, spans))
                )
    return rows


def test_every_finding_points_at_the_offending_key_or_value(located: list[Any]) -> None:
    wrong = [
        (name, layout, f.code, f.json_path, f.region, expected)
        for name, layout, f, _, expected in located
        if f.region is None
        or (f.region.line, f.region.column, f.region.end_line, f.region.end_column) != expected
    ]
    assert not wrong, wrong[:5]
    assert len(located) > 150


def test_the_corpus_exercises_every_check_of_ours_and_many_upstream(located: list[Any]) -> None:
    fired = {f.code for _, _, f, _, _ in located}
    assert {c.code for c in registered_checks()} <= fired
    upstream = {code for code in fired if not code.startswith("SX")}
    assert {"C100", "C101", "C102", "C106", "121", "215"} <= upstream, sorted(upstream)


def test_property_findings_start_at_the_key_in_the_file(located: list[Any]) -> None:
    # independent of the emitter: the text at the reported place is the property's key
    checked = 0
    for _, layout, finding, text, _ in located:
        last = finding.json_path.rsplit(".", 1)[-1]
        if not PLAIN_KEY.fullmatch(last) or finding.json_path.endswith("]"):
            continue
        lines = text.split("\n")
        region = finding.region
        at = lines[region.line - 1][region.column - 1 :]
        if at.startswith(f'"{last}"'):
            checked += 1
        else:
            assert at.startswith("{"), (layout, finding)  # a missing property: the object
    assert checked > 50


def test_minified_bundles_put_findings_on_distinct_columns(located: list[Any]) -> None:
    minified = [f for _, layout, f, _, _ in located if layout == "minified"]
    assert all(f.region.line == 1 for f in minified)
    assert len({f.region.column for f in minified}) > len(minified) // 2


def test_sarif_and_concise_carry_the_same_positions(tmp_path: Path) -> None:
    bundle = CORPUS_BUNDLES["ref-in-list-of-lists-missing"]
    text, spans = emit(bundle, 4)
    path = tmp_path / "deep.json"
    path.write_text(text, encoding="utf-8")
    target = (
        "$.objects[5].extensions.extension-definition--d2e3f4a5-b6c7-4d8e-9f0a-1b2c3d4e5f6a"
        ".waves[0][1].target_ref"
    )
    line, column, end_line, end_column = expected_span(target, text, spans)
    sarif = json.loads(CliRunner().invoke(cli, ["validate", "--format", "sarif", str(path)]).stdout)
    (result,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "SX201"]
    assert result["locations"][0]["physicalLocation"]["region"] == {
        "startLine": line,
        "startColumn": column,
        "endLine": end_line,
        "endColumn": end_column,
    }
    concise = CliRunner().invoke(cli, ["validate", "--format", "concise", str(path)]).stdout
    assert f"{path}:{line}:{column}: SX201 target_ref points at" in concise


def test_an_unreadable_file_is_located_where_the_reader_stopped(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "type": "bundle",\n  "objects": [\n    {"a": 1,,}\n  ]\n}\n')
    duplicate = tmp_path / "duplicate.json"
    duplicate.write_text('{"type": "bundle",\n "objects": [{"id": "x", "b": 1,\n   "id": "y"}]}')
    sarif = json.loads(
        CliRunner().invoke(cli, ["validate", "--format", "sarif", str(path), str(duplicate)]).stdout
    )
    regions = [r["locations"][0]["physicalLocation"]["region"] for r in sarif["runs"][0]["results"]]
    assert regions == [{"startLine": 4, "startColumn": 13}, {"startLine": 3, "startColumn": 4}]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None)
@given(json_values, st.sampled_from(sorted(LAYOUTS)), st.booleans())
def test_every_path_of_any_document_is_located_exactly(
    value: Any, layout: str, ascii_only: bool
) -> None:
    arguments = LAYOUTS[layout]
    text, spans = emit(value, arguments.get("indent"), ascii_only=ascii_only)
    assert text == json.dumps(value, ensure_ascii=ascii_only, **arguments)
    positions = parse_json_bytes(text.encode("utf-8"), "v.json").positions
    located = positions.spans(spans)
    for path, (start, end) in spans.items():
        span = located[path]
        got = (span.line, span.column, span.end_line, span.end_column)
        assert got == (*line_column(text, start), *line_column(text, end)), path
