"""The options every command that talks to a TAXII server shares (``publish``, ``pull``,
``verify --taxii``): credentials, TLS, retries and time limits, and the one way they become a
``Connection``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from stix_mtac.commands.options import console
from stix_mtac.publish.discovery import resolve_api_root
from stix_mtac.publish.taxii import Connection, Credentials, RetryPolicy, token_problem

F = TypeVar("F", bound=Callable[..., Any])

USER_ENV = "STIX_MTAC_TAXII_USER"
PASSWORD_ENV = "STIX_MTAC_TAXII_PASSWORD"
TOKEN_ENV = "STIX_MTAC_TAXII_TOKEN"
RETRIES_ENV = "STIX_MTAC_TAXII_RETRIES"
CONNECT_TIMEOUT_ENV = "STIX_MTAC_TAXII_CONNECT_TIMEOUT"
TIMEOUT_ENV = "STIX_MTAC_TAXII_TIMEOUT"
DEADLINE_ENV = "STIX_MTAC_TAXII_DEADLINE"

_DEFAULTS = RetryPolicy()


def check_token(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse a token that cannot be sent, without echoing it (exit 2)."""
    problem = token_problem(value) if value else None
    if problem:
        raise click.BadParameter(problem)
    return value


def _apply(command: F, options: list[Callable[[F], F]]) -> F:
    for option in reversed(options):
        command = option(command)
    return command


def credential_options(command: F) -> F:
    """``--user``, ``--password``, ``--token``, ``--ca-bundle``, ``--insecure``."""
    return _apply(
        command,
        [
            click.option("--user", envvar=USER_ENV, help=f"Basic-auth user [env {USER_ENV}]."),
            click.option(
                "--password",
                envvar=PASSWORD_ENV,
                help=f"Basic-auth password; prefer the environment [env {PASSWORD_ENV}].",
            ),
            click.option(
                "--token",
                envvar=TOKEN_ENV,
                callback=check_token,
                help=f"Bearer token instead of Basic [env {TOKEN_ENV}].",
            ),
            click.option(
                "--ca-bundle",
                type=click.Path(path_type=Path, dir_okay=False),
                help="PEM file of CA certificates to trust for the server's TLS certificate.",
            ),
            click.option(
                "--insecure", is_flag=True, help="Do not verify TLS certificates (warns)."
            ),
        ],
    )


def transport_options(command: F) -> F:
    """``--retries``, ``--backoff``, ``--connect-timeout``, ``--timeout``, ``--deadline``."""
    return _apply(
        command,
        [
            click.option(
                "--retries",
                envvar=RETRIES_ENV,
                type=click.IntRange(min=1, max=10),
                default=_DEFAULTS.attempts,
                show_default=True,
                help=f"Attempts per request on 429, 5xx and lost connections [env {RETRIES_ENV}].",
            ),
            click.option(
                "--backoff",
                type=click.FloatRange(min=0),
                default=_DEFAULTS.backoff_seconds,
                show_default=True,
                help="First retry delay in seconds; doubles each retry, at most 8 s "
                "(a Retry-After from the server wins).",
            ),
            click.option(
                "--connect-timeout",
                envvar=CONNECT_TIMEOUT_ENV,
                type=click.FloatRange(min=0.1),
                default=_DEFAULTS.connect_seconds,
                show_default=True,
                help=f"Seconds to wait for a connection [env {CONNECT_TIMEOUT_ENV}].",
            ),
            click.option(
                "--timeout",
                "timeout",
                envvar=TIMEOUT_ENV,
                type=click.FloatRange(min=0.1),
                default=_DEFAULTS.timeout_seconds,
                show_default=True,
                help="Seconds to wait for the server to send anything, per read "
                f"[env {TIMEOUT_ENV}].",
            ),
            click.option(
                "--deadline",
                envvar=DEADLINE_ENV,
                type=click.FloatRange(min=0),
                default=_DEFAULTS.deadline_seconds,
                show_default=True,
                help="Seconds for the whole run, retries and waits included; 0 for no limit "
                f"[env {DEADLINE_ENV}].",
            ),
        ],
    )


def retry_policy(
    retries: int, backoff: float, connect_timeout: float, timeout: float, deadline: float
) -> RetryPolicy:
    return RetryPolicy(
        attempts=retries,
        backoff_seconds=backoff,
        connect_seconds=connect_timeout,
        timeout_seconds=timeout,
        deadline_seconds=deadline or None,
    )


def reading_options(command: F) -> F:
    """``--collection`` and the credential options (as ``publish`` has them)."""
    command = credential_options(command)
    return click.option("--collection", help="Collection id to read.")(command)


def reading_connection(
    url: str,
    collection: str | None,
    user: str | None,
    password: str | None,
    token: str | None,
    ca_bundle: Path | None,
    insecure: bool,
    retry: RetryPolicy | None = None,
) -> Connection:
    """The collection to read; ``url`` may be the discovery URL or an API root."""
    if not collection:
        raise click.UsageError("--collection is required with a TAXII server")
    if insecure:
        console().warn("--insecure: TLS certificates are not verified")
    credentials = Credentials(user=user, password=password, token=token)
    policy = retry or RetryPolicy()
    api_root = resolve_api_root(
        url, credentials=credentials, ca_bundle=ca_bundle, insecure=insecure, retry=policy
    )
    return Connection(
        api_root=api_root,
        collection=collection,
        credentials=credentials,
        ca_bundle=ca_bundle,
        insecure=insecure,
        retry=policy,
    )
