"""A baseline: findings a repository has accepted, each with the reason why.

A finding is accepted when an entry names its file (relative to the root), its object id and
its code; it is then still reported (SARIF ``suppressions``, ``suppressed`` in JSON, marked in
text) but counts toward neither the errors nor the exit code. New findings still fail the
gate. The file is JSON::

    {"schema": "stix-mtac/baseline", "version": 1,
     "entries": [{"file": "bundles/a.json", "object_id": "indicator--...",
                  "code": "SX301", "reason": "the partner's TIP needs this type"}]}

``--write-baseline FILE`` writes every current finding, keeping the reasons of entries
that are already there (new ones get a reason to replace with the real one).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from stix_mtac.errors import InputError
from stix_mtac.fileio import write_atomic
from stix_mtac.jsonio import JsonLimits, read_json_file
from stix_mtac.validate.render.view import baseline_key
from stix_mtac.validate.sources import FileReport

SCHEMA_NAME = "stix-mtac/baseline"
SCHEMA_VERSION = 1
NEW_REASON = "accepted when the baseline was written: replace with why"
LIMITS = JsonLimits(max_bytes=64 * 1024 * 1024, max_depth=8, max_string=64 * 1024)

Key = tuple[str, str, str]  # file, object id ("" for none), code


@dataclass(frozen=True)
class Baseline:
    reasons: Mapping[Key, str]


def _entry_key(entry: object, path: Path, position: int) -> tuple[Key, str]:
    where = f"{path}: entries[{position}]"
    if not isinstance(entry, dict):
        raise InputError(f"{where}: expected an object with file, object_id, code and reason")
    values = [entry.get(name) for name in ("file", "code", "reason")]
    if not all(isinstance(value, str) and value for value in values):
        raise InputError(f"{where}: file, code and reason must be non-empty strings")
    object_id = entry.get("object_id")
    if object_id is not None and not isinstance(object_id, str):
        raise InputError(f"{where}: object_id must be a string or null")
    file, code, reason = (str(value) for value in values)
    return (file, object_id or "", code), reason


def load_baseline(path: Path) -> Baseline:
    """Read a baseline file (exit 4 when it is unreadable or malformed)."""
    document = read_json_file(path, LIMITS)
    if not isinstance(document, dict) or document.get("schema") != SCHEMA_NAME:
        raise InputError(f"{path}: not a stix-mtac baseline (schema {SCHEMA_NAME!r})")
    if document.get("version") != SCHEMA_VERSION:
        raise InputError(f"{path}: baseline version {document.get('version')!r} is not 1")
    entries = document.get("entries")
    if not isinstance(entries, list):
        raise InputError(f"{path}: entries must be a list")
    return Baseline(dict(_entry_key(entry, path, i) for i, entry in enumerate(entries)))


def apply_baseline(
    reports: Sequence[FileReport], baseline: Baseline, root: Path
) -> list[FileReport]:
    """The reports with each accepted finding marked with its reason."""
    marked: list[FileReport] = []
    for report in reports:
        if report.result is None:
            marked.append(report)
            continue
        file = baseline_key(report.source, root)
        findings = tuple(
            replace(finding, suppression=reason)
            if (reason := baseline.reasons.get((file, finding.object_id or "", finding.code)))
            else finding
            for finding in report.result.findings
        )
        marked.append(replace(report, result=replace(report.result, findings=findings)))
    return marked


def write_baseline(
    path: Path, reports: Sequence[FileReport], root: Path, previous: Baseline | None
) -> int:
    """Write every finding of ``reports`` as a baseline entry; returns how many."""
    reasons = previous.reasons if previous is not None else {}
    keys: dict[Key, str] = {}
    for report in reports:
        if report.result is None:
            continue
        file = baseline_key(report.source, root)
        for finding in report.result.findings:
            key = (file, finding.object_id or "", finding.code)
            keys.setdefault(key, reasons.get(key, NEW_REASON))
    entries = [
        {"file": file, "object_id": object_id or None, "code": code, "reason": reason}
        for (file, object_id, code), reason in sorted(keys.items())
    ]
    document = {"schema": SCHEMA_NAME, "version": SCHEMA_VERSION, "entries": entries}
    write_atomic(path, (json.dumps(document, indent=2) + "\n").encode("utf-8"))
    return len(entries)
