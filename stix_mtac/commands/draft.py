"""``stix-mtac draft``: a facts skeleton from a report's text, for an analyst to review."""

from __future__ import annotations

from pathlib import Path

import click

from stix_mtac.commands.options import command, console, deprecated, is_stream, output_option
from stix_mtac.draft import draft_facts
from stix_mtac.errors import InputError
from stix_mtac.fileio import read_bounded, write_new

MAX_SOURCE_BYTES = 16 * 1024 * 1024


@command()
@click.argument("source", type=click.Path(path_type=Path, dir_okay=False))
@output_option(
    "Write the skeleton to this new file (never overwritten; its directory must exist), "
    "or - for standard output.",
    default="-",
    show_default=True,
)
@deprecated("--out", "--output")
def draft(source: Path, output: Path) -> None:
    """Write a facts skeleton for the report text SOURCE: the indicators (defanged ones too),
    CVE ids and technique ids (ATT&CK, DISARM, CAPEC, ATLAS) it finds, each under a fact whose
    quote is the sentence it was found in, verbatim, and TODOs for everything a reader must
    decide (claims, wording, names, descriptions). Review it before use: a machine found
    these, a person decides what they mean.

    \b
    Exit codes: 0 written; 2 usage (also -o in a directory that does not exist: none is
    created); 4 SOURCE unreadable or not UTF-8 text;
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
    if is_stream(output):
        click.echo(skeleton.decode("utf-8"), nl=False)
    else:
        write_new(output, skeleton, 0o644, what="file")
        console().info(f"wrote {output}", err=True)
