"""Object versions: an id appears once per ``modified``, and ``modified`` >= ``created``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from stix_mtac.validate.context import BundleContext, object_path
from stix_mtac.validate.findings import Severity
from stix_mtac.validate.registry import Alias, Issue, check

_TIMESTAMP = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?Z$")


def timestamp_key(value: object) -> tuple[int, ...] | None:
    """A STIX timestamp as a comparable tuple (any number of fraction digits), or None."""
    if not isinstance(value, str):
        return None
    match = _TIMESTAMP.match(value)
    if match is None:
        return None
    *fields, fraction = match.groups()
    nanoseconds = int((fraction or "0")[:9].ljust(9, "0"))
    return (*(int(field) for field in fields), nanoseconds)


def version_key(obj: Mapping[str, Any]) -> object:
    """What tells versions of one id apart: ``modified`` as a time when it is one, else its
    JSON text (any JSON value, a list or an object included, so it is always hashable)."""
    modified = obj.get("modified")
    as_time = timestamp_key(modified)
    if as_time is not None:
        return as_time
    return json.dumps(modified, sort_keys=True)


@check(
    code="SX401",
    name="conflicting-duplicate-id",
    severity=Severity.ERROR,
    scope="bundle",
    aliases=(Alias("203"),),
)
def conflicting_duplicate_id(ctx: BundleContext) -> Iterator[Issue]:
    """Two objects with the same id and modified timestamp carry the same content.

    Objects that share an id are versions of one object, told apart by modified (compared as
    times, any number of fraction digits). Two with one modified and different content
    contradict each other.
    """
    objects = ctx.by_position
    for stix_id, positions in ctx.positions_by_id.items():
        if len(positions) < 2:
            continue
        first_by_version: dict[object, int] = {}
        for position in positions:
            obj = objects[position]
            first = first_by_version.setdefault(version_key(obj), position)
            if first != position and objects[first] != obj:
                yield Issue(
                    object_path(position),
                    f"{stix_id} appears at objects[{first}] and objects[{position}] with the "
                    "same modified timestamp but different content; give the newer version a "
                    "later modified or remove one",
                    stix_id,
                )


@check(
    code="SX402",
    name="repeated-object",
    severity=Severity.WARNING,
    scope="bundle",
    aliases=(Alias("203"),),
)
def repeated_object(ctx: BundleContext) -> Iterator[Issue]:
    """An object is not repeated verbatim in one bundle.

    A verbatim copy of an object adds nothing and doubles its import; remove the copy.
    """
    objects = ctx.by_position
    for stix_id, positions in ctx.positions_by_id.items():
        if len(positions) < 2:
            continue
        first = positions[0]
        for position in positions[1:]:
            if objects[position] == objects[first]:
                yield Issue(
                    object_path(position),
                    f"{stix_id} at objects[{position}] repeats objects[{first}] exactly; "
                    "remove the copy",
                    stix_id,
                )


@check(
    code="SX403",
    name="modified-before-created",
    severity=Severity.ERROR,
    aliases=(Alias("C102", mentions="modified"),),
)
def modified_before_created(
    obj: Mapping[str, Any], path: str, ctx: BundleContext
) -> Iterator[Issue]:
    """An object's modified timestamp is equal to or later than its created timestamp.

    A version cannot be modified before the object was created (STIX 2.1 section 3.2).
    """
    if obj.get("created") == obj.get("modified"):
        return  # the usual first version; no need to parse
    created, modified = timestamp_key(obj.get("created")), timestamp_key(obj.get("modified"))
    if created is not None and modified is not None and modified < created:
        yield Issue(
            f"{path}.modified",
            f"modified {obj['modified']} is before created {obj['created']}; modified must be "
            "equal to or later than created",
            obj.get("id") if isinstance(obj.get("id"), str) else None,
        )
