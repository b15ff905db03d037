"""``stix-mtac validate`` end to end through click: exit codes, inputs, and the four formats."""

from __future__ import annotations

import io
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from stix_mtac.cli import cli
from stix_mtac.commands.options import Console
from stix_mtac.validate.api import ValidationOptions, validate_bundle
from stix_mtac.validate.render.progress import ProgressBar, progress_for_terminal

CORPUS = Path(__file__).parent / "corpus"
GOOD = CORPUS / "good" / "full.json"
BROKEN = CORPUS / "defects" / "ref-created-by-missing.json"  # one SX201 error
WARNED = CORPUS / "defects" / "relationship-unsuggested.json"  # one SX301 warning
OURS_ONLY = "--no-conformance"
ANSI = "\x1b["


def locate(path: Path, text: str) -> tuple[int, int]:
    """Line and column (1-based) of the only occurrence of ``text`` in the file."""
    content = path.read_text(encoding="utf-8")
    assert content.count(text) == 1, text
    before = content[: content.index(text)]
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def run(*args: str, stdin: bytes | None = None) -> Any:
    return CliRunner().invoke(cli, ["validate", *args], input=stdin)


def test_valid_bundle_exits_0_with_summary_last() -> None:
    result = run(OURS_ONLY, str(GOOD))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"{GOOD}: valid (13 objects)"
    assert lines[-1].startswith("1 file, 13 objects: 0 errors, 0 warnings in ")
    assert lines[-1].endswith(" s")


def test_errors_exit_1_and_name_code_path_and_object() -> None:
    result = run(OURS_ONLY, str(BROKEN))
    assert result.exit_code == 1
    assert (
        "  error   SX201 unresolved-reference at 49:7 $.objects[3].created_by_ref "
        "(threat-actor--9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d): created_by_ref points at "
        "identity--00000000-0000-4000-8000-00000000dead" in result.output
    )
    assert result.output.splitlines()[-1].startswith("1 file, 13 objects: 1 error, 0 warnings")


def test_warnings_pass_unless_strict_and_disable_takes_names() -> None:
    assert run(OURS_ONLY, str(WARNED)).exit_code == 0
    assert run(OURS_ONLY, "--strict", str(WARNED)).exit_code == 1
    assert (
        run(OURS_ONLY, "--strict", "--disable", "unsuggested-relationship", str(WARNED)).exit_code
        == 0
    )
    assert run(OURS_ONLY, "--disable", "SX201", str(BROKEN)).exit_code == 0
    assert run(OURS_ONLY, "--open", str(BROKEN)).exit_code == 0


def test_directory_is_walked_and_one_bad_file_does_not_stop_the_others(tmp_path: Path) -> None:
    shutil.copy(GOOD, tmp_path / "a.json")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.json").write_bytes(b'{"type": "bundle", "id": ')
    shutil.copy(BROKEN, tmp_path / "sub" / "c.json")
    (tmp_path / "notes.txt").write_text("not a bundle")
    (tmp_path / "keys.json").write_text('{"keys": []}')  # JSON, but not STIX at all: skipped
    (tmp_path / "schema.json").write_text('{"type": "object"}')  # a JSON Schema: skipped too
    (tmp_path / "untyped.json").write_text('{"id": "bundle--1", "objects": []}')  # a broken bundle
    result = run(OURS_ONLY, str(tmp_path))
    assert result.exit_code == 4  # unreadable wins over errors
    out = result.output
    not_stix = "skipped (not STIX: a JSON object that is not a bundle and has no STIX id)"
    assert f"{tmp_path / 'keys.json'}: {not_stix}" in out
    assert f"{tmp_path / 'schema.json'}: {not_stix}" in out
    assert f"{tmp_path / 'untyped.json'}: unreadable" in out
    assert f"{tmp_path / 'a.json'}: valid" in out
    assert f"{tmp_path / 'sub' / 'b.json'}: unreadable" in out
    assert "line 1 column 26: not valid JSON" in out
    assert f"{tmp_path / 'sub' / 'c.json'}: invalid" in out
    assert "notes.txt" not in out
    assert out.splitlines()[-1].startswith(
        "4 files, 2 unreadable, 2 skipped, 26 objects: 1 error, 0 warnings"
    )
    named = run(OURS_ONLY, str(tmp_path / "keys.json"))  # named explicitly: an error
    assert named.exit_code == 4 and "top level is an object without a type" in named.output


