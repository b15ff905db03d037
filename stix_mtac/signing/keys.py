"""Ed25519 key files and their JWK form (RFC 8037), identified by RFC 7638 thumbprints.

Private keys live only in PKCS#8 PEM files created with mode 0600; nothing here ever puts
private key material into a message, a JWK or any other output.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from stix_mtac.canonical import canonical_bytes
from stix_mtac.errors import KeyFileError, OutputError
from stix_mtac.fileio import read_bounded
from stix_mtac.signing import b64url
from stix_mtac.signing.ed25519_points import weak_key_problem

PRIVATE_KEY_MODE = 0o600
PUBLIC_KEY_MODE = 0o644
MAX_KEY_FILE_BYTES = 64 * 1024
JWK_ALG = "EdDSA"


@dataclass(frozen=True)
class KeyPairPaths:
    """Where ``generate_keypair`` put a new key pair, and the key's id."""

    private_key: Path
    public_pem: Path
    jwks: Path
    kid: str


def public_jwk(public_key: Ed25519PublicKey) -> dict[str, str]:
    """The public key as a JWK with ``kid`` set to its RFC 7638 thumbprint."""
    x = b64url.encode(public_key.public_bytes_raw())
    members = {"crv": "Ed25519", "kty": "OKP", "x": x}
    return {**members, "kid": thumbprint(members), "use": "sig", "alg": JWK_ALG}


def thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 SHA-256 thumbprint of an OKP key: its required members, canonical JSON."""
    required = {name: jwk[name] for name in ("crv", "kty", "x")}
    return b64url.encode(hashlib.sha256(canonical_bytes(required)).digest())


def public_key_from_x(x: str) -> Ed25519PublicKey:
    """The Ed25519 public key whose raw bytes are the base64url ``x``; ValueError if not one,
    or if it is a weak (small-order) or non-canonically encoded point."""
    raw = b64url.decode(x)
    problem = weak_key_problem(raw)
    if problem:
        raise ValueError(problem)
    return Ed25519PublicKey.from_public_bytes(raw)


def _needs_passphrase(data: bytes) -> bool:
    """Whether PEM key data is encrypted: cryptography refuses to load it without a password
    with TypeError (any other problem is a ValueError or an unsupported algorithm)."""
    try:
        serialization.load_pem_private_key(data, password=None)
    except TypeError:
        return True
    except (ValueError, UnsupportedAlgorithm):
        return False
    return False


def is_encrypted(path: Path) -> bool:
    """Whether a PEM private key file is protected by a passphrase."""
    return _needs_passphrase(_read_key_file(path))


def _read_key_file(path: Path) -> bytes:
    return read_bounded(path, MAX_KEY_FILE_BYTES, what="key file", error=KeyFileError)


def load_private_key(path: Path, passphrase: bytes | None = None) -> Ed25519PrivateKey:
    """Load an Ed25519 PKCS#8 PEM private key; KeyFileError says what is wrong with the file.

    A key file others can read is refused, as ssh does: the key may already be compromised,
    and signing with it would hide that.
    """
    data = _read_key_file(path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise KeyFileError(
            f"{path}: private key file has mode {mode:04o}, readable by others; "
            f"run chmod 600 {path} (and consider the key compromised if others could read it)"
        )
    encrypted = _needs_passphrase(data)
    if encrypted and not passphrase:
        raise KeyFileError(
            f"{path}: the key is encrypted; give its passphrase (STIX_MTAC_KEY_PASSPHRASE)"
        )
    try:
        key = serialization.load_pem_private_key(data, password=passphrase if encrypted else None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        reason = "wrong passphrase" if encrypted else "not a PEM private key"
        raise KeyFileError(f"{path}: cannot load the private key: {reason}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path}: not an Ed25519 key (got {type(key).__name__})")
    return key


def private_pem(key: Ed25519PrivateKey, passphrase: bytes | None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def public_pem(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def refuse_existing(*paths: Path) -> None:
    for path in paths:
        if os.path.lexists(path):  # a dangling symbolic link too: never write through one
            raise OutputError(f"{path}: already exists; refusing to overwrite a key file")
