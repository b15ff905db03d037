"""``stix-mtac validate``: check STIX 2.1 bundles as a CI gate."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence

import click

from stix_mtac.jsonio import DEFAULT_LIMITS, JsonLimits
from stix_mtac.validate.api import ValidationOptions
from stix_mtac.validate.render import RENDERERS, render_text
from stix_mtac.validate.render.progress import progress_for_terminal
from stix_mtac.validate.sources import validate_paths
from stix_mtac.validate.summary import summarise

FORMATS = ("text", "json", "sarif", "junit")


def _known_checks() -> dict[str, str]:
    """Every check code and name a finding can carry, by its lower-case spelling."""
    from stix_mtac.validate import conformance_codes as codes
    from stix_mtac.validate.api import CONFORMANCE_RECURSION
    from stix_mtac.validate.registry import registered_checks
    from stix_mtac.validate.summary import UNREADABLE_CODE, UNREADABLE_NAME

    pairs = [(check.code, check.name) for check in registered_checks()]
    pairs += [codes.SCHEMA, codes.NOT_AN_OBJECT, codes.PATTERN_TOO_DEEP, codes.CHECK_FAILED]
    pairs += [codes.UNNUMBERED_SHOULD, CONFORMANCE_RECURSION, (UNREADABLE_CODE, UNREADABLE_NAME)]
    pairs += list(codes.MUST_CODES.values()) + list(codes.SHOULD_NAMES.items())
    return {spelling.lower(): spelling for pair in pairs for spelling in pair}


def _codes(values: Sequence[str], option: str) -> frozenset[str]:
    """Codes or names from repeated and comma-separated option values, in any case.

    An unknown one is a usage error: a typo must not switch a CI gate's check off unseen.
    """
    wanted = [part.strip() for value in values for part in value.split(",") if part.strip()]
    if not wanted:
        return frozenset()
    known = _known_checks()
    unknown = [part for part in wanted if part.lower() not in known]
    if unknown:
        raise click.BadParameter(
            f"unknown check {', '.join(map(repr, unknown))} (codes and names are in the "
            "README's validate section)",
            param_hint=option,
        )
    return frozenset(known[part.lower()] for part in wanted)


def _use_colour() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


@click.command(
    epilog="""\b
Exit codes:
  0  every bundle is valid (warnings allowed unless --strict)
  1  at least one bundle has errors
  2  usage error (bad option or argument)
  4  at least one input could not be read or is not a bundle (not found, not
     UTF-8, BOM, bad JSON, NaN, duplicate keys, too deep, too large, top level
     not a bundle); 4 wins over 1, as that input was not checked at all.
     The other inputs are still checked and reported.
"""
)
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Output format; json/sarif/junit print the summary line on stderr.",
)
@click.option("--disable", multiple=True, metavar="CODES", help="Checks to skip (codes or names).")
@click.option("--enable", multiple=True, metavar="CODES", help="Report only these checks.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--open",
    "open_bundle",
    is_flag=True,
    help="References may point outside the bundle (into a TIP): report them as warnings.",
)
@click.option(
    "--engine",
    type=click.Choice(["fast", "reference"]),
    default="fast",
    show_default=True,
    help="Conformance engine: fast, or stix2-validator itself.",
)
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Conformance workers.")
@click.option(
    "--no-conformance",
    is_flag=True,
    help="Run only stix-mtac's own checks (skip stix2-validator's).",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=DEFAULT_LIMITS.max_bytes,
    show_default=True,
    help="Refuse larger inputs.",
)
@click.option(
    "--max-depth",
    type=click.IntRange(min=1),
    default=DEFAULT_LIMITS.max_depth,
    show_default=True,
    help="Refuse deeper JSON nesting.",
)
@click.option(
    "--max-string",
    type=click.IntRange(min=1),
    default=DEFAULT_LIMITS.max_string,
    show_default=True,
    help="Refuse longer JSON strings (characters).",
)
def validate(
    paths: tuple[str, ...],
    output_format: str,
    disable: tuple[str, ...],
    enable: tuple[str, ...],
    strict: bool,
    open_bundle: bool,
    engine: str,
    jobs: int | None,
    no_conformance: bool,
    max_bytes: int,
    max_depth: int,
    max_string: int,
) -> None:
    """Validate STIX 2.1 bundles: files, directories (every *.json below) or - (stdin).

    Runs stix2-validator's conformance checks (MUSTs as errors, SHOULDs as warnings) and
    stix-mtac's own: references resolve inside the bundle (SX2xx), suggested relationship
    types (SX3xx), duplicate ids and timestamps (SX4xx), official TLP markings (SX5xx),
    custom content and values (SX6xx). Every finding has a code, a name, a severity, the
    object id and a JSON path.

    \b
    Examples:
      stix-mtac validate bundles/
      stix-mtac validate --strict --disable 103,302 bundles/report.json
      cat bundle.json | stix-mtac validate --format sarif - > results.sarif
    """
    options = ValidationOptions(
        disabled=_codes(disable, "--disable"),
        enabled=_codes(enable, "--enable") or None,
        strict=strict,
        open_bundle=open_bundle,
        conformance=not no_conformance,
        engine="reference" if engine == "reference" else "fast",
        jobs=jobs,
        limits=JsonLimits(max_bytes=max_bytes, max_depth=max_depth, max_string=max_string),
    )
    started = time.perf_counter()
    stdin = sys.stdin.buffer if "-" in paths else None
    reports = validate_paths(
        paths,
        options,
        stdin=stdin,
        locate=output_format == "sarif",
        progress=progress_for_terminal,
    )
    summary = summarise(reports, time.perf_counter() - started)
    if output_format == "text":
        colour = _use_colour()
        click.echo(render_text(reports, summary, colour=colour), nl=False, color=colour)
    else:
        click.echo(RENDERERS[output_format](reports, summary), nl=False)
        click.echo(summary.line(), err=True)
    sys.exit(summary.exit_code)
