"""The README's examples, run as written: the signing walk-through in a fresh clone, the local
medallion session, and the library API a connector would use."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from test_publish_support import COLLECTION, PASSWORD, USER, taxii_server

from stix_mtac.signing import generate_keypair

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def example(name: str, language: str = "sh") -> str:
    match = re.search(rf"<!-- example:{name} -->\n```{language}\n(.*?)```", README, re.DOTALL)
    assert match, f"README has no {name} example"
    return match.group(1)


def fresh_clone(tmp_path: Path) -> Path:
    """The files a fresh clone has that the examples use: bundles/ and docs/medallion/."""
    clone = tmp_path / "clone"
    shutil.copytree(REPO / "bundles", clone / "bundles")
    shutil.copytree(REPO / "docs" / "medallion", clone / "docs" / "medallion")
    return clone


def shell(script: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "HOME": str(home),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env.pop("STIX_MTAC_SIGNING_KEY", None)
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_signing_example_works_in_a_fresh_clone(tmp_path: Path) -> None:
    clone = fresh_clone(tmp_path)
    done = shell(example("signing"), clone, tmp_path / "home")
    assert done.returncode == 0, done.stdout + done.stderr
    key = tmp_path / "home" / ".config" / "stix-mtac" / "mine.private.pem"
    assert key.stat().st_mode & 0o777 == 0o600
    assert (clone / "build" / "mtac-east-asia-2023-09-07.json").read_bytes() == (
        REPO / "bundles" / "mtac-east-asia-2023-09-07.json"
    ).read_bytes()
    verified = [line for line in done.stdout.splitlines() if line.startswith("verified: ")]
    keys = sorted(path.stem for path in (REPO / "stix_mtac" / "data" / "reports").glob("*.yaml"))
    assert [line.split(" (key")[0] for line in verified] == [
        *(f"verified: build/{key}.json" for key in keys),  # export writes every built-in report
        "verified: copy.json",
        *(f"verified: bundles/{key}.json" for key in keys),
    ]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


_WAIT_FOR_PORT = (
    "python3 -c 'import socket, sys, time\n"
    "for _ in range(400):\n"
    '    try: socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close(); break\n'
    "    except OSError: time.sleep(0.05)' {port}\n"
)


@pytest.mark.network
def test_the_local_medallion_example(tmp_path: Path) -> None:
    clone = fresh_clone(tmp_path)
    port = _free_port()
    data = clone / "docs" / "medallion" / "data.json"
    data.write_text(data.read_text(encoding="utf-8").replace(":5000/", f":{port}/"))
    lines = example("medallion").replace("--port 5000", f"--port {port}")
    lines = lines.replace("127.0.0.1:5000", f"127.0.0.1:{port}")
    assert lines.startswith("python3 -m pip install")
    script = lines.split("\n", 1)[1]  # the [test] extra installed medallion already
    script = script.replace(" &\n", " &\n" + _WAIT_FOR_PORT.format(port=port), 1)
    done = shell("trap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n" + script, clone, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "68 objects in 1 envelope: 68 added, 0 already present, 0 failed" in done.stdout
    assert "pulled 68 objects in 1 page" in done.stdout
    assert "verified: bundles/mtac-east-asia-2023-09-07.json (key " in done.stdout
    assert (clone / "pulled.json").is_file()


@pytest.mark.network
def test_the_library_example_a_connector_would_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    keys = generate_keypair(tmp_path / "private", "connector", public_dir=tmp_path / "out" / "keys")
    printed: list[str] = []
    with taxii_server(tmp_path) as server:
        namespace = {
            "KEY": keys.private_key,
            "TAXII_URL": server.discovery,
            "COLLECTION": COLLECTION,
            "USER": USER,
            "PASSWORD": PASSWORD,
            "print": printed.append,
        }
        exec(compile(example("library", "python"), "README.md", "exec"), namespace)
        stored = server.objects()
    assert printed == [
        f"signed by {keys.kid}: 68 objects in 1 envelope: 68 added, 0 already present, "
        "0 failed, 0 pending"
    ]
    assert len(stored) == 68


def test_the_reading_drawing_and_comparing_example(tmp_path: Path) -> None:
    clone = fresh_clone(tmp_path)
    shutil.copy(clone / "bundles" / "mtac-east-asia-2023-09-07.json", clone / "old.json")
    done = shell(example("views"), clone, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    for name in (
        "graph.html",
        "graph.graphml",
        "mtac-east-asia-2023-09-07.enterprise-attack.layer.json",
        "mtac-east-asia-2023-09-07.DISARM.layer.json",
    ):
        assert (clone / name).stat().st_size > 0, name
    assert done.stdout.endswith("no differences\n")


def _my_report(tmp_path: Path, key: str) -> Path:
    """A user's own report: a built-in facts file and its text renamed to my-report.*."""
    work = tmp_path / "work"
    work.mkdir()
    reports = REPO / "stix_mtac" / "data" / "reports"
    shutil.copy(reports / f"{key}.source.txt", work / "my-report.source.txt")
    facts = (reports / f"{key}.yaml").read_text(encoding="utf-8")
    facts, renamed = re.subn(
        r"^  source_text: .*$", "  source_text: my-report.source.txt", facts, flags=re.M
    )
    assert renamed == 1
    (work / "my-report.yaml").write_text(facts, encoding="utf-8")
    return work


def test_the_adding_a_report_example(tmp_path: Path) -> None:
    work = _my_report(tmp_path, "cisa-mar-10325064-1")
    done = shell(example("adding-a-report"), work, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "exported 34 objects" in done.stdout and "9/9 facts covered" in done.stdout
    # the same facts under another file name give the committed bundle, byte for byte
    assert (work / "bundles" / "cisa-mar-10325064-1.json").read_bytes() == (
        REPO / "bundles" / "cisa-mar-10325064-1.json"
    ).read_bytes()


def test_the_adding_a_report_error_example(tmp_path: Path) -> None:
    work = _my_report(tmp_path, "mtac-east-asia-2023-09-07")
    facts = (work / "my-report.yaml").read_text(encoding="utf-8")
    facts = facts.replace('published: "2023-09-07"', 'published: "2023-13-01"', 1)
    storm = "{source: intrusion-set/storm-0558, type: "
    facts = facts.replace(
        storm + "originates-from, target: location/china",
        storm + "located-at, target: location/china",
        1,
    )
    (work / "my-report.yaml").write_text(facts, encoding="utf-8")
    lines = facts.splitlines()
    # where the two broken keys are, found by reading the file
    published = next(n for n, line in enumerate(lines, 1) if "published: " in line)
    located = next(n for n, line in enumerate(lines, 1) if storm + "located-at" in line)
    expected = example("adding-a-report-errors", "text").splitlines()
    expected = [
        re.sub(r"^error: my-report\.yaml:\d+:", f"error: my-report.yaml:{number}:", line)
        for line, number in zip(expected, (published, located), strict=True)
    ]
    done = shell("stix-mtac facts --facts my-report.yaml", work, tmp_path)
    assert done.returncode == 3
    assert done.stderr.splitlines() == expected
