"""``stix-mtac export``, ``reports`` and ``facts``: facts files to bundles."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from stix_mtac.build import (
    BUILTIN_REPORT,
    build_bundles,
    build_from_path,
    builtin_facts_path,
    builtin_reports,
    load_facts,
)
from stix_mtac.build.export import export_results
from stix_mtac.build.trace import fact_table_markdown, fact_trace_lines

SIGNING_KEY_ENV = "STIX_MTAC_SIGNING_KEY"
PASSPHRASE_ENV = "STIX_MTAC_KEY_PASSPHRASE"


def _facts_path(facts: Path | None) -> Path:
    return facts if facts is not None else builtin_facts_path(BUILTIN_REPORT)


def _key(key: Path | None) -> Path | None:
    if key is None:
        env_key = os.environ.get(SIGNING_KEY_ENV)
        key = Path(env_key) if env_key else None
    return key


@click.command()
@click.option(
    "--facts",
    "facts",
    multiple=True,
    type=click.Path(path_type=Path),  # a directory is a facts problem (exit 3), not usage
    help="Facts file to build; repeat to build several together (default: every built-in report).",
)
@click.option(
    "--out",
    "out",
    default="bundles",
    show_default=True,
    help="Directory to write the bundles into, or - for standard output (one report only).",
)
@click.option(
    "--key",
    type=click.Path(path_type=Path, dir_okay=False),
    help=f"Ed25519 private key (PKCS#8 PEM) to sign with; default: ${SIGNING_KEY_ENV}. "
    f"Passphrase from ${PASSPHRASE_ENV}.",
)
@click.option(
    "--previous",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Previous version of the bundle to check versions against (default: the file in OUT "
    "that the export replaces). One report only.",
)
def export(facts: tuple[Path, ...], out: str, key: Path | None, previous: Path | None) -> None:
    """Build reports' facts into validated STIX 2.1 bundles.

    Each bundle is written to OUT/<report key>.json atomically, only if it validates and
    respects STIX versioning against the previous bundle (an object keeps its created; changed
    content needs a newer modified). Reports built together give the objects they share one
    created, the earliest. With a signing key each bundle is signed (OUT/<report key>.json.jws);
    without one, export says so.

    \b
    Examples:
      stix-mtac export                              # built-in reports -> bundles/
      stix-mtac export --facts my-report.yaml --out build/
      stix-mtac export --facts my-report.yaml --out - | jq '.objects | length'

    \b
    Exit codes: 0 written; 1 invalid bundle (nothing written); 2 usage error; 3 facts
    file problem or versioning conflict (nothing written); 4 unreadable previous bundle;
    6 key file problem; 10 cannot write the output.
    """
    to_stdout = out == "-"
    builtin = list(builtin_reports().values())
    if facts:
        paths, together = list(facts), list(facts)
    else:  # the built-in reports, built together; --out - means the MTAC one
        paths = [builtin_facts_path(BUILTIN_REPORT)] if to_stdout or previous else builtin
        together = [*paths, *(path for path in builtin if path not in paths)]
    if (to_stdout or previous is not None) and len(paths) != 1:
        option = "--out -" if to_stdout else "--previous"
        raise click.UsageError(f"{option} takes exactly one report: give one --facts")
    results = build_bundles(load_facts(path) for path in together)[: len(paths)]
    passphrase_text = os.environ.get(PASSPHRASE_ENV)
    passphrase = passphrase_text.encode("utf-8") if passphrase_text else None
    exported = export_results(
        results,
        None if to_stdout else Path(out),
        key=None if to_stdout else _key(key),
        passphrase=passphrase,
        previous=previous,
    )
    if to_stdout:
        sys.stdout.buffer.write(exported[0].data)
        sys.stdout.buffer.flush()
        click.echo(f"exported {exported[0].summary} to standard output (unsigned)", err=True)
        return
    for item in exported:
        if item.signature_path is not None:
            signed = f"signed: {item.signature_path}"
        else:
            signed = f"UNSIGNED (no key: pass --key or set ${SIGNING_KEY_ENV})"
        click.echo(f"exported {item.summary} to {item.bundle_path}; {signed}")
        if item.stale_signature is not None:
            click.echo(
                f"warning: {item.stale_signature} signs the previous content and no longer "
                "verifies: sign again (stix-mtac sign) or remove it",
                err=True,
            )


@click.command()
def reports() -> None:
    """List the built-in reports.

    \b
    Example:
      stix-mtac reports
    """
    for key, path in builtin_reports().items():
        info = load_facts(path).report
        click.echo(f"{key}  {info.published}  {info.title}")


@click.command()
@click.option(
    "--facts",
    "facts",
    type=click.Path(path_type=Path),  # a directory is a facts problem (exit 3), not usage
    help="Facts file (default: the built-in MTAC East Asia report).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown"]),
    default="text",
    show_default=True,
    help="text: a fact per line with its objects below; markdown: the README's table.",
)
def facts(facts: Path | None, output_format: str) -> None:
    """Print, for each fact, the STIX objects it produced.

    \b
    Examples:
      stix-mtac facts | less
      stix-mtac facts --facts my-report.yaml --format markdown
    """
    result = build_from_path(_facts_path(facts))
    if output_format == "markdown":
        click.echo(fact_table_markdown(result), nl=False)
    else:
        click.echo("\n".join(fact_trace_lines(result)))
