"""Hostile inputs through the real CLI in a subprocess: each exits with its documented code,
in bounded time and memory, with one located line on stderr and no traceback.

The peak RSS is measured in a small wrapper process with ``getrusage(RUSAGE_CHILDREN)``, so it
is the validator's own peak, not pytest's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

# Bounds on work, not on wall-clock time: CPU seconds the validator process used (a loaded
# machine stretches wall time, not CPU time). The wall-clock timeouts below only stop a hang
# and are a generous margin, stated as such.
CPU_LIMIT_S = 10.0
HANG_GUARD_S = 600.0
MEMORY_LIMIT_MIB = 400  # documented in the README (hostile input)
EXIT_UNREADABLE = 4
EXIT_ERRORS = 1

_WRAPPER = textwrap.dedent(
    """
    import json, resource, subprocess, sys
    done = subprocess.run(
        [sys.executable, "-m", "stix_mtac", "validate", *sys.argv[1:]],
        capture_output=True, timeout=%r,
    )
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({
        "rc": done.returncode,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "maxrss_kib": usage.ru_maxrss,
        "stdout": done.stdout.decode("utf-8", "replace"),
        "stderr": done.stderr.decode("utf-8", "replace"),
    }))
    """
) % (HANG_GUARD_S,)


def measure(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *args],
        capture_output=True,
        timeout=HANG_GUARD_S + 60,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    assert result["cpu_seconds"] < CPU_LIMIT_S, result["cpu_seconds"]
    assert result["maxrss_kib"] < MEMORY_LIMIT_MIB * 1024, result["maxrss_kib"]
    assert "Traceback" not in result["stderr"] + result["stdout"]
    return result


BUNDLE_HEAD = b'{"type": "bundle", "id": "bundle--a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d", '

CASES: dict[str, tuple[bytes, tuple[str, ...], str]] = {
    "not-json": (b"hello, world\n", (), "line 1 column 1: not valid JSON"),
    "truncated": (BUNDLE_HEAD + b'"objects": [{"type": "ident', (), "not valid JSON"),
    "utf8-bom": (b"\xef\xbb\xbf" + BUNDLE_HEAD + b'"objects": []}', (), "byte-order mark"),
    "invalid-utf8": (BUNDLE_HEAD + b'"objects": ["\xff"]}', (), "invalid UTF-8 byte 0xff"),
    "top-level-array": (b"[]", (), "top level is an array"),
    "top-level-string": (b'"bundle"', (), "top level is a string"),
    "top-level-number": (b"42", (), "top level is a number"),
    "nan": (BUNDLE_HEAD + b'"objects": [], "x": NaN}', (), "NaN is not valid JSON"),
    "infinity": (BUNDLE_HEAD + b'"objects": [-Infinity]}', (), "-Infinity is not valid JSON"),
    "duplicate-keys": (
        b'{"type": "bundle", "type": "bundle", "objects": []}',
        (),
        "duplicate key 'type'",
    ),
    "deep-nesting": (b"[" * 200_000 + b"]" * 200_000, (), "nesting deeper than 64 levels"),
    "deep-nesting-limit": (b"[" * 9 + b"]" * 9, ("--max-depth", "8"), "deeper than 8 levels"),
    "long-string": (
        BUNDLE_HEAD + b'"objects": ["' + b"a" * 5000 + b'"]}',
        ("--max-string", "4096"),
        "$.objects[0]: string of 5000 characters exceeds the limit of 4096",
    ),
    "huge-string-default-limit": (
        BUNDLE_HEAD + b'"x": "' + b"a" * (5 * 1024 * 1024) + b'"}',
        (),
        "exceeds the limit of 4194304",
    ),
    "file-too-large": (
        BUNDLE_HEAD + b'"objects": []}' + b" " * 5000,
        ("--max-bytes", "4096"),
        "exceeds the size limit of 4096",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_file_exits_4_with_a_located_message(case: str, tmp_path: Path) -> None:
    data, options, message = CASES[case]
    path = tmp_path / f"{case}.json"
    path.write_bytes(data)
    result = measure("--no-conformance", *options, str(path))
    assert result["rc"] == EXIT_UNREADABLE, result
    assert f"{path}: unreadable" in result["stdout"]
    assert message in result["stdout"]
    assert str(path) in result["stdout"].splitlines()[1]  # the message names the file


def test_hostile_file_does_not_stop_the_good_one(tmp_path: Path) -> None:
    hostile = tmp_path / "a-deep.json"
    hostile.write_bytes(b"{" * 100_000)
    good = Path(__file__).parent / "corpus" / "good" / "full.json"
    result = measure("--no-conformance", str(hostile), str(good))
    assert result["rc"] == EXIT_UNREADABLE
    assert f"{good}: valid (13 objects)" in result["stdout"]


def _pattern_bundle(pattern: str) -> bytes:
    bundle = json.loads((Path(__file__).parent / "corpus" / "good" / "full.json").read_text())
    indicator = dict(bundle["objects"][5])  # a threat-actor's common properties
    indicator.update(
        type="indicator",
        id="indicator--0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9",
        pattern=pattern,
        pattern_type="stix",
        valid_from="2023-09-07T00:00:00Z",
    )
    for key in ("name", "threat_actor_types", "confidence"):
        indicator.pop(key, None)
    bundle["objects"].append(indicator)
    return json.dumps(bundle).encode()


@pytest.mark.parametrize("engine", ["fast", "reference"])
def test_recursive_stix_pattern_is_an_error_finding_not_a_crash(
    tmp_path: Path, engine: str
) -> None:
    path = tmp_path / "pattern.json"
    depth = 20_000
    path.write_bytes(_pattern_bundle("(" * depth + "[file:name = 'a']" + ")" * depth))
    result = measure("--engine", engine, str(path))
    assert result["rc"] == EXIT_ERRORS, result
    assert " C121 " in result["stdout"]  # conformance's pattern-too-deep guard, as an error


def test_device_is_refused_without_reading_it() -> None:
    result = measure("--no-conformance", "/dev/zero")
    assert result["rc"] == EXIT_UNREADABLE
    assert "/dev/zero: not a regular file" in result["stdout"]


def test_endless_pipe_is_read_only_up_to_the_limit(tmp_path: Path) -> None:
    fifo = tmp_path / "endless.json"
    os.mkfifo(fifo)
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import sys\nwith open({str(fifo)!r}, 'wb') as f:\n"
            "    try:\n        while True: f.write(b'[' * 65536)\n    except BrokenPipeError: pass",
        ],
    )
    try:
        result = measure("--no-conformance", "--max-bytes", "1000000", str(fifo))
    finally:
        writer.kill()
        writer.wait()
    assert result["rc"] == EXIT_UNREADABLE
    assert "more than 1000000 bytes exceeds the size limit" in result["stdout"]
