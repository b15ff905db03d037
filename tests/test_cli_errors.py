"""Failures outside any one command: a full disk under stdout (Linux /dev/full), the debug
switch."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from stix_mtac.cli import _debugging

BUNDLE = Path(__file__).parent.parent / "bundles" / "mtac-east-asia-2023-09-07.json"


def _run_into_full_disk(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    with open("/dev/full", "w") as full:
        return subprocess.run(
            [sys.executable, "-m", "stix_mtac", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=300,  # a hang guard, with headroom for a loaded machine
            env={**os.environ, **(env or {})},
        )


@pytest.mark.parametrize(
    "args", [("show", str(BUNDLE)), ("validate", str(BUNDLE)), ("export", "-o", "-")]
)
def test_a_full_disk_under_stdout_is_exit_10_in_one_line(args: tuple[str, ...]) -> None:
    result = _run_into_full_disk(*args)
    assert result.returncode == 10, result.stderr
    assert result.stderr.splitlines()[-1] == (
        "error: cannot write the output: No space left on device"
    )
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("value", "on"),
    [("0", False), ("false", False), ("No", False), ("", False), ("1", True), ("yes", True)],
)
def test_debug_switch_reads_off_values_as_off(
    monkeypatch: pytest.MonkeyPatch, value: str, on: bool
) -> None:
    monkeypatch.setenv("STIX_MTAC_DEBUG", value)
    assert _debugging() is on
