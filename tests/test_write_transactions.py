"""Every write is a transaction: a signed export replaces the bundle, its signature and the
manifest together or not at all, whatever interrupts it (an error, Ctrl-C, a kill between two
renames), and leaves no temporary file behind on any exit path Python sees.

The pairs are checked with the real verifier against the key that signed them; "old" and
"new" are two different bundles, so a bundle beside the other one's signature cannot pass.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_publish_support import generated_bundle

from stix_mtac import fileio
from stix_mtac.canonical import pretty_bytes
from stix_mtac.cli import cli
from stix_mtac.errors import OutputError
from stix_mtac.signing import generate_keypair, verify_bundle_file
from stix_mtac.signing.bundles import signature_files, signature_path

TESTS = Path(__file__).resolve().parent


def leftovers(directory: Path) -> list[str]:
    """Staged files and journals: what an unfinished transaction leaves."""
    return sorted(
        name
        for name in os.listdir(directory)
        if name.startswith(fileio.STAGED_PREFIX) or name == fileio.JOURNAL_NAME
    )


class Layout:
    """A directory with a key, its keyring, and ``bundle.json`` signed (the old version)."""

    def __init__(self, root: Path) -> None:
        self.out = root / "out"
        self.pair = generate_keypair(root / "private", "release", public_dir=self.out / "keys")
        self.keyring = self.out / "keys" / "jwks.json"
        self.path = self.out / "bundle.json"
        self.old = pretty_bytes(generated_bundle(6))
        changed = generated_bundle(6)
        changed["objects"][1]["name"] = "Storm-X renamed"
        changed["objects"][1]["modified"] = "2024-01-01T00:00:00.000Z"
        self.new = pretty_bytes(changed)
        self.export(self.old)

    def files(self, data: bytes) -> dict[Path, bytes]:
        return {self.path: data, **signature_files(self.path, data, self.pair.private_key)}

    def export(self, data: bytes) -> None:
        """What ``export --signing-key`` does for one bundle."""
        fileio.replace_together(self.files(data))

    def verified_bytes(self) -> bytes:
        verify_bundle_file(self.path, self.keyring)  # raises unless the pair verifies
        return self.path.read_bytes()


def failing_rename(monkeypatch: pytest.MonkeyPatch, after: int, error: BaseException) -> None:
    """``os.replace`` in fileio works ``after`` times, then raises ``error`` once."""
    real = os.replace
    calls = {"n": 0}

    def replace(source: Any, target: Any) -> None:
        calls["n"] += 1
        if calls["n"] == after + 1:
            raise error
        real(source, target)

    monkeypatch.setattr(fileio.os, "replace", replace)


@pytest.mark.parametrize("after", [0, 1, 2, 3])
@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_failure_between_the_renames_leaves_a_pair_that_verifies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, after: int, error: BaseException
) -> None:
    """Renames: the journal (the commit point), then bundle, signature, manifest. A failure at
    the journal leaves the old pair; one after it is finished on the way out."""
    layout = Layout(tmp_path)
    files = layout.files(layout.new)
    failing_rename(monkeypatch, after, error)
    with pytest.raises((OutputError, KeyboardInterrupt)):
        fileio.replace_together(files)
    monkeypatch.undo()
    expected = layout.old if after == 0 else layout.new
    assert layout.verified_bytes() == expected
    assert leftovers(layout.out) == []


def test_an_exception_while_staging_removes_every_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    layout = Layout(tmp_path)
    files = layout.files(layout.new)
    real = os.fsync
    calls = {"n": 0}

    def fsync(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] == 2:  # the second staged file, half-way
            raise KeyboardInterrupt
        real(fd)

    monkeypatch.setattr(fileio.os, "fsync", fsync)
    with pytest.raises(KeyboardInterrupt):
        fileio.replace_together(files)
    monkeypatch.undo()
    assert leftovers(layout.out) == []
    assert layout.verified_bytes() == layout.old


_KILLER = """
import os, sys
from pathlib import Path
from stix_mtac import fileio
from stix_mtac.signing.bundles import signature_files
real = os.replace
calls = [0]
def replace(source, target):
    calls[0] += 1
    if calls[0] == int(sys.argv[3]) + 1:
        os._exit(137)  # as abrupt as SIGKILL: no handler, no finally
    real(source, target)
