"""The options every command that reads from a TAXII server shares (``pull``,
``verify --taxii``), and the one way they become a ``Connection``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from stix_mtac.commands.publish import PASSWORD_ENV, TOKEN_ENV, USER_ENV, _check_token
from stix_mtac.publish.discovery import resolve_api_root
from stix_mtac.publish.taxii import Connection, Credentials

F = TypeVar("F", bound=Callable[..., Any])


def reading_options(command: F) -> F:
    """``--collection``, credentials, ``--ca-bundle``, ``--insecure`` (as ``publish`` has them)."""
    options = [
        click.option("--collection", help="Collection id to read."),
        click.option("--user", envvar=USER_ENV, help=f"Basic-auth user [env {USER_ENV}]."),
        click.option(
            "--password",
            envvar=PASSWORD_ENV,
            help=f"Basic-auth password; prefer the environment [env {PASSWORD_ENV}].",
        ),
        click.option(
            "--token",
            envvar=TOKEN_ENV,
            callback=_check_token,
            help=f"Bearer token instead of Basic [env {TOKEN_ENV}].",
        ),
        click.option(
            "--ca-bundle",
            type=click.Path(path_type=Path, dir_okay=False),
            help="PEM file of CA certificates to trust for the server's TLS certificate.",
        ),
        click.option("--insecure", is_flag=True, help="Do not verify TLS certificates (warns)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


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
        click.echo("warning: --insecure: TLS certificates are not verified", err=True)
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
