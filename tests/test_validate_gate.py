"""validate as a CI gate: one finding per defect, control over severity, baseline, settings
file, the pre-commit hook's inputs, "nothing was checked", limits, escaping of hostile text,
and the crashes the adversarial run found (issue 14)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from stix_mtac.cli import cli
from stix_mtac.jsonpath import parse_path
from stix_mtac.validate.api import ValidationOptions
from stix_mtac.validate.catalogue import markdown_table
from stix_mtac.validate.sources import validate_paths

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).parent / "corpus"
DEFECTS = CORPUS / "defects"
GOOD = CORPUS / "good" / "full.json"
EXPECTATIONS: dict[str, dict[str, str]] = yaml.safe_load(
    (CORPUS / "expectations.yaml").read_text(encoding="utf-8")
)
# the upstream codes each of our checks stands in for, as the README lists them
ALIASES = {
    "SX301": ["202"],
    "SX401": ["203"],
    "SX402": ["203"],
    "SX403": ["C102"],
    "SX603": ["C100"],
    "SX103": ["C100"],
    "SX602": ["401"],
    "SX101": ["401"],
    "SX601": ["401"],
    "SX102": ["C120"],
    "SX203": ["C100"],
    "SX502": ["C100"],
    "SX604": ["C100"],
}


def run(*args: str, stdin: str | None = None, cwd: Path | None = None) -> Any:
    if cwd is None:
        return CliRunner().invoke(cli, ["validate", *args], input=stdin)
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, ["validate", *args], input=stdin)
    finally:
        os.chdir(old)


def findings_of(path: Path, **options: Any) -> list[tuple[str, str]]:
    (report,) = validate_paths([str(path)], ValidationOptions(**options))
    assert report.result is not None
    return [(f.code, f.json_path) for f in report.result.findings]


@pytest.mark.parametrize("engine", ["fast", "reference"])
def test_no_defect_in_the_corpus_yields_two_findings(engine: str) -> None:
    assert findings_of(GOOD, engine=engine) == []
    for name, expected in EXPECTATIONS.items():
        found = findings_of(DEFECTS / f"{name}.json", engine=engine)
        assert found == [(expected["code"], expected["path"])], (name, found)


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_disable_with_either_code_silences_the_defect(name: str) -> None:
    code = EXPECTATIONS[name]["code"]
    path = DEFECTS / f"{name}.json"
    for spelling in [code, *ALIASES.get(code, [])]:
        assert findings_of(path, disabled=frozenset({spelling})) == [], (name, spelling)


def test_upstream_findings_without_our_twin_are_kept() -> None:
    # a relationship stix2-validator flags under 202 only when we do too; an unrelated
    # schema error on the same object as SX603 is not absorbed
    bundle = json.loads((DEFECTS / "confidence-over-100.json").read_text(encoding="utf-8"))
    actor = next(o for o in bundle["objects"] if o["type"] == "threat-actor")
    actor["created"] = "yesterday"
    result = run("--format", "json", "-", stdin=json.dumps(bundle))
    codes = [(f["code"], f["json_path"]) for f in json.loads(result.stdout)["files"][0]["findings"]]
    index = bundle["objects"].index(actor)
    assert ("SX603", f"$.objects[{index}].confidence") in codes
    assert ("C100", f"$.objects[{index}].created") in codes
    assert ("C100", f"$.objects[{index}].confidence") not in codes


def test_readme_table_is_the_catalogue() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- checks:start -->\n", 1)[1].split("<!-- checks:end -->", 1)[0]
    assert table == markdown_table(), "run: python -m stix_mtac.validate.catalogue"


def test_per_check_severity_and_fail_on() -> None:
    broken = str(DEFECTS / "ref-created-by-missing.json")  # SX201 error
    warned = str(DEFECTS / "relationship-unsuggested.json")  # SX301 warning
    assert run(broken).exit_code == 1
    assert run("--warning", "SX201", broken).exit_code == 0
    assert run("--warning", "unresolved-reference", "--strict", broken).exit_code == 0
    assert run("--ignore", "SX201", broken).exit_code == 0
    assert run(warned).exit_code == 0
    assert run("--error", "202", warned).exit_code == 1  # by the upstream alias
    assert run("--fail-on", "warning", warned).exit_code == 1
    labelled = json.loads(run("--fail-on", "warning", "--format", "json", warned).stdout)
    assert labelled["files"][0]["findings"][0]["severity"] == "warning"  # not relabelled
    assert run("--error", "nope", warned).exit_code == 2


def test_quiet_shows_errors_and_the_summary_only(tmp_path: Path) -> None:
    broken = str(DEFECTS / "ref-created-by-missing.json")
    warned = str(DEFECTS / "relationship-unsuggested.json")
    result = run("--quiet", str(GOOD), warned, broken)
    lines = result.output.splitlines()
    assert len(lines) == 3, lines
    assert lines[0] == f"{broken}: invalid (13 objects)"
    assert " SX201 " in lines[1]
    assert lines[2].startswith("3 files, 40 objects: 1 error, 1 warning")


def test_baseline_accepts_known_findings_with_a_reason(tmp_path: Path) -> None:
    bundles = tmp_path / "bundles"
    bundles.mkdir()
    shutil.copy(DEFECTS / "ref-created-by-missing.json", bundles / "a.json")
    baseline = tmp_path / "baseline.json"
    first = run("--root", str(tmp_path), "--write-baseline", str(baseline), str(bundles))
    assert first.exit_code == 1
    document = json.loads(baseline.read_text(encoding="utf-8"))
    (entry,) = document["entries"]
    assert entry["file"] == "bundles/a.json" and entry["code"] == "SX201"
    entry["reason"] = "the identity lives in our TIP"
    baseline.write_text(json.dumps(document), encoding="utf-8")
    accepted = run("--root", str(tmp_path), "--baseline", str(baseline), str(bundles))
    assert accepted.exit_code == 0, accepted.output
    assert "[baseline: the identity lives in our TIP]" in accepted.output
    assert "1 suppressed by the baseline" in accepted.output.splitlines()[-1]
    sarif = json.loads(
        run(
            "--root", str(tmp_path), "--baseline", str(baseline), "--format", "sarif", str(bundles)
        ).stdout
    )
    (result,) = sarif["runs"][0]["results"]
    assert result["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "the identity lives in our TIP",
        }
    ]
    schema = json.loads((CORPUS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(sarif)
    # a new defect still fails the gate
    bundle = json.loads((bundles / "a.json").read_text(encoding="utf-8"))
    bundle["objects"][5]["confidence"] = 500
    (bundles / "a.json").write_text(json.dumps(bundle, indent=2), encoding="utf-8")
    assert run("--root", str(tmp_path), "--baseline", str(baseline), str(bundles)).exit_code == 1
    # rewriting keeps the reason
    run(
        "--root",
        str(tmp_path),
        "--baseline",
        str(baseline),
        "--write-baseline",
        str(baseline),
        str(bundles),
    )
    reasons = {e["code"]: e["reason"] for e in json.loads(baseline.read_text())["entries"]}
    assert reasons["SX201"] == "the identity lives in our TIP" and "SX603" in reasons
    baseline.write_text('{"schema": "stix-mtac/baseline", "version": 1, "entries": [{}]}')
    broken = run("--baseline", str(baseline), str(bundles))
    assert broken.exit_code == 4 and "entries[0]" in broken.output


def test_settings_file_gives_the_same_result_as_the_flags(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()  # the repository's top
    warned = tmp_path / "warned.json"
    shutil.copy(DEFECTS / "relationship-unsuggested.json", warned)
    flags = run("--fail-on", "warning", "--format", "json", str(warned), cwd=tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.stix-mtac.validate]\nfail-on = "warning"\nformat = "json"\n'
    )
    from_file = run(str(warned), cwd=tmp_path)
    assert flags.exit_code == from_file.exit_code == 1
    strip = [json.loads(r.stdout)["files"] for r in (flags, from_file)]
    assert strip[0] == strip[1]
    assert run("--fail-on", "error", str(warned), cwd=tmp_path).exit_code == 0  # flags win
    assert run("--no-config", str(warned), cwd=tmp_path).exit_code == 0
    (tmp_path / ".stix-mtac.toml").write_text('[validate]\nignore = ["SX301"]\n')
    assert run(str(warned), cwd=tmp_path).exit_code == 0  # .stix-mtac.toml wins beside it
    (tmp_path / ".stix-mtac.toml").write_text('[validate]\nfail_on = "warning"\n')
    typo = run(str(warned), cwd=tmp_path)
    assert typo.exit_code == 2 and "unknown validate setting 'fail_on'" in typo.output
    (tmp_path / ".stix-mtac.toml").write_text('[validate]\nstrict = "yes"\n')
    assert run(str(warned), cwd=tmp_path).exit_code == 2


def test_json_that_is_not_stix_and_nothing_checked(tmp_path: Path) -> None:
    package = tmp_path / "package.json"
    package.write_text('{"name": "web", "version": "1.0.0"}')
    settings = tmp_path / ".vscode" / "settings.json"
    settings.parent.mkdir()
    settings.write_text('{"editor.tabSize": 2}')
    named = run(str(package))
    assert named.exit_code == 4 and "top level is an object without a type" in named.output
    skipped = run("--skip-non-stix", str(package), str(settings))
    assert skipped.exit_code == 4  # nothing was checked: a gate pointed at the wrong files
    assert skipped.output.splitlines()[-1].endswith("; nothing was checked")
    walked = run(str(tmp_path))  # a directory of only non-STIX JSON: the same exit
    assert walked.exit_code == 4 and walked.output.splitlines()[-1].endswith("nothing was checked")
    (tmp_path / "empty").mkdir()
    assert run(str(tmp_path / "empty")).exit_code == 4
    assert run("--skip-non-stix", "--allow-empty", str(package), str(settings)).exit_code == 0
    with_bundle = run("--skip-non-stix", "--allow-empty", str(package), str(GOOD))
    assert with_bundle.exit_code == 0 and "skipped (not STIX" in with_bundle.output
    bad = run(
        "--skip-non-stix",
        "--allow-empty",
        str(package),
        str(DEFECTS / "ref-created-by-missing.json"),
    )
    assert bad.exit_code == 1
    as_json = json.loads(run("--format", "json", "--skip-non-stix", str(package)).stdout)
    assert as_json["summary"]["nothing_checked"] is True and as_json["summary"]["exit_code"] == 4


def test_crashes_of_the_adversarial_run_are_findings() -> None:
    # {"type": "bundle"} without objects: SX102, not a KeyError (exit 70)
    bare = run(
        "--format",
        "json",
        "-",
        stdin='{"type": "bundle", "id": "bundle--a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d"}',
    )
    assert bare.exception is None or isinstance(bare.exception, SystemExit)
    assert bare.exit_code == 1
    assert [f["code"] for f in json.loads(bare.stdout)["files"][0]["findings"]] == ["SX102"]
    # a duplicate id whose modified is a list or an object
    objects = [
        {
            "type": "campaign",
            "spec_version": "2.1",
            "id": "campaign--2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d",
            "created": "2023-01-01T00:00:00Z",
            "modified": modified,
            "name": name,
        }
        for modified, name in (
            [["a"], "one"],
            [["a"], "two"],
            [{"b": 1}, "three"],
            [{"b": 1}, "four"],
        )
    ]
    bundle = {"type": "bundle", "id": "bundle--1", "objects": objects}
    result = run("--format", "json", "-", stdin=json.dumps(bundle))
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    codes = [(f["code"], f["json_path"]) for f in json.loads(result.stdout)["files"][0]["findings"]]
    assert ("SX401", "$.objects[1]") in codes and ("SX401", "$.objects[3]") in codes


def test_references_of_the_wrong_type_and_self_references_are_errors() -> None:
    for name, code in [
        ("ref-created-by-campaign", "SX204"),
        ("ref-marking-is-identity", "SX204"),
        ("report-lists-itself", "SX205"),
        ("ref-in-list-of-lists-missing", "SX201"),
    ]:
        result = run(str(DEFECTS / f"{name}.json"))
        assert result.exit_code == 1 and f" {code} " in result.output, (name, result.output)
    # the type comes from the id, so --open (targets in the TIP) still catches it
    assert run("--open", str(DEFECTS / "ref-created-by-campaign.json")).exit_code == 1


def test_limits_on_objects_and_findings_per_file(tmp_path: Path) -> None:
    too_many = run("--max-objects", "12", str(GOOD))
    assert too_many.exit_code == 4
    assert (
        "13 objects exceeds the limit of 12 objects per file (raise it with --max-objects)"
        in too_many.output
    )
    bundle = json.loads(GOOD.read_text(encoding="utf-8"))
    for obj in bundle["objects"][1:]:
        obj["created_by_ref"] = "identity--00000000-0000-4000-8000-00000000dead"
    document = json.loads(
        run("--max-findings", "3", "--format", "json", "-", stdin=json.dumps(bundle)).stdout
    )
    findings = document["files"][0]["findings"]
    assert len(findings) == 4 and findings[-1]["code"] == "SX002"
    assert document["summary"]["exit_code"] == 1


CHILD = """
import resource, subprocess, sys
command = [sys.executable, "-m", "stix_mtac", "validate", "--format", "concise", sys.argv[1]]
done = subprocess.run(command, capture_output=True)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(done.returncode, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)
"""


@pytest.mark.parametrize("shape", ["empty", "one-id"])
def test_two_million_objects_are_refused_in_bounded_cpu_and_memory(
    tmp_path: Path, shape: str
) -> None:
    # was 270 s / 3.1 GB (empty) and 394 s / 4.1 GB (one id). Bounds are CPU seconds (not wall
    # clock, so a loaded machine does not matter) and peak RSS, both with a wide margin
    entry = "{}" if shape == "empty" else '{"type":"x","id":"x--1"}'
    path = tmp_path / "big.json"
    path.write_text(
        '{"type":"bundle","id":"bundle--1","objects":[' + ",".join([entry] * 2_000_000) + "]}"
    )
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, check=True
    )
    code, cpu, rss_kib = out.stdout.split()
    assert int(code) == 4
    assert float(cpu) < 60, cpu  # about 4 to 7 s on the project's machine
    assert int(rss_kib) < 1536 * 1024, rss_kib  # about 320 to 740 MiB


def test_findings_limit_bounds_a_bundle_of_many_bad_objects(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    entry = '{"type":"x","id":"x--1","modified":[1]}'
    path.write_text(
        '{"type":"bundle","id":"bundle--1","objects":[' + ",".join([entry] * 200_000) + "]}"
    )
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, check=True
    )
    code, cpu, rss_kib = out.stdout.split()
    assert int(code) == 1
    assert float(cpu) < 40, cpu  # was over 60 s before the limit stopped the checks early
    assert int(rss_kib) < 1024 * 1024, rss_kib


HOSTILE_ID = "campaign--2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d\n/tmp/evil.json: valid (13 objects)"
HOSTILE_KEY = "x\x1b]0;pwned\x07\u202e"


def hostile_bundle() -> str:
    bundle = json.loads(GOOD.read_text(encoding="utf-8"))
    campaign = next(o for o in bundle["objects"] if o["type"] == "campaign")
    campaign["id"] = HOSTILE_ID
    campaign[HOSTILE_KEY] = 1
    campaign["created_by_ref"] = "identity--\x9b31m"
    return json.dumps(bundle)


@pytest.mark.parametrize("output_format", ["text", "concise", "json", "sarif", "junit"])
def test_control_characters_from_input_never_reach_the_output(output_format: str) -> None:
    result = CliRunner().invoke(
        cli, ["validate", "--format", output_format, "-"], input=hostile_bundle()
    )
    out = result.stdout
    assert result.exit_code == 1
    forbidden = [chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)] if chr(c) != "\n"]
    forbidden += ["\u202e"]
    assert not [c for c in forbidden if c in out], output_format
    assert "/tmp/evil.json: valid" not in [line.strip() for line in out.splitlines()]
    if output_format == "text":
        assert "\\x0a/tmp/evil.json: valid (13 objects)" in out
        assert "x\\x1b]0;pwned\\x07\\u202e" in out
    if output_format in ("json", "sarif"):  # JSON escapes: the key reads back exactly
        document = json.loads(out)
        if output_format == "json":
            paths = [f["json_path"] for f in document["files"][0]["findings"]]
        else:
            paths = [
                r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
                for r in document["runs"][0]["results"]
            ]
        assert any(parse_path(path) == ["objects", 5, HOSTILE_KEY] for path in paths), paths
    if output_format == "junit":
        ET.fromstring(out)  # well-formed XML


def test_json_output_validates_against_its_shipped_schema(tmp_path: Path) -> None:
    schema = json.loads(
        (REPO / "stix_mtac" / "data" / "validate" / "output.schema.json").read_text(
            encoding="utf-8"
        )
    )
    jsonschema.Draft202012Validator.check_schema(schema)
    bad = tmp_path / "bad.json"
    bad.write_text('{"type": "bundle",\n "objects": [1,]}')
    keys = tmp_path / "keys.json"
    keys.write_text('{"keys": []}')
    document = json.loads(
        run(
            "--format",
            "json",
            str(GOOD),
            str(DEFECTS / "confidence-over-100.json"),
            str(bad),
            str(tmp_path),
        ).stdout
    )
    jsonschema.Draft202012Validator(schema).validate(document)
    finding = document["files"][1]["findings"][0]
    assert isinstance(finding["line"], int) and isinstance(finding["column"], int)
    assert document["files"][2]["input_position"] == {"line": 2, "column": 16}
    broken = dict(document, files=[dict(document["files"][1], findings=[dict(finding, line="7")])])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(broken)
