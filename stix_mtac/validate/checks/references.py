"""References resolve inside the bundle: every ``*_ref``/``*_refs`` property, at any depth.

A closed bundle (the default) must carry everything it points at, as importers like OpenCTI
refuse objects whose references dangle. ``--open`` makes these warnings for bundles whose
references live in the TIP already.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from stix_mtac.validate.context import BundleContext
from stix_mtac.validate.findings import Severity
from stix_mtac.validate.registry import Issue, check

# Properties whose targets must be marking definitions; reported under their own code.
MARKING_REF_KEYS = frozenset({"object_marking_refs", "marking_ref"})
OBJECT_REFS_TYPES = ("report", "note", "opinion", "grouping")


def _references(value: Any, path: str) -> Iterator[tuple[str, str, str]]:
    """(json path, property name, referenced id) for every reference property below ``value``."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                continue
            child = f"{path}.{key}"
            if key.endswith("_ref") and isinstance(item, str):
                yield child, key, item
            elif key.endswith("_refs") and isinstance(item, list):
                for position, ref in enumerate(item):
                    if isinstance(ref, str):
                        yield f"{child}[{position}]", key, ref
            elif isinstance(item, dict | list):
                yield from _references(item, child)
    elif isinstance(value, list):
        for position, item in enumerate(value):
            if isinstance(item, dict | list):
                yield from _references(item, f"{path}[{position}]")


def _looks_like_id(value: str) -> bool:
    # Malformed identifiers are the schema's business; only report well-formed ones here.
    return "--" in value


def _dangling(
    obj: Mapping[str, Any], path: str, ctx: BundleContext, *, markings: bool
) -> Iterator[Issue]:
    severity = Severity.WARNING if ctx.open_bundle else None
    object_id = obj.get("id") if isinstance(obj.get("id"), str) else None
    for ref_path, key, ref in _references(obj, path):
        if (key in MARKING_REF_KEYS) != markings or not _looks_like_id(ref):
            continue
        if ctx.has_id(ref):
            continue
        if markings:
            message = (
                f"{key} names {ref}, which is not in the bundle; ship the marking-definition "
                "object with every bundle that uses it"
            )
        else:
            message = (
                f"{key} points at {ref}, which is not in the bundle; add that object or remove "
                "the reference (use --open if the target lives in your TIP)"
            )
        yield Issue(ref_path, message, object_id, severity)


@check(code="SX201", name="unresolved-reference", severity=Severity.ERROR)
def unresolved_reference(obj: Mapping[str, Any], path: str, ctx: BundleContext) -> Iterator[Issue]:
    """Every *_ref and *_refs property points at an object in the bundle."""
    yield from _dangling(obj, path, ctx, markings=False)


@check(code="SX202", name="missing-marking-definition", severity=Severity.ERROR)
def missing_marking_definition(
    obj: Mapping[str, Any], path: str, ctx: BundleContext
) -> Iterator[Issue]:
    """Every marking definition an object or granular marking names is in the bundle."""
    yield from _dangling(obj, path, ctx, markings=True)


@check(code="SX203", name="empty-object-refs", severity=Severity.ERROR, types=OBJECT_REFS_TYPES)
def empty_object_refs(obj: Mapping[str, Any], path: str, ctx: BundleContext) -> Iterator[Issue]:
    """A report, note, opinion or grouping refers to at least one object."""
    refs = obj.get("object_refs")
    if not isinstance(refs, list) or not refs:
        yield Issue(
            f"{path}.object_refs",
            f"{obj.get('type')} has no object_refs; list the objects it is about (at least one)",
            obj.get("id") if isinstance(obj.get("id"), str) else None,
        )
