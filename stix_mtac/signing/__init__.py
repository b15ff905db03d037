"""Signed bundles: Ed25519 detached JWS (RFC 7515 Appendix F, RFC 7797 ``b64: false``) over
the RFC 8785 canonical bytes, keys named by RFC 7638 thumbprints, a keyring with key status.

Public API: ``sign_bundle_file``, ``verify_bundle_file`` (raises; never returns a bool),
``generate_keypair``, ``signing_key_from_env``, ``passphrase_from_env``. No CLI concerns here.
"""

from stix_mtac.signing.bundles import (
    PASSPHRASE_ENV,
    SIGNING_KEY_ENV,
    VerifiedBundle,
    bundle_files,
    orphan_signatures,
    passphrase_from_env,
    sign_bundle_file,
    signature_path,
    signing_key_from_env,
    verify_bundle_file,
)
from stix_mtac.signing.keygen import generate_keypair
from stix_mtac.signing.keyring import KeyStatus, load_keyring, set_key_status
from stix_mtac.signing.keys import KeyPairPaths, is_encrypted

__all__ = [
    "PASSPHRASE_ENV",
    "SIGNING_KEY_ENV",
    "KeyPairPaths",
    "KeyStatus",
    "VerifiedBundle",
    "bundle_files",
    "generate_keypair",
    "is_encrypted",
    "load_keyring",
    "orphan_signatures",
    "passphrase_from_env",
    "set_key_status",
    "sign_bundle_file",
    "signature_path",
    "signing_key_from_env",
    "verify_bundle_file",
]
