"""STIX versioning at export: an object keeps its created; new content needs a newer modified."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from stix_mtac.build import BUILTIN_REPORT, builtin_facts_path
from stix_mtac.cli import cli

REPO = Path(__file__).resolve().parent.parent
COMMITTED = REPO / "bundles" / f"{BUILTIN_REPORT}.json"
CRI = "identity 'China Radio International (CRI)' (identity--48289197-cd0f-5525-8341-50ea44be3ab8)"


def _edited(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    facts = builtin_facts_path(BUILTIN_REPORT)
    text = facts.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    edited = tmp_path / facts.name
    edited.write_text(text, encoding="utf-8")
    source = facts.with_name(f"{BUILTIN_REPORT}.source.txt")
    shutil.copyfile(source, tmp_path / source.name)
    return edited


def _export(facts: Path, out: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli, ["export", "--facts", str(facts), "--out", str(out), *extra],
        env={"STIX_MTAC_SIGNING_KEY": ""},
    )  # fmt: skip
    return result.exit_code, result.output


def _previous_in(out: Path) -> Path:
    out.mkdir()
    shutil.copyfile(COMMITTED, out / COMMITTED.name)
    return out / COMMITTED.name


CHANGE = ("Chinese state media outfit that,", "Chinese state media outfit which,")


def test_a_content_change_without_a_newer_modified_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    previous = _previous_in(out)
    code, output = _export(_edited(tmp_path, CHANGE), out)
    assert code == 3
    assert output == (
        f"error: {BUILTIN_REPORT}.yaml: {CRI}: description changed but modified stays "
        "2026-12-02T00:00:00.000Z; set `modified:` later than that (report.modified, or the "
        "object's own `modified:`)\n"
    )
    assert previous.read_bytes() == COMMITTED.read_bytes(), "nothing written"


def test_a_newer_modified_on_the_object_lets_the_change_through(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _previous_in(out)
    bump = (
        "  - key: china-radio-international\n",
        '  - key: china-radio-international\n    modified: "2026-12-03T00:00:00.000Z"\n',
    )
    code, output = _export(_edited(tmp_path, CHANGE, bump), out)
    assert code == 0, output


def test_a_changed_created_is_refused_and_says_what_to_set(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _previous_in(out)
    created = (
        "  - key: china-radio-international\n",
        '  - key: china-radio-international\n    created: "2023-09-08T00:00:00.000Z"\n',
    )
    code, output = _export(_edited(tmp_path, created), out)
    assert code == 3
    assert (
        f"{CRI}: created changed from 2023-09-07T00:00:00.000Z to 2023-09-08T00:00:00.000Z; an "
        'object keeps its created: set `created: "2023-09-07T00:00:00.000Z"` on it' in output
    )


def test_previous_names_the_bundle_to_compare_with(tmp_path: Path) -> None:
    code, output = _export(
        _edited(tmp_path, CHANGE), tmp_path / "elsewhere", "--previous", str(COMMITTED)
    )
    assert code == 3 and "description changed but modified stays" in output
    assert not (tmp_path / "elsewhere").exists()
