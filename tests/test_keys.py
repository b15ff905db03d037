"""Key files: keygen modes and contents, passphrases, refusals, and that no private key
material ever reaches bundles/, command output or error messages."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from test_sign_support import REPO, fixture_bundle, keyring_args, write_bundle

from stix_mtac.cli import cli
from stix_mtac.errors import KeyFileError, OutputError
from stix_mtac.signing import generate_keypair, sign_bundle_file, signing_key_from_env
from stix_mtac.signing.keyring import load_keyring
from stix_mtac.signing.keys import load_private_key

KEY_EXIT = 6


def invoke(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, input=stdin)


def secrets_of(private_key_file: Path, passphrase: bytes | None = None) -> list[bytes]:
    """Every spelling of the private key a leak could take: PEM body, raw, hex, base64(url)."""
    key = serialization.load_pem_private_key(private_key_file.read_bytes(), passphrase)
    assert isinstance(key, Ed25519PrivateKey)
    raw = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    pem_body = b"".join(private_key_file.read_bytes().splitlines()[1:-1])
    return [
        raw,
        raw.hex().encode(),
        base64.b64encode(raw).rstrip(b"="),
        base64.urlsafe_b64encode(raw).rstrip(b"="),
        pem_body[:40],
    ]


def test_keygen_writes_a_0600_pkcs8_private_key_and_public_halves(tmp_path: Path) -> None:
    result = invoke(
        "keygen", "--name", "rel", "-o", str(tmp_path / "priv"), "--public-output",
        str(tmp_path / "pub"),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    private = tmp_path / "priv" / "rel.private.pem"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE(private.parent.stat().st_mode) == 0o700
    assert private.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----\n")
    assert sorted(p.name for p in (tmp_path / "pub").iterdir()) == ["jwks.json", "rel.public.pem"]
    assert not (tmp_path / "priv" / "jwks.json").exists()
    key = serialization.load_pem_private_key(private.read_bytes(), None)
    assert isinstance(key, Ed25519PrivateKey)
    public_pem = (tmp_path / "pub" / "rel.public.pem").read_bytes()
    assert public_pem == key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (entry,) = json.loads((tmp_path / "pub" / "jwks.json").read_bytes())["keys"]
    raw_public = key.public_key().public_bytes_raw()
    assert base64.urlsafe_b64decode(entry["x"] + "=") == raw_public
    assert set(entry) == {"alg", "crv", "kid", "kty", "status", "use", "x"}
    assert f"kid {entry['kid']}, active" in result.output


def test_keygen_never_overwrites(tmp_path: Path) -> None:
    generate_keypair(tmp_path, "k")
    before = (tmp_path / "k.private.pem").read_bytes()
    result = invoke("keygen", "--name", "k", "-o", str(tmp_path))
    assert result.exit_code == OutputError.exit_code
    assert "already exists; refusing to overwrite" in result.stderr
    assert (tmp_path / "k.private.pem").read_bytes() == before


def test_passphrase_from_env_encrypts_and_is_needed_to_sign(tmp_path: Path) -> None:
    env = {"STIX_MTAC_KEY_PASSPHRASE": "correct horse"}
    result = invoke("keygen", "--name", "enc", "-o", str(tmp_path), "--encrypt", env=env)
    assert result.exit_code == 0, result.output
    private = tmp_path / "enc.private.pem"
    assert private.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    bundle = write_bundle(tmp_path / "b.json", fixture_bundle())
    no_pass = invoke("sign", str(bundle), "--signing-key", str(private), env={})
    assert no_pass.exit_code == KEY_EXIT
    assert "encrypted; set STIX_MTAC_KEY_PASSPHRASE" in no_pass.stderr
    wrong = invoke(
        "sign",
        str(bundle),
        "--signing-key",
        str(private),
        env={**env, **{"STIX_MTAC_KEY_PASSPHRASE": "x"}},
    )
    assert wrong.exit_code == KEY_EXIT
    assert "wrong passphrase" in wrong.stderr
    right = invoke("sign", str(bundle), "--signing-key", str(private), env=env)
    assert right.exit_code == 0, right.output
    assert "correct horse" not in right.output + wrong.stderr + no_pass.stderr


def test_keygen_prompts_for_a_passphrase_twice(tmp_path: Path) -> None:
    result = invoke(
        "keygen", "--name", "p", "-o", str(tmp_path), "--encrypt",
        env={"STIX_MTAC_KEY_PASSPHRASE": ""}, stdin="s3cret\ns3cret\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    load_private_key(tmp_path / "p.private.pem", b"s3cret")
    with pytest.raises(KeyFileError, match="wrong passphrase"):
        load_private_key(tmp_path / "p.private.pem", b"other")


@pytest.mark.parametrize(
    ("content", "mode", "message"),
    [
        (None, 0o600, "no such key file"),
        (b"not a key", 0o600, "not a PEM private key"),
        ("ec", 0o600, "not an Ed25519 key"),
        ("ed", 0o644, "has mode 0644, readable by others; run chmod 600"),
    ],
)
def test_bad_key_files_are_refused_with_exit_6(
    tmp_path: Path, content: bytes | str | None, mode: int, message: str
) -> None:
    key = tmp_path / "key.pem"
    if content == "ec":
        ec = generate_private_key(SECP256R1())
        content = ec.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )  # fmt: skip
    elif content == "ed":
        content = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )  # fmt: skip
    if isinstance(content, bytes):
        key.write_bytes(content)
        key.chmod(mode)
    bundle = write_bundle(tmp_path / "b.json", fixture_bundle())
    result = invoke("sign", str(bundle), "--signing-key", str(key), env={})
    assert result.exit_code == KEY_EXIT
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "b.json.jws").exists()
    assert not (tmp_path / "manifest.json").exists()


def test_sign_without_a_key_says_how_to_give_one(tmp_path: Path) -> None:
    bundle = write_bundle(tmp_path / "b.json", fixture_bundle())
    result = invoke("sign", str(bundle), env={"STIX_MTAC_SIGNING_KEY": ""})
    assert result.exit_code == KEY_EXIT
    assert "pass --signing-key or set $STIX_MTAC_SIGNING_KEY" in result.stderr


def test_signing_key_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STIX_MTAC_SIGNING_KEY", raising=False)
    assert signing_key_from_env() is None
    monkeypatch.setenv("STIX_MTAC_SIGNING_KEY", str(tmp_path / "k.pem"))
    assert signing_key_from_env() == tmp_path / "k.pem"


def test_sign_refuses_what_is_not_a_bundle_and_writes_nothing(tmp_path: Path) -> None:
    paths = generate_keypair(tmp_path / "k", "k")
    target = tmp_path / "list.json"
    target.write_text("[1, 2]")
    result = invoke("sign", str(target), "--signing-key", str(paths.private_key))
    assert result.exit_code == 4
    assert "not a STIX bundle" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k", "list.json"]


@pytest.mark.parametrize(
    ("entry_change", "message"),
    [
        ({"kty": "RSA"}, "only Ed25519 (kty OKP, crv Ed25519) keys are trusted"),
        ({"d": "AAAA"}, "holds a private key ('d')"),
        ({"status": "trusted"}, "status 'trusted'; expected active, retired or revoked"),
        ({"kid": "made-up"}, "kid 'made-up' is not the RFC 7638 thumbprint"),
        ({"x": "AAAA"}, "'x' is not an Ed25519 public key"),
    ],
)
def test_damaged_keyring_entries_are_key_file_errors(
    tmp_path: Path, entry_change: dict[str, str], message: str
) -> None:
    paths = generate_keypair(tmp_path, "k")
    data = json.loads(paths.jwks.read_bytes())
    data["keys"][0].update(entry_change)
    paths.jwks.write_text(json.dumps(data))
    with pytest.raises(KeyFileError, match=r"jwks\.json: keys\[0\]: ") as caught:
        load_keyring(paths.jwks)
    assert message in caught.value.message


def test_private_key_never_appears_in_outputs_messages_or_signed_files(tmp_path: Path) -> None:
    out = tmp_path / "bundles"
    keygen = invoke(
        "keygen", "--name", "rel", "-o", str(tmp_path / "private"), "--public-output",
        f"{out / 'keys'}/",  # a trailing / asks for the missing parent too
    )  # fmt: skip
    private = tmp_path / "private" / "rel.private.pem"
    secrets = secrets_of(private)
    bundle = write_bundle(out / "b.json", fixture_bundle())
    runs = [
        keygen,
        invoke("sign", str(bundle), "--signing-key", str(private)),
        invoke("verify", *keyring_args(str(out))),
        invoke("sign", str(bundle), "--signing-key", str(tmp_path / "private")),  # a directory
        invoke("keygen", "--name", "rel", "-o", str(tmp_path / "private")),  # exists
    ]
    private.chmod(0o640)
    runs.append(invoke("sign", str(bundle), "--signing-key", str(private)))  # refused: mode
    change = bundle.read_text().replace("Test CERT", "Changed")
    bundle.write_text(change)
    runs.append(invoke("verify", *keyring_args(str(out))))
    assert [run.exit_code for run in runs] == [0, 0, 0, 2, 10, 6, 5]
    texts = [(run.stdout + run.stderr).encode() for run in runs]
    texts += [path.read_bytes() for path in out.rglob("*") if path.is_file()]
    for text in texts:
        for secret in secrets:
            assert secret not in text
        assert b"PRIVATE KEY" not in text


def test_committed_bundles_hold_no_private_key() -> None:
    files = [path for path in (REPO / "bundles").rglob("*") if path.is_file()]
    assert REPO / "bundles" / "keys" / "jwks.json" in files
    for path in files:
        data = path.read_bytes()
        assert b"PRIVATE KEY" not in data, path
        if path.suffix == ".json":
            assert '"d"' not in data.decode("utf-8"), path
    for entry in json.loads((REPO / "bundles" / "keys" / "jwks.json").read_bytes())["keys"]:
        assert set(entry) == {"alg", "crv", "kid", "kty", "status", "use", "x"}


def test_committed_release_key_is_active_and_matches_its_pem() -> None:
    keys = REPO / "bundles" / "keys"
    keyring = load_keyring(keys / "jwks.json")
    active = [key for key in keyring.keys if key.status.value == "active"]
    assert len(active) == 1
    pem = serialization.load_pem_public_key((keys / "release.public.pem").read_bytes())
    assert (
        pem.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        == active[0].public_key.public_bytes_raw()
    )


def test_committed_bundles_verify_with_the_committed_release_key() -> None:
    """What CI's `stix-mtac verify --keyring bundles/keys/jwks.json bundles/` checks: every
    committed bundle carries a valid signature by the active release key (re-sign with
    `stix-mtac export --key ...` after a facts change)."""
    bundles = sorted((REPO / "bundles").glob("*.json"))
    bundles = [path for path in bundles if path.name != "manifest.json"]
    assert bundles
    run = invoke(
        "verify", "--keyring", str(REPO / "bundles" / "keys" / "jwks.json"), str(REPO / "bundles")
    )
    assert run.exit_code == 0, run.output
    keyring = load_keyring(REPO / "bundles" / "keys" / "jwks.json")
    (active,) = [key.kid for key in keyring.keys if key.status.value == "active"]
    for path in bundles:
        assert f"verified: {path} (key {active})" in run.output
    manifest = json.loads((REPO / "bundles" / "manifest.json").read_bytes())
    assert sorted(manifest["bundles"]) == [path.name for path in bundles]


def test_sign_bundle_file_api_returns_the_jws_path(tmp_path: Path) -> None:
    paths = generate_keypair(tmp_path / "k", "k", b"pw")
    bundle = write_bundle(tmp_path / "b.json", fixture_bundle())
    assert sign_bundle_file(bundle, paths.private_key, b"pw") == tmp_path / "b.json.jws"


@pytest.mark.parametrize("name", ["../../x", "a/b", "..", ".hidden", ""])
def test_keygen_name_cannot_lead_out_of_the_key_directory(tmp_path: Path, name: str) -> None:
    run = invoke("keygen", "--name", name, "-o", str(tmp_path / "keys"))
    assert run.exit_code == 2, run.output
    assert not (tmp_path / "keys").exists()
    assert not list(tmp_path.rglob("*.pem"))