def test_stdin_and_missing_file_and_empty_directory(tmp_path: Path) -> None:
    result = run(OURS_ONLY, "-", stdin=GOOD.read_bytes())
    assert result.exit_code == 0 and "<stdin>: valid" in result.output
    missing = run(OURS_ONLY, str(tmp_path / "nope.json"))
    assert missing.exit_code == 4 and "nope.json: no such file" in missing.output
    empty = run(OURS_ONLY, str(tmp_path))
    assert empty.exit_code == 4 and "directory holds no .json files" in empty.output
    assert empty.output.splitlines()[-1].endswith("; nothing was checked")


def test_usage_errors_exit_2() -> None:
    assert run().exit_code == 2
    assert run("--format", "yaml", str(GOOD)).exit_code == 2
    assert run("--max-depth", "0", str(GOOD)).exit_code == 2


def test_help_documents_exit_codes_and_an_example() -> None:
    result = CliRunner().invoke(cli, ["validate", "--help"])
    assert result.exit_code == 0
    for text in (
        "Exit codes:",
        "0  every bundle is valid",
        "1  at least one bundle has errors",
        "4  at least one input could not be read",
        "Examples:",
        "stix-mtac validate bundles/",
    ):
        assert text in result.output


def test_colour_only_on_a_tty_and_never_with_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert ANSI not in run(OURS_ONLY, str(BROKEN)).output  # CliRunner is not a TTY
    assert ANSI in run(OURS_ONLY, "--color", "always", str(BROKEN)).output
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert ANSI in run(OURS_ONLY, str(BROKEN)).output
    monkeypatch.setenv("NO_COLOR", "1")  # NO_COLOR wins over FORCE_COLOR, --color over both
    assert ANSI not in run(OURS_ONLY, str(BROKEN)).output
    assert ANSI in run(OURS_ONLY, "--color", "always", str(BROKEN)).output


def test_use_colour_honours_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty:
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert Console().colour_for(Tty()) is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert Console().colour_for(Tty()) is False
    assert Console(color="always").colour_for(Tty()) is True


