"""SARIF 2.1.0 output, so code-scanning UIs show each finding on the bundle file.

Each result's region is where its JSON path sits in the bytes that were parsed: the
offending property (from its key to the end of its value), list element or object; an
unreadable file's region is where the reader stopped. Columns count Unicode code points
(``columnKind``). URIs are relative to the root (``--root``) under ``uriBaseId`` SRCROOT.
``partialFingerprints`` come from the code, the object id and the path inside the object, so
an alert keeps its identity across runs and when objects move. Baselined findings carry a
``suppressions`` entry with the baseline's reason. Every rule of the catalogue is listed with
its summary, full description and a ``helpUri`` into the README.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from typing import Any

from stix_mtac import __version__
from stix_mtac.validate.catalogue import REPOSITORY_URL, UNREADABLE, Rule, rules
from stix_mtac.validate.findings import Finding, Severity
from stix_mtac.validate.render.view import RenderOptions, artifact_uri, shown_findings
from stix_mtac.validate.sources import FileReport
from stix_mtac.validate.summary import RunSummary

# the OASIS Standard with its approved errata (suppression status, not state)
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
ROOT_BASE = "SRCROOT"
FINGERPRINT = "stixMtacFinding/v1"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_OBJECT_PREFIX = re.compile(r"^\$\.objects\[\d+\]")


def _rule(rule: Rule) -> dict[str, Any]:
    descriptor: dict[str, Any] = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.description},
        "help": {"text": rule.description},
        "helpUri": rule.help_uri,
        "defaultConfiguration": {"level": _LEVELS[rule.severity]},
        "properties": {"origin": rule.origin},
    }
    if rule.alias_codes:
        descriptor["properties"]["aliases"] = list(rule.alias_codes)
    return descriptor


def fingerprint(finding: Finding) -> str:
    """Stable across runs: the code, the object id and the path inside that object (the
    object's position in the bundle is left out, so inserting an object moves nothing)."""
    inner = _OBJECT_PREFIX.sub("", finding.json_path) if finding.object_id else finding.json_path
    key = "\x00".join((finding.code, finding.object_id or "", inner))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _physical(uri: str, relative: bool, region: dict[str, int]) -> dict[str, Any]:
    artifact: dict[str, Any] = {"uri": uri}
    if relative:
        artifact["uriBaseId"] = ROOT_BASE
    return {"physicalLocation": {"artifactLocation": artifact, "region": region}}


def _result(finding: Finding, uri: str, relative: bool, index: dict[str, int]) -> dict[str, Any]:
    span = finding.region
    region = (
        {
            "startLine": span.line,
            "startColumn": span.column,
            "endLine": span.end_line,
            "endColumn": span.end_column,
        }
        if span is not None
        else {"startLine": 1}
    )
    location = _physical(uri, relative, region)
    location["logicalLocations"] = [{"fullyQualifiedName": finding.json_path, "kind": "member"}]
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "level": _LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT: fingerprint(finding)},
    }
    if finding.code in index:
        result["ruleIndex"] = index[finding.code]
    if finding.object_id is not None:
        result["properties"] = {"objectId": finding.object_id}
    if finding.suppression is not None:
        # accepted by the project's baseline file: a suppression kept outside the bundle
        result["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": finding.suppression}
        ]
    return result


def render_sarif(reports: Sequence[FileReport], summary: RunSummary, options: RenderOptions) -> str:
    catalogue = rules()
    descriptors = [_rule(rule) for rule in catalogue.values()]
    index = {rule.code: position for position, rule in enumerate(catalogue.values())}
    results: list[dict[str, Any]] = []
    for report in reports:
        if report.skipped is not None:
            continue
        uri, relative = artifact_uri(report.source, options.root)
        if report.input_error is not None:
            line, column = report.input_position or (1, 1)
            location = _physical(uri, relative, {"startLine": line, "startColumn": column})
            results.append(
                {
                    "ruleId": UNREADABLE[0],
                    "ruleIndex": index[UNREADABLE[0]],
                    "level": "error",
                    "message": {"text": report.input_error},
                    "locations": [location],
                }
            )
            continue
        results.extend(
            _result(finding, uri, relative, index) for finding in shown_findings(report, options)
        )
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "stix-mtac",
                        "version": __version__,
                        "informationUri": REPOSITORY_URL,
                        "rules": descriptors,
                    }
                },
                "originalUriBaseIds": {ROOT_BASE: {"uri": options.root.resolve().as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
                "invocations": [
                    {"executionSuccessful": summary.unreadable == 0, "exitCode": summary.exit_code}
                ],
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"
