"""Trust is pinned, not found: verify trusts only a keyring the user chose (--keyring,
$STIX_MTAC_KEYRING, the trust store filled by `stix-mtac trust import`), never the one that
merely lies beside a bundle; weak keys are refused; every header field is type-checked;
signature and key files are read bounded; no output is written through a planted link."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from test_sign_support import GOLDEN, REPO, beside, fixed_key, signed_layout, write_private_key

from stix_mtac.canonical import canonical_bytes, pretty_bytes
from stix_mtac.cli import cli
from stix_mtac.signing import generate_keypair, sign_bundle_file
from stix_mtac.signing.keys import public_jwk, thumbprint

SIGNATURE_EXIT, KEY_EXIT, USAGE_EXIT, OUTPUT_EXIT = 5, 6, 2, 10
RELEASE_KEYRING = REPO / "bundles" / "keys" / "jwks.json"


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(directory: Path) -> Path:
    """An attacker's layout: their bundle, signed by their key, their keyring beside it."""
    paths = generate_keypair(directory / "attacker", "evil", public_dir=directory / "keys")
    bundle = directory / "mtac-east-asia-2023-09-07.json"
    real = json.loads((REPO / "bundles" / bundle.name).read_bytes())
    real["objects"][0]["name"] = "Forged Producer"
    bundle.write_bytes(pretty_bytes(real))
    sign_bundle_file(bundle, paths.private_key)
    return bundle


# --- the rule -------------------------------------------------------------------------------


def test_a_keyring_beside_the_bundle_is_never_trusted_by_itself(tmp_path: Path) -> None:
    bundle = forge(tmp_path)
    run = invoke("verify", str(tmp_path))
    assert run.exit_code == KEY_EXIT
    assert run.stdout == ""
    (line,) = run.stderr.splitlines()
    assert line.startswith("error: no trusted keys: pass --keyring FILE")
    assert "stix-mtac trust import bundles/keys/jwks.json" in line
    assert "verified" not in run.output
    assert bundle.exists()


def test_a_forged_bundle_fails_against_the_trusted_keys_and_says_why(tmp_path: Path) -> None:
    assert invoke("trust", "import", str(RELEASE_KEYRING), "--yes").exit_code == 0
    bundle = forge(tmp_path)
    run = invoke("verify", str(bundle))
    assert run.exit_code == SIGNATURE_EXIT
    first = run.stderr.splitlines()[0]
    assert "is not in the trusted keyring" in first
    assert "trusted-keys.json" in first
    assert "beside the bundle lists it, but a keyring that travels with a bundle proves" in first


def test_the_documented_set_up_verifies_the_real_bundles(isolated_configuration: Path) -> None:
    imported = invoke("trust", "import", str(RELEASE_KEYRING), "--yes")
    assert imported.exit_code == 0, imported.output
    store = isolated_configuration / "stix-mtac" / "trusted-keys.json"
    assert f"trust store: {store}" in imported.stdout
    assert json.loads(store.read_bytes()) == json.loads(RELEASE_KEYRING.read_bytes())
    run = invoke("verify", str(REPO / "bundles"))
    assert run.exit_code == 0, run.output
    assert run.stdout.startswith("verified: ")


def test_import_prints_the_fingerprints_the_readme_publishes() -> None:
    keys = json.loads(RELEASE_KEYRING.read_bytes())["keys"]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| `([A-Za-z0-9_-]{43})` \| (\w+)", readme, re.MULTILINE))
    # the fingerprint is the RFC 7638 thumbprint, computed here from x alone
    assert table == {thumbprint(key): key["status"] for key in keys}
    run = invoke("trust", "import", str(RELEASE_KEYRING), "--yes")
    for key in keys:
        assert f"{thumbprint(key)}  {key['status']}  (new)" in run.stdout


def test_import_without_a_terminal_needs_yes_and_changes_nothing(
    isolated_configuration: Path,
) -> None:
    run = invoke("trust", "import", str(RELEASE_KEYRING))
    assert run.exit_code == USAGE_EXIT
    assert "pass --yes" in run.stderr
    assert not (isolated_configuration / "stix-mtac").exists()
    assert invoke("verify", str(REPO / "bundles")).exit_code == KEY_EXIT


def test_keyring_option_and_the_configuration_entry(tmp_path: Path) -> None:
    bundle = signed_layout(tmp_path / "layout")
    keyring = tmp_path / "chosen.json"
    keyring.write_bytes(beside(bundle).read_bytes())
    assert invoke("verify", "--keyring", str(keyring), str(bundle)).exit_code == 0
    assert invoke("verify", str(bundle), env={"STIX_MTAC_KEYRING": str(keyring)}).exit_code == 0
    old = invoke("verify", "--keys", str(keyring), str(bundle))
    assert old.exit_code == 0
    assert "warning: --keys is deprecated; use --keyring" in old.stderr


