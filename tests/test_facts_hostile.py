"""Facts files and source texts get the same care as bundles: devices, FIFOs, directories,
huge files and YAML tags beyond JSON's types are one line and exit 3, never a hang, a crash
(exit 70) or a read of the whole file. Each case reproduces a failure of the adversarial run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from stix_mtac.build import BUILTIN_REPORT, builtin_facts_path

FACTS_EXIT = 3
SOURCE_NAME = "mtac-east-asia-2023-09-07.source.txt"


def export(facts: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """The CLI in a subprocess; the timeout only stops a hang (a generous margin)."""
    return subprocess.run(
        [sys.executable, "-m", "stix_mtac", "export", "--facts", str(facts), "-o", "out"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "STIX_MTAC_DEBUG": ""},
    )


def assert_one_facts_error(run: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert run.returncode == FACTS_EXIT, run.stderr
    (line,) = run.stderr.splitlines()
    assert line.startswith("error: ")
    assert fragment in line
    assert run.stdout == ""


def copy_facts(tmp_path: Path) -> Path:
    """The built-in facts file in ``tmp_path``, its source text not yet beside it."""
    facts = tmp_path / "facts.yaml"
    shutil.copyfile(builtin_facts_path(BUILTIN_REPORT), facts)
    return facts


def test_dev_zero_as_a_facts_file(tmp_path: Path) -> None:
    assert_one_facts_error(export(Path("/dev/zero"), tmp_path), "not a regular file")


def test_a_fifo_as_a_facts_file_is_refused_without_hanging(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "facts.yaml")
    assert_one_facts_error(export(tmp_path / "facts.yaml", tmp_path), "is a pipe (FIFO)")


def test_a_directory_as_a_facts_file_is_a_facts_error_not_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "facts.yaml").mkdir()
    assert_one_facts_error(export(tmp_path / "facts.yaml", tmp_path), "is a directory")


def test_dev_zero_as_the_source_text(tmp_path: Path) -> None:
    facts = copy_facts(tmp_path)
    (tmp_path / SOURCE_NAME).symlink_to("/dev/zero")
    assert_one_facts_error(export(facts, tmp_path), "not a regular file")


def test_a_fifo_as_the_source_text_is_refused_without_hanging(tmp_path: Path) -> None:
    facts = copy_facts(tmp_path)
    os.mkfifo(tmp_path / SOURCE_NAME)
    assert_one_facts_error(export(facts, tmp_path), "is a pipe (FIFO)")


def test_a_600_mb_source_text_is_refused_by_its_size_unread(tmp_path: Path) -> None:
    facts = copy_facts(tmp_path)
    with (tmp_path / SOURCE_NAME).open("wb") as stream:
        stream.truncate(600 * 1024 * 1024)  # sparse: takes no disk, reads as zeros
    assert_one_facts_error(export(facts, tmp_path), "629145600 bytes exceeds the size limit")


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("!!binary aGVsbG8=", "!!binary"),
        ("!!set {a, b}", "!!set"),
        ("!!omap [a: 1]", "!!omap"),
        ("!!timestamp 2023-09-07", "!!timestamp"),
        ("!!python/object/apply:os.system [id]", "!!python/object/apply:os.system"),
        ("!local x", "!local"),
    ],
)
def test_yaml_tags_beyond_json_types_are_refused_at_their_line(
    tmp_path: Path, value: str, tag: str
) -> None:
    facts = copy_facts(tmp_path)
    shutil.copyfile(
        builtin_facts_path(BUILTIN_REPORT).with_name(SOURCE_NAME), tmp_path / SOURCE_NAME
    )
    lines = facts.read_text(encoding="utf-8").splitlines()
    (index,) = [n for n, line in enumerate(lines) if line.startswith("  source_text:")]
    lines.insert(index + 1, f"  extra: {value}")
    facts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = export(facts, tmp_path)
    assert_one_facts_error(run, f"facts.yaml:{index + 2}: report.extra: YAML tag {tag} is not")
