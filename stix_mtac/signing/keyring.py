"""The keyring: a JWKS (RFC 7517) of Ed25519 public keys, each with a status.

A keyring is only trusted when the user chose it (see ``truststore``); the one published
beside the bundles (``bundles/keys/jwks.json``) is what a user imports once. JWKs have no
validity fields, so each key carries a ``status`` member: ``active`` (signs new bundles),
``retired`` (no longer signs, its old signatures still verify) or ``revoked`` (nothing it
signed verifies). Every entry is checked when the keyring is loaded (weak and non-canonical
keys are refused), so a damaged keyring fails before any bundle is judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from stix_mtac.canonical import pretty_bytes
from stix_mtac.errors import InputError, KeyFileError
from stix_mtac.fileio import read_bounded, write_atomic
from stix_mtac.jsonio import JsonLimits, parse_json
from stix_mtac.signing.keys import PUBLIC_KEY_MODE, public_key_from_x, thumbprint

KEYRING_LIMITS = JsonLimits(max_bytes=1024 * 1024, max_depth=8, max_string=4096)


class KeyStatus(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class TrustedKey:
    kid: str
    status: KeyStatus
    public_key: Ed25519PublicKey
    jwk: dict[str, Any]


@dataclass(frozen=True)
class Keyring:
    path: Path
    keys: tuple[TrustedKey, ...]

    def find(self, kid: str) -> TrustedKey | None:
        return next((key for key in self.keys if key.kid == kid), None)


def _entry(path: Path, index: int, jwk: Any) -> TrustedKey:
    where = f"{path}: keys[{index}]"
    if not isinstance(jwk, dict):
        raise KeyFileError(f"{where}: not a JSON object")
    if "d" in jwk:
        raise KeyFileError(f"{where}: holds a private key ('d'); a keyring holds public keys only")
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise KeyFileError(
            f"{where}: kty {jwk.get('kty')!r} crv {jwk.get('crv')!r}; only Ed25519 (kty OKP, "
            "crv Ed25519) keys are trusted"
        )
    x = jwk.get("x")
    kid = jwk.get("kid")
    if not isinstance(x, str):
        raise KeyFileError(f"{where}: 'x' (the public key) is missing or not a string")
    if not isinstance(kid, str) or not kid:
        raise KeyFileError(f"{where}: 'kid' is missing; it must be the key's RFC 7638 thumbprint")
    try:
        public_key = public_key_from_x(x)
    except ValueError as exc:
        raise KeyFileError(f"{where}: 'x' is not an Ed25519 public key: {exc}") from None
    expected = thumbprint(jwk)
    if kid != expected:
        raise KeyFileError(
            f"{where}: kid {kid!r} is not the RFC 7638 thumbprint of its key ({expected!r}); "
            "a kid swapped onto another key is refused"
        )
    if jwk.get("alg", "EdDSA") not in ("EdDSA", "Ed25519"):
        raise KeyFileError(f"{where}: alg {jwk.get('alg')!r}; expected EdDSA or Ed25519")
    try:
        status = KeyStatus(str(jwk.get("status")))
    except ValueError:
        raise KeyFileError(
            f"{where}: status {jwk.get('status')!r}; expected active, retired or revoked"
        ) from None
    return TrustedKey(kid, status, public_key, dict(jwk))


def load_keyring(path: Path) -> Keyring:
    """Load and check every entry of a keyring; KeyFileError names the file and the entry."""
    if not path.exists():
        raise KeyFileError(f"{path}: no such keyring; without trusted keys nothing verifies")
    raw = read_bounded(path, KEYRING_LIMITS.max_bytes, what="keyring", error=KeyFileError)
    try:
        data = parse_json(raw, str(path), KEYRING_LIMITS)
    except InputError as exc:
        raise KeyFileError(f"keyring {exc.message}") from None
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise KeyFileError(f'{path}: not a JWKS (expected {{"keys": [...]}})')
    keys = tuple(_entry(path, index, jwk) for index, jwk in enumerate(data["keys"]))
    kids = [key.kid for key in keys]
    duplicates = sorted({kid for kid in kids if kids.count(kid) > 1})
    if duplicates:
        raise KeyFileError(f"{path}: kid {duplicates[0]!r} appears more than once")
    return Keyring(path, keys)


def write_keyring(path: Path, jwks: list[dict[str, Any]]) -> None:
    write_atomic(path, pretty_bytes({"keys": jwks}), PUBLIC_KEY_MODE)


def add_key(path: Path, jwk: dict[str, str], status: KeyStatus = KeyStatus.ACTIVE) -> None:
    """Add a public JWK to the keyring at ``path`` (created if missing) with ``status``."""
    existing = [dict(key.jwk) for key in load_keyring(path).keys] if path.exists() else []
    if any(entry["kid"] == jwk["kid"] for entry in existing):
        raise KeyFileError(f"{path}: key {jwk['kid']} is already in the keyring")
    public = {name: value for name, value in jwk.items() if name != "d"}
    write_keyring(path, [*existing, {**public, "status": status.value}])


def set_key_status(path: Path, kid: str, status: KeyStatus) -> None:
    """Mark a key active, retired or revoked (rotation and compromise)."""
    keyring = load_keyring(path)
    if keyring.find(kid) is None:
        raise KeyFileError(f"{path}: no key with kid {kid!r}")
    entries = [
        {**key.jwk, "status": status.value} if key.kid == kid else dict(key.jwk)
        for key in keyring.keys
    ]
    write_keyring(path, entries)
