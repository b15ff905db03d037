"""SARIF 2.1.0 output, so code-scanning UIs show each finding on the bundle file.

A finding points at the line where its object's ``"id"`` is declared (line 1 when unknown)
and carries its JSON path as a logical location.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from stix_mtac import __version__
from stix_mtac.validate.findings import Finding, Severity
from stix_mtac.validate.registry import registered_checks
from stix_mtac.validate.sources import FileReport
from stix_mtac.validate.summary import UNREADABLE_CODE, UNREADABLE_NAME, RunSummary

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _uri(source: str) -> str:
    if source == "<stdin>":
        return "stdin"
    return quote(PurePath(source).as_posix(), safe="/")


def _rule(code: str, name: str, summary: str, severity: Severity) -> dict[str, Any]:
    return {
        "id": code,
        "name": name,
        "shortDescription": {"text": summary},
        "defaultConfiguration": {"level": _LEVELS[severity]},
    }


def _location(uri: str, line: int, logical: str | None) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {"artifactLocation": {"uri": uri}, "region": {"startLine": line}}
    }
    if logical is not None:
        location["logicalLocations"] = [{"fullyQualifiedName": logical, "kind": "member"}]
    return location


def render_sarif(reports: Sequence[FileReport], summary: RunSummary) -> str:
    rules: dict[str, dict[str, Any]] = {
        c.code: _rule(c.code, c.name, c.summary, c.severity) for c in registered_checks()
    }
    rules[UNREADABLE_CODE] = _rule(
        UNREADABLE_CODE, UNREADABLE_NAME, "The input could be read as JSON.", Severity.ERROR
    )
    results: list[dict[str, Any]] = []
    for report in reports:
        uri = _uri(report.source)
        if report.skipped is not None:
            continue
        if report.input_error is not None:
            results.append(
                {
                    "ruleId": UNREADABLE_CODE,
                    "level": "error",
                    "message": {"text": report.input_error},
                    "locations": [_location(uri, 1, None)],
                }
            )
            continue
        assert report.result is not None
        for finding in report.result.findings:
            rules.setdefault(
                finding.code,
                _rule(finding.code, finding.name, finding.name, finding.severity),
            )
            results.append(_result(finding, uri, report))
    ordered_rules = [rules[code] for code in sorted(rules)]
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "stix-mtac",
                        "version": __version__,
                        "informationUri": "https://docs.oasis-open.org/cti/stix/v2.1/stix-v2.1.html",
                        "rules": ordered_rules,
                    }
                },
                "results": results,
                "invocations": [
                    {"executionSuccessful": summary.unreadable == 0, "exitCode": summary.exit_code}
                ],
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _result(finding: Finding, uri: str, report: FileReport) -> dict[str, Any]:
    line = report.id_lines.get(finding.object_id or "", 1)
    return {
        "ruleId": finding.code,
        "level": _LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [_location(uri, line, finding.json_path)],
    }
