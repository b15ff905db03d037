"""Human-readable output: findings grouped by file, colour only when asked for (a TTY)."""

from __future__ import annotations

from collections.abc import Sequence

import click

from stix_mtac.validate.findings import Finding, Severity
from stix_mtac.validate.sources import FileReport
from stix_mtac.validate.summary import RunSummary

_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def _finding_line(finding: Finding, colour: bool) -> str:
    label = f"{finding.severity.value:<7}"
    if colour:
        label = click.style(label, fg=_COLOURS[finding.severity], bold=True)
    where = finding.json_path + (f" ({finding.object_id})" if finding.object_id else "")
    return f"  {label} {finding.code} {finding.name} at {where}: {finding.message}"


def render_text(reports: Sequence[FileReport], summary: RunSummary, *, colour: bool) -> str:
    lines: list[str] = []
    for report in reports:
        if report.skipped is not None:
            lines.append(f"{report.source}: skipped ({report.skipped})")
            continue
        if report.input_error is not None:
            status = click.style("unreadable", fg="red", bold=True) if colour else "unreadable"
            lines.append(f"{report.source}: {status}")
            lines.append(f"  {report.input_error}")
            continue
        result = report.result
        assert result is not None
        status = "valid" if result.is_valid else "invalid"
        if colour:
            status = click.style(status, fg="green" if result.is_valid else "red", bold=True)
        lines.append(f"{report.source}: {status} ({result.object_count} objects)")
        lines.extend(_finding_line(finding, colour) for finding in result.findings)
    lines.append(summary.line())
    return "\n".join(lines) + "\n"
