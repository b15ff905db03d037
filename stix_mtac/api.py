"""The library API: what a connector calls instead of the command line.

Five functions, each a thin layer over the module that does the work (``build``,
``validate.api``, ``signing.bundles``, ``publish``), so the CLI and a connector run the same
code. Failures raise ``stix_mtac.errors.StixMtacError`` subclasses: one-line messages, each
with the ``exit_code`` the CLI would use.

    bundle = build_report(Path("my-report.yaml"))
    report = validate_bundle(bundle)
    signed = sign_bundle(bundle, Path("out/my-report.json"), key=Path("signing.private.pem"))
    verify_bundle(signed.path, Path("out/keys/jwks.json"))
    publish_bundle(signed.path, url="https://taxii.example.org/api1/", collection="...",
                   keyring=Path("out/keys/jwks.json"))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported when called, so `import stix_mtac` stays cheap
    from stix_mtac.publish.publisher import PublishResult
    from stix_mtac.signing.bundles import VerifiedBundle
    from stix_mtac.validate.api import ValidationResult


@dataclass(frozen=True)
class SignedBundle:
    """A bundle file and its detached signature ``<file>.jws``."""

    path: Path
    signature: Path


def build_report(facts: Path | None = None) -> dict[str, Any]:
    """Build a facts file (default: the built-in report) into a STIX 2.1 bundle.

    Returns the bundle as JSON data. Deterministic: the same facts give the same bundle.
    Raises FactsError (exit code 3) for a missing or invalid facts file.
    """
    from stix_mtac.build import build_from_path, builtin_facts_path

    return build_from_path(facts if facts is not None else builtin_facts_path()).bundle


def validate_bundle(
    bundle: Mapping[str, Any] | Path,
    *,
    strict: bool = False,
    disabled: Iterable[str] = (),
    open_bundle: bool = False,
) -> ValidationResult:
    """Validate bundle data, or a bundle file, as ``stix-mtac validate`` does.

    ``disabled`` takes check codes or names (``"103"``, ``"SX301"``); ``strict`` turns
    warnings into errors; ``open_bundle`` reports unresolved references as warnings. The
    result's ``is_valid``, ``errors`` and ``warnings`` say what was found. Raises InputError
    (exit code 4) when a file cannot be read or the data is not a bundle.
    """
    from stix_mtac.jsonio import read_json_file
    from stix_mtac.validate.api import ValidationOptions
    from stix_mtac.validate.api import validate_bundle as validate_data

    options = ValidationOptions(
        disabled=frozenset(disabled), strict=strict, open_bundle=open_bundle
    )
    if isinstance(bundle, Path):
        return validate_data(read_json_file(bundle), source=str(bundle), options=options)
    return validate_data(bundle, options=options)


def sign_bundle(
    bundle: Mapping[str, Any] | Path,
    path: Path | None = None,
    *,
    key: Path,
    passphrase: bytes | None = None,
) -> SignedBundle:
    """Sign a bundle: write ``<path>.jws`` and its entry in ``manifest.json`` beside it.

    Given bundle data, writes it to ``path`` first (atomically, in the form ``stix-mtac
    export`` writes, so ``verify`` accepts it without ``--tolerant``); given a file, signs that
    file. ``key`` is an Ed25519 private key (PKCS#8 PEM). When ``keys/jwks.json`` lies beside
    the bundle, the key must be active in it. Raises KeyFileError (6), InputError (4),
    OutputError (10).
    """
    from stix_mtac.canonical import pretty_bytes
    from stix_mtac.fileio import write_atomic
    from stix_mtac.signing.bundles import sign_bundle as sign_file
    from stix_mtac.signing.bundles import usable_signing_key

    if isinstance(bundle, Path):
        target = bundle
    else:
        if path is None:
            raise TypeError("sign_bundle: give the path to write the bundle data to")
        target = path
        usable_signing_key(target, key, passphrase)  # a wrong key writes nothing
        write_atomic(target, pretty_bytes(dict(bundle)))
    return SignedBundle(target, sign_file(target, key, passphrase).signature)


def verify_bundle(
    path: Path, keyring: Path | None = None, *, tolerant: bool = False
) -> VerifiedBundle:
    """Verify ``<path>.jws`` against the trusted keyring: ``keyring``, else
    ``$STIX_MTAC_KEYRING``, else the trust store (never a keyring merely beside the file).

    Returns the verified bundle data and the signing key's kid; never returns on failure:
    SignatureError (5) for an unsigned, altered, untrusted or revoked signature, KeyFileError
    (6) for a damaged keyring, InputError (4) for an unreadable bundle.
    """
    from stix_mtac.signing.bundles import verify_bundle_file

    return verify_bundle_file(path, keyring, tolerant=tolerant)


def publish_bundle(
    path: Path,
    *,
    url: str,
    collection: str,
    user: str | None = None,
    password: str | None = None,
    token: str | None = None,
    ca_bundle: Path | None = None,
    keyring: Path | None = None,
    allow_unsigned: bool = False,
) -> PublishResult:
    """Verify a signed bundle file (against ``keyring``, as :func:`verify_bundle` trusts),
    then add its objects to a TAXII 2.1 collection.

    ``url`` is the server's discovery URL (``https://host/taxii2/``) or an API root. Returns
    the counts (``succeeded``, ``already_present``, ``failed``, ``pending``); objects the
    server refused are in ``failed``, not raised. Raises SignatureError (5) before anything is
    sent, ServerError (7) and AuthError (8) for the server's answers.
    """
    from stix_mtac.commands.publish import load_objects
    from stix_mtac.publish import Connection, Credentials, TaxiiClient
    from stix_mtac.publish import publish_bundle as publish_objects
    from stix_mtac.publish.discovery import resolve_api_root

    objects = load_objects(path, keyring, allow_unsigned)
    credentials = Credentials(user=user, password=password, token=token)
    api_root = resolve_api_root(url, credentials=credentials, ca_bundle=ca_bundle)
    connection = Connection(
        api_root=api_root, collection=collection, credentials=credentials, ca_bundle=ca_bundle
    )
    with TaxiiClient(connection) as client:
        result = publish_objects(client, objects)
    if result.stopped is not None:
        raise result.stopped  # what did land is in the account; the caller sees the error
    return result
