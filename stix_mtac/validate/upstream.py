"""The reference engine: stix2-validator's own conformance checks, run object by object.

The only module that imports ``stix2validator`` (untyped; ``Any`` stops here). We call the
functions ``validate_instance`` is made of (schema validation per object, then its MUST and
SHOULD check functions) one by one, so each finding keeps its object, its check and, for
schema errors, the path of the failing property, instead of being flattened into strings.

Every object is checked as STIX 2.1: stix2-validator would check an object without
``spec_version`` but with ``created`` as 2.0 inside a 2.1 bundle; we do not (the 2.1 schema
then reports the missing ``spec_version``, and so does our own check SX for it).
References are not checked here (no ``--enforce-refs``): our SX2xx checks do that, with paths.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Any

from stix2validator import ValidationOptions as _UpstreamOptions
from stix2validator.v21 import musts as _musts
from stix2validator.v21 import shoulds as _shoulds
from stix2validator.validator import _schema_validate

from stix_mtac.validate.conformance_codes import (
    CHECK_FAILED,
    MUST_CODES,
    SCHEMA,
    SHOULD_NAMES,
    UNNUMBERED_SHOULD,
    json_path,
)
from stix_mtac.validate.findings import Finding, Severity

_OPTIONS: Any = _UpstreamOptions(version="2.1", silent=True, strict=False)
_MUSTS: list[Any] = _musts.list_musts(_OPTIONS)
_SHOULDS: list[Any] = _shoulds.list_shoulds(_OPTIONS)
_CODE_PREFIX = re.compile(r"^\{(\d+)\} ")
_OBSERVABLE_PREFIX = re.compile(r"object '(.*)': $")


def _message(error: Any) -> str:
    return str(getattr(error, "message", None) or error)


def _run(check: Any, instance: Mapping[str, Any]) -> Iterator[Any]:
    try:
        result = check(instance)
    except TypeError:
        result = check(instance, _OPTIONS)  # the checks that need options take two arguments
    if isinstance(result, Iterable):
        yield from result
    elif result is not None:
        yield result  # some checks return their single error instead of yielding it


def _schema_findings(obj: Mapping[str, Any], base: str, object_id: str | None) -> list[Finding]:
    code, name = SCHEMA
    findings: list[Finding] = []
    for errors, prefix in _schema_validate(obj, _OPTIONS, None):
        observable = _OBSERVABLE_PREFIX.search(prefix)
        where = json_path(base, ["objects", observable.group(1)]) if observable else base
        for error in errors:
            parts = list(getattr(error, "absolute_path", ()))
            if parts and not isinstance(parts[0], int) and parts[0] == object_id:
                parts = []  # errors made by hand carry the object id as their "path"
            message = _message(error)
            findings.append(
                Finding(code, name, Severity.ERROR, json_path(where, parts), message, object_id)
            )
    return findings


def _check_findings(
    obj: Mapping[str, Any], base: str, object_id: str | None, strict: bool
) -> list[Finding]:
    findings: list[Finding] = []
    warning = Severity.ERROR if strict else Severity.WARNING
    for check in _MUSTS:
        code, name = MUST_CODES.get(check.__name__, CHECK_FAILED)
        for error in _run(check, obj):
            findings.append(Finding(code, name, Severity.ERROR, base, _message(error), object_id))
    for check in _SHOULDS:
        for error in _run(check, obj):
            message = _message(error)
            match = _CODE_PREFIX.match(message)
            if match and match.group(1) in SHOULD_NAMES:
                code, name = match.group(1), SHOULD_NAMES[match.group(1)]
                message = message[match.end() :]
            else:
                code, name = UNNUMBERED_SHOULD
            findings.append(Finding(code, name, warning, base, message, object_id))
    return findings


def _child_objects(obj: Mapping[str, Any], base: str) -> Iterator[tuple[Mapping[str, Any], str]]:
    """STIX objects nested in list properties: stix2-validator runs its checks on them too."""
    for key, value in obj.items():
        if type(value) is list:
            for position, item in enumerate(value):
                if isinstance(item, dict) and "id" in item and "type" in item:
                    yield item, json_path(base, [key, position])


def object_findings(obj: Mapping[str, Any], base: str, *, strict: bool) -> list[Finding]:
    """stix2-validator's findings for one object (a dict with ``type`` and ``id``)."""
    raw_id = obj.get("id")
    object_id = raw_id if isinstance(raw_id, str) else None
    findings = _schema_findings(obj, base, object_id)
    pending = [(obj, base)]
    try:
        while pending:
            current, where = pending.pop()
            findings.extend(_check_findings(current, where, object_id, strict))
            pending.extend(_child_objects(current, where))
    except Exception as error:  # a check crashed: keep the schema findings that explain why
        from stix_mtac.validate.conformance import crashed

        findings = _schema_findings(obj, base, object_id)
        findings.append(crashed(base, object_id, error))
    return findings


def _duplicate_positions(objects: list[Any]) -> dict[str, list[int]]:
    """Where check 203 fires: later objects whose ``modified`` equals the first's of that id."""
    first: dict[str, Any] = {}
    positions: dict[str, list[int]] = {}
    for index, obj in enumerate(objects):
        if not isinstance(obj, dict) or "id" not in obj or "modified" not in obj:
            continue
        stix_id = obj["id"]
        if not isinstance(stix_id, str):
            continue
        if stix_id not in first:
            first[stix_id] = obj["modified"]
        elif obj["modified"] == first[stix_id]:
            positions.setdefault(stix_id, []).append(index)
    return positions


def bundle_findings(bundle: Mapping[str, Any], *, strict: bool) -> list[Finding]:
    """Findings on the bundle itself: its schema, and the checks run on it (203 among them).

    A 203 finding is placed at the duplicate object it names, as the fast engine does.
    """
    raw_id = bundle.get("id")
    bundle_id = raw_id if isinstance(raw_id, str) else None
    findings = _schema_findings(bundle, "$", bundle_id)
    objects = bundle.get("objects")
    duplicates = _duplicate_positions(objects if isinstance(objects, list) else [])
    taken: dict[str, int] = {}
    # entries that are not objects are reported once, as C120, not as a crash of the bundle
    only_objects = {key: value for key, value in bundle.items() if key != "objects"}
    if isinstance(objects, list):
        only_objects["objects"] = [entry for entry in objects if isinstance(entry, dict)]
    for finding in _check_findings(only_objects, "$", bundle_id, strict):
        if finding.code != "203":
            findings.append(finding)
            continue
        match = re.search(r"Duplicate ID '(.*)' has identical", finding.message)
        stix_id = match.group(1) if match else ""
        seen = taken.get(stix_id, 0)
        taken[stix_id] = seen + 1
        where = duplicates.get(stix_id, [])
        path = f"$.objects[{where[seen]}]" if seen < len(where) else "$"
        findings.append(replace(finding, json_path=path, object_id=stix_id))
    return findings
