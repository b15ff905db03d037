"""The fast conformance engine: stix2-validator's findings without stix2-validator.

Schemas: the official STIX 2.1 JSON schemas compiled once with jsonschema-rs
(``schemas.py``). Checks: stix2-validator's MUSTs and SHOULDs re-implemented for domain,
relationship and meta objects (``fast_checks.py``, patterns cached by string). Objects with
cyber-observable data (SCOs, observed-data ``objects``), a ``cpe`` or nested STIX objects go
to the reference engine (imported only then). Big bundles are split over worker processes.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from stix_mtac.validate.conformance_codes import (
    MUST_CODES,
    SCHEMA,
    SHOULD_NAMES,
    json_path,
)
from stix_mtac.validate.fast_checks import Hit, needs_reference, object_hits
from stix_mtac.validate.findings import Finding, Progress, Severity
from stix_mtac.validate.schemas import schema_name, validator

# Below this many objects one process is faster than starting workers.
PARALLEL_THRESHOLD = 20_000
CHUNK = 2_000

_MUST_NAMES = {code: name for code, name in MUST_CODES.values()}


def _object_id(obj: Mapping[str, Any]) -> str | None:
    raw = obj.get("id")
    return raw if isinstance(raw, str) else None


def schema_findings(obj: Mapping[str, Any], path: str, name: str) -> list[Finding]:
    """Schema violations of ``obj`` against schema ``name``, at the failing property."""
    checker = validator(name)
    if checker.is_valid(obj):
        return []
    code, title = SCHEMA
    object_id = _object_id(obj)
    return [
        Finding(
            code,
            title,
            Severity.ERROR,
            json_path(path, error.instance_path),
            error.message,
            object_id,
        )
        for error in checker.iter_errors(obj)
    ]


def hit_findings(
    hits: list[Hit], path: str, object_id: str | None, *, strict: bool
) -> list[Finding]:
    warning = Severity.ERROR if strict else Severity.WARNING
    return [
        Finding(
            code,
            _MUST_NAMES[code] if is_must else SHOULD_NAMES[code],
            Severity.ERROR if is_must else warning,
            path,
            message,
            object_id,
        )
        for code, message, is_must in hits
    ]


def object_findings(obj: Mapping[str, Any], path: str, *, strict: bool) -> list[Finding]:
    """The findings of one guarded STIX object (a dict with ``type`` and ``id``)."""
    if needs_reference(obj):
        from stix_mtac.validate import upstream

        return upstream.object_findings(obj, path, strict=strict)
    findings = schema_findings(obj, path, schema_name(obj))
    if obj["type"] == "observed-data" and "objects" in obj:
        # not a dict (dicts went to the reference engine): stix2-validator's own schema error
        code, title = SCHEMA
        message = "observed-data objects must be a dictionary"
        findings.append(Finding(code, title, Severity.ERROR, path, message, _object_id(obj)))
    try:
        hits = object_hits(obj)
    except Exception as error:  # a check crashed: keep the schema findings that explain why
        from stix_mtac.validate.conformance import crashed

        findings.append(crashed(path, _object_id(obj), error))
        return findings
    findings.extend(hit_findings(hits, path, _object_id(obj), strict=strict))
    return findings


def _duplicates(objects: list[Any], strict: bool) -> list[Finding]:
    """Check 203: a later object with the id and ``modified`` of the first of that id."""
    first: dict[Any, Any] = {}
    findings: list[Finding] = []
    severity = Severity.ERROR if strict else Severity.WARNING
    for index, obj in enumerate(objects):
        if not isinstance(obj, dict) or "id" not in obj or "modified" not in obj:
            continue
        stix_id = obj["id"]  # unhashable ids fail here as in stix2-validator (C199)
        if stix_id not in first:
            first[stix_id] = obj["modified"]
        elif obj["modified"] == first[stix_id]:
            message = f"duplicate id {stix_id} with the same modified: give versions new times"
            path = f"$.objects[{index}]"
            object_id = stix_id if isinstance(stix_id, str) else None
            findings.append(Finding("203", SHOULD_NAMES["203"], severity, path, message, object_id))
    return findings


def bundle_findings(bundle: Mapping[str, Any], *, strict: bool) -> list[Finding]:
    """The bundle's own schema and the checks stix2-validator runs on the bundle object."""
    findings = schema_findings(bundle, "$", "bundle")
    bundle_id = _object_id(bundle)
    findings.extend(hit_findings(object_hits(bundle), "$", bundle_id, strict=strict))
    objects = bundle.get("objects")
    findings.extend(_duplicates(objects if isinstance(objects, list) else [], strict))
    return findings


# Worker processes inherit the bundle through fork instead of receiving it pickled.
_SHARED: list[Any] = []


def _check_range(start: int, stop: int, strict: bool) -> list[Finding]:
    from stix_mtac.validate.conformance import checked_object

    def check(obj: Mapping[str, Any], path: str) -> list[Finding]:
        return object_findings(obj, path, strict=strict)

    findings: list[Finding] = []
    for index in range(start, stop):
        findings.extend(checked_object(check, _SHARED[index], f"$.objects[{index}]"))
    return findings


def _workers(jobs: int | None, count: int) -> int:
    if count < PARALLEL_THRESHOLD or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    wanted = jobs if jobs is not None else (os.cpu_count() or 1)
    return max(1, min(wanted, count // CHUNK))


def fast_findings(
    bundle: dict[str, Any],
    *,
    strict: bool,
    jobs: int | None,
    progress: Progress | None,
    limit: int | None = None,
) -> list[Finding]:
    """Findings for the whole bundle; equal to the reference engine's (see conformance.py).

    ``limit``: no further objects are checked once this many findings were made."""
    from stix_mtac.validate.conformance import crashed

    try:
        findings = bundle_findings(bundle, strict=strict)
    except Exception as error:  # never raise (RecursionError included)
        findings = [crashed("$", _object_id(bundle), error)]
    raw = bundle.get("objects")
    objects = raw if isinstance(raw, list) else []
    _SHARED[:] = objects
    ranges = [(start, min(start + CHUNK, len(objects))) for start in range(0, len(objects), CHUNK)]
    workers = _workers(jobs, len(objects))
    try:
        if workers == 1:
            for start, stop in ranges:
                if limit is not None and len(findings) >= limit:
                    break
                findings.extend(_check_range(start, stop, strict))
                if progress is not None:
                    progress(stop, len(objects))
        else:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(workers, mp_context=context) as pool:
                futures = [pool.submit(_check_range, start, stop, strict) for start, stop in ranges]
                for future, (_start, stop) in zip(futures, ranges, strict=True):
                    if limit is not None and len(findings) >= limit:
                        future.cancel()
                        continue
                    findings.extend(future.result())
                    if progress is not None:
                        progress(stop, len(objects))
    finally:
        _SHARED.clear()
    return findings
