"""``stix-mtac keygen``, ``sign`` and ``verify``: key pairs and detached bundle signatures."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click

from stix_mtac.commands.options import (
    SIGNING_KEY_ENV,
    OutputPath,
    command,
    console,
    deprecated,
    is_stream,
    key_passphrase_option,
    keyring_option,
    output_option,
    signing_key_option,
    signing_passphrase,
)
from stix_mtac.commands.taxii_options import reading_connection, reading_options
from stix_mtac.errors import InputError, KeyFileError, SignatureError, StixMtacError
from stix_mtac.signing import bundle_files, generate_keypair, orphan_signatures
from stix_mtac.signing.bundles import sign_bundle, verify_with_keyring
from stix_mtac.signing.taxii_check import served_problem
from stix_mtac.signing.truststore import load_trusted_keyring


def _plain_name(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """A key's base name may not lead the files out of -o/--output (no '/', no '..')."""
    if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,63}", value) or ".." in value:
        raise click.BadParameter(f"{value!r}: use letters, digits, '.', '_' and '-' only")
    return value


@command()
@click.option(
    "--name",
    default="signing",
    show_default=True,
    callback=_plain_name,
    help="Base name of the key files (letters, digits, '.', '_', '-').",
)
@output_option(
    "Directory for the private key (keep it outside the repository); created if missing, "
    "in an existing directory (end the name with / to create parents too).",
    directory=True,
    stdout=False,
    default=".",
    show_default=True,
)
@deprecated("--out", "--output")
@click.option(
    "--public-output",
    "public_dir",
    type=OutputPath(directory=True, stdout=False),
    help="Directory for the public PEM and the keyring jwks.json (default: -o/--output); "
    "created as -o is.",
)
@deprecated("--public-out", "--public-output")
@click.option(
    "--encrypt",
    "encrypt",
    is_flag=True,
    help="Encrypt the private key with a passphrase (--key-passphrase, else a prompt).",
)
@deprecated("--passphrase", "--encrypt")
@key_passphrase_option
@click.option(
    "--retire-active",
    is_flag=True,
    help="Rotation: mark the keyring's active keys retired; old signatures still verify.",
)
def keygen(
    name: str,
    output: Path,
    public_dir: Path | None,
    encrypt: bool,
    key_passphrase: str | None,
    retire_active: bool,
) -> None:
    """Generate an Ed25519 key pair for signing bundles.

    Writes DIR/NAME.private.pem (PKCS#8 PEM, mode 0600) and PUBLIC-DIR/NAME.public.pem, and
    adds the public key, as a JWK whose kid is its RFC 7638 thumbprint, with status active, to
    PUBLIC-DIR/jwks.json. Existing key files are never overwritten.

    \b
    Example:
      stix-mtac keygen --name mine -o ~/.config/stix-mtac/ --public-output bundles/keys/

    \b
    Exit codes: 0 written; 2 usage error (also -o naming a file, or a directory whose
    parent is missing: none is created); 6 keyring problem; 10 a key file exists or
    cannot be written.
    """
    passphrase: bytes | None = None
    if encrypt:
        if key_passphrase:
            passphrase = key_passphrase.encode("utf-8")
        else:
            text = click.prompt("Passphrase", hide_input=True, confirmation_prompt=True)
            passphrase = str(text).encode("utf-8")
    paths = generate_keypair(
        output, name, passphrase, public_dir=public_dir, retire_active=retire_active
    )
    out = console()
    out.info(f"private key: {paths.private_key} (mode 0600; never commit it)")
    out.info(f"public key:  {paths.public_pem}")
    out.info(f"keyring:     {paths.jwks} (kid {paths.kid}, active)")


@command()
@click.argument("bundles", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@signing_key_option()
@key_passphrase_option
def sign(bundles: tuple[Path, ...], signing_key: Path | None, key_passphrase: str | None) -> None:
    """Sign bundle files: write BUNDLE.jws beside each and record it in manifest.json.

    The signature is a detached JWS (EdDSA, b64 false) over the bundle's RFC 8785 canonical
    bytes. It is written beside each file, so sign takes files, not - (standard input). An
    encrypted key's passphrase comes from --key-passphrase ($STIX_MTAC_KEY_PASSPHRASE) or a
    prompt, as in export.

    \b
    Example:
      stix-mtac sign bundles/mtac-east-asia-2023-09-07.json --signing-key release.private.pem

    \b
    Exit codes: 0 signed; 4 bundle unreadable or not JSON; 6 key file problem; 10 cannot write.
    """
    if signing_key is None:
        raise KeyFileError(f"no signing key: pass --signing-key or set ${SIGNING_KEY_ENV}")
    passphrase = signing_passphrase(signing_key, key_passphrase)
    out = console()
    out.detail(f"signing with {signing_key}")
    for bundle in bundles:
        signed = sign_bundle(bundle, signing_key, passphrase)
        out.info(f"signed: {bundle} -> {signed.signature}")
        if not signed.exporter_form:
            out.warn(
                f"{bundle} is not laid out as stix-mtac writes bundles (sorted keys, "
                "2-space indent), so it verifies only with `stix-mtac verify --tolerant`"
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


@command()
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
    tolerant: bool,
    taxii_url: str | None,
    **taxii: Any,
) -> None:
    """Verify the detached signatures of bundle files, failing closed.

    Only a keyring you chose is trusted: --keyring FILE (or $STIX_MTAC_KEYRING), else your
    trust store (fill it once: stix-mtac trust import bundles/keys/jwks.json). The keyring
    beside the bundles is never trusted by itself. A directory stands for every *.json
    below it, as in validate, except the manifest.json files and keys/ directories that
    export writes beside bundles; a signature whose bundle is missing also fails. Every
    problem is reported, one line each; the exit code is the first problem's. The signature
    is the file BUNDLE.jws beside each bundle, so verify takes files and directories, not -
    (standard input): save the bundle beside its signature first.

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
    Exit codes: 0 all verified (and served as signed); 2 usage error (also - for a bundle);
    4 bundle unreadable, not JSON or with duplicate keys (or no bundle in a directory);
    5 unsigned, bad, untrusted or revoked signature, a signature without its bundle, or
    (--taxii) the server serves objects missing, altered or extra; 6 no trusted keyring, or
    it is damaged or holds a weak key; 7 server unreachable or failing; 8 credentials refused.
    """
    if any(is_stream(path) for path in paths):
        raise click.UsageError(
            "verify reads the signature BUNDLE.jws beside each bundle file, so it cannot "
            "verify - (standard input): save the bundle beside its signature first"
        )
    out = console(ctx)
    trusted = load_trusted_keyring(keyring)
    out.detail(f"trusting the keys of {trusted.path}")
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
        out.info(f"verified: {bundle} (key {result.kid})")
    if problems:
        for problem in problems:
            for line in problem.lines():
                click.echo(f"error: {line}", err=True)
        click.echo(
            f"{len(problems)} problem(s); {verified} of {len(bundles)} bundle(s) verified",
            err=True,
        )
        ctx.exit(problems[0].exit_code)
