"""`stix-mtac draft`: the skeleton finds what the built-in reports carry, quotes verbatim,
never overwrites, and fails in one line."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from stix_mtac.cli import cli
from stix_mtac.draft import draft_facts

REPORTS = Path(__file__).resolve().parent.parent / "stix_mtac" / "data" / "reports"
BUILTIN = sorted(REPORTS.glob("*.yaml"))


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _plain(value: str) -> str:
    """Refang the only way facts files here write values (an independent, minimal rule set)."""
    for written, meant in (("[.]", "."), ("hxxp", "http"), ("[at]", "@"), ("[:]", ":")):
        value = value.replace(written, meant)
    return value.lower()


def _observed_values(facts: dict[str, Any]) -> set[str]:
    values: set[str] = set()
    for observable in facts.get("observables", []) or []:
        if "value" in observable:
            values.add(_plain(str(observable["value"])))
        for digest in (observable.get("hashes") or {}).values():
            values.add(str(digest).lower())
    return values


def _draft_of(facts_path: Path) -> tuple[dict[str, Any], dict[str, Any], str]:
    facts = yaml.safe_load(facts_path.read_text(encoding="utf-8"))
    source = (facts_path.parent / facts["report"]["source_text"]).read_text(encoding="utf-8")
    return facts, yaml.safe_load(draft_facts(source, facts["report"]["source_text"])), source


@pytest.mark.parametrize("facts_path", BUILTIN, ids=lambda path: path.stem)
def test_draft_finds_every_ioc_the_builtin_facts_carry(facts_path: Path) -> None:
    facts, draft, _ = _draft_of(facts_path)
    wanted = _observed_values(facts)
    found = _observed_values(draft)
    assert wanted <= found, f"draft missed {sorted(wanted - found)}"


@pytest.mark.parametrize("facts_path", BUILTIN, ids=lambda path: path.stem)
def test_every_drafted_quote_is_a_verbatim_passage_of_its_source(facts_path: Path) -> None:
    _, draft, source = _draft_of(facts_path)
    for fact in draft["facts"] or []:
        assert _collapse(fact["quote"]) in _collapse(source)


def test_builtin_mar_draft_finds_its_cves() -> None:
    _, draft, _ = _draft_of(REPORTS / "cisa-mar-10329297-1.yaml")
    cves = {entry["cve"] for entry in draft["vulnerabilities"]}
    assert cves == {"CVE-2021-27065", "CVE-2021-26855"}


TEXT = """\
Initial access was by spearphishing (T1566.001), then T1059.001 ran PowerShell.
The network amplified content with DISARM T0049.003 and CAPEC-98, and ATLAS AML.T0051.
The actors exploited CVE-2021-44228 (written cve_2021_44228 in their rule).
C2 servers:
192.0.2[.]10
198.51.100.7
The payload came from hxxp://bad[.]example/p.exe on 1 May.
"""


def test_draft_of_a_text_lists_each_finding_with_its_sentence() -> None:
    draft = yaml.safe_load(draft_facts(TEXT, "report.txt"))
    quote_of = {fact["id"]: fact["quote"] for fact in draft["facts"]}
    techniques = {
        (entry["catalogue"], entry["technique"]): quote_of[entry["facts"][0]]
        for entry in draft["attack_patterns"]
    }
    assert techniques == {
        ("mitre-attack", "T1566.001"): (
            "Initial access was by spearphishing (T1566.001), then T1059.001 ran PowerShell."
        ),
        ("mitre-attack", "T1059.001"): (
            "Initial access was by spearphishing (T1566.001), then T1059.001 ran PowerShell."
        ),
        ("disarm", "T0049.003"): (
            "The network amplified content with DISARM T0049.003 and CAPEC-98, and ATLAS AML.T0051."
        ),
        ("capec", "CAPEC-98"): (
            "The network amplified content with DISARM T0049.003 and CAPEC-98, and ATLAS AML.T0051."
        ),
        ("mitre-atlas", "AML.T0051"): (
            "The network amplified content with DISARM T0049.003 and CAPEC-98, and ATLAS AML.T0051."
        ),
    }
    [cve] = draft["vulnerabilities"]
    assert cve["cve"] == "CVE-2021-44228" and len(cve["facts"]) == 1
    addresses = {
        entry["value"]: quote_of[entry["facts"][0]]
        for entry in draft["observables"]
        if entry["type"] == "ipv4-addr"
    }
    assert addresses == {
        "192.0.2[.]10": "C2 servers: 192.0.2[.]10 198.51.100.7",
        "198.51.100.7": "C2 servers: 192.0.2[.]10 198.51.100.7",
    }
    [url] = [entry for entry in draft["observables"] if entry["type"] == "url"]
    assert url["value"] == "hxxp://bad[.]example/p.exe"  # written as the report writes it
    assert quote_of[url["facts"][0]] == "The payload came from hxxp://bad[.]example/p.exe on 1 May."
    assert draft["schema_version"] == 2 and "TODO" in draft["report"]["key"]


def test_draft_of_a_text_without_findings_is_still_a_skeleton() -> None:
    draft = yaml.safe_load(draft_facts("Nothing to see here.", "empty.txt"))
    assert draft["facts"] == [] and draft["report"]["source_text"] == "empty.txt"


def test_draft_command_writes_to_stdout_or_a_new_file(tmp_path: Path) -> None:
    source = tmp_path / "report.txt"
    source.write_text(TEXT, encoding="utf-8")
    runner = CliRunner()
    to_stdout = runner.invoke(cli, ["draft", str(source)])
    assert to_stdout.exit_code == 0, to_stdout.output
    assert to_stdout.stdout == draft_facts(TEXT, "report.txt")
    out = tmp_path / "report.yaml"
    to_file = runner.invoke(cli, ["draft", str(source), "-o", str(out)])
    assert to_file.exit_code == 0 and out.read_text(encoding="utf-8") == to_stdout.stdout
    assert [entry.name for entry in tmp_path.iterdir() if entry.name.startswith(".")] == []


def test_draft_never_overwrites_a_file_or_writes_through_a_planted_link(tmp_path: Path) -> None:
    source = tmp_path / "report.txt"
    source.write_text(TEXT, encoding="utf-8")
    existing = tmp_path / "facts.yaml"
    existing.write_text("precious", encoding="utf-8")
    victim = tmp_path / "victim"
    link = tmp_path / "link.yaml"
    os.symlink(victim, link)  # dangling: a write through it would create the victim
    for target in (existing, link):
        result = CliRunner().invoke(cli, ["draft", str(source), "-o", str(target)])
        assert result.exit_code == 10, result.output
        assert result.output.count("\n") == 1
        assert "already exists; refusing to overwrite a file" in result.output
    assert existing.read_text(encoding="utf-8") == "precious"
    assert not victim.exists()


@pytest.mark.parametrize(
    ("content", "words"),
    [(None, "no such report text"), (b"\xff\xfe bad", "not UTF-8 text")],
)
def test_an_unreadable_source_is_exit_4_in_one_line(
    tmp_path: Path, content: bytes | None, words: str
) -> None:
    source = tmp_path / "report.txt"
    if content is not None:
        source.write_bytes(content)
    result = CliRunner().invoke(cli, ["draft", str(source)])
    assert result.exit_code == 4
    assert result.output.startswith("error: ") and words in result.output
    assert result.output.count("\n") == 1


def test_the_readme_draft_example_runs() -> None:
    readme = (REPORTS.parent.parent.parent / "README.md").read_text(encoding="utf-8")
    command = "stix-mtac draft stix_mtac/data/reports/cisa-mar-10325064-1.source.txt | head -40"
    assert command in readme
    result = CliRunner().invoke(cli, ["draft", str(REPORTS / "cisa-mar-10325064-1.source.txt")])
    assert result.exit_code == 0
    assert result.stdout.startswith("# Draft facts for cisa-mar-10325064-1.source.txt")
    assert "value: 45.135.229.179" in result.stdout
