"""``stix-mtac keygen``, ``sign`` and ``verify``: key pairs and detached bundle signatures."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import click

from stix_mtac.commands.taxii_options import reading_connection, reading_options
from stix_mtac.commands.trust import chosen_keyring, keyring_option
from stix_mtac.errors import InputError, KeyFileError, SignatureError, StixMtacError
from stix_mtac.signing import (
    PASSPHRASE_ENV,
    SIGNING_KEY_ENV,
    bundle_files,
    generate_keypair,
    is_encrypted,
    orphan_signatures,
    passphrase_from_env,
    signing_key_from_env,
)
from stix_mtac.signing.bundles import sign_bundle, verify_with_keyring
from stix_mtac.signing.taxii_check import served_problem
from stix_mtac.signing.truststore import load_trusted_keyring


def _passphrase_for(key: Path) -> bytes | None:
    """The passphrase an encrypted key needs: from the environment, else a prompt on a tty."""
    if not key.is_file() or not is_encrypted(key):
        return None
    from_env = passphrase_from_env()
    if from_env is not None:
        return from_env
    if not sys.stdin.isatty():
        raise KeyFileError(f"{key}: the key is encrypted; set {PASSPHRASE_ENV} to its passphrase")
    return str(click.prompt("Passphrase", hide_input=True)).encode("utf-8")


def _plain_name(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """A key's base name may not lead the files out of --out (no '/', no '..')."""
    if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,63}", value) or ".." in value:
        raise click.BadParameter(f"{value!r}: use letters, digits, '.', '_' and '-' only")
    return value


@click.command()
@click.option(
    "--name",
    default="signing",
    show_default=True,
    callback=_plain_name,
    help="Base name of the key files (letters, digits, '.', '_', '-').",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=".",
    show_default=True,
    help="Directory for the private key (keep it outside the repository).",
)
@click.option(
    "--public-out",
    "public_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Directory for the public PEM and the keyring jwks.json (default: --out).",
)
@click.option(
    "--passphrase",
    "encrypt",
    is_flag=True,
    help=f"Encrypt the private key with a passphrase (from ${PASSPHRASE_ENV}, else a prompt).",
)
@click.option(
    "--retire-active",
    is_flag=True,
    help="Rotation: mark the keyring's active keys retired; old signatures still verify.",
)
def keygen(
    name: str, out_dir: Path, public_dir: Path | None, encrypt: bool, retire_active: bool
) -> None:
    """Generate an Ed25519 key pair for signing bundles.

    Writes OUT/NAME.private.pem (PKCS#8 PEM, mode 0600) and PUBLIC-OUT/NAME.public.pem, and
    adds the public key, as a JWK whose kid is its RFC 7638 thumbprint, with status active, to
    PUBLIC-OUT/jwks.json. Existing key files are never overwritten.

    \b
    Example:
      stix-mtac keygen --name release --out ~/.config/stix-mtac --public-out bundles/keys

    \b
    Exit codes: 0 written; 6 keyring problem; 10 a key file exists or cannot be written.
    """
    passphrase: bytes | None = None
    if encrypt:
        passphrase = passphrase_from_env()
        if passphrase is None:
            text = click.prompt("Passphrase", hide_input=True, confirmation_prompt=True)
            passphrase = str(text).encode("utf-8")
    paths = generate_keypair(
        out_dir, name, passphrase, public_dir=public_dir, retire_active=retire_active
    )
    click.echo(f"private key: {paths.private_key} (mode 0600; never commit it)")
    click.echo(f"public key:  {paths.public_pem}")
    click.echo(f"keyring:     {paths.jwks} (kid {paths.kid}, active)")


@click.command()
@click.argument("bundles", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--key",
    type=click.Path(path_type=Path, dir_okay=False),
    help=f"Ed25519 private key (PKCS#8 PEM); default: ${SIGNING_KEY_ENV}.",
)
def sign(bundles: tuple[Path, ...], key: Path | None) -> None:
    """Sign bundle files: write BUNDLE.jws beside each and record it in manifest.json.

    The signature is a detached JWS (EdDSA, b64 false) over the bundle's RFC 8785 canonical
    bytes. An encrypted key's passphrase comes from $STIX_MTAC_KEY_PASSPHRASE or a prompt.

    \b
    Example:
      stix-mtac sign bundles/mtac-east-asia-2023-09-07.json --key release.private.pem

    \b
    Exit codes: 0 signed; 4 bundle unreadable or not JSON; 6 key file problem; 10 cannot write.
    """
    key = key or signing_key_from_env()
    if key is None:
        raise KeyFileError(f"no signing key: pass --key or set ${SIGNING_KEY_ENV}")
    passphrase = _passphrase_for(key)
    for bundle in bundles:
        signed = sign_bundle(bundle, key, passphrase)
        click.echo(f"signed: {bundle} -> {signed.signature}")
        if not signed.exporter_form:
            click.echo(
                f"note: {bundle} is not laid out as stix-mtac writes bundles (sorted keys, "
                "2-space indent), so it verifies only with `stix-mtac verify --tolerant`",
                err=True,
            )


