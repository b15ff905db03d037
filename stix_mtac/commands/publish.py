"""``stix-mtac publish``: send a signed bundle's objects to a TAXII 2.1 collection."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import click
import rfc8785

from stix_mtac.canonical import canonical_bytes
from stix_mtac.commands.options import (
    STDIN_NAME,
    bundle_argument,
    command,
    console,
    deprecated,
    input_name,
    is_stream,
    keyring_option,
    read_bundle_input,
)
from stix_mtac.commands.progress import TerminalProgress
from stix_mtac.commands.taxii_options import (
    credential_options,
    retry_policy,
    transport_options,
)
from stix_mtac.errors import InputError, PublishFailure, SignatureError, StixMtacError
from stix_mtac.printable import printable
from stix_mtac.publish import (
    Connection,
    Credentials,
    TaxiiClient,
    plan_envelopes,
    publish_bundle,
    read_back,
)
from stix_mtac.publish.discovery import resolve_api_root
from stix_mtac.publish.publisher import DEFAULT_MAX_OBJECTS, FALLBACK_MAX_BYTES, PublishResult
from stix_mtac.redaction import redact
from stix_mtac.signing import verify_bundle_file
from stix_mtac.signing.bundles import signature_path

# Failures listed one per line before the summary; the rest are counted, not listed.
_LISTED_FAILURES = 20


def load_objects(bundle_path: Path, keyring: Path | None, allow_unsigned: bool) -> list[Any]:
    """The bundle's objects, after its signature is verified.

    ``allow_unsigned`` admits a bundle with no signature at all; a signature that is there is
    always verified, so a damaged or re-keyed bundle is never published. ``-`` reads
    standard input, which has no signature beside it: only with ``allow_unsigned``.
    """
    source = input_name(bundle_path)
    if is_stream(bundle_path) and not allow_unsigned:
        raise SignatureError(
            f"{source}: unsigned: a bundle read from standard input has no signature beside "
            "it; publish the file beside its .jws, or pass --allow-unsigned"
        )
    unsigned = allow_unsigned and (
        is_stream(bundle_path) or not signature_path(bundle_path).exists()
    )
    if unsigned:
        bundle = read_bundle_input(bundle_path)
    else:
        bundle = verify_bundle_file(bundle_path, keyring).bundle
    if not isinstance(bundle, dict) or bundle.get("type") != "bundle":
        raise InputError(f"{source}: not a STIX bundle (no type 'bundle')")
    objects = bundle.get("objects")
    if not isinstance(objects, list) or not objects:
        raise InputError(f"{source}: $.objects: the bundle has no objects to publish")
    for index, obj in enumerate(objects):
        if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
            raise InputError(f"{source}: $.objects[{index}]: not a STIX object with an id")
        if unsigned:
            _check_sendable(source, index, obj)
    return objects


def _check_sendable(source: str, index: int, obj: dict[str, Any]) -> None:
    """Envelopes are canonical JSON (RFC 8785): an integer beyond 2**53 or a lone surrogate
    cannot be sent as it is. A signed bundle was checked when it was signed."""
    try:
        canonical_bytes(obj)
    except rfc8785.CanonicalizationError as error:
        where = f"$.objects[{index}] ({printable(str(obj['id']))[:100]})"
        raise InputError(
            f"{source}: {where}: cannot be sent in RFC 8785 canonical JSON: "
            f"{printable(str(error))[:200]}"
        ) from None


@command()
@bundle_argument("bundle")
@click.option(
    "--url",
    required=True,
    help="TAXII 2.1 discovery URL (https://host/taxii2/) or API root (https://host/api1/).",
)
@click.option("--collection", required=True, help="Collection id to add the objects to.")
@credential_options
@keyring_option
@click.option("--allow-unsigned", is_flag=True, help="Publish a bundle without a signature.")
@click.option("--dry-run", is_flag=True, help="Show the envelopes that would be sent; send none.")
@click.option(
    "--verify-readback", is_flag=True, help="Read the collection back and compare with the bundle."
)
@click.option(
    "--envelope-objects",
    "max_objects",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_OBJECTS,
    show_default=True,
    help="Objects per envelope.",
)
@deprecated("--max-objects", "--envelope-objects")
@click.option(
    "--envelope-bytes",
    "max_bytes",
    type=click.IntRange(min=64),
    help="Envelope size cap in bytes, below the server's max_content_length.",
)
@deprecated("--max-bytes", "--envelope-bytes")
@transport_options
@click.option(
    "--status-timeout",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    help="Seconds to poll a pending status resource before counting objects as pending.",
)
def publish(
    bundle: Path,
    url: str,
    collection: str,
    user: str | None,
    password: str | None,
    token: str | None,
    ca_bundle: Path | None,
    insecure: bool,
    keyring: Path | None,
    allow_unsigned: bool,
    dry_run: bool,
    verify_readback: bool,
    max_objects: int,
    max_bytes: int | None,
    retries: int,
    backoff: float,
    connect_timeout: float,
    timeout: float,
    deadline: float,
    status_timeout: float,
) -> None:
    """Publish BUNDLE's objects to a TAXII 2.1 collection.

    The bundle's signature (BUNDLE.jws) is verified first; unsigned bundles are refused unless
    --allow-unsigned. - reads the bundle from standard input, which has no signature beside
    it, so it needs --allow-unsigned. Objects go out in bundle order as TAXII envelopes under
    the server's max_content_length; each status resource is polled until complete and its
    counts are checked against what was sent. Publishing again is safe: objects the server
    already holds with the same id, modified and content count as "already present", not as
    failures. When a run fails part way, the account on stderr names each envelope (its
    objects' positions and ids) and whether it was added, refused, not confirmed or not sent:
    run the same command again to send the rest. Credentials come from the options or the
    environment; the password and token are never printed, not even when a server quotes
    them back.

    \b
    Example:
      export STIX_MTAC_TAXII_USER=analyst STIX_MTAC_TAXII_PASSWORD=...
      stix-mtac publish bundles/mtac-east-asia-2023-09-07.json \\
        --url https://taxii.example.org/api1/ \\
        --collection 365fed99-08fa-fdcd-a1b3-fb247eb41d01 --verify-readback

    \b
    Exit codes: 0 all objects stored (or already present); 2 usage error (also a token
    with whitespace or control characters); 4 bundle unreadable; 5 signature missing or
    invalid; 6 keyring missing or damaged; 7 server unreachable, answered an error (after
    retries), sent a malformed answer, redirected to another host, or the --deadline passed,
    or an unusable --url; 8 credentials refused (HTTP 401/403); 9 the server reported failed
    objects, objects stayed pending or were not confirmed (status counts that disagree with
    what was sent), an object is too large, or the read-back differs.
    """
    objects = load_objects(bundle, keyring, allow_unsigned)
    if dry_run:
        _show_plan(objects, url, collection, max_bytes or FALLBACK_MAX_BYTES, max_objects)
        return
    if insecure:
        console().warn("--insecure: TLS certificates are not verified")
    credentials = Credentials(user=user, password=password, token=token)
    retry = retry_policy(retries, backoff, connect_timeout, timeout, deadline)
    connection = Connection(
        api_root=resolve_api_root(
            url, credentials=credentials, ca_bundle=ca_bundle, insecure=insecure, retry=retry
        ),
        collection=collection,
        credentials=credentials,
        ca_bundle=ca_bundle,
        insecure=insecure,
        retry=retry,
    )
    with TaxiiClient(connection) as client, TerminalProgress() as progress:
        result = publish_bundle(
            client,
            objects,
            max_objects=max_objects,
            max_bytes=max_bytes,
            status_timeout=status_timeout,
            progress=progress,
        )
        progress.clear()
        _report(bundle, connection, result)
        if verify_readback:
            readback = read_back(client, objects, progress=progress)
            progress.clear()
            console().info(readback.summary())
            problems = [f"missing: {i}" for i in readback.missing] + [
                f"changed: {i}" for i in readback.changed
            ]
            for line in problems[:_LISTED_FAILURES]:
                click.echo(printable(line), err=True)
            if not readback.ok:
                raise PublishFailure(
                    f"read-back differs: {len(readback.missing)} missing, "
                    f"{len(readback.changed)} changed"
                )


def _report(bundle: Path, connection: Connection, result: PublishResult) -> None:
    """The summary, each failed object, and (when anything did not land) the account of
    every envelope; then the error that decides the exit code."""
    name = STDIN_NAME if is_stream(bundle) else bundle.name
    console().info(f"published {name} to {connection.collection_url}: {result.summary()}")
    for failure in result.failed[:_LISTED_FAILURES]:
        line = f"failed: {failure.id} ({failure.version}): {failure.message}"
        click.echo(printable(redact(line)), err=True)
    if len(result.failed) > _LISTED_FAILURES:
        click.echo(f"failed: ... and {len(result.failed) - _LISTED_FAILURES} more", err=True)
    if result.complete:
        return
    planned = len(result.account)
    for account in result.account:
        click.echo(printable(redact(account.describe(planned))), err=True)
    rest = result.sent - result.landed
    advice = f"{result.landed} of {result.sent} objects landed, {rest} did not"
    if result.stopped or result.pending or result.unconfirmed:
        # What was not sent or not confirmed is sent again; what landed counts as already
        # present. A refused object (other content under its id) needs a new version instead.
        advice += "; run the same command again to send the rest"
    if result.stopped is not None:
        stopped = result.stopped
        error: StixMtacError = type(stopped)(f"{stopped.message}; publish stopped: {advice}")
        raise error
    raise PublishFailure(
        f"{len(result.failed)} failed, {result.pending} pending and {result.unconfirmed} not "
        f"confirmed of {result.sent} objects sent to {connection.collection_url}; {advice}"
    )


def _show_plan(
    objects: list[Any], url: str, collection: str, max_bytes: int, max_objects: int
) -> None:
    envelopes = plan_envelopes(objects, max_bytes, max_objects)
    types = Counter(printable(str(obj.get("type"))) for obj in objects)
    click.echo(
        f"dry run: would POST {len(objects)} objects to {printable(url)} "
        f"collection {printable(collection)}"
    )
    click.echo("types: " + ", ".join(f"{name} {count}" for name, count in sorted(types.items())))
    for number, envelope in enumerate(envelopes, 1):
        first = printable(str(envelope.objects[0]["id"]))
        last = printable(str(envelope.objects[-1]["id"]))
        click.echo(
            f"envelope {number}: {len(envelope.objects)} objects, {envelope.size} bytes "
            f"({first} .. {last})"
        )
    click.echo(
        f"(planned with a {max_bytes}-byte cap; the server's max_content_length may split more)"
    )
