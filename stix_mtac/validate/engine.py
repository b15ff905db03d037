"""Run our registered checks over one bundle in a single pass over its objects."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from stix_mtac.validate.context import BundleContext, object_path
from stix_mtac.validate.findings import Finding
from stix_mtac.validate.registry import Check, Issue, registered_checks


def _finding(check: Check, issue: Issue) -> Finding:
    return Finding(
        code=check.code,
        name=check.name,
        severity=issue.severity or check.severity,
        json_path=issue.json_path,
        message=issue.message,
        object_id=issue.object_id,
    )


def run_checks(
    bundle: Mapping[str, Any], *, open_bundle: bool, selected: frozenset[str] | None = None
) -> list[Finding]:
    """Findings of our own checks; ``selected`` limits which check codes run (None: all)."""
    checks = [c for c in registered_checks() if selected is None or c.code in selected]
    ctx = BundleContext.build(bundle, open_bundle=open_bundle)
    for_any_type = [c for c in checks if c.scope == "object" and c.types is None]
    by_type: dict[str, list[Check]] = defaultdict(list)
    for c in checks:
        if c.scope == "object" and c.types is not None:
            for listed_type in c.types:
                by_type[listed_type].append(c)
    findings: list[Finding] = []
    for c in checks:
        if c.scope == "bundle":
            findings.extend(_finding(c, issue) for issue in c.function(ctx))
    for index, obj in ctx.objects:
        path = object_path(index)
        object_type: object = obj.get("type")
        typed: Sequence[Check] = (
            by_type.get(object_type, ()) if isinstance(object_type, str) else ()
        )
        for c in (*for_any_type, *typed):
            findings.extend(_finding(c, issue) for issue in c.function(obj, path, ctx))
    return findings
