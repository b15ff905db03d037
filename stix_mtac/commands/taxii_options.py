"""The options every command that reads from a TAXII server shares (``pull``,
``verify --taxii``), and the one way they become a ``Connection``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from stix_mtac.commands.options import console, taxii_access_options
from stix_mtac.publish.discovery import resolve_api_root
from stix_mtac.publish.taxii import Connection, Credentials

F = TypeVar("F", bound=Callable[..., Any])


def reading_options(command: F) -> F:
    """``--collection`` and the access options (``options.taxii_access_options``)."""
    command = taxii_access_options(command)
    return click.option("--collection", help="Collection id to read.")(command)


def reading_connection(
    url: str,
    collection: str | None,
    user: str | None,
    password: str | None,
    token: str | None,
    ca_bundle: Path | None,
    insecure: bool,
) -> Connection:
    """The collection to read; ``url`` may be the discovery URL or an API root."""
    if not collection:
        raise click.UsageError("--collection is required with a TAXII server")
    if insecure:
        console().warn("--insecure: TLS certificates are not verified")
    credentials = Credentials(user=user, password=password, token=token)
    api_root = resolve_api_root(
        url, credentials=credentials, ca_bundle=ca_bundle, insecure=insecure
    )
    return Connection(
        api_root=api_root,
        collection=collection,
        credentials=credentials,
        ca_bundle=ca_bundle,
        insecure=insecure,
    )
