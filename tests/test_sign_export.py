"""``stix-mtac export`` signs with a configured key, and what it writes verifies."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from stix_mtac.cli import cli
from stix_mtac.signing import generate_keypair


def test_export_with_key_writes_a_bundle_that_verifies_and_signs_deterministically(
    tmp_path: Path,
) -> None:
    out = tmp_path / "bundles"
    paths = generate_keypair(tmp_path / "private", "release", public_dir=out / "keys")
    runner = CliRunner()
    first = runner.invoke(cli, ["export", "--out", str(out), "--key", str(paths.private_key)])
    assert first.exit_code == 0, first.output
    assert f"signed: {out / 'mtac-east-asia-2023-09-07.json.jws'}" in first.output
    token = (out / "mtac-east-asia-2023-09-07.json.jws").read_bytes()
    verified = runner.invoke(cli, ["verify", str(out)])
    assert verified.exit_code == 0, verified.output
    assert verified.output == (
        f"verified: {out / 'mtac-east-asia-2023-09-07.json'} (key {paths.kid})\n"
    )
    again = runner.invoke(
        cli, ["export", "--out", str(out)], env={"STIX_MTAC_SIGNING_KEY": str(paths.private_key)}
    )
    assert again.exit_code == 0, again.output
    assert (out / "mtac-east-asia-2023-09-07.json.jws").read_bytes() == token


def test_export_with_an_encrypted_key_takes_the_passphrase_from_the_environment(
    tmp_path: Path,
) -> None:
    out = tmp_path / "bundles"
    paths = generate_keypair(tmp_path, "enc", b"pass phrase", public_dir=out / "keys")
    runner = CliRunner()
    env = {"STIX_MTAC_SIGNING_KEY": str(paths.private_key)}
    refused = runner.invoke(cli, ["export", "--out", str(out)], env=env)
    assert refused.exit_code == 6
    assert "encrypted" in refused.stderr
    env["STIX_MTAC_KEY_PASSPHRASE"] = "pass phrase"
    signed = runner.invoke(cli, ["export", "--out", str(out)], env=env)
    assert signed.exit_code == 0, signed.output
    assert runner.invoke(cli, ["verify", str(out)]).exit_code == 0
