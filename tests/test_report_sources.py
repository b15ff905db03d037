"""The built-in reports: every quote is a passage of its cleaned source, every IOC value occurs
in a quote of its own facts, every report says where its text comes from and under what
licence, and together the bundles carry the STIX the issue asks real reports to carry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
REPORTS = REPO / "stix_mtac" / "data" / "reports"
BUILTIN = sorted(REPORTS.glob("*.yaml"))
NEW_REPORTS = ("cisa-mar-10329297-1", "cisa-mar-10325064-1", "doj-bot-farm-2024-07-09")


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _facts(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize("facts_path", BUILTIN, ids=lambda path: path.stem)
def test_every_quote_of_the_report_is_in_its_source_text(facts_path: Path) -> None:
    facts = _facts(facts_path)
    source = _collapse((REPORTS / facts["report"]["source_text"]).read_text(encoding="utf-8"))
    own = [fact for fact in facts["facts"] if "source" not in fact]
    assert own, "a report needs facts of its own"
    missing = [fact["id"] for fact in own if _collapse(fact["quote"]) not in source]
    assert missing == []


@pytest.mark.parametrize("facts_path", BUILTIN, ids=lambda path: path.stem)
def test_every_ioc_value_occurs_in_a_quote_of_its_facts(facts_path: Path) -> None:
    facts = _facts(facts_path)
    quotes = {fact["id"]: _collapse(fact["quote"]) for fact in facts["facts"]}
    for observable in facts.get("observables", []):
        values = [str(observable["value"])] if "value" in observable else []
        values += [str(digest) for digest in (observable.get("hashes") or {}).values()]
        for value in values:
            assert any(value in quotes[fact] for fact in observable["facts"]), (
                f"{observable['key']}: {value} is in none of {observable['facts']}"
            )


@pytest.mark.parametrize("key", NEW_REPORTS)
def test_each_new_report_says_where_its_text_is_from_and_its_licence(key: str) -> None:
    note = (REPORTS / f"{key}.SOURCE.md").read_text(encoding="utf-8")
    facts = _facts(REPORTS / f"{key}.yaml")
    assert "Where the text was taken from" in note and "Licence" in note
    assert "17 U.S.C. 105" in note  # U.S. Government works: public domain in the U.S.
    assert facts["report"]["source_text"] == f"{key}.source.txt"
    stored = [ref.get("url", "") for ref in facts["report"]["external_references"]]
    assert any(url and url in note for url in stored), "the note names a stored copy's address"


def test_reports_marked_tlp_white_say_so_in_their_own_words() -> None:
    for key in ("cisa-mar-10329297-1", "cisa-mar-10325064-1"):
        facts = _facts(REPORTS / f"{key}.yaml")
        assert facts["markings"]["default"] == ["tlp1:white"]
        source = (REPORTS / f"{key}.source.txt").read_text(encoding="utf-8")
        assert "This document is marked TLP:WHITE" in source


def _bundle(key: str) -> dict[str, Any]:
    data = json.loads((REPO / "bundles" / f"{key}.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_the_builtin_bundles_together_carry_what_real_reports_need() -> None:
    types: set[str] = set()
    markings: set[str] = set()
    for facts_path in BUILTIN:
        for obj in _bundle(facts_path.stem)["objects"]:
            types.add(obj["type"])
            if obj["type"] == "marking-definition":
                markings.add(obj.get("name", obj.get("definition_type", "")))
    wanted = {
        "malware", "tool", "vulnerability", "indicator", "infrastructure",
        "course-of-action", "note", "grouping", "sighting",
    }  # fmt: skip
    assert wanted <= types, f"missing: {sorted(wanted - types)}"
    assert markings - {"TLP:CLEAR"}, "a marking other than TLP:CLEAR"
    assert "TLP:WHITE" in markings


@pytest.mark.parametrize("key", NEW_REPORTS)
def test_each_new_bundle_is_signed_beside_it(key: str) -> None:
    assert (REPO / "bundles" / f"{key}.json.jws").is_file()


def _copy_report(key: str, into: Path) -> Path:
    for suffix in (".yaml", ".source.txt"):
        (into / f"{key}{suffix}").write_bytes((REPORTS / f"{key}{suffix}").read_bytes())
    return into / f"{key}.yaml"


def _facts_errors(path: Path) -> tuple[int, list[str]]:
    from click.testing import CliRunner

    from stix_mtac.cli import cli

    result = CliRunner().invoke(cli, ["facts", "--facts", str(path)])
    return result.exit_code, result.output.splitlines()


def test_a_quote_typed_with_a_straight_apostrophe_is_explained(tmp_path: Path) -> None:
    path = _copy_report("doj-bot-farm-2024-07-09", tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("government\u2019s further use", "government's further use"), encoding="utf-8"
    )
    line = 1 + text[: text.index("government\u2019s further use")].count("\n")
    code, lines = _facts_errors(path)
    assert code == 3
    assert lines == [
        f"error: doj-bot-farm-2024-07-09.yaml:{line}: facts[3].quote: quote not found in "
        "doj-bot-farm-2024-07-09.source.txt: the source has '\u2019' (right single quotation mark) "
        'where the quote has "\'" (source line 9)'
    ]


def test_a_malformed_hash_and_an_address_missing_from_its_quote_are_one_line_each(
    tmp_path: Path,
) -> None:
    path = _copy_report("cisa-mar-10325064-1", tmp_path)
    text = path.read_text(encoding="utf-8")
    digest = "2e0df09fa37eabcae645302d9865913b818ee0993199a6d904728f3093ff48c7"
    text = text.replace(f"SHA-256: {digest}", f"SHA-256: {digest[:-2]}")
    text = text.replace("value: 92.38.135.29,", 'value: "92.38.135[.]30",')
    path.write_text(text, encoding="utf-8")
    code, lines = _facts_errors(path)
    assert code == 3
    hash_line = 1 + text[: text.index(f"SHA-256: {digest[:-2]}")].count("\n")
    ip_line = 1 + text[: text.index('"92.38.135[.]30"')].count("\n")
    assert lines == [
        f"error: cisa-mar-10325064-1.yaml:{hash_line}: observables[0].hashes.SHA-256: "
        "a SHA-256 hash has 64 hex digits; this one has 62",
        f"error: cisa-mar-10325064-1.yaml:{ip_line}: observables[9].value: '92.38.135.30' "
        "does not occur in the quote of its facts (G08), defanged or not",
    ]