def _expand(paths: tuple[Path, ...]) -> tuple[list[Path], list[StixMtacError]]:
    """Bundles named or found in directories, and the problems found while looking."""
    found: list[Path] = []
    problems: list[StixMtacError] = []
    for path in paths:
        if not path.is_dir():
            found.append(path)
            continue
        in_dir = bundle_files(path)
        if not in_dir:
            problems.append(InputError(f"{path}: no bundles (*.json) to verify"))
        found.extend(in_dir)
        problems.extend(
            SignatureError(f"{orphan}: signature without its bundle (renamed or deleted?)")
            for orphan in orphan_signatures(path)
        )
    return found, problems


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@keyring_option
@click.option(
    "--tolerant",
    is_flag=True,
    help="Accept re-serialised copies (pretty-printed, keys reordered, \\u-escaped) by "
    "re-canonicalising; by default the file must be byte-for-byte as stix-mtac writes it.",
)
@click.option(
    "--taxii",
    "taxii_url",
    metavar="URL",
    help="Also check that this TAXII server (discovery URL or API root) serves, in "
    "--collection, exactly the signed objects.",
)
@reading_options
@click.pass_context
def verify(
    ctx: click.Context,
    /,
    paths: tuple[Path, ...],
    keyring: Path | None,
    deprecated_keys: Path | None,
    tolerant: bool,
    taxii_url: str | None,
    **taxii: Any,
) -> None:
    """Verify the detached signatures of bundle files, failing closed.

    Only a keyring you chose is trusted: --keyring FILE, else $STIX_MTAC_KEYRING, else your
    trust store (fill it once: stix-mtac trust import bundles/keys/jwks.json). The keyring
    beside the bundles is never trusted by itself. A directory stands for every *.json
    directly in it except manifest.json (keys/ is not entered); a signature whose bundle is
    missing also fails. Every problem is reported, one line each; the exit code is the first
    problem's.

    \b
    Examples:
      stix-mtac verify --keyring bundles/keys/jwks.json bundles/
      stix-mtac verify --tolerant --keyring jwks.json downloaded.json

    \b
    With --taxii, each verified bundle's objects are also read back from the server (every
    version it holds of their ids) and compared, in canonical form, with what was signed;
    each difference is one line: "missing: ID (VERSION)", "altered: ID (VERSION): served
    with other PROPERTIES" or "extra: ID (VERSION): a version that was not signed".

    \b
    Exit codes: 0 all verified (and served as signed); 4 bundle unreadable, not JSON or with
    duplicate keys (or no bundle in a directory); 5 unsigned, bad, untrusted or revoked
    signature, a signature without its bundle, or (--taxii) the server serves objects
    missing, altered or extra; 6 no trusted keyring, or it is damaged or holds a weak key;
    7 server unreachable or failing; 8 credentials refused.
    """
    trusted = load_trusted_keyring(chosen_keyring(keyring, deprecated_keys))
    connection = reading_connection(taxii_url, **taxii) if taxii_url else None
    bundles, problems = _expand(paths)
    verified = 0
    for bundle in bundles:
        try:
            result = verify_with_keyring(bundle, trusted, tolerant=tolerant)
        except StixMtacError as error:
            problems.append(error)
            continue
        if connection is not None:
            served = served_problem(connection, bundle, result.bundle)
            if served is not None:
                problems.append(served)
                continue
        verified += 1
        click.echo(f"verified: {bundle} (key {result.kid})")
    if problems:
        for problem in problems:
            for line in problem.lines():
                click.echo(f"error: {line}", err=True)
        click.echo(
            f"{len(problems)} problem(s); {verified} of {len(bundles)} bundle(s) verified",
            err=True,
        )
        ctx.exit(problems[0].exit_code)
