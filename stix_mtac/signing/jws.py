"""Detached compact JWS with an unencoded payload (RFC 7515 Appendix F, RFC 7797).

Token: ``BASE64URL(header) + ".." + BASE64URL(signature)``. The signature is Ed25519 over
``ASCII(BASE64URL(header)) + "." + payload``, where the payload is the RFC 8785 canonical
bytes of the bundle, never carried in the token. The reader accepts only the profile the
writer produces, so every check a JOSE library might skip is made here, explicitly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from stix_mtac.canonical import canonical_bytes
from stix_mtac.errors import InputError, SignatureError
from stix_mtac.jsonio import JsonLimits, parse_json
from stix_mtac.signing import b64url

SIGNING_ALG = "EdDSA"
# RFC 9864 names the curve-specific algorithm "Ed25519"; both mean Ed25519 here.
ACCEPTED_ALGS = frozenset({"EdDSA", "Ed25519"})
TOKEN_TYP = "stix-bundle+jws"
TOKEN_CTY = "application/stix+json;version=2.1"
# Header parameters that carry or point at a key: a token must never choose its own key.
KEY_CARRYING_PARAMS = ("jwk", "jku", "x5u", "x5c", "x5t", "x5t#S256")
ED25519_SIGNATURE_BYTES = 64
# An RFC 7638 thumbprint in base64url; anything else (a newline, an escape) is refused.
KID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,128}")
MAX_TOKEN_BYTES = 16 * 1024
HEADER_LIMITS = JsonLimits(max_bytes=MAX_TOKEN_BYTES, max_depth=4, max_string=1024)


@dataclass(frozen=True)
class DetachedToken:
    header: dict[str, Any]
    header_b64: str
    signature: bytes

    @property
    def kid(self) -> str:
        kid = self.header["kid"]
        assert isinstance(kid, str)
        return kid


def protected_header(kid: str) -> dict[str, Any]:
    return {
        "alg": SIGNING_ALG,
        "b64": False,
        "crit": ["b64"],
        "cty": TOKEN_CTY,
        "kid": kid,
        "typ": TOKEN_TYP,
    }


def signing_input(header_b64: str, payload: bytes) -> bytes:
    return header_b64.encode("ascii") + b"." + payload


def sign_detached(key: Ed25519PrivateKey, kid: str, payload: bytes) -> str:
    """The compact detached token over ``payload``. Ed25519 is deterministic: same in, same out."""
    header_b64 = b64url.encode(canonical_bytes(protected_header(kid)))
    signature = key.sign(signing_input(header_b64, payload))
    return f"{header_b64}..{b64url.encode(signature)}"


# The type every header parameter this profile reads must have, checked before any use.
HEADER_TYPES: dict[str, type] = {
    "alg": str,
    "b64": bool,
    "crit": list,
    "cty": str,
    "kid": str,
    "typ": str,
}


def _check_types(header: dict[str, Any], source: str) -> None:
    for name, expected in HEADER_TYPES.items():
        if name in header and type(header[name]) is not expected:
            kind = {str: "a string", bool: "true or false", list: "a list"}[expected]
            raise SignatureError(
                f"{source}: header '{name}' is a {type(header[name]).__name__} "
                f"({_shown(header[name])}); it must be {kind}"
            )
    crit = header.get("crit", [])
    if not all(type(name) is str for name in crit):
        raise SignatureError(f"{source}: header 'crit' must list parameter names (strings)")


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _check_header(header: dict[str, Any], source: str) -> None:
    _check_types(header, source)
    alg = header.get("alg")
    if alg == "none":
        raise SignatureError(f"{source}: alg 'none' (an unsigned token) is refused")
    if alg not in ACCEPTED_ALGS:
        raise SignatureError(
            f"{source}: alg {alg!r} is not allowed; only EdDSA/Ed25519 signatures are accepted "
            "(HMAC, RSA and ECDSA tokens are refused)"
        )
    carried = [name for name in KEY_CARRYING_PARAMS if name in header]
    if carried:
        raise SignatureError(
            f"{source}: header carries key parameter {carried[0]!r}; only keys from the "
            "keyring are trusted, never a key the token brings"
        )
    crit = header.get("crit")
    if not isinstance(crit, list) or "b64" not in crit:
        raise SignatureError(f"{source}: header 'crit' must be [\"b64\"] (RFC 7797 profile)")
    unknown = [name for name in crit if name != "b64"]
    if unknown or len(crit) != 1:
        raise SignatureError(
            f"{source}: header 'crit' lists {unknown or crit!r}; only [\"b64\"] is understood, "
            "so the token is refused (RFC 7515 section 4.1.11)"
        )
    if header.get("b64") is not False:
        raise SignatureError(
            f"{source}: header 'b64' is {header.get('b64')!r}; this profile signs the "
            "unencoded payload and requires b64 false"
        )
    if header.get("typ") != TOKEN_TYP:
        raise SignatureError(
            f"{source}: header 'typ' {header.get('typ')!r}, expected {TOKEN_TYP!r}"
        )
    if "cty" in header and header["cty"] != TOKEN_CTY:
        raise SignatureError(f"{source}: header 'cty' {header['cty']!r}, expected {TOKEN_CTY!r}")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise SignatureError(f"{source}: header has no 'kid'; cannot tell which key signed")
    if not KID_PATTERN.fullmatch(kid):
        raise SignatureError(
            f"{source}: header 'kid' {_shown(kid)} is not a key thumbprint (base64url)"
        )


def parse_detached(data: bytes, source: str) -> DetachedToken:
    """Parse and check a token file's bytes; SignatureError names ``source`` and the fault."""
    if len(data) > MAX_TOKEN_BYTES:
        raise SignatureError(f"{source}: {len(data)} bytes is too big for a signature token")
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise SignatureError(f"{source}: not a compact JWS (non-ASCII bytes)") from None
    text = text.removesuffix("\n")
    parts = text.split(".")
    if len(parts) != 3:
        raise SignatureError(
            f"{source}: not a compact JWS ({len(parts)} dot-separated parts, expected 3)"
        )
    header_b64, payload_b64, signature_b64 = parts
    if payload_b64:
        raise SignatureError(
            f"{source}: the token carries its payload; a detached token (empty middle part, "
            "RFC 7515 Appendix F) is required"
        )
    try:
        header_bytes = b64url.decode(header_b64)
        header = parse_json(header_bytes, f"{source}: header", HEADER_LIMITS)
    except ValueError as exc:
        raise SignatureError(f"{source}: header is not base64url: {exc}") from None
    except InputError as exc:
        raise SignatureError(exc.message) from None
    if not isinstance(header, dict):
        raise SignatureError(f"{source}: header is not a JSON object")
    _check_header(header, source)
    try:
        signature = b64url.decode(signature_b64)
    except ValueError as exc:
        raise SignatureError(f"{source}: signature is not base64url: {exc}") from None
    if len(signature) != ED25519_SIGNATURE_BYTES:
        raise SignatureError(
            f"{source}: signature is {len(signature)} bytes, an Ed25519 signature is 64"
        )
    return DetachedToken(header, header_b64, signature)


def signature_matches(token: DetachedToken, key: Ed25519PublicKey, payload: bytes) -> bool:
    try:
        key.verify(token.signature, signing_input(token.header_b64, payload))
    except InvalidSignature:
        return False
    return True
