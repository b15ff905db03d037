"""JSON output, schema ``stix-mtac/validate`` version 1 (documented in the README; the JSON
Schema ships as ``stix_mtac/data/validate/output.schema.json``).

Stable: fields are only ever added, and a change that breaks readers raises ``version``.
Every non-ASCII and control character is written as a JSON escape, so the document can be
printed on a terminal safely and still reads back to the exact text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from stix_mtac.validate.catalogue import rules
from stix_mtac.validate.findings import Finding
from stix_mtac.validate.render.view import RenderOptions, shown_findings
from stix_mtac.validate.sources import FileReport
from stix_mtac.validate.summary import RunSummary

SCHEMA_NAME = "stix-mtac/validate"
SCHEMA_VERSION = 1


def _finding(finding: Finding) -> dict[str, Any]:
    region = finding.region
    rule = rules().get(finding.code)
    return {
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity.value,
        "json_path": finding.json_path,
        "object_id": finding.object_id,
        "message": finding.message,
        "line": region.line if region else None,
        "column": region.column if region else None,
        "end_line": region.end_line if region else None,
        "end_column": region.end_column if region else None,
        "aliases": list(rule.alias_codes) if rule else [],
        "suppressed": finding.suppression,
    }


def _status(report: FileReport) -> str:
    if report.skipped is not None:
        return "skipped"
    if report.result is None:
        return "unreadable"
    return "valid" if report.result.is_valid else "invalid"


def report_document(
    reports: Sequence[FileReport], summary: RunSummary, options: RenderOptions
) -> dict[str, Any]:
    files: list[dict[str, Any]] = []
    for report in reports:
        result = report.result
        position = report.input_position
        files.append(
            {
                "source": report.source,
                "status": _status(report),
                "objects": result.object_count if result else None,
                "input_error": report.input_error,
                "input_position": (
                    {"line": position[0], "column": position[1]} if position else None
                ),
                "skipped": report.skipped,
                "findings": [_finding(f) for f in shown_findings(report, options)],
            }
        )
    return {
        "schema": SCHEMA_NAME,
        "version": SCHEMA_VERSION,
        "files": files,
        "summary": {
            "files": summary.files,
            "objects": summary.objects,
            "errors": summary.errors,
            "warnings": summary.warnings,
            "infos": summary.infos,
            "unreadable": summary.unreadable,
            "skipped": summary.skipped,
            "suppressed": summary.suppressed,
            "nothing_checked": summary.nothing_checked,
            "seconds": round(summary.seconds, 3),
            "exit_code": summary.exit_code,
        },
    }


def render_json(reports: Sequence[FileReport], summary: RunSummary, options: RenderOptions) -> str:
    return json.dumps(report_document(reports, summary, options), indent=2) + "\n"