fileio.os.replace = replace
path = Path(sys.argv[1])
data = Path(sys.argv[4]).read_bytes()
fileio.replace_together({path: data, **signature_files(path, data, Path(sys.argv[2]))})
"""


@pytest.mark.parametrize("after", [0, 1, 2, 3])
def test_a_kill_between_the_renames_leaves_a_pair_that_verifies(tmp_path: Path, after: int) -> None:
    layout = Layout(tmp_path)
    new_file = tmp_path / "new.json"
    new_file.write_bytes(layout.new)
    killed = subprocess.run(
        [
            sys.executable, "-c", textwrap.dedent(_KILLER), str(layout.path),
            str(layout.pair.private_key), str(after), str(new_file),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert killed.returncode == 137, killed.stderr
    # The next reader finishes what the killed run committed (or drops what it did not).
    verified = CliRunner().invoke(
        cli, ["verify", "--keyring", str(layout.keyring), str(layout.path)]
    )
    assert verified.exit_code == 0, verified.output
    assert layout.path.read_bytes() == (layout.old if after == 0 else layout.new)
    # Staged files that no journal names (killed before the commit point) go with the next
    # transaction in that directory.
    layout.export(layout.new)
    assert leftovers(layout.out) == []
    assert layout.verified_bytes() == layout.new


def builtin_export(out: Path, key: Path) -> list[str]:
    return ["export", "-o", str(out), "--signing-key", str(key)]


@pytest.mark.parametrize(
    "damage",
    [b"{not json", b'{"format": "other/1", "bundles": {}}', b'{"format": "stix-mtac-manifest/1"}'],
)
def test_a_damaged_manifest_stops_export_before_anything_is_written(
    tmp_path: Path, damage: bytes
) -> None:
    out = tmp_path / "bundles"
    pair = generate_keypair(tmp_path / "private", "release", public_dir=out / "keys")
    runner = CliRunner()
    assert runner.invoke(cli, builtin_export(out, pair.private_key)).exit_code == 0
    (out / "manifest.json").write_bytes(damage)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    result = runner.invoke(cli, builtin_export(out, pair.private_key))
    assert result.exit_code == 4, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "manifest.json" in errors[0] and "nothing was written" in errors[0]
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert leftovers(out) == []


def test_a_damaged_manifest_stops_sign_before_anything_is_written(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    (layout.out / "manifest.json").write_bytes(b"[1, 2")
    old_signature = signature_path(layout.path).read_bytes()
    result = CliRunner().invoke(
        cli, ["sign", str(layout.path), "--signing-key", str(layout.pair.private_key)]
    )
    assert result.exit_code == 4, result.output
    assert signature_path(layout.path).read_bytes() == old_signature
    assert leftovers(layout.out) == []


def test_an_export_interrupted_mid_write_leaves_no_hidden_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "bundles"
    pair = generate_keypair(tmp_path / "private", "release", public_dir=out / "keys")
    real = os.fsync
    calls = {"n": 0}

    def fsync(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # Ctrl-C while the signature is being staged
        real(fd)

    monkeypatch.setattr(fileio.os, "fsync", fsync)
    result = CliRunner().invoke(cli, builtin_export(out, pair.private_key))
    monkeypatch.undo()
    assert result.exit_code == 130, result.output
    assert [line for line in result.stderr.splitlines()] == ["error: interrupted"]
    assert sorted(p.name for p in out.iterdir()) == ["keys"]  # nothing half-written, no temp
