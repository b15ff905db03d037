"""``stix-mtac publish``: send a signed bundle's objects to a TAXII 2.1 collection."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import click

from stix_mtac.commands.options import (
    STDIN_NAME,
    bundle_argument,
    command,
    console,
    deprecated,
    is_stream,
    keyring_option,
    read_bundle_input,
    taxii_access_options,
)
from stix_mtac.errors import InputError, PublishFailure, SignatureError
from stix_mtac.jsonio import read_json_file
from stix_mtac.publish import (
    Connection,
    Credentials,
    RetryPolicy,
    TaxiiClient,
    plan_envelopes,
    publish_bundle,
    read_back,
)
from stix_mtac.publish.discovery import resolve_api_root
from stix_mtac.publish.publisher import DEFAULT_MAX_OBJECTS, FALLBACK_MAX_BYTES
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
    source = STDIN_NAME if is_stream(bundle_path) else str(bundle_path)
    if is_stream(bundle_path):
        if not allow_unsigned:
            raise SignatureError(
                f"{source}: unsigned: a bundle read from standard input has no signature "
                "beside it; publish the file beside its .jws, or pass --allow-unsigned"
            )
        bundle = read_bundle_input(bundle_path)
    elif allow_unsigned and not signature_path(bundle_path).exists():
        bundle = read_json_file(bundle_path)
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
    return objects


@command()
@bundle_argument("bundle")
@click.option(
    "--url",
    required=True,
    help="TAXII 2.1 discovery URL (https://host/taxii2/) or API root (https://host/api1/).",
)
@click.option("--collection", required=True, help="Collection id to add the objects to.")
@taxii_access_options
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
@click.option(
    "--retries",
    type=click.IntRange(min=1, max=10),
    default=4,
    show_default=True,
    help="Attempts per request on 429, 5xx and connection errors.",
)
@click.option(
    "--backoff",
    type=click.FloatRange(min=0),
    default=0.5,
    show_default=True,
    help="First retry delay in seconds; doubles each retry, at most 8 s.",
)
@click.option(
    "--timeout",
    "timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconds to wait for each answer from the server (per request).",
)
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
    timeout: float,
    status_timeout: float,
) -> None:
    """Publish BUNDLE's objects to a TAXII 2.1 collection.

    The bundle's signature (BUNDLE.jws) is verified first; unsigned bundles are refused unless
    --allow-unsigned. - reads the bundle from standard input, which has no signature beside
    it, so it needs --allow-unsigned. Objects go out in bundle order as TAXII envelopes
    under the server's max_content_length; each status resource is polled until complete.
    Publishing again is safe: objects the server already holds with the same id, modified
    and content count as "already present", not as failures. Credentials come from the
    options or the environment; the password and token are never printed.

    \b
    Example:
      export STIX_MTAC_TAXII_USER=analyst STIX_MTAC_TAXII_PASSWORD=...
      stix-mtac publish bundles/mtac-east-asia-2023-09-07.json \\
        --url https://taxii.example.org/api1/ \\
        --collection 365fed99-08fa-fdcd-a1b3-fb247eb41d01 --verify-readback
      stix-mtac pull https://a.example/taxii2/ --collection ID -o - \\
        | stix-mtac publish - --allow-unsigned --url https://b.example/api1/ --collection ID

    \b
    Exit codes: 0 all objects stored (or already present); 2 usage error (also a token
    with whitespace or control characters); 4 bundle unreadable; 5 signature missing or
    invalid; 6 keyring missing or damaged; 7 server unreachable or answered an error
    (after retries), or an unusable --url; 8 credentials refused (HTTP 401/403); 9 the
    server reported failed objects, objects stayed pending, an object is too large, or the
    read-back differs.
    """
    objects = load_objects(bundle, keyring, allow_unsigned)
    if dry_run:
        _show_plan(objects, url, collection, max_bytes or FALLBACK_MAX_BYTES, max_objects)
        return
    if insecure:
        console().warn("--insecure: TLS certificates are not verified")
    credentials = Credentials(user=user, password=password, token=token)
    retry = RetryPolicy(attempts=retries, backoff_seconds=backoff, timeout_seconds=timeout)
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
    with TaxiiClient(connection) as client:
        result = publish_bundle(
            client,
            objects,
            max_objects=max_objects,
            max_bytes=max_bytes,
            status_timeout=status_timeout,
        )
        name = STDIN_NAME if is_stream(bundle) else bundle.name
        console().info(f"published {name} to {connection.collection_url}: {result.summary()}")
        for failure in result.failed[:_LISTED_FAILURES]:
            click.echo(f"failed: {failure.id} ({failure.version}): {failure.message}", err=True)
        if len(result.failed) > _LISTED_FAILURES:
            click.echo(f"failed: ... and {len(result.failed) - _LISTED_FAILURES} more", err=True)
        if result.failed or result.pending:
            raise PublishFailure(
                f"{len(result.failed)} failed and {result.pending} pending of "
                f"{result.sent} objects sent to {connection.collection_url}"
            )
        if verify_readback:
            readback = read_back(client, objects)
            console().info(readback.summary())
            problems = [f"missing: {i}" for i in readback.missing] + [
                f"changed: {i}" for i in readback.changed
            ]
            for line in problems[:_LISTED_FAILURES]:
                click.echo(line, err=True)
            if not readback.ok:
                raise PublishFailure(
                    f"read-back differs: {len(readback.missing)} missing, "
                    f"{len(readback.changed)} changed"
                )


def _show_plan(
    objects: list[Any], url: str, collection: str, max_bytes: int, max_objects: int
) -> None:
    envelopes = plan_envelopes(objects, max_bytes, max_objects)
    types = Counter(str(obj.get("type")) for obj in objects)
    click.echo(f"dry run: would POST {len(objects)} objects to {url} collection {collection}")
    click.echo("types: " + ", ".join(f"{name} {count}" for name, count in sorted(types.items())))
    for number, envelope in enumerate(envelopes, 1):
        click.echo(
            f"envelope {number}: {len(envelope.objects)} objects, {envelope.size} bytes "
            f"({envelope.objects[0]['id']} .. {envelope.objects[-1]['id']})"
        )
    click.echo(
        f"(planned with a {max_bytes}-byte cap; the server's max_content_length may split more)"
    )
