"""References resolve inside the bundle: every ``*_ref``/``*_refs`` property, at any depth.

A closed bundle (the default) must carry everything it points at, as importers like OpenCTI
refuse objects whose references dangle. ``--open`` makes these warnings for bundles whose
references live in the TIP already.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from stix_mtac.validate.context import BundleContext, Reference
from stix_mtac.validate.findings import Severity
from stix_mtac.validate.registry import Issue, check

# Properties whose targets must be marking definitions; reported under their own code.
MARKING_REF_KEYS = frozenset({"object_marking_refs", "marking_ref"})
OBJECT_REFS_TYPES = ("report", "note", "opinion", "grouping")


def _collect(value: Mapping[str, Any], path: str, found: list[Reference]) -> None:
    """Append every reference property at or below ``value`` (a JSON object) to ``found``."""
    for key, item in value.items():
        kind = type(item)
        if kind is str:
            if key.endswith("_ref"):
                found.append((path, key, -1, item))
        elif kind is list:
            if key.endswith("_refs"):
                found.extend((path, key, i, ref) for i, ref in enumerate(item) if type(ref) is str)
            else:
                for position, element in enumerate(item):
                    if type(element) is dict:
                        _collect(element, f"{path}.{key}[{position}]", found)
        elif kind is dict:
            _collect(item, f"{path}.{key}", found)


def references_of(obj: Mapping[str, Any], path: str, ctx: BundleContext) -> list[Reference]:
    """The object's references, walked once and shared by the checks that need them."""
    cached = ctx.last_references
    if cached is not None and cached[0] is obj:
        return cached[1]
    found: list[Reference] = []
    _collect(obj, path, found)
    ctx.last_references = (obj, found)
    return found


def _dangling(
    obj: Mapping[str, Any], path: str, ctx: BundleContext, *, markings: bool
) -> Iterator[Issue]:
    known = ctx.positions_by_id
    for holder, key, position, ref in references_of(obj, path, ctx):
        if ref in known or (key in MARKING_REF_KEYS) != markings or "--" not in ref:
            continue  # resolved; the other check's business; malformed ids are the schema's
        ref_path = f"{holder}.{key}" + (f"[{position}]" if position >= 0 else "")
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
        object_id = obj.get("id")
        yield Issue(
            ref_path,
            message,
            object_id if isinstance(object_id, str) else None,
            Severity.WARNING if ctx.open_bundle else None,
        )


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
