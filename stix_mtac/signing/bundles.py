"""Sign and verify bundle files: ``<name>.json`` beside ``<name>.json.jws``.

Verification fails closed and in this order: the trusted keyring (chosen by the user, see
``truststore``; never the one beside the bundle) loads cleanly; the bundle parses
strictly (no duplicate keys); a token exists and matches the profile; its kid names a trusted,
unrevoked key; the signature matches the canonical bytes; the file is in the form the exporter
writes (unless tolerant); the manifest, when it lists the bundle, agrees.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from stix_mtac.canonical import canonical_bytes, pretty_bytes
from stix_mtac.errors import InputError, KeyFileError, OutputError, SignatureError, StixMtacError
from stix_mtac.fileio import finish_interrupted, read_bounded, replace_together
from stix_mtac.jsonio import DEFAULT_LIMITS, parse_json
from stix_mtac.signing import jws, manifest
from stix_mtac.signing.keyring import Keyring, KeyStatus, load_keyring
from stix_mtac.signing.keys import load_private_key, public_jwk
from stix_mtac.signing.truststore import load_trusted_keyring

SIGNATURE_SUFFIX = ".jws"
KEYS_DIRECTORY = "keys"  # where export publishes the keyring beside the bundles
KEYRING_RELATIVE = Path(KEYS_DIRECTORY) / "jwks.json"
SIGNING_KEY_ENV = "STIX_MTAC_SIGNING_KEY"
PASSPHRASE_ENV = "STIX_MTAC_KEY_PASSPHRASE"


@dataclass(frozen=True)
class VerifiedBundle:
    path: Path
    bundle: dict[str, Any]
    kid: str


def signature_path(bundle_path: Path) -> Path:
    return bundle_path.with_name(bundle_path.name + SIGNATURE_SUFFIX)


def published_keyring(bundle_path: Path) -> Path:
    """The keyring published beside a bundle: what users import, never trusted by itself."""
    return bundle_path.parent / KEYRING_RELATIVE


def signing_key_from_env() -> Path | None:
    """The signing key configured by ``$STIX_MTAC_SIGNING_KEY``, if any."""
    value = os.environ.get(SIGNING_KEY_ENV, "").strip()
    return Path(value) if value else None


def passphrase_from_env() -> bytes | None:
    """The key passphrase from ``$STIX_MTAC_KEY_PASSPHRASE``, if set."""
    value = os.environ.get(PASSPHRASE_ENV)
    return value.encode("utf-8") if value else None


def _read_bytes(path: Path, what: str, error: type[InputError | SignatureError]) -> bytes:
    return read_bounded(path, DEFAULT_LIMITS.max_bytes, what=what, error=error)


def _read_bundle(path: Path) -> tuple[bytes, Any]:
    raw = _read_bytes(path, "bundle file", InputError)
    return raw, parse_json(raw, str(path))


def _canonical(bundle: Any, path: Path) -> bytes:
    """RFC 8785 bytes, or InputError for content JCS cannot represent (integers beyond
    +/-(2**53 - 1), lone surrogates), which no verifier could reproduce either."""
    try:
        return canonical_bytes(bundle)
    except rfc8785.CanonicalizationError as exc:
        raise InputError(f"{path}: cannot be put in RFC 8785 canonical form: {exc}") from None


def _object_count(bundle: Any) -> int:
    objects = bundle.get("objects") if isinstance(bundle, dict) else None
    return len(objects) if isinstance(objects, list) else 0


def usable_signing_key(
    bundle_path: Path, private_key_path: Path, passphrase: bytes | None = None
) -> tuple[Ed25519PrivateKey, str]:
    """The key and its kid, if a signature by it on ``bundle_path`` would verify there.

    When a keyring lies beside the bundle, the key must be in it and active: anything else
    would replace a good signature with one that ``verify`` refuses.
    """
    key = load_private_key(private_key_path, passphrase)
    kid = public_jwk(key.public_key())["kid"]
    keyring_path = published_keyring(bundle_path)
    if keyring_path.exists():
        trusted = load_keyring(keyring_path).find(kid)
        if trusted is None:
            raise KeyFileError(
                f"{private_key_path}: key {kid} is not in {keyring_path}, so verify would "
                "refuse its signature; add its public key there first"
            )
        if trusted.status is not KeyStatus.ACTIVE:
            raise KeyFileError(
                f"{private_key_path}: key {kid} is {trusted.status.value} in {keyring_path}; "
                "sign with an active key"
            )
    return key, str(kid)


@dataclass(frozen=True)
class SignedFile:
    signature: Path
    # the file is byte for byte as ``stix-mtac export`` writes its content, the form
    # ``verify`` requires unless ``--tolerant``
    exporter_form: bool


def sign_bundle_file(
    bundle_path: Path, private_key_path: Path, passphrase: bytes | None = None
) -> Path:
    """Sign a bundle file: write ``<bundle>.jws`` and its entry in ``manifest.json``.

    The bundle is read strictly and its canonical bytes signed, so the signature says exactly
    what any strict parser reads from the file. Returns the signature's path.
    """
    return sign_bundle(bundle_path, private_key_path, passphrase).signature


def sign_bundle(
    bundle_path: Path, private_key_path: Path, passphrase: bytes | None = None
) -> SignedFile:
    """:func:`sign_bundle_file`, also saying whether the file is in the exporter's form.

    The signature and the manifest are replaced together (``fileio.replace_together``).
    """
    key, kid = usable_signing_key(bundle_path, private_key_path, passphrase)
    raw, bundle = _read_bundle(bundle_path)
    files = signed_files(bundle_path, raw, bundle, key, kid)
    replace_together(files)
    return SignedFile(signature_path(bundle_path), raw == pretty_bytes(bundle))


def signature_files(
    bundle_path: Path, data: bytes, private_key_path: Path, passphrase: bytes | None = None
) -> dict[Path, bytes]:
    """The signature and manifest for bundle bytes about to be written to ``bundle_path``."""
    key, kid = usable_signing_key(bundle_path, private_key_path, passphrase)
    return signed_files(bundle_path, data, parse_json(data, str(bundle_path)), key, kid)


def signed_files(
    bundle_path: Path, raw: bytes, bundle: Any, key: Ed25519PrivateKey, kid: str
) -> dict[Path, bytes]:
    """The signature and manifest that sign ``raw`` (the bundle file's bytes, parsed as
    ``bundle``) at ``bundle_path``; nothing is written. A damaged manifest is refused here,
    before anything is written."""
    if not isinstance(bundle, dict) or bundle.get("type") != "bundle":
        raise InputError(f"{bundle_path}: not a STIX bundle (no top-level type 'bundle')")
    canonical = _canonical(bundle, bundle_path)
    token = jws.sign_detached(key, kid, canonical)
    target = signature_path(bundle_path)
    manifest_file, manifest_bytes = manifest.updated(
        bundle_path,
        manifest.ManifestEntry(
            sha256=manifest.sha256_hex(raw),
            canonical_sha256=manifest.sha256_hex(canonical),
            bundle_id=str(bundle.get("id", "")),
            objects=_object_count(bundle),
            signature=target.name,
            kid=kid,
            alg=jws.SIGNING_ALG,
        ),
    )
    return {target: (token + "\n").encode("ascii"), manifest_file: manifest_bytes}


def _mismatch(
    bundle_path: Path, token: jws.DetachedToken, bundle: Any, canonical: bytes
) -> SignatureError:
    """Explain a signature that does not match, using the manifest when it lists the bundle."""
    prefix = f"{bundle_path}: signature does not match"
    entry = manifest.read_entry(bundle_path)
    if entry is None:
        return SignatureError(f"{prefix} the bundle's content (changed after signing?)")
    if entry.kid != token.kid:
        return SignatureError(
            f"{prefix}: the token names key {token.kid} but the bundle was signed with "
            f"{entry.kid} (kid swapped in the token?)"
        )
    count = _object_count(bundle)
    if count > entry.objects:
        return SignatureError(
            f"{prefix}: {count} objects, {entry.objects} when signed: object(s) added"
        )
    if count < entry.objects:
        return SignatureError(
            f"{prefix}: {count} objects, {entry.objects} when signed: object(s) removed"
        )
    if manifest.sha256_hex(canonical) != entry.canonical_sha256:
        return SignatureError(f"{prefix}: content changed since signing (a value was edited)")
    return SignatureError(
        f"{prefix}: the content is as signed, so the signature itself is damaged "
        f"({signature_path(bundle_path).name})"
    )


def _check_manifest(bundle_path: Path, bundle: Any, canonical: bytes, kid: str) -> None:
    entry = manifest.read_entry(bundle_path)
    if entry is None:
        return
    where = f"{manifest.manifest_path(bundle_path)}: bundles.{bundle_path.name}"
    if entry.canonical_sha256 != manifest.sha256_hex(canonical):
        raise SignatureError(f"{where}: canonical_sha256 disagrees with the verified bundle")
    if entry.kid != kid:
        raise SignatureError(f"{where}: kid {entry.kid} disagrees with the signature's {kid}")
    if entry.bundle_id != bundle.get("id"):
        raise SignatureError(f"{where}: bundle_id disagrees with the bundle's id")


def verify_bundle_file(
    bundle_path: Path, keyring_path: Path | None = None, *, tolerant: bool = False
) -> VerifiedBundle:
    """Verify ``<bundle>.jws`` over the bundle with keys from the trusted keyring, failing
    closed.

    ``keyring_path`` is the keyring to trust; None means the user's choice
    (``truststore.trusted_keyring_source``: ``$STIX_MTAC_KEYRING``, else the trust store).
    A keyring beside the bundle is never trusted by itself. Raises SignatureError (exit 5)
    when the signature is missing, malformed, by an untrusted or revoked key, or does not
    match; KeyFileError (6) for no or a damaged keyring; InputError (4) for an unreadable
    bundle or one with duplicate keys. ``tolerant`` accepts a re-serialised copy
    (pretty-printed, keys reordered, escaped differently) whose content is unchanged.
    """
    return verify_with_keyring(bundle_path, load_trusted_keyring(keyring_path), tolerant=tolerant)


def verify_with_keyring(
    bundle_path: Path, keyring: Keyring, *, tolerant: bool = False
) -> VerifiedBundle:
    """:func:`verify_bundle_file` with an already loaded keyring (one load for many files)."""
    try:
        # A run killed past its commit point left the new bundle beside the old signature
        # (or the reverse); the journal it committed says how to finish, so finish first.
        finish_interrupted(bundle_path.parent)
    except OutputError as exc:
        raise SignatureError(exc.message) from None
    raw, bundle = _read_bundle(bundle_path)
    token_path = signature_path(bundle_path)
    if not token_path.exists():
        raise SignatureError(f"{bundle_path}: unsigned: no signature file {token_path.name}")
    token_bytes = read_bounded(
        token_path, jws.MAX_TOKEN_BYTES, what="signature", error=SignatureError
    )
    token = jws.parse_detached(token_bytes, str(token_path))
    trusted = keyring.find(token.kid)
    if trusted is None:
        raise SignatureError(
            f"{token_path}: key {token.kid} is not in the trusted keyring {keyring.path}; "
            f"only keys listed there are trusted{_beside_hint(bundle_path, token.kid)}"
        )
    if trusted.status is KeyStatus.REVOKED:
        raise SignatureError(
            f"{token_path}: signed with key {token.kid}, which {keyring.path} marks revoked"
        )
    canonical = _canonical(bundle, bundle_path)
    if not jws.signature_matches(token, trusted.public_key, canonical):
        raise _mismatch(bundle_path, token, bundle, canonical)
    if not tolerant and raw != pretty_bytes(bundle):
        raise SignatureError(
            f"{bundle_path}: signature matches the content, but the file is not in the form "
            "stix-mtac writes (sorted keys, 2-space indent, final newline); it was re-saved. "
            "Verify a re-serialised copy with --tolerant"
        )
    if not isinstance(bundle, dict) or bundle.get("type") != "bundle":
        raise InputError(f"{bundle_path}: signed, but not a STIX bundle (no type 'bundle')")
    _check_manifest(bundle_path, bundle, canonical, token.kid)
    return VerifiedBundle(bundle_path, bundle, token.kid)


def _beside_hint(bundle_path: Path, kid: str) -> str:
    """Say so when the keyring beside the bundle names the key: it is not trusted for that."""
    beside = published_keyring(bundle_path)
    try:
        if load_keyring(beside).find(kid) is None:
            return ""
    except StixMtacError:
        return ""
    return (
        f" ({beside} beside the bundle lists it, but a keyring that travels with a bundle "
        "proves nothing: check its fingerprints, then `stix-mtac trust import` it)"
    )


def _walked(directory: Path, pattern: str) -> list[Path]:
    """Files matching ``pattern`` below ``directory`` (as ``validate`` walks a directory),
    leaving out what export writes beside bundles, ``keys/``, and hidden files."""
    return sorted(
        path
        for path in directory.rglob(pattern)
        if path.is_file()
        and KEYS_DIRECTORY not in path.relative_to(directory).parts[:-1]
        and not any(part.startswith(".") for part in path.relative_to(directory).parts)
    )


def bundle_files(directory: Path) -> list[Path]:
    """The bundles ``verify DIR`` checks: every ``*.json`` below ``directory``, as
    ``validate`` walks it, except ``manifest.json`` files, ``keys/`` directories (the
    published keyring) and hidden files."""
    return [path for path in _walked(directory, "*.json") if path.name != manifest.MANIFEST_NAME]


def orphan_signatures(directory: Path) -> list[Path]:
    """Signature files below ``directory`` whose bundle is missing (renamed or deleted)."""
    return [
        path
        for path in _walked(directory, f"*.json{SIGNATURE_SUFFIX}")
        if not path.with_name(path.name.removesuffix(SIGNATURE_SUFFIX)).exists()
    ]
