"""`stix-mtac export`, `reports`, `facts`, help texts and atomic writes, as a user runs them."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from stix_mtac import fileio
from stix_mtac.build import builtin_reports
from stix_mtac.cli import COMMANDS, cli
from stix_mtac.errors import OutputError

REPO = Path(__file__).resolve().parent.parent
COMMITTED = REPO / "bundles" / "mtac-east-asia-2023-09-07.json"
EXAMPLE = Path(__file__).parent / "facts_examples" / "example-iran-style.yaml"


def test_export_without_arguments_writes_the_builtin_bundle_into_bundles(tmp_path: Path) -> None:
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=tmp_path):
        result = runner.invoke(cli, ["export"], env={"STIX_MTAC_SIGNING_KEY": ""})
        assert result.exit_code == 0, result.output
        written = Path("bundles/mtac-east-asia-2023-09-07.json").read_bytes()
        assert written == COMMITTED.read_bytes()
        # every built-in report, one bundle each, each equal to its committed copy
        expected = sorted(f"{key}.json" for key in builtin_reports())
        assert sorted(os.listdir("bundles")) == expected
        for name in expected:
            assert Path("bundles", name).read_bytes() == (COMMITTED.parent / name).read_bytes()
    lines = result.output.splitlines()
    assert len(lines) == len(builtin_reports())
    summary = next(line for line in lines if "mtac-east-asia-2023-09-07.json" in line)
    assert summary.startswith("exported 68 objects (28 relationship, 9 note, 8 identity")
    assert "29/29 facts covered" in summary
    assert "bundles/mtac-east-asia-2023-09-07.json" in summary
    assert "UNSIGNED" in summary, "an unsigned export must say so plainly"


def test_export_to_stdout_writes_only_the_bundle_there(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "--out", "-"])
    assert result.exit_code == 0
    assert result.stdout_bytes == COMMITTED.read_bytes()
    assert "to standard output" in result.stderr


def test_export_of_another_facts_file_into_another_directory(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["export", "--facts", str(EXAMPLE), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    bundle = json.loads((tmp_path / "out" / "example-influence-2024-01-15.json").read_text())
    assert bundle["type"] == "bundle" and len(bundle["objects"]) == 9


def test_export_into_an_unwritable_place_exits_10(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = CliRunner().invoke(cli, ["export", "--out", str(blocker / "sub")])
    assert result.exit_code == 10, result.output
    assert result.output.startswith("error: ") and "Traceback" not in result.output


def test_reports_lists_the_builtin_report() -> None:
    result = CliRunner().invoke(cli, ["reports"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert [line.split("  ")[0] for line in lines] == list(builtin_reports())
    assert (
        "mtac-east-asia-2023-09-07  2023-09-07  China, North Korea pursue new targets while "
        "honing cyber capabilities"
    ) in lines


def test_facts_prints_each_fact_with_its_objects() -> None:
    result = CliRunner().invoke(cli, ["facts"])
    assert result.exit_code == 0
    blocks = re.split(r"\n(?=\S)", result.output.strip())
    headers = [block.split(" ", 1)[0] for block in blocks]
    expected = [
        "S00",
        "S01",
        "S02",
        "S03",
        "S04",
        "S04a",
        "S04b",
        "S05",
        "S06",
        "S06a",
        "S06b",
        "S06c",
    ]
    assert headers[:12] == expected
    storm = next(block for block in blocks if block.startswith("S09 "))
    assert "intrusion-set Storm-0558  intrusion-set--" in storm
    for block in blocks:
        assert "\n    " in block, f"fact without objects: {block}"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and re.fullmatch(r"stix-mtac, version \S+\n", result.output)


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for command in COMMANDS:
        assert f"stix-mtac {command}" in readme, command


def test_atomic_write_leaves_the_old_file_when_interrupted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "bundle.json"
    target.write_bytes(b"old")

    def interrupted(source: str, destination: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(fileio.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        fileio.write_atomic(target, b"new content")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["bundle.json"], "no temporary file is left behind"


def test_atomic_write_reports_a_full_disk_as_an_output_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileio.os, "fsync", full)
    with pytest.raises(OutputError, match="No space left on device"):
        fileio.write_atomic(tmp_path / "bundle.json", b"data")
    assert os.listdir(tmp_path) == []


def test_atomic_write_sets_the_requested_mode(tmp_path: Path) -> None:
    fileio.write_atomic(tmp_path / "secret", b"x", mode=0o600)
    assert (tmp_path / "secret").stat().st_mode & 0o777 == 0o600


def test_atomic_write_refuses_to_replace_a_pipe_or_directory(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "dir").mkdir()
    for name in ("pipe", "dir"):
        with pytest.raises(OutputError, match="not a regular file; refusing to replace it"):
            fileio.write_atomic(tmp_path / name, b"data")
    assert sorted(os.listdir(tmp_path)) == ["dir", "pipe"]
    assert (tmp_path / "pipe").is_fifo()


def test_atomic_write_refuses_a_symbolic_link_and_leaves_its_target_alone(tmp_path: Path) -> None:
    (tmp_path / "real.json").write_bytes(b"old")
    (tmp_path / "link.json").symlink_to("real.json")
    (tmp_path / "dangling.json").symlink_to("nowhere.json")
    for name in ("link.json", "dangling.json"):
        with pytest.raises(OutputError, match="is a symbolic link; refusing to write through"):
            fileio.write_atomic(tmp_path / name, b"new")
    assert (tmp_path / "real.json").read_bytes() == b"old"
    assert not (tmp_path / "nowhere.json").exists()
    assert sorted(os.listdir(tmp_path)) == ["dangling.json", "link.json", "real.json"]


def test_readme_fact_table_is_current() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("<!-- fact-table:start")
    start = readme.index("\n", start) + 1
    end = readme.index("<!-- fact-table:end -->")
    result = CliRunner().invoke(cli, ["facts", "--format", "markdown"])
    assert result.exit_code == 0
    assert readme[start:end] == result.output, "regenerate with `stix-mtac facts --format markdown`"