def test_import_never_weakens_trust(tmp_path: Path, isolated_configuration: Path) -> None:
    signed_layout(tmp_path)
    keyring = beside(tmp_path)
    assert invoke("trust", "import", str(keyring), "--yes").exit_code == 0
    revoked = json.loads(keyring.read_bytes())
    revoked["keys"][0]["status"] = "revoked"
    revoked_file = tmp_path / "revoked.json"
    revoked_file.write_text(json.dumps(revoked))
    run = invoke("trust", "import", str(revoked_file), "--yes")
    assert "active -> revoked" in run.stdout
    assert invoke("verify", str(tmp_path)).exit_code == SIGNATURE_EXIT
    again = invoke("trust", "import", str(keyring), "--yes")  # says active: stays revoked
    assert "revoked  (already trusted)" in again.stdout
    assert invoke("verify", str(tmp_path)).exit_code == SIGNATURE_EXIT
    kid = revoked["keys"][0]["kid"]
    listed = invoke("trust", "list")
    assert listed.stdout == f"{kid}  revoked\n"
    assert invoke("trust", "remove", kid, "--yes").exit_code == 0
    assert invoke("trust", "list").stdout == ""
    assert invoke("trust", "remove", kid, "--yes").exit_code == KEY_EXIT


# --- weak keys ------------------------------------------------------------------------------

P = 2**255 - 19


def _le(number: int) -> bytes:
    return number.to_bytes(32, "little")


# The eight points of small order (1, 2, 4, 8) as libsodium's blocklist spells them, their
# sign-bit twins, and the non-canonical y >= p spellings of the order-1/2/4 points.
ORDER_8_Y = [
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
]
SMALL_ORDER = [
    _le(1),  # the identity, order 1
    _le(P - 1),  # (0, -1), order 2
    _le(0),  # (sqrt(-1), 0), order 4
    _le(0 | 1 << 255),  # (-sqrt(-1), 0), order 4
    *(bytes.fromhex(y) for y in ORDER_8_Y),
    *(bytes.fromhex(y[:-2] + f"{int(y[-2:], 16) | 0x80:02x}") for y in ORDER_8_Y),
]
NON_CANONICAL = [_le(1 | 1 << 255), _le(P - 1 | 1 << 255), _le(P), _le(P + 1), _le(P + 18)]


def weak_keyring(path: Path, raw: bytes) -> Path:
    members = {"crv": "Ed25519", "kty": "OKP", "x": b64(raw)}
    entry = {**members, "kid": thumbprint(members), "status": "active"}
    path.write_text(json.dumps({"keys": [entry]}))
    return path


@pytest.mark.parametrize("raw", SMALL_ORDER + NON_CANONICAL, ids=lambda raw: raw.hex()[:10])
def test_weak_and_non_canonical_keys_are_refused_on_import_and_on_load(
    tmp_path: Path, raw: bytes, isolated_configuration: Path
) -> None:
    keyring = weak_keyring(tmp_path / "weak.json", raw)
    run = invoke("trust", "import", str(keyring), "--yes")
    assert run.exit_code == KEY_EXIT
    (line,) = run.stderr.splitlines()
    assert re.search(r"keys\[0\]: 'x' is not an Ed25519 public key: (a small-order|non-can)", line)
    assert not (isolated_configuration / "stix-mtac").exists()
    bundle = signed_layout(tmp_path / "layout")
    verify = invoke("verify", "--keyring", str(keyring), str(bundle))
    assert verify.exit_code == KEY_EXIT


def test_wrong_length_keys_are_refused(tmp_path: Path) -> None:
    for length in (0, 31, 33, 64):
        keyring = weak_keyring(tmp_path / f"k{length}.json", bytes(range(length)))
        run = invoke("trust", "import", str(keyring), "--yes")
        assert run.exit_code == KEY_EXIT
        assert f"{length} bytes, an Ed25519 public key is 32" in run.stderr


def test_real_keys_pass_the_weak_key_check() -> None:
    from stix_mtac.signing.ed25519_points import weak_key_problem

    for seed in range(64):
        key = Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32)
        assert weak_key_problem(key.public_key().public_bytes_raw()) is None


# --- headers of the wrong type --------------------------------------------------------------


