"""``stix-mtac pull``: read a TAXII 2.1 collection into a bundle file."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from stix_mtac.canonical import pretty_bytes
from stix_mtac.commands.options import command, console, is_stream, output_option
from stix_mtac.commands.progress import TerminalProgress
from stix_mtac.commands.taxii_options import (
    reading_connection,
    reading_options,
    retry_policy,
    transport_options,
)
from stix_mtac.fileio import write_atomic
from stix_mtac.publish.pull import pull_collection
from stix_mtac.publish.readback import PAGE_SIZE


@command()
@click.argument("url")
@reading_options
@click.option(
    "--added-after",
    metavar="TIMESTAMP",
    help="Only objects the server added after this time (its date_added, e.g. "
    "2026-12-01T00:00:00.000Z); the summary prints the value for the next pull.",
)
@click.option("--all-versions", is_flag=True, help="Every version of each object, not the newest.")
@click.option(
    "--page-size",
    type=click.IntRange(min=1, max=10_000),
    default=PAGE_SIZE,
    show_default=True,
    help="Objects asked for per request (the server may send fewer).",
)
@output_option(
    "Bundle file to write (atomically; its directory must exist), or - for standard output.",
    required=True,
)
@transport_options
def pull(
    url: str,
    collection: str | None,
    user: str | None,
    password: str | None,
    token: str | None,
    ca_bundle: Path | None,
    insecure: bool,
    added_after: str | None,
    all_versions: bool,
    page_size: int,
    output: Path,
    retries: int,
    backoff: float,
    connect_timeout: float,
    timeout: float,
    deadline: float,
) -> None:
    """Read the objects of a TAXII 2.1 collection into a STIX bundle.

    URL is the server's discovery URL (https://host/taxii2/) or an API root. Pages are
    followed to the end; when the server forgets its paging cursor the read resumes from the
    last page's date_added, and objects read twice are kept once. Nothing is written when
    the collection has no (new) objects.

    \b
    Examples:
      stix-mtac pull https://taxii.example.org/taxii2/ --collection 365fed99-... -o feed.json
      stix-mtac pull https://taxii.example.org/api1/ --collection 365fed99-... \\
        --added-after 2026-12-01T00:00:00.000Z -o new.json

    \b
    Exit codes: 0 written (or nothing new); 2 usage error (also -o in a directory that does
    not exist: none is created); 7 server unreachable or answered
    an error, or an unusable URL; 8 credentials refused; 10 cannot write the output.
    """
    retry = retry_policy(retries, backoff, connect_timeout, timeout, deadline)
    connection = reading_connection(
        url, collection, user, password, token, ca_bundle, insecure, retry
    )
    with TerminalProgress() as progress:
        result = pull_collection(
            connection,
            added_after=added_after,
            all_versions=all_versions,
            page_size=page_size,
            progress=progress,
        )
    summary = result.summary(connection)
    out = console()
    if not result.bundle["objects"]:
        out.info(f"{summary}; nothing written", err=True)
        return
    data = pretty_bytes(result.bundle)
    if is_stream(output):
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        out.info(summary, err=True)
        return
    write_atomic(output, data)
    out.info(f"{summary} -> {output}")
