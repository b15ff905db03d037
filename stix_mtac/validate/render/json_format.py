"""JSON output, schema ``stix-mtac/validate`` version 1 (documented in the README).

Stable: fields are only ever added, and a change that breaks readers raises ``version``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from stix_mtac.validate.sources import FileReport
from stix_mtac.validate.summary import RunSummary

SCHEMA_NAME = "stix-mtac/validate"
SCHEMA_VERSION = 1


def report_document(reports: Sequence[FileReport], summary: RunSummary) -> dict[str, Any]:
    files: list[dict[str, Any]] = []
    for report in reports:
        result = report.result
        if report.skipped is not None:
            status = "skipped"
        elif result is None:
            status = "unreadable"
        else:
            status = "valid" if result.is_valid else "invalid"
        files.append(
            {
                "source": report.source,
                "status": status,
                "objects": result.object_count if result else None,
                "input_error": report.input_error,
                "skipped": report.skipped,
                "findings": [
                    {
                        "code": f.code,
                        "name": f.name,
                        "severity": f.severity.value,
                        "json_path": f.json_path,
                        "object_id": f.object_id,
                        "message": f.message,
                    }
                    for f in (result.findings if result else ())
                ],
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
            "seconds": round(summary.seconds, 3),
            "exit_code": summary.exit_code,
        },
    }


def render_json(reports: Sequence[FileReport], summary: RunSummary) -> str:
    return json.dumps(report_document(reports, summary), indent=2, ensure_ascii=False) + "\n"