def _header(**changes: Any) -> dict[str, Any]:
    kid = public_jwk(fixed_key().public_key())["kid"]
    header = {"alg": "EdDSA", "b64": False, "crit": ["b64"], "kid": kid, "typ": "stix-bundle+jws"}
    return {**header, **changes}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"alg": ["EdDSA"]}, "header 'alg' is a list"),
        ({"alg": {"EdDSA": 1}}, "header 'alg' is a dict"),
        ({"alg": 1}, "header 'alg' is a int"),
        ({"crit": "b64"}, "header 'crit' is a str"),
        ({"crit": [["b64"]]}, "'crit' must list parameter names"),
        ({"crit": [{"b64": 1}]}, "'crit' must list parameter names"),
        ({"b64": "false"}, "header 'b64' is a str"),
        ({"b64": 0}, "header 'b64' is a int"),
        ({"kid": ["x"]}, "header 'kid' is a list"),
        ({"kid": "a\nverified: forged.json"}, "is not a key thumbprint"),
        ({"typ": {"a": 1}}, "header 'typ' is a dict"),
        ({"cty": ["x"]}, "header 'cty' is a list"),
    ],
)
def test_every_header_field_is_type_checked(
    tmp_path: Path, changes: dict[str, Any], message: str
) -> None:
    bundle = signed_layout(tmp_path)
    head = b64(json.dumps(_header(**changes)).encode())
    payload = canonical_bytes(json.loads(bundle.read_bytes()))
    signature = b64(fixed_key().sign(head.encode() + b"." + payload))
    (tmp_path / "fixture.json.jws").write_text(f"{head}..{signature}\n")
    run = invoke("verify", "--keyring", str(beside(bundle)), str(bundle))
    assert run.exit_code == SIGNATURE_EXIT, run.output
    first, _summary = run.stderr.splitlines()
    assert message in first
    assert "internal error" not in run.stderr


# --- bounded reads of signatures and keys ---------------------------------------------------


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed CLI in a subprocess; the timeout only stops a hang (generous margin)."""
    env = {**os.environ, "STIX_MTAC_DEBUG": ""}
    return subprocess.run(
        [sys.executable, "-m", "stix_mtac", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def test_a_fifo_signature_or_keyring_is_refused_without_hanging(tmp_path: Path) -> None:
    bundle = signed_layout(tmp_path)
    (tmp_path / "fixture.json.jws").unlink()
    os.mkfifo(tmp_path / "fixture.json.jws")
    os.mkfifo(tmp_path / "fifo-keyring.json")
    run = _cli("verify", "--keyring", str(GOLDEN / "keys" / "jwks.json"), str(bundle), cwd=tmp_path)
    assert run.returncode == SIGNATURE_EXIT
    assert "is a pipe (FIFO)" in run.stderr
    run = _cli(
        "verify", "--keyring", str(tmp_path / "fifo-keyring.json"), str(bundle), cwd=tmp_path
    )
    assert run.returncode == KEY_EXIT
    assert "is a pipe (FIFO)" in run.stderr


def test_a_huge_signature_is_refused_by_its_size_without_reading_it(tmp_path: Path) -> None:
    bundle = signed_layout(tmp_path)
    with (tmp_path / "fixture.json.jws").open("r+b") as stream:
        stream.truncate(200 * 1024 * 1024)  # sparse: 200 MB that take no disk
    run = invoke("verify", "--keyring", str(beside(bundle)), str(bundle))
    assert run.exit_code == SIGNATURE_EXIT
    assert "209715200 bytes exceeds the size limit" in run.stderr


def test_a_device_as_a_key_file_is_refused(tmp_path: Path) -> None:
    bundle = signed_layout(tmp_path)
    run = invoke("sign", str(bundle), "--signing-key", "/dev/zero")
    assert run.exit_code == KEY_EXIT
    assert "not a regular file" in run.stderr


# --- no writes through planted links --------------------------------------------------------


def test_keygen_refuses_a_dangling_link_at_the_private_key_path(tmp_path: Path) -> None:
    (tmp_path / "keys").mkdir()
    target = tmp_path / "elsewhere" / "planted.pem"
    target.parent.mkdir()
    (tmp_path / "keys" / "signing.private.pem").symlink_to(target)
    run = invoke("keygen", "-o", str(tmp_path / "keys"))
    assert run.exit_code == OUTPUT_EXIT
    assert "already exists; refusing to overwrite a key file" in run.stderr
    assert not target.exists()
    assert sorted(os.listdir(tmp_path / "keys")) == ["signing.private.pem"]


def test_export_refuses_a_link_planted_at_the_bundle_path(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    out = tmp_path / "bundles"
    out.mkdir()
    (out / "mtac-east-asia-2023-09-07.json").symlink_to(victim)
    run = invoke("export", "-o", str(out))
    assert run.exit_code == OUTPUT_EXIT
    assert "is a symbolic link; refusing to write through it" in run.stderr
    assert victim.read_text() == "precious\n"
    key = write_private_key(tmp_path / "k.pem")
    run = invoke("export", "-o", str(out), "--signing-key", str(key))
    assert run.exit_code == OUTPUT_EXIT
    assert victim.read_text() == "precious\n"
    assert sorted(os.listdir(out)) == ["mtac-east-asia-2023-09-07.json"]
