"""``stix-mtac draft``: a facts skeleton from a report's text, for an analyst to review."""

from __future__ import annotations

from pathlib import Path

import click

from stix_mtac.draft import draft_facts
from stix_mtac.errors import InputError
from stix_mtac.fileio import read_bounded, write_new

MAX_SOURCE_BYTES = 16 * 1024 * 1024


@click.command()
@click.argument("source", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the skeleton to this new file (never overwritten); default: standard output.",
)
def draft(source: Path, out: Path | None) -> None:
    """Write a facts skeleton for the report text SOURCE: the indicators (defanged ones too),
    CVE ids and technique ids (ATT&CK, DISARM, CAPEC, ATLAS) it finds, each under a fact whose
    quote is the sentence it was found in, verbatim, and TODOs for everything a reader must
    decide (claims, wording, names, descriptions). Review it before use: a machine found
    these, a person decides what they mean.

    \b
    Exit codes: 0 written; 2 usage; 4 SOURCE unreadable or not UTF-8 text;
    10 the output cannot be written or already exists.

    \b
    Examples:
      stix-mtac draft report.txt                # to standard output
      stix-mtac draft report.txt -o report.yaml # to a new file
    """
    data = read_bounded(source, MAX_SOURCE_BYTES, what="report text", error=InputError)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: byte {exc.start}: not UTF-8 text") from None
    skeleton = draft_facts(text, source.name).encode("utf-8")
    if out is None:
        click.echo(skeleton.decode("utf-8"), nl=False)
    else:
        write_new(out, skeleton, 0o644, what="file")
        click.echo(f"wrote {out}", err=True)
