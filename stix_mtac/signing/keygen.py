"""Generate a key pair: the private key file (0600) and its public halves in a keyring."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from stix_mtac.errors import OutputError
from stix_mtac.fileio import write_new
from stix_mtac.signing.keyring import KeyStatus, add_key, load_keyring, set_key_status
from stix_mtac.signing.keys import (
    PRIVATE_KEY_MODE,
    PUBLIC_KEY_MODE,
    KeyPairPaths,
    private_pem,
    public_jwk,
    public_pem,
    refuse_existing,
)

KEYRING_NAME = "jwks.json"


def generate_keypair(
    out_dir: Path,
    name: str,
    passphrase: bytes | None = None,
    *,
    public_dir: Path | None = None,
    retire_active: bool = False,
) -> KeyPairPaths:
    """Create ``<out_dir>/<name>.private.pem`` (PKCS#8, mode 0600, encrypted with
    ``passphrase`` if given), ``<public_dir>/<name>.public.pem`` and add the public JWK, with
    status active, to ``<public_dir>/jwks.json``. ``public_dir`` defaults to ``out_dir``.

    With ``retire_active`` the keyring's other active keys become retired (key rotation).
    """
    public_dir = public_dir or out_dir
    private_path = out_dir / f"{name}.private.pem"
    public_path = public_dir / f"{name}.public.pem"
    keyring_path = public_dir / KEYRING_NAME
    refuse_existing(private_path, public_path)
    try:  # a new directory for private keys is for the owner's eyes only
        out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot create: {exc.strerror}") from None
    key = Ed25519PrivateKey.generate()
    jwk = public_jwk(key.public_key())
    write_new(private_path, private_pem(key, passphrase), PRIVATE_KEY_MODE)
    write_new(public_path, public_pem(key.public_key()), PUBLIC_KEY_MODE)
    if retire_active and keyring_path.exists():
        for trusted in load_keyring(keyring_path).keys:
            if trusted.status is KeyStatus.ACTIVE:
                set_key_status(keyring_path, trusted.kid, KeyStatus.RETIRED)
    add_key(keyring_path, jwk, KeyStatus.ACTIVE)
    return KeyPairPaths(private_path, public_path, keyring_path, jwk["kid"])
