"""References resolve inside the bundle: every ``*_ref``/``*_refs`` property, at any depth.

A closed bundle (the default) must carry everything it points at, as importers like OpenCTI
refuse objects whose references dangle. ``--open`` makes these warnings for bundles whose
references live in the TIP already.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from stix_mtac.jsonpath import key_part
from stix_mtac.validate.context import BundleContext, Reference
from stix_mtac.validate.findings import Severity
from stix_mtac.validate.refdata import reference_types
from stix_mtac.validate.registry import Alias, Issue, check

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
            _collect_list(item, path + key_part(key), found)
        elif kind is dict:
            _collect(item, path + key_part(key), found)


def _collect_list(items: list[Any], path: str, found: list[Reference]) -> None:
    """The references inside the objects of a list, and of lists inside it, at any depth."""
    for position, element in enumerate(items):
        kind = type(element)
        if kind is dict:
            _collect(element, f"{path}[{position}]", found)
        elif kind is list:
            _collect_list(element, f"{path}[{position}]", found)


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
        ref_path = _reference_path(holder, key, position)
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
    """Every *_ref and *_refs property points at an object in the bundle.

    Every reference property at any depth (created_by_ref, object_refs, relationship ends,
    sighting references, SCO references) names an object carried in the same bundle, as
    importers such as OpenCTI refuse dangling references. --open makes these warnings for
    bundles whose targets live in the TIP.
    """
    yield from _dangling(obj, path, ctx, markings=False)


@check(code="SX202", name="missing-marking-definition", severity=Severity.ERROR)
def missing_marking_definition(
    obj: Mapping[str, Any], path: str, ctx: BundleContext
) -> Iterator[Issue]:
    """Every marking definition an object or granular marking names is in the bundle.

    A marking definition named in object_marking_refs or a granular marking_ref ships with
    the bundle; without it the marking cannot be honoured. --open makes these warnings.
    """
    yield from _dangling(obj, path, ctx, markings=True)


@check(
    code="SX203",
    name="empty-object-refs",
    severity=Severity.ERROR,
    types=OBJECT_REFS_TYPES,
    aliases=(Alias("C100", match="path"), Alias("C100", mentions="object_refs")),
)
def empty_object_refs(obj: Mapping[str, Any], path: str, ctx: BundleContext) -> Iterator[Issue]:
    """A report, note, opinion or grouping refers to at least one object.

    object_refs is required and non-empty for these types (STIX 2.1 sections 4.x): a
    container about nothing is a defect.
    """
    refs = obj.get("object_refs")
    if not isinstance(refs, list) or not refs:
        yield Issue(
            f"{path}.object_refs",
            f"{obj.get('type')} has no object_refs; list the objects it is about (at least one)",
            obj.get("id") if isinstance(obj.get("id"), str) else None,
        )


def _reference_path(holder: str, key: str, position: int) -> str:
    return holder + key_part(key) + (f"[{position}]" if position >= 0 else "")


@check(code="SX204", name="wrong-reference-type", severity=Severity.ERROR)
def wrong_reference_type(obj: Mapping[str, Any], path: str, ctx: BundleContext) -> Iterator[Issue]:
    """A reference names an object of a type its property allows.

    created_by_ref names an identity, object_marking_refs and marking_ref name marking
    definitions, where_sighted_refs identities or locations, and so on (the table is
    data/validate/reference_types.json). The type is read from the id, so this holds for
    references outside the bundle too.
    """
    allowed_by_key = reference_types()
    for holder, key, position, ref in references_of(obj, path, ctx):
        allowed = allowed_by_key.get(key)
        if allowed is None or "--" not in ref or ctx.type_of(ref) in allowed:
            continue
        object_id = obj.get("id")
        yield Issue(
            _reference_path(holder, key, position),
            f"{key} names {ref}, a {ctx.type_of(ref)}; it must name "
            f"{' or '.join(sorted(allowed))} (STIX 2.1)",
            object_id if isinstance(object_id, str) else None,
        )


@check(code="SX205", name="self-reference", severity=Severity.ERROR, types=OBJECT_REFS_TYPES)
def self_reference(obj: Mapping[str, Any], path: str, ctx: BundleContext) -> Iterator[Issue]:
    """A report, note, opinion or grouping does not list itself in object_refs.

    An object that is about itself says nothing; it is most often a copy-and-paste slip of
    the id of the object that was meant.
    """
    refs, own_id = obj.get("object_refs"), obj.get("id")
    if not isinstance(refs, list) or not isinstance(own_id, str):
        return
    for position, ref in enumerate(refs):
        if ref == own_id:
            yield Issue(
                f"{path}.object_refs[{position}]",
                f"{obj.get('type')} lists itself in object_refs; list the objects it is about",
                own_id,
            )
