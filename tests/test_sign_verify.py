"""``stix-mtac verify`` as a user runs it: every rejection in issue 5 with its own message and
exit code, tolerant re-serialisations, directories, rotation and the golden signature."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from test_sign_support import (
    GOLDEN,
    GOLDEN_BUNDLE,
    beside,
    fixed_key,
    fixture_bundle,
    keyring_args,
    signed_layout,
    write_private_key,
)

from stix_mtac.canonical import pretty_bytes
from stix_mtac.cli import cli
from stix_mtac.errors import InputError, KeyFileError, SignatureError
from stix_mtac.signing import (
    KeyStatus,
    set_key_status,
    sign_bundle_file,
    verify_bundle_file,
)
from stix_mtac.signing.keyring import add_key
from stix_mtac.signing.keys import public_jwk

SIGNATURE_EXIT = 5
INPUT_EXIT = 4
KEY_EXIT = 6


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def token_with(header: dict[str, Any], payload: bytes, key: Ed25519PrivateKey) -> str:
    """A token signed for real by ``key`` with any header, so only the header can be at fault."""
    head = b64(json.dumps(header).encode())
    return f"{head}..{b64(key.sign(head.encode() + b'.' + payload))}\n"


def good_header(**changes: Any) -> dict[str, Any]:
    header: dict[str, Any] = {
        "alg": "EdDSA",
        "b64": False,
        "crit": ["b64"],
        "cty": "application/stix+json;version=2.1",
        "kid": public_jwk(fixed_key().public_key())["kid"],
        "typ": "stix-bundle+jws",
    }
    header.update(changes)
    return {name: value for name, value in header.items() if value is not None}


def canonical_of(path: Path) -> bytes:
    return bytes(rfc8785.dumps(json.loads(path.read_bytes())))


def run_verify(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["verify", *keyring_args(*args)])
    return result.exit_code, result.stdout, result.stderr


# --- the golden signature ------------------------------------------------------------------


def test_fixture_bundle_and_its_signature_are_golden(tmp_path: Path) -> None:
    assert GOLDEN_BUNDLE.read_bytes() == pretty_bytes(fixture_bundle())
    bundle = tmp_path / GOLDEN_BUNDLE.name
    bundle.write_bytes(GOLDEN_BUNDLE.read_bytes())
    token = sign_bundle_file(bundle, write_private_key(tmp_path / "k.pem"))
    golden = GOLDEN / "fixture.json.jws"
    assert token.read_bytes() == golden.read_bytes()
    assert (tmp_path / "manifest.json").read_bytes() == (GOLDEN / "manifest.json").read_bytes()


def test_golden_token_is_the_documented_profile_and_verifies_with_plain_cryptography() -> None:
    head, middle, signature = (GOLDEN / "fixture.json.jws").read_text().strip().split(".")
    assert middle == ""
    assert json.loads(unb64(head)) == good_header()
    public = fixed_key().public_key()
    public.verify(unb64(signature), head.encode() + b"." + canonical_of(GOLDEN_BUNDLE))


def test_golden_keyring_kid_is_the_rfc7638_thumbprint_computed_by_hand() -> None:
    (entry,) = json.loads((GOLDEN / "keys" / "jwks.json").read_bytes())["keys"]
    members = '{"crv":"Ed25519","kty":"OKP","x":"' + entry["x"] + '"}'
    assert entry["kid"] == b64(hashlib.sha256(members.encode()).digest())
    assert entry["status"] == "active"
    assert "d" not in entry


def test_verify_accepts_the_golden_layout(tmp_path: Path) -> None:
    bundle = signed_layout(tmp_path)
    code, out, err = run_verify(str(tmp_path))
    assert (code, err) == (0, "")
    assert out == f"verified: {bundle} (key {good_header()['kid']})\n"
    assert verify_bundle_file(bundle, beside(bundle)).bundle == fixture_bundle()


def test_alg_ed25519_of_rfc9864_is_accepted(tmp_path: Path) -> None:
    bundle = signed_layout(tmp_path)
    token = token_with(good_header(alg="Ed25519"), canonical_of(bundle), fixed_key())
    (tmp_path / "fixture.json.jws").write_text(token)
    (tmp_path / "manifest.json").unlink()
    assert run_verify(str(bundle))[0] == 0


# --- every rejection, its message and exit code --------------------------------------------


def _edit_objects(bundle: Path, edit: Callable[[list[dict[str, Any]]], None]) -> None:
    data = json.loads(bundle.read_bytes())
    edit(data["objects"])
    bundle.write_bytes(pretty_bytes(data))


def change_value(root: Path) -> None:
    _edit_objects(root / "fixture.json", lambda objects: objects[1].update(confidence=71))


def add_object(root: Path) -> None:
    extra = dict(
        fixture_bundle()["objects"][2], id="campaign--0b1c2d3e-0000-4000-8000-0000000000ff"
    )
    _edit_objects(root / "fixture.json", lambda objects: objects.append(extra))


def remove_object(root: Path) -> None:
    _edit_objects(root / "fixture.json", lambda objects: objects.pop())


def flip_signature_byte(root: Path) -> None:
    path = root / "fixture.json.jws"
    head, _, signature = path.read_text().strip().split(".")
    raw = bytearray(unb64(signature))
    raw[10] ^= 0x01
    path.write_text(f"{head}..{b64(bytes(raw))}\n")


def swap_kid(root: Path) -> None:
    """Name another trusted key in the header (the header is signed, so nothing verifies)."""
    other = Ed25519PrivateKey.from_private_bytes(bytes(32))
    add_key(root / "keys" / "jwks.json", public_jwk(other.public_key()))
    path = root / "fixture.json.jws"
    _, _, signature = path.read_text().strip().split(".")
    other_kid = public_jwk(other.public_key())["kid"]
    head = b64(json.dumps(good_header(kid=other_kid)).encode())
    path.write_text(f"{head}..{signature}\n")


def alg_none(root: Path) -> None:
    head = b64(json.dumps({"alg": "none", "kid": good_header()["kid"]}).encode())
    (root / "fixture.json.jws").write_text(f"{head}..\n")


def hs256_with_public_key(root: Path) -> None:
    """The classic confusion: an HMAC keyed with the public key a verifier trusts."""
    public = unb64(json.loads((root / "keys" / "jwks.json").read_bytes())["keys"][0]["x"])
    head = b64(json.dumps(good_header(alg="HS256")).encode())
    mac = hmac.new(public, head.encode() + b"." + canonical_of(root / "fixture.json"), "sha256")
    (root / "fixture.json.jws").write_text(f"{head}..{b64(mac.digest())}\n")


def key_not_in_keyring(root: Path) -> None:
    stranger = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    header = good_header(kid=public_jwk(stranger.public_key())["kid"])
    token = token_with(header, canonical_of(root / "fixture.json"), stranger)
    (root / "fixture.json.jws").write_text(token)


def revoke_key(root: Path) -> None:
    set_key_status(root / "keys" / "jwks.json", good_header()["kid"], KeyStatus.REVOKED)


def duplicate_keys(root: Path) -> None:
    path = root / "fixture.json"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"name": "Test CERT"', '"name": "Test CERT", "name": "Benign"'))


def remove_signature(root: Path) -> None:
    (root / "fixture.json.jws").unlink()


def attach_payload(root: Path) -> None:
    path = root / "fixture.json.jws"
    head, _, signature = path.read_text().strip().split(".")
    path.write_text(f"{head}.{b64(canonical_of(root / 'fixture.json'))}.{signature}\n")


def embed_jwk(root: Path) -> None:
    jwk = public_jwk(fixed_key().public_key())
    token = token_with(good_header(jwk=jwk), canonical_of(root / "fixture.json"), fixed_key())
    (root / "fixture.json.jws").write_text(token)


def extra_crit(root: Path) -> None:
    header = good_header(crit=["b64", "exp"], exp=1)
    token = token_with(header, canonical_of(root / "fixture.json"), fixed_key())
    (root / "fixture.json.jws").write_text(token)


def b64_true(root: Path) -> None:
    token = token_with(good_header(b64=True), canonical_of(root / "fixture.json"), fixed_key())
    (root / "fixture.json.jws").write_text(token)


def no_kid(root: Path) -> None:
    token = token_with(good_header(kid=None), canonical_of(root / "fixture.json"), fixed_key())
    (root / "fixture.json.jws").write_text(token)


def reserialise(root: Path) -> None:
    path = root / "fixture.json"
    path.write_text(json.dumps(json.loads(path.read_bytes()), indent=4), encoding="utf-8")


def keyring_kid_on_another_key(root: Path) -> None:
    path = root / "keys" / "jwks.json"
    data = json.loads(path.read_bytes())
    other = Ed25519PrivateKey.from_private_bytes(bytes(32))
    data["keys"][0]["x"] = public_jwk(other.public_key())["x"]
    path.write_text(json.dumps(data))


def keyring_missing(root: Path) -> None:
    (root / "keys" / "jwks.json").unlink()


REJECTIONS: dict[str, tuple[Callable[[Path], None], int, str]] = {
    "changed value": (change_value, SIGNATURE_EXIT, "content changed since signing"),
    "added object": (add_object, SIGNATURE_EXIT, "5 objects, 4 when signed: object(s) added"),
    "removed object": (remove_object, SIGNATURE_EXIT, "3 objects, 4 when signed: object(s) rem"),
    "flipped signature byte": (flip_signature_byte, SIGNATURE_EXIT, "signature itself is damaged"),
    "swapped kid": (swap_kid, SIGNATURE_EXIT, "(kid swapped in the token?)"),
    "alg none": (alg_none, SIGNATURE_EXIT, "alg 'none' (an unsigned token) is refused"),
    "HS256 keyed with the public key": (hs256_with_public_key, SIGNATURE_EXIT, "alg 'HS256'"),
    "key not in keyring": (key_not_in_keyring, SIGNATURE_EXIT, "is not in the trusted keyring"),
    "revoked key": (revoke_key, SIGNATURE_EXIT, "which " + "{root}/keys/jwks.json marks revoked"),
    "duplicate JSON keys": (duplicate_keys, INPUT_EXIT, "duplicate key 'name'"),
    "missing .jws": (remove_signature, SIGNATURE_EXIT, "unsigned: no signature file fixture.json"),
    "attached payload": (attach_payload, SIGNATURE_EXIT, "a detached token (empty middle part"),
    "key carried in the token": (embed_jwk, SIGNATURE_EXIT, "carries key parameter 'jwk'"),
    "unknown crit": (extra_crit, SIGNATURE_EXIT, "'crit' lists ['exp']"),
    "b64 true": (b64_true, SIGNATURE_EXIT, "requires b64 false"),
    "no kid": (no_kid, SIGNATURE_EXIT, "header has no 'kid'"),
    "re-saved copy, strict": (reserialise, SIGNATURE_EXIT, "with --tolerant"),
    "keyring kid on another key": (keyring_kid_on_another_key, KEY_EXIT, "not the RFC 7638"),
    "keyring missing": (keyring_missing, KEY_EXIT, "keys/jwks.json: no such keyring"),
}


@pytest.mark.parametrize("case", sorted(REJECTIONS))
def test_each_rejection_has_its_own_message_and_exit_code(case: str, tmp_path: Path) -> None:
    signed_layout(tmp_path)
    damage, exit_code, fragment = REJECTIONS[case]
    damage(tmp_path)
    code, out, err = run_verify(str(tmp_path))
    assert code == exit_code, err
    assert out == ""
    assert fragment.format(root=tmp_path) in err
    lines = err.splitlines()
    assert lines[0].startswith("error: ")
    if exit_code == KEY_EXIT:  # a keyring problem stops verify before any bundle is judged
        assert len(lines) == 1
    else:
        assert lines[1:] == ["1 problem(s); 0 of 1 bundle(s) verified"]
    assert "Traceback" not in err


def test_rejection_messages_are_pairwise_different(tmp_path: Path) -> None:
    messages = set()
    for case, (damage, _, _) in REJECTIONS.items():
        root = tmp_path / re.sub(r"\W+", "-", case)
        signed_layout(root)
        damage(root)
        messages.add(run_verify(str(root))[2].splitlines()[0].replace(str(root), "ROOT"))
    assert len(messages) == len(REJECTIONS)


def test_library_raises_the_documented_error_classes(tmp_path: Path) -> None:
    bundle = signed_layout(tmp_path / "a")
    change_value(tmp_path / "a")
    with pytest.raises(SignatureError):
        verify_bundle_file(bundle, beside(bundle))
    bundle = signed_layout(tmp_path / "b")
    duplicate_keys(tmp_path / "b")
    with pytest.raises(InputError):
        verify_bundle_file(bundle, beside(bundle))
    bundle = signed_layout(tmp_path / "c")
    keyring_missing(tmp_path / "c")
    with pytest.raises(KeyFileError):
        verify_bundle_file(bundle, beside(bundle))


def test_without_a_manifest_a_mismatch_is_still_refused(tmp_path: Path) -> None:
    signed_layout(tmp_path)
    (tmp_path / "manifest.json").unlink()
    change_value(tmp_path)
    code, _, err = run_verify(str(tmp_path))
    assert code == SIGNATURE_EXIT
    assert "signature does not match the bundle's content (changed after signing?)" in err


def test_a_stale_manifest_fails_even_when_the_signature_matches(tmp_path: Path) -> None:
    signed_layout(tmp_path)
    path = tmp_path / "manifest.json"
    data = json.loads(path.read_bytes())
    data["bundles"]["fixture.json"]["canonical_sha256"] = "0" * 64
    path.write_bytes(pretty_bytes(data))
    code, _, err = run_verify(str(tmp_path))
    assert code == SIGNATURE_EXIT
    assert "canonical_sha256 disagrees with the verified bundle" in err


# --- tolerant mode ---------------------------------------------------------------------------


def pretty_four(data: Any) -> bytes:
    return json.dumps(data, indent=4).encode()


def keys_reversed(data: Any) -> bytes:
    def reverse(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: reverse(value[key]) for key in reversed(list(value))}
        if isinstance(value, list):
            return [reverse(item) for item in value]
        return value

    return json.dumps(reverse(data), ensure_ascii=False).encode()


def u_escaped(data: Any) -> bytes:
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    # escape plain ASCII letters too: "\u0054est CERT" is the same string as "Test CERT"
    return text.replace("Test CERT", "\\u0054est \\u0043ERT").encode()


@pytest.mark.parametrize("rewrite", [pretty_four, keys_reversed, u_escaped])
def test_reserialised_copies_verify_only_with_tolerant(
    rewrite: Callable[[Any], bytes], tmp_path: Path
) -> None:
    bundle = signed_layout(tmp_path)
    original = bundle.read_bytes()
    bundle.write_bytes(rewrite(json.loads(original)))
    assert bundle.read_bytes() != original
    assert run_verify(str(bundle))[0] == SIGNATURE_EXIT
    code, out, _ = run_verify("--tolerant", str(bundle))
    assert code == 0
    assert out.startswith("verified: ")


def test_tolerant_still_refuses_a_changed_value(tmp_path: Path) -> None:
    signed_layout(tmp_path)
    change_value(tmp_path)
    reserialise(tmp_path)
    assert run_verify("--tolerant", str(tmp_path))[0] == SIGNATURE_EXIT


# --- directories, keyrings, rotation ---------------------------------------------------------


def test_directory_considers_json_files_but_not_manifest_keys_or_hidden(tmp_path: Path) -> None:
    signed_layout(tmp_path)
    (tmp_path / ".fixture.json.tmp.json").write_text("not json")
    (tmp_path / "keys" / "other.json").write_text("not json")
    code, out, _ = run_verify(str(tmp_path))
    assert code == 0
    assert out.count("verified: ") == 1


def test_directory_fails_on_an_unsigned_bundle_beside_a_signed_one(tmp_path: Path) -> None:
    signed_layout(tmp_path)
    (tmp_path / "extra.json").write_bytes(pretty_bytes(fixture_bundle()))
    code, out, err = run_verify(str(tmp_path))
    assert code == SIGNATURE_EXIT
    assert out.count("verified: ") == 1
    assert "extra.json: unsigned: no signature file extra.json.jws" in err
    assert err.splitlines()[-1] == "1 problem(s); 1 of 2 bundle(s) verified"


def test_directory_without_bundles_and_orphan_signatures_fail(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    code, _, err = run_verify(
        "--keyring", str(GOLDEN / "keys" / "jwks.json"), str(tmp_path / "empty")
    )
    assert code == INPUT_EXIT
    assert "no bundles (*.json) to verify" in err
    signed_layout(tmp_path / "renamed")
    (tmp_path / "renamed" / "fixture.json").rename(tmp_path / "renamed" / "other.json")
    code, _, err = run_verify(str(tmp_path / "renamed"))
    assert code == SIGNATURE_EXIT
    assert "fixture.json.jws: signature without its bundle" in err


def test_explicit_keyring_replaces_the_default(tmp_path: Path) -> None:
    bundle = signed_layout(tmp_path / "copy")
    keyring = tmp_path / "trusted.json"
    keyring.write_bytes((tmp_path / "copy" / "keys" / "jwks.json").read_bytes())
    keyring_missing(tmp_path / "copy")
    assert run_verify("--keyring", str(keyring), str(bundle))[0] == 0
    code, _, err = run_verify("--keyring", str(tmp_path / "nope.json"), str(bundle))
    assert code == KEY_EXIT
    assert err.count("error:") == 1


def test_retired_key_still_verifies_but_does_not_sign(tmp_path: Path) -> None:
    bundle = signed_layout(tmp_path)
    set_key_status(tmp_path / "keys" / "jwks.json", good_header()["kid"], KeyStatus.RETIRED)
    assert run_verify(str(tmp_path))[0] == 0
    key = write_private_key(tmp_path / "k.pem")
    result = CliRunner().invoke(cli, ["sign", str(bundle), "--signing-key", str(key)])
    assert result.exit_code == KEY_EXIT
    assert "is retired in" in result.stderr


def test_keygen_retire_active_rotates(tmp_path: Path) -> None:
    signed_layout(tmp_path)
    args = ["keygen", "--name", "next", "-o", str(tmp_path / "private")]
    result = CliRunner().invoke(
        cli, [*args, "--public-output", str(tmp_path / "keys"), "--retire-active"]
    )
    assert result.exit_code == 0, result.output
    statuses = [
        k["status"] for k in json.loads((tmp_path / "keys" / "jwks.json").read_bytes())["keys"]
    ]
    assert statuses == ["retired", "active"]
    assert run_verify(str(tmp_path))[0] == 0


def test_content_rfc8785_cannot_represent_is_refused_with_exit_4(tmp_path: Path) -> None:
    bundle = signed_layout(tmp_path)
    data = json.loads(bundle.read_bytes())
    data["objects"][1]["confidence"] = 2**53  # beyond I-JSON's exact integers
    bundle.write_bytes(pretty_bytes(data))
    code, _, err = run_verify(str(bundle))
    assert code == INPUT_EXIT
    assert "cannot be put in RFC 8785 canonical form" in err
    key = write_private_key(tmp_path / "k.pem")
    result = CliRunner().invoke(cli, ["sign", str(bundle), "--signing-key", str(key)])
    assert result.exit_code == INPUT_EXIT
    assert "cannot be put in RFC 8785 canonical form" in result.stderr


def test_a_device_is_not_read_as_a_bundle(tmp_path: Path) -> None:
    code, _, err = run_verify("--keyring", str(GOLDEN / "keys" / "jwks.json"), "/dev/zero")
    assert code == INPUT_EXIT
    assert "/dev/zero: not a regular file" in err


def test_every_problem_is_reported_and_the_first_sets_the_exit_code(tmp_path: Path) -> None:
    signed_layout(tmp_path)
    duplicate_keys(tmp_path)  # fixture.json: exit 4
    (tmp_path / "later.json").write_bytes(pretty_bytes(fixture_bundle()))  # unsigned: exit 5
    code, _, err = run_verify(str(tmp_path))
    assert code == INPUT_EXIT
    lines = err.splitlines()
    assert "duplicate key 'name'" in lines[0]
    assert "later.json: unsigned" in lines[1]
    assert lines[2] == "2 problem(s); 0 of 2 bundle(s) verified"


@pytest.mark.parametrize("command", ["keygen", "sign", "verify"])
def test_help_has_an_example_and_the_exit_codes(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert f"stix-mtac {command} " in result.output.split("Example")[1]
    assert "Exit codes: 0 " in result.output


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (b"A" * 20_000, "20000 bytes exceeds the size limit of 16384"),
        ("é..x".encode(), "not a compact JWS (non-ASCII bytes)"),
        (b"abc.def", "2 dot-separated parts, expected 3"),
        (b"e30=..AAAA", "header is not base64url"),
        (b64(b"[1]").encode() + b"..AAAA", "header is not a JSON object"),
        (b64(b'{"alg":"EdDSA","alg":"none"}').encode() + b"..AA", "duplicate key 'alg'"),
        (b64(b"[" * 50 + b"]" * 50).encode() + b"..AA", "nesting deeper than 4 levels"),
        (b"", "1 dot-separated parts"),
    ],
)
def test_hostile_tokens_fail_in_one_line(tmp_path: Path, token: bytes, message: str) -> None:
    bundle = signed_layout(tmp_path)
    (tmp_path / "fixture.json.jws").write_bytes(token)
    code, _, err = run_verify(str(bundle))
    assert code == SIGNATURE_EXIT
    assert message in err
    assert len(err.splitlines()) == 2
