"""Human-readable output: findings grouped by file, and the one-line-per-finding ``concise``
form editors and CI logs link from (``path:line:col: CODE message``).

Colour only when asked for (a TTY). Everything from input is escaped (``printable``).
"""

from __future__ import annotations

from collections.abc import Sequence

import click

from stix_mtac.printable import printable
from stix_mtac.validate.findings import Finding, Severity
from stix_mtac.validate.render.view import RenderOptions, shown_findings
from stix_mtac.validate.sources import FileReport
from stix_mtac.validate.summary import RunSummary

_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def _place(finding: Finding) -> str:
    region = finding.region
    return f"{region.line}:{region.column} " if region is not None else ""


def _finding_line(finding: Finding, colour: bool) -> str:
    label = f"{finding.severity.value:<7}"
    if colour:
        label = click.style(label, fg=_COLOURS[finding.severity], bold=True)
    where = finding.json_path + (f" ({finding.object_id})" if finding.object_id else "")
    accepted = f" [baseline: {finding.suppression}]" if finding.suppression else ""
    return printable(
        f"  {label} {finding.code} {finding.name} at {_place(finding)}{where}: "
        f"{finding.message}{accepted}"
    )


def render_text(reports: Sequence[FileReport], summary: RunSummary, options: RenderOptions) -> str:
    colour = options.colour
    lines: list[str] = []
    for report in reports:
        source = printable(report.source)
        if report.skipped is not None:
            if not options.quiet:
                lines.append(f"{source}: skipped ({printable(report.skipped)})")
            continue
        if report.input_error is not None:
            status = click.style("unreadable", fg="red", bold=True) if colour else "unreadable"
            lines.append(f"{source}: {status}")
            lines.append(f"  {printable(report.input_error)}")
            continue
        result = report.result
        assert result is not None
        if options.quiet and result.is_valid:
            continue
        status = "valid" if result.is_valid else "invalid"
        if colour:
            status = click.style(status, fg="green" if result.is_valid else "red", bold=True)
        lines.append(f"{source}: {status} ({result.object_count} objects)")
        lines.extend(_finding_line(finding, colour) for finding in shown_findings(report, options))
    lines.append(summary.line())
    return "\n".join(lines) + "\n"


def render_concise(
    reports: Sequence[FileReport], summary: RunSummary, options: RenderOptions
) -> str:
    """``path:line:col: CODE message`` per finding (warnings: ``CODE warning: message``), and
    per unreadable file as SX000 at the place the reader stopped; baselined findings are left
    out."""
    from stix_mtac.validate.summary import UNREADABLE_CODE

    lines: list[str] = []
    for report in reports:
        source = printable(report.source)
        if report.input_error is not None:
            line, column = report.input_position or (1, 1)
            lines.append(
                f"{source}:{line}:{column}: {UNREADABLE_CODE} {printable(report.input_error)}"
            )
            continue
        for finding in shown_findings(report, options):
            if finding.suppression is not None:
                continue
            region = finding.region
            line, column = (region.line, region.column) if region else (1, 1)
            severity = "" if finding.severity is Severity.ERROR else f"{finding.severity.value}: "
            message = printable(f"{finding.code} {severity}{finding.message}")
            lines.append(f"{source}:{line}:{column}: {message}")
    return "".join(line + "\n" for line in lines)
