"""``stix-mtac validate``: check STIX 2.1 bundles as a CI gate."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from stix_mtac.commands.options import BundleInput, command, console, format_option
from stix_mtac.errors import InputError
from stix_mtac.jsonio import DEFAULT_LIMITS, JsonLimits
from stix_mtac.validate.api import DEFAULT_MAX_FINDINGS, DEFAULT_MAX_OBJECTS, ValidationOptions
from stix_mtac.validate.config import Config, ConfigError, find_config, git_top, load_config
from stix_mtac.validate.findings import Severity
from stix_mtac.validate.render import RENDERERS, RenderOptions, render_text
from stix_mtac.validate.render.progress import progress_for_terminal
from stix_mtac.validate.sources import validate_paths
from stix_mtac.validate.summary import EXIT_UNREADABLE, FailOn, summarise

FORMATS = ("text", "concise", "json", "sarif", "junit")


def _known_checks() -> dict[str, str]:
    """Every check code and name a finding can carry, by its lower-case spelling."""
    from stix_mtac.validate.catalogue import spellings

    return spellings()


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


def _settings(ctx: click.Context, given: dict[str, Any], config: Config) -> dict[str, Any]:
    """Each option's value: the command line's, else the config file's, else the default."""
    merged = dict(given)
    for key, value in config.values.items():
        name = key.replace("-", "_")
        parameter = {"open": "open_bundle", "format": "output_format"}.get(name, name)
        if ctx.get_parameter_source(parameter) is click.core.ParameterSource.DEFAULT:
            merged[parameter] = value
    return merged


def _severities(settings: dict[str, Any]) -> dict[str, Severity | None]:
    overrides: dict[str, Severity | None] = {}
    for option, severity in (("warning", Severity.WARNING), ("error", Severity.ERROR)):
        for code in _codes(settings[option], f"--{option}"):
            overrides[code] = severity
    for code in _codes(settings["ignore"], "--ignore"):
        overrides[code] = None
    return overrides


def _choice(value: str, choices: Sequence[str], option: str) -> str:
    if value not in choices:
        raise click.BadParameter(f"{value!r} is not one of {', '.join(choices)}", param_hint=option)
    return value


def _codes_option(name: str, help_text: str) -> Callable[[Any], Any]:
    return click.option(name, multiple=True, metavar="CODES", help=help_text)


