"""stix2-validator's conformance verdict for a bundle, as findings with codes and paths.

Two engines give the same findings (same object, code and JSON path; wording may differ):

* ``reference``: stix2-validator itself (``upstream.py``), object by object;
* ``fast``: the same STIX 2.1 JSON schemas compiled once with jsonschema-rs and the same
  MUST/SHOULD checks re-implemented (``fast.py``); it never imports stix2validator.

MUSTs and schema violations are errors, SHOULDs warnings (errors under ``strict``). Codes:
``conformance_codes.py``. Guards shared by both engines keep the promise never to raise: an
entry of ``objects`` that is not a STIX object (C120), a pattern nested too deeply for the
pattern parser (C121) or longer than the documented bounds (C122, ``patterning/limits.py``); the
object is then checked with a neutral pattern, a stix2-validator
check crashing on malformed data (C199).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from stix_mtac.patterning.limits import size_problem
from stix_mtac.validate.conformance_codes import (
    CHECK_FAILED,
    MAX_PATTERN_NESTING,
    NOT_AN_OBJECT,
    PATTERN_TOO_DEEP,
    PATTERN_TOO_LARGE,
)
from stix_mtac.validate.findings import Engine, Finding, Progress, Severity

ObjectCheck = Callable[[Mapping[str, Any], str], list[Finding]]

# Checked in place of a pattern too deep to parse, so the object's other checks still run.
NEUTRAL_PATTERN = "[file:name = 'neutral']"


def pattern_nesting(pattern: str) -> int:
    """Deepest bracket/parenthesis nesting of a STIX pattern, outside quoted strings."""
    depth = deepest = 0
    quoted = escaped = False
    for char in pattern:
        if quoted:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == "'":
                quoted = False
        elif char == "'":
            quoted = True
        elif char in "([":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]":
            depth -= 1
    return deepest


def _may_nest_deeply(pattern: str) -> bool:
    return pattern.count("(") + pattern.count("[") > MAX_PATTERN_NESTING


def guard_object(obj: Any, path: str) -> tuple[Mapping[str, Any] | None, list[Finding]]:
    """The object to check (maybe with a neutral pattern) and the guard findings for it."""
    if not isinstance(obj, dict) or not isinstance(obj.get("type"), str) or "id" not in obj:
        code, name = NOT_AN_OBJECT
        message = "not a STIX object: each entry of objects must be an object with type and id"
        object_id = obj.get("id") if isinstance(obj, dict) else None
        oid = object_id if isinstance(object_id, str) else None
        return None, [Finding(code, name, Severity.ERROR, path, message, oid)]
    pattern = obj.get("pattern")
    stix_pattern = obj["type"] == "indicator" and obj.get("pattern_type", "") == "stix"
    problem = size_problem(pattern) if stix_pattern and isinstance(pattern, str) else None
    if problem is not None:
        code, name = PATTERN_TOO_LARGE
        message = f"{problem}: not parsed; split it over several indicators"
        oid = obj["id"] if isinstance(obj["id"], str) else None
        finding = Finding(code, name, Severity.ERROR, f"{path}.pattern", message, oid)
        return {**obj, "pattern": NEUTRAL_PATTERN}, [finding]
    if (
        isinstance(pattern, str)
        and _may_nest_deeply(pattern)
        and (pattern_nesting(pattern) > MAX_PATTERN_NESTING)
    ):
        code, name = PATTERN_TOO_DEEP
        message = (
            f"pattern nested deeper than {MAX_PATTERN_NESTING} brackets/parentheses: not "
            "parsed (the parser would recurse without end); flatten it"
        )
        oid = obj["id"] if isinstance(obj["id"], str) else None
        finding = Finding(code, name, Severity.ERROR, f"{path}.pattern", message, oid)
        return {**obj, "pattern": NEUTRAL_PATTERN}, [finding]
    return obj, []


def crashed(path: str, object_id: str | None, error: BaseException) -> Finding:
    code, name = CHECK_FAILED
    message = (
        f"stix2-validator's checks cannot handle this object ({type(error).__name__}); "
        "fix its schema errors first"
    )
    return Finding(code, name, Severity.ERROR, path, message, object_id)


def checked_object(check: ObjectCheck, obj: Any, path: str) -> list[Finding]:
    """One object through guards and ``check``: never raises."""
    target, findings = guard_object(obj, path)
    if target is None:
        return findings
    try:
        findings.extend(check(target, path))
    except Exception as error:  # the contract: never raise (RecursionError included)
        raw_id = target.get("id")
        findings.append(crashed(path, raw_id if isinstance(raw_id, str) else None, error))
    return findings


def _reference(
    bundle: Mapping[str, Any], strict: bool, progress: Progress | None, limit: int | None
) -> list[Finding]:
    from stix_mtac.validate import upstream

    def check(obj: Mapping[str, Any], path: str) -> list[Finding]:
        return upstream.object_findings(obj, path, strict=strict)

    objects = bundle.get("objects")
    entries = objects if isinstance(objects, list) else []
    findings: list[Finding] = []
    try:
        findings.extend(upstream.bundle_findings(bundle, strict=strict))
    except Exception as error:  # never raise (RecursionError included)
        raw_id = bundle.get("id")
        findings.append(crashed("$", raw_id if isinstance(raw_id, str) else None, error))
    for index, obj in enumerate(entries):
        if limit is not None and len(findings) >= limit:
            break  # the caller reports that the rest was not checked
        findings.extend(checked_object(check, obj, f"$.objects[{index}]"))
        if progress is not None and (index % 500 == 499 or index + 1 == len(entries)):
            progress(index + 1, len(entries))
    return findings


def conformance_findings(
    bundle: dict[str, Any],
    *,
    engine: Engine = "fast",
    jobs: int | None = None,
    strict: bool = False,
    progress: Progress | None = None,
    limit: int | None = None,
) -> list[Finding]:
    """stix2-validator's verdict on ``bundle`` (parsed JSON with ``type`` bundle).

    ``limit``: stop checking further objects once this many findings were made (bounded
    memory on hostile bundles; the caller says the rest was not checked).

    ``jobs``: worker processes for the fast engine (None: the machine's cores; small bundles
    always run in-process). Never raises on JSON data.
    """
    findings = objects_not_a_list(bundle)
    if engine == "reference":
        return findings + _reference(bundle, strict, progress, limit)
    from stix_mtac.validate.fast import fast_findings

    return findings + fast_findings(
        bundle, strict=strict, jobs=jobs, progress=progress, limit=limit
    )


def objects_not_a_list(bundle: Mapping[str, Any]) -> list[Finding]:
    """C120 for an ``objects`` that is not a list (stix2-validator itself would crash)."""
    if "objects" not in bundle or isinstance(bundle["objects"], list):
        return []
    code, name = NOT_AN_OBJECT
    raw_id = bundle.get("id")
    message = "objects must be a list of STIX objects"
    return [
        Finding(
            code,
            name,
            Severity.ERROR,
            "$.objects",
            message,
            raw_id if isinstance(raw_id, str) else None,
        )
    ]
