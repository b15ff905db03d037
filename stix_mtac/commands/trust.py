"""``stix-mtac trust``: the keys verification trusts, and the ``--keyring`` option.

``trust import`` copies a publisher's keyring into the user's trust store after showing its
fingerprints (RFC 7638 thumbprints, the ``kid``), as ``ssh`` asks before adding a host key.
``verify`` and ``publish`` take ``--keyring`` (``options.keyring_option``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from stix_mtac.commands.options import console, echo_json, format_option, group
from stix_mtac.signing.keyring import load_keyring
from stix_mtac.signing.truststore import (
    apply_import,
    plan_import,
    remove_key,
    trust_store_path,
)


@group()
def trust() -> None:
    """Manage the keys that verify and publish trust (the trust store).

    The store is $XDG_CONFIG_HOME/stix-mtac/trusted-keys.json (default ~/.config/stix-mtac/).
    verify trusts --keyring FILE (or $STIX_MTAC_KEYRING), else this store; never a keyring
    that merely lies beside a bundle.

    \b
    Examples:
      stix-mtac trust import bundles/keys/jwks.json   # check the fingerprints, then confirm
      stix-mtac trust list
      stix-mtac trust remove KID --yes

    \b
    Exit codes: 0 done; 1 not confirmed; 2 usage error (also no --yes without a terminal);
    6 a keyring or the store is missing, damaged or holds a weak key; 10 cannot write.
    """


def _confirm(question: str, yes: bool) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise click.UsageError(f"{question} Not confirmed: pass --yes (no terminal to ask on)")
    if not click.confirm(question, default=False):
        click.echo("nothing changed", err=True)
        sys.exit(1)


@trust.command("import")
@click.argument("keyring_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--yes", is_flag=True, help="Trust the keys shown without asking.")
def import_(keyring_file: Path, yes: bool) -> None:
    """Add the keys of KEYRING_FILE (a JWKS) to the trust store.

    Prints each key's fingerprint (its kid, the RFC 7638 thumbprint) and status; compare them
    with the ones the publisher states (this project's README) before confirming. A key
    already trusted keeps its status unless the import retires or revokes it.

    \b
    Example:
      stix-mtac trust import bundles/keys/jwks.json --yes
    """
    plan = plan_import(keyring_file)
    for change in plan.changes:
        if change.before is None:
            note = "new"
        elif change.changes:
            note = f"{change.before.value} -> {change.after.value}"
        else:
            note = "already trusted"
        click.echo(f"{change.key.kid}  {change.after.value}  ({note})")
    if not any(change.changes for change in plan.changes):
        console().info(f"nothing to change in {plan.store}")
        return
    _confirm(f"Trust these keys from {keyring_file} for verifying bundles?", yes)
    apply_import(plan)
    console().info(f"trust store: {plan.store}")


@trust.command("list")
@format_option(help_text='text: "KID  STATUS" per key; json: [{"kid", "status"}].')
def list_(output_format: str) -> None:
    """List the trusted keys: fingerprint (kid) and status.

    \b
    Examples:
      stix-mtac trust list
      stix-mtac trust list --format json | jq -r '.[] | select(.status == "active") | .kid'
    """
    store = trust_store_path()
    keys = load_keyring(store).keys if store.exists() else ()
    if output_format == "json":
        echo_json([{"kid": key.kid, "status": key.status.value} for key in keys])
        return
    if not store.exists():
        click.echo(f"no trust store yet ({store}); add keys with `stix-mtac trust import`")
        return
    for key in keys:
        click.echo(f"{key.kid}  {key.status.value}")


@trust.command("remove")
@click.argument("kid")
@click.option("--yes", is_flag=True, help="Remove without asking.")
def remove(kid: str, yes: bool) -> None:
    """Stop trusting the key KID (remove it from the trust store).

    \b
    Example:
      stix-mtac trust remove HOb5... --yes
    """
    _confirm(f"Stop trusting key {kid}?", yes)
    removed = remove_key(kid)
    console().info(f"removed {removed.kid} ({removed.status.value}) from {trust_store_path()}")
