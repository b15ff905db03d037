"""Run our registered checks over one bundle in a single pass over its objects."""

from __future__ import annotations

import gc
from collections.abc import Mapping
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
    bundle: Mapping[str, Any],
    *,
    open_bundle: bool,
    selected: frozenset[str] | None = None,
    limit: int | None = None,
) -> list[Finding]:
    """Findings of our own checks; ``selected`` limits which check codes run (None: all);
    no further objects are checked once ``limit`` findings were made."""
    checks = [c for c in registered_checks() if selected is None or c.code in selected]
    # The cyclic GC finds nothing to free in parsed JSON but would rescan it many times.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _run(checks, BundleContext.build(bundle, open_bundle=open_bundle), limit)
    finally:
        if gc_was_enabled:
            gc.enable()


def _run(checks: list[Check], ctx: BundleContext, limit: int | None) -> list[Finding]:
    for_any_type = tuple(c for c in checks if c.scope == "object" and c.types is None)
    plan: dict[object, tuple[Check, ...]] = {}  # object type -> the checks that apply

    def checks_for(object_type: object) -> tuple[Check, ...]:
        typed = tuple(
            c
            for c in checks
            if c.scope == "object" and c.types is not None and object_type in c.types
        )
        return for_any_type + typed

    findings: list[Finding] = []
    for c in checks:
        if c.scope == "bundle":
            for issue in c.function(ctx):
                findings.append(_finding(c, issue))
                if limit is not None and len(findings) >= limit:
                    break
    for index, obj in ctx.objects:
        if limit is not None and len(findings) >= limit:
            break
        object_type = obj.get("type")
        applicable = plan.get(object_type) if isinstance(object_type, str) else for_any_type
        if applicable is None:
            applicable = plan[object_type] = checks_for(object_type)
        path = object_path(index)
        for c in applicable:
            for issue in c.function(obj, path, ctx):
                findings.append(_finding(c, issue))
    return findings