@command(
    epilog="""\b
Exit codes:
  0  every bundle is valid (warnings allowed unless --strict or
     --fail-on warning; baselined findings do not count)
  1  at least one bundle has errors (or, with --fail-on warning, warnings)
  2  usage error (bad option or argument, a bad config file)
  4  at least one input could not be read or is not a bundle (not found, not
     UTF-8, BOM, bad JSON, NaN, duplicate keys, too deep, too large, more than
     --max-objects objects, top level not a bundle); or nothing was checked at
     all (an empty directory, only JSON that is not STIX) unless --allow-empty.
     4 wins over 1, as that input was not checked at all. The other inputs are
     still checked and reported.
"""
)
@click.argument("paths", nargs=-1, required=True, type=BundleInput(directories=True, text=True))
@format_option(FORMATS, help_text="Output format; all but text print the summary line on stderr.")
@_codes_option("--disable", "Checks to skip (codes, names or aliases).")
@_codes_option("--enable", "Report only these checks.")
@_codes_option("--error", "Report these checks as errors.")
@_codes_option("--warning", "Report these checks as warnings.")
@_codes_option("--ignore", "Do not report these checks (like --disable).")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning"]),
    default="error",
    show_default=True,
    help="Lowest severity that fails the run.",
)
@click.option(
    "--open",
    "open_bundle",
    is_flag=True,
    help="References may point outside the bundle (into a TIP): report them as warnings.",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Accepted findings (file, object id, code, reason): reported, not counted.",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write every finding of this run to a baseline file (keeps known reasons).",
)
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Paths in SARIF, JUnit and the baseline are relative to it [default: git top or .].",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Settings file [default: .stix-mtac.toml or pyproject.toml, searched upwards].",
)
@click.option("--no-config", is_flag=True, help="Read no settings file.")
@click.option(
    "--skip-non-stix",
    is_flag=True,
    help="Skip JSON that is not STIX even when named (the pre-commit hook).",
)
@click.option(
    "--allow-empty",
    is_flag=True,
    help="Pass when nothing was checked (the pre-commit hook on a commit without bundles).",
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
@click.option(
    "--max-objects",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_OBJECTS,
    show_default=True,
    help="Refuse bundles with more objects (exit 4).",
)
@click.option(
    "--max-findings",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_FINDINGS,
    show_default=True,
    help="Report at most this many findings per file, then SX002.",
)
@click.pass_context
def validate(ctx: click.Context, /, paths: tuple[str, ...], **given: Any) -> None:
    """Validate STIX 2.1 bundles: files, directories (every *.json below) or - (stdin).

    Runs stix2-validator's conformance checks (MUSTs as errors, SHOULDs as warnings) and
    stix-mtac's own: references resolve inside the bundle (SX2xx), suggested relationship
    types (SX3xx), duplicate ids and timestamps (SX4xx), official TLP markings (SX5xx),
    custom content and values (SX6xx). Every finding has a code, a name, a severity, the
    object id, a JSON path and its line and column in the file. Settings can live in
    [tool.stix-mtac.validate] of pyproject.toml or [validate] of .stix-mtac.toml; flags win.

    \b
    Examples:
      stix-mtac validate bundles/
      stix-mtac validate --strict --disable 103,302 bundles/report.json
      stix-mtac validate --format concise --warning SX201 --fail-on warning bundles/
      cat bundle.json | stix-mtac validate --format sarif - > results.sarif
    """
    try:
        if given["no_config"]:
            config = Config()
        elif given["config_file"] is not None:
            config = load_config(given["config_file"])
        else:
            config = find_config(Path.cwd())
    except ConfigError as error:
        raise click.UsageError(error.message) from None
    if config.path is not None:
        console(ctx).detail(f"settings from {config.path}")
    settings = _settings(ctx, given, config)
    output_format = _choice(str(settings["output_format"]), FORMATS, "format")
    engine = _choice(str(settings["engine"]), ("fast", "reference"), "engine")
    fail_on: FailOn = (
        "warning"
        if _choice(settings["fail_on"], ("error", "warning"), "fail-on") == "warning"
        else "error"
    )
    options = ValidationOptions(
        disabled=_codes(settings["disable"], "--disable") | _codes(settings["ignore"], "--ignore"),
        enabled=_codes(settings["enable"], "--enable") or None,
        strict=bool(settings["strict"]),
        severities=_severities(settings),
        open_bundle=bool(settings["open_bundle"]),
        conformance=not settings["no_conformance"],
        engine="reference" if engine == "reference" else "fast",
        jobs=settings["jobs"],
        limits=JsonLimits(
            max_bytes=settings["max_bytes"],
            max_depth=settings["max_depth"],
            max_string=settings["max_string"],
        ),
        max_objects=settings["max_objects"],
        max_findings=settings["max_findings"],
    )
    root_setting = settings["root"]
    root = Path(root_setting) if root_setting else (git_top(Path.cwd()) or Path.cwd())
    started = time.perf_counter()
    stdin = sys.stdin.buffer if "-" in paths else None
    reports = validate_paths(
        paths,
        options,
        stdin=stdin,
        progress=progress_for_terminal,
        skip_non_stix=bool(settings["skip_non_stix"]),
    )
    reports = _with_baseline(reports, settings, root)
    summary = summarise(
        reports,
        time.perf_counter() - started,
        fail_on=fail_on,
        allow_empty=bool(settings["allow_empty"]),
    )
    out = console(ctx)
    colour = output_format == "text" and out.colour
    quiet = out.quiet or config.values.get("quiet") is True  # -q: errors and the summary
    view = RenderOptions(root=root, quiet=quiet, colour=colour)
    if output_format == "text":
        click.echo(render_text(reports, summary, view), nl=False, color=colour)
    else:
        click.echo(RENDERERS[output_format](reports, summary, view), nl=False)
        click.echo(summary.line(), err=True)
    sys.exit(summary.exit_code)


def _with_baseline(reports: list[Any], settings: dict[str, Any], root: Path) -> list[Any]:
    from stix_mtac.validate.baseline import apply_baseline, load_baseline, write_baseline

    baseline_path = settings["baseline"]
    baseline = None
    if baseline_path is not None:
        try:
            baseline = load_baseline(Path(baseline_path))
        except InputError as error:
            click.echo(error.message, err=True)
            sys.exit(EXIT_UNREADABLE)
    written = settings["write_baseline"]
    if written is not None:
        count = write_baseline(Path(written), reports, root, baseline)
        click.echo(f"wrote {count} baseline entries to {written}", err=True)
    return apply_baseline(reports, baseline, root) if baseline is not None else reports
