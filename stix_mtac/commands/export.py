"""``stix-mtac export``, ``reports`` and ``facts``: facts files to bundles."""

from __future__ import annotations

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
from stix_mtac.commands.options import (
    SIGNING_KEY_ENV,
    command,
    console,
    deprecated,
    echo_json,
    format_option,
    is_stream,
    key_passphrase_option,
    output_option,
    signing_key_option,
    signing_passphrase,
)


def _facts_path(facts: Path | None) -> Path:
    return facts if facts is not None else builtin_facts_path(BUILTIN_REPORT)


@command()
@click.option(
    "--facts",
    "facts",
    multiple=True,
    type=click.Path(path_type=Path),  # a directory is a facts problem (exit 3), not usage
    help="Facts file to build; repeat to build several together (default: every built-in report).",
)
@output_option(
    "Directory to write the bundles into (created if missing, in an existing directory; "
    "end the name with / to create parents too), or - for standard output (one report only).",
    directory=True,
    default="bundles/",
    show_default=True,
)
@deprecated("--out", "--output")
@signing_key_option("Ed25519 private key (PKCS#8 PEM) to sign each bundle with.")
@key_passphrase_option
@click.option(
    "--previous",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Previous version of the bundle to check versions against (default: the file in "
    "the output directory that the export replaces). One report only.",
)
def export(
    facts: tuple[Path, ...],
    output: Path,
    signing_key: Path | None,
    key_passphrase: str | None,
    previous: Path | None,
) -> None:
    """Build reports' facts into validated STIX 2.1 bundles.

    Each bundle is written to DIR/<report key>.json atomically, only if it validates and
    respects STIX versioning against the previous bundle (an object keeps its created; changed
    content needs a newer modified). Reports built together give the objects they share one
    created, the earliest. With a signing key each bundle is signed (DIR/<report key>.json.jws);
    without one, export says so.

    \b
    Examples:
      stix-mtac export                              # built-in reports -> bundles/
      stix-mtac export --facts my-report.yaml -o build/
      stix-mtac export --facts my-report.yaml -o - | jq '.objects | length'

    \b
    Exit codes: 0 written; 1 invalid bundle (nothing written); 2 usage error (also -o naming
    a file, or a directory whose parent is missing: none is created); 3 facts file problem or
    versioning conflict (nothing written); 4 unreadable previous bundle; 6 key file problem;
    10 cannot write the output.
    """
    out = console()
    to_stdout = is_stream(output)
    builtin = list(builtin_reports().values())
    if facts:
        paths, together = list(facts), list(facts)
    else:  # the built-in reports, built together; -o - means the MTAC one
        paths = [builtin_facts_path(BUILTIN_REPORT)] if to_stdout or previous else builtin
        together = [*paths, *(path for path in builtin if path not in paths)]
    if (to_stdout or previous is not None) and len(paths) != 1:
        option = "-o -" if to_stdout else "--previous"
        raise click.UsageError(f"{option} takes exactly one report: give one --facts")
    key = None if to_stdout else signing_key
    passphrase = signing_passphrase(key, key_passphrase) if key is not None else None
    if key is not None:
        out.detail(f"signing with {key}")
    results = build_bundles(load_facts(path) for path in together)[: len(paths)]
    exported = export_results(
        results,
        None if to_stdout else output,
        key=key,
        passphrase=passphrase,
        previous=previous,
    )
    if to_stdout:
        sys.stdout.buffer.write(exported[0].data)
        sys.stdout.buffer.flush()
        out.info(f"exported {exported[0].summary} to standard output (unsigned)", err=True)
        return
    for item in exported:
        if item.signature_path is not None:
            signed = f"signed: {item.signature_path}"
        else:
            signed = f"UNSIGNED (no key: pass --signing-key or set ${SIGNING_KEY_ENV})"
        out.info(f"exported {item.summary} to {item.bundle_path}; {signed}")
        if item.stale_signature is not None:
            out.warn(
                f"{item.stale_signature} signs the previous content and no longer "
                "verifies: sign again (stix-mtac sign) or remove it"
            )


@command()
@format_option(
    help_text='text: "KEY  PUBLISHED  TITLE" per report; json: [{"key", "published", "title"}].'
)
def reports(output_format: str) -> None:
    """List the built-in reports.

    \b
    Examples:
      stix-mtac reports
      stix-mtac reports --format json | jq -r '.[].key'
    """
    found = [(key, load_facts(path).report) for key, path in builtin_reports().items()]
    if output_format == "json":
        echo_json(
            [
                {"key": key, "published": str(info.published), "title": info.title}
                for key, info in found
            ]
        )
        return
    for key, info in found:
        click.echo(f"{key}  {info.published}  {info.title}")


@command()
@click.option(
    "--facts",
    "facts",
    type=click.Path(path_type=Path),  # a directory is a facts problem (exit 3), not usage
    help="Facts file (default: the built-in MTAC East Asia report).",
)
@format_option(
    ("text", "markdown"),
    help_text="text: a fact per line with its objects below; markdown: the README's table.",
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
