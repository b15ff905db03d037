"""``stix-mtac export`` signs with a configured key, and what it writes verifies."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner
from test_sign_support import keyring_args

from stix_mtac.build import BUILTIN_REPORT, builtin_facts_path, builtin_reports
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
    verified = runner.invoke(cli, ["verify", *keyring_args(str(out))])
    assert verified.exit_code == 0, verified.output
    # export writes every built-in report, each signed
    assert verified.output == "".join(
        f"verified: {out / f'{key}.json'} (key {paths.kid})\n" for key in builtin_reports()
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
    assert runner.invoke(cli, ["verify", *keyring_args(str(out))]).exit_code == 0


def test_unsigned_export_warns_when_it_outdates_the_signature_beside_the_bundle(
    tmp_path: Path,
) -> None:
    out = tmp_path / "bundles"
    paths = generate_keypair(tmp_path / "private", "release", public_dir=out / "keys")
    runner = CliRunner()
    unsigned = {"STIX_MTAC_SIGNING_KEY": ""}
    signed = runner.invoke(cli, ["export", "--out", str(out), "--key", str(paths.private_key)])
    assert signed.exit_code == 0, signed.output
    same = runner.invoke(cli, ["export", "--out", str(out)], env=unsigned)
    assert same.exit_code == 0 and "UNSIGNED" in same.stdout
    assert same.stderr == ""  # same bytes: the signature beside them still holds
    facts = builtin_facts_path(BUILTIN_REPORT)
    edited = tmp_path / facts.name
    text = facts.read_text(encoding="utf-8")
    assert "one of its semiannual" in text
    # a content change needs a newer modified (STIX versioning; export refuses otherwise)
    text = text.replace(
        'modified: "2026-12-02T00:00:00.000Z"', 'modified: "2026-12-03T00:00:00.000Z"'
    )
    edited.write_text(text.replace("one of its semiannual", "one of its half-yearly"), "utf-8")
    source = facts.with_name(f"{BUILTIN_REPORT}.source.txt")
    shutil.copyfile(source, tmp_path / source.name)
    changed = runner.invoke(
        cli, ["export", "--facts", str(edited), "--out", str(out)], env=unsigned
    )
    assert changed.exit_code == 0, changed.output
    bundle = out / f"{BUILTIN_REPORT}.json"
    assert changed.stderr == (
        f"warning: {bundle}.jws signs the previous content and no longer verifies: "
        "sign again (stix-mtac sign) or remove it\n"
    )
    assert runner.invoke(cli, ["verify", *keyring_args(str(out))]).exit_code == 5


def test_export_with_an_unusable_key_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "bundles"
    paths = generate_keypair(tmp_path / "private", "enc", b"right", public_dir=out / "keys")
    env = {"STIX_MTAC_KEY_PASSPHRASE": "wrong"}
    runner = CliRunner()
    refused = runner.invoke(
        cli, ["export", "--out", str(out), "--key", str(paths.private_key)], env=env
    )
    assert refused.exit_code == 6, refused.output
    assert not (out / f"{BUILTIN_REPORT}.json").exists()


def test_signing_with_a_key_the_keyring_lacks_keeps_the_good_signature(tmp_path: Path) -> None:
    out = tmp_path / "bundles"
    release = generate_keypair(tmp_path / "private", "release", public_dir=out / "keys")
    stranger = generate_keypair(tmp_path / "elsewhere", "stranger")
    runner = CliRunner()
    signed = runner.invoke(cli, ["export", "--out", str(out), "--key", str(release.private_key)])
    assert signed.exit_code == 0, signed.output
    token = out / f"{BUILTIN_REPORT}.json.jws"
    good = token.read_bytes()
    for command in (
        ["export", "--out", str(out), "--key", str(stranger.private_key)],
        ["sign", str(out / f"{BUILTIN_REPORT}.json"), "--key", str(stranger.private_key)],
    ):
        refused = runner.invoke(cli, command)
        assert refused.exit_code == 6, refused.output
        assert f"key {stranger.kid} is not in {out / 'keys' / 'jwks.json'}" in refused.stderr
        assert token.read_bytes() == good
    assert runner.invoke(cli, ["verify", *keyring_args(str(out))]).exit_code == 0


def test_sign_says_when_a_file_will_need_verify_tolerant(tmp_path: Path) -> None:
    out = tmp_path / "bundles"
    paths = generate_keypair(tmp_path / "private", "release", public_dir=out / "keys")
    runner = CliRunner()
    facts = str(builtin_facts_path(BUILTIN_REPORT))
    exported = runner.invoke(
        cli, ["export", "--facts", facts, "--out", str(out)], env={"STIX_MTAC_SIGNING_KEY": ""}
    )
    assert exported.exit_code == 0, exported.output
    bundle = out / f"{BUILTIN_REPORT}.json"
    in_form = runner.invoke(cli, ["sign", str(bundle), "--key", str(paths.private_key)])
    assert in_form.exit_code == 0 and in_form.stderr == ""
    bundle.write_text(json.dumps(json.loads(bundle.read_bytes())), encoding="utf-8")  # one line
    compact = runner.invoke(cli, ["sign", str(bundle), "--key", str(paths.private_key)])
    assert compact.exit_code == 0
    assert "verifies only with `stix-mtac verify --tolerant`" in compact.stderr
    assert runner.invoke(cli, ["verify", *keyring_args(str(out))]).exit_code == 5
    assert runner.invoke(cli, ["verify", *keyring_args("--tolerant", str(out))]).exit_code == 0