def test_json_format_schema_and_counts(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\xef\xbb\xbf{}")
    result = CliRunner().invoke(
        cli, ["validate", OURS_ONLY, "--format", "json", str(BROKEN), str(WARNED), str(bad)]
    )
    assert result.exit_code == 4
    document = json.loads(result.stdout)
    assert document["schema"] == "stix-mtac/validate" and document["version"] == 1
    statuses = [f["status"] for f in document["files"]]
    assert statuses == ["invalid", "valid", "unreadable"]
    finding = document["files"][0]["findings"][0]
    line, column = locate(
        BROKEN, '"created_by_ref": "identity--00000000-0000-4000-8000-00000000dead"'
    )
    assert finding == {
        "code": "SX201",
        "name": "unresolved-reference",
        "severity": "error",
        "json_path": "$.objects[3].created_by_ref",
        "object_id": "threat-actor--9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
        "message": finding["message"],
        "line": line,
        "column": column,
        "end_line": line,
        "end_column": column
        + len('"created_by_ref": "identity--00000000-0000-4000-8000-00000000dead"'),
        "aliases": [],
        "suppressed": None,
    }
    assert document["files"][2]["input_position"] == {"line": 1, "column": 1}
    assert "byte-order mark" in document["files"][2]["input_error"]
    summary = document["summary"]
    assert (summary["files"], summary["errors"], summary["warnings"], summary["unreadable"]) == (
        3,
        1,
        1,
        1,
    )
    assert summary["exit_code"] == 4
    assert result.stderr.startswith("3 files, 1 unreadable, 27 objects: 1 error, 1 warning")


def test_sarif_output_validates_against_the_sarif_2_1_0_schema(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"[]")
    result = CliRunner().invoke(
        cli, ["validate", OURS_ONLY, "--format", "sarif", str(BROKEN), str(WARNED), str(bad)]
    )
    log = json.loads(result.stdout)
    schema = json.loads((CORPUS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)
    results = log["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [
        ("SX201", "error"),
        ("SX301", "warning"),
        ("SX000", "error"),
    ]
    # the finding points at the offending property, from its key to the end of its value
    location = results[0]["locations"][0]
    region = location["physicalLocation"]["region"]
    member = '"created_by_ref": "identity--00000000-0000-4000-8000-00000000dead"'
    line, column = locate(BROKEN, member)
    assert region == {
        "startLine": line,
        "startColumn": column,
        "endLine": line,
        "endColumn": column + len(member),
    }
    assert location["logicalLocations"][0]["fullyQualifiedName"] == "$.objects[3].created_by_ref"
    run_log = log["runs"][0]
    assert run_log["columnKind"] == "unicodeCodePoints"
    # URIs are relative to the root (the git top by default) under uriBaseId SRCROOT
    artifact = location["physicalLocation"]["artifactLocation"]
    assert artifact == {
        "uri": "tests/corpus/defects/ref-created-by-missing.json",
        "uriBaseId": "SRCROOT",
    }
    assert run_log["originalUriBaseIds"]["SRCROOT"]["uri"] == CORPUS.parent.parent.as_uri() + "/"
    assert results[2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        bad.resolve().as_uri()  # outside the root: an absolute URI
    )
    assert all(len(r.get("partialFingerprints", {"x": 1})) == 1 for r in results)
    rules = run_log["tool"]["driver"]["rules"]
    rule_ids = {rule["id"] for rule in rules}
    assert {"SX000", "SX201", "SX301", "SX604", "C100", "202"} <= rule_ids
    for rule in rules:
        assert rule["shortDescription"]["text"] != rule["name"]
        assert len(rule["fullDescription"]["text"]) >= len(rule["shortDescription"]["text"])
        assert rule["helpUri"].endswith(f"README.md#check-{rule['id'].lower()}")
    readme = (CORPUS.parent.parent / "README.md").read_text(encoding="utf-8")
    assert all(f'<a id="check-{rule_id.lower()}"></a>' in readme for rule_id in rule_ids)


def test_sarif_schema_rejects_a_broken_log() -> None:
    # the schema is strict enough to catch a real mistake, so the test above means something
    schema = json.loads((CORPUS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    broken = {"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": []}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate(broken)


def test_junit_output_parses_and_counts_match_findings(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"a": NaN}')
    two_errors = json.loads(BROKEN.read_text(encoding="utf-8"))
    two_errors["objects"][5]["confidence"] = 500
    second = tmp_path / "two.json"
    second.write_text(json.dumps(two_errors))
    result = CliRunner().invoke(
        cli,
        ["validate", OURS_ONLY, "--format", "junit", str(GOOD), str(WARNED), str(second), str(bad)],
    )
    root = ET.fromstring(result.stdout)
    assert root.tag == "testsuites"
    # one testcase per file; a file with errors is one failure listing each error
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "1", "1")
    suites = {suite.get("name"): suite for suite in root.findall("testsuite")}
    rel = {path: str(path.relative_to(CORPUS.parent.parent)) for path in (GOOD, WARNED)}
    failure = suites[str(second)].find("testcase/failure")
    assert failure is not None and failure.text is not None
    assert len(failure.text.splitlines()) == 2
    assert suites[rel[WARNED]].get("failures") == "0"
    warned = suites[rel[WARNED]].find("testcase")
    assert warned is not None and warned.get("classname") == rel[WARNED]
    out = warned.find("system-out")
    assert out is not None and out.text is not None and " SX301 " in out.text  # not a test
    assert suites[str(bad)].find("testcase/error") is not None
    assert suites[rel[GOOD]].get("tests") == "1"
    pairs = [(c.get("classname"), c.get("name")) for c in root.iter("testcase")]
    assert len(pairs) == len(set(pairs)) == 4


def test_pre_commit_hook_runs_this_command() -> None:
    import yaml

    hooks = yaml.safe_load((Path(__file__).parent.parent / ".pre-commit-hooks.yaml").read_text())
    (hook,) = hooks
    assert hook["id"] == "stix-mtac-validate"
    # every staged JSON file is handed over: JSON that is not STIX is skipped, and a commit
    # without bundles passes
    assert hook["entry"] == "stix-mtac validate --skip-non-stix --allow-empty"
    assert hook["language"] == "python" and "json" in hook["types"]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal_and_only_after_the_delay() -> None:
    assert progress_for_terminal("a.json", io.StringIO()) is None
    assert isinstance(progress_for_terminal("a.json", _Terminal()), ProgressBar)
    now = [0.0]
    out = _Terminal()
    bar = ProgressBar("a.json", out, delay=2.0, clock=lambda: now[0])
    bar(10, 100)
    assert out.getvalue() == ""  # short runs never flash a bar
    now[0] = 2.5
    bar(50, 100)
    assert (
        out.getvalue() == "\ra.json: checking [###############...............] 50/100 objects\x1b[K"
    )
    bar(100, 100)
    assert out.getvalue().endswith("\r\x1b[2K")  # cleared when done


def test_progress_reaches_the_conformance_engine() -> None:
    calls: list[tuple[int, int]] = []
    bundle = json.loads(GOOD.read_text(encoding="utf-8"))
    validate_bundle(
        bundle,
        options=ValidationOptions(engine="reference"),
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls and calls[-1] == (13, 13)


def test_skipped_files_in_machine_formats(tmp_path: Path) -> None:
    shutil.copy(GOOD, tmp_path / "a.json")
    (tmp_path / "keys.json").write_text('{"keys": []}')
    as_json = json.loads(run(OURS_ONLY, "--format", "json", str(tmp_path)).stdout)
    assert [f["status"] for f in as_json["files"]] == ["valid", "skipped"]
    assert as_json["summary"]["skipped"] == 1 and as_json["summary"]["files"] == 1
    junit = ET.fromstring(run(OURS_ONLY, "--format", "junit", str(tmp_path)).stdout)
    assert len(junit.findall("testsuite/testcase/skipped")) == 1
    sarif = json.loads(run(OURS_ONLY, "--format", "sarif", str(tmp_path)).stdout)
    assert sarif["runs"][0]["results"] == []


@pytest.mark.parametrize("option", ["--enable", "--disable"])
@pytest.mark.parametrize("typo", ["SX2O2", "999", "missing-marking", "SX202,nope"])
def test_an_unknown_check_is_a_usage_error_not_a_silently_open_gate(option: str, typo: str) -> None:
    result = CliRunner().invoke(cli, ["validate", option, typo, str(GOOD)])
    assert result.exit_code == 2
    assert "unknown check" in result.stderr


def test_check_codes_and_names_match_in_any_case() -> None:
    bundle = json.loads(GOOD.read_text(encoding="utf-8"))
    (campaign,) = [obj for obj in bundle["objects"] if obj["type"] == "campaign"][:1]
    campaign["created_by_ref"] = "identity--00000000-0000-4000-8000-000000000000"
    text = json.dumps(bundle)
    for spelling in ["SX201", "sx201", "Unresolved-Reference"]:
        disabled = CliRunner().invoke(cli, ["validate", "--disable", spelling, "-"], input=text)
        assert disabled.exit_code == 0, (spelling, disabled.output)
    assert CliRunner().invoke(cli, ["validate", "-"], input=text).exit_code == 1
