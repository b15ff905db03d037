"""The README's promises: two commands first, and CI runs the one it gives for the tests."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _code_blocks(text: str) -> list[str]:
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL)]


def test_readme_opens_with_exactly_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    head = readme.split("\n## ", 1)[0]
    blocks = _code_blocks(head)
    assert len(blocks) == 2
    install_and_run, test = blocks
    assert "\n" not in install_and_run and "\n" not in test
    assert "pip install ." in install_and_run and install_and_run.endswith("stix-mtac export")
    assert test == "./scripts/test.sh"


def test_ci_runs_the_readme_commands_exactly() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for command in _code_blocks(readme.split("\n## ", 1)[0]):
        assert command in ci, f".ci/run must run the README's command as written: {command}"
    assert (REPO / "scripts" / "test.sh").stat().st_mode & 0o111, "./scripts/test.sh runs"
    script = (REPO / "scripts" / "test.sh").read_text(encoding="utf-8")
    assert "pip install" in script and "pytest" in script
