"""An independent JOSE implementation, jwcrypto, verifies our detached signatures: the
committed release-signed bundle and a fresh signature by a test key; a changed value fails."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from jwcrypto import jwk, jws

from stix_mtac.build import build_builtin_bundle
from stix_mtac.canonical import pretty_bytes
from stix_mtac.signing import generate_keypair, sign_bundle_file

REPO = Path(__file__).resolve().parent.parent


def jwcrypto_verify(bundle_path: Path, keyring: Path) -> dict[str, Any]:
    """Verify as a third party would: the token, the JWKS and RFC 8785 bytes, no stix-mtac."""
    token = Path(f"{bundle_path}.jws").read_text(encoding="ascii").strip()
    keys = jwk.JWKSet()
    for entry in json.loads(keyring.read_text(encoding="utf-8"))["keys"]:
        if entry.get("status") != "revoked":
            public = {name: entry[name] for name in ("kty", "crv", "x", "kid")}
            keys.add(jwk.JWK(**public))
    signed = jws.JWS()
    signed.deserialize(token)
    header = signed.jose_header
    assert header["b64"] is False and header["crit"] == ["b64"]
    key = keys.get_key(header["kid"])
    assert key is not None, "kid not in the keyring"
    content = rfc8785.dumps(json.loads(bundle_path.read_bytes()))
    signed.verify(key, alg=header["alg"], detached_payload=content)  # raises if it does not hold
    return dict(header)


def test_jwcrypto_verifies_the_committed_release_signature() -> None:
    bundle = REPO / "bundles" / "mtac-east-asia-2023-09-07.json"
    header = jwcrypto_verify(bundle, REPO / "bundles" / "keys" / "jwks.json")
    manifest = json.loads((REPO / "bundles" / "manifest.json").read_text(encoding="utf-8"))
    assert header["kid"] == manifest["bundles"][bundle.name]["kid"]
    assert header["alg"] in ("EdDSA", "Ed25519")


def test_jwcrypto_verifies_a_fresh_signature_and_rejects_a_changed_value(tmp_path: Path) -> None:
    bundle_path = tmp_path / "bundle.json"
    bundle_path.write_bytes(pretty_bytes(build_builtin_bundle()))
    pair = generate_keypair(tmp_path / "private", "test", public_dir=tmp_path / "keys")
    sign_bundle_file(bundle_path, pair.private_key)
    assert jwcrypto_verify(bundle_path, pair.jwks)["kid"] == pair.kid

    changed = tmp_path / "changed"
    changed.mkdir()
    shutil.copy(f"{bundle_path}.jws", changed / "bundle.json.jws")
    data = json.loads(bundle_path.read_bytes())
    data["objects"][2]["name"] += "."
    (changed / "bundle.json").write_bytes(pretty_bytes(data))
    with pytest.raises(jws.InvalidJWSSignature):
        jwcrypto_verify(changed / "bundle.json", pair.jwks)
