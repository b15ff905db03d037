"""Object versions: an id appears once per ``modified``, and ``modified`` >= ``created``."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from stix_mtac.validate.context import BundleContext, object_path
from stix_mtac.validate.findings import Severity
from stix_mtac.validate.registry import Issue, check

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


@check(code="SX401", name="conflicting-duplicate-id", severity=Severity.ERROR, scope="bundle")
def conflicting_duplicate_id(ctx: BundleContext) -> Iterator[Issue]:
    """Two objects with the same id and modified timestamp carry the same content."""
    objects = ctx.bundle["objects"]
    for stix_id, positions in ctx.positions_by_id.items():
        if len(positions) < 2:
            continue
        first_by_version: dict[object, int] = {}
        for position in positions:
            obj = objects[position]
            version = timestamp_key(obj.get("modified")) or obj.get("modified")
            first = first_by_version.setdefault(version, position)
            if first != position and objects[first] != obj:
                yield Issue(
                    object_path(position),
                    f"{stix_id} appears at objects[{first}] and objects[{position}] with the "
                    "same modified timestamp but different content; give the newer version a "
                    "later modified or remove one",
                    stix_id,
                )


@check(code="SX402", name="repeated-object", severity=Severity.WARNING, scope="bundle")
def repeated_object(ctx: BundleContext) -> Iterator[Issue]:
    """An object is not repeated verbatim in one bundle."""
    objects = ctx.bundle["objects"]
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


@check(code="SX403", name="modified-before-created", severity=Severity.ERROR)
def modified_before_created(
    obj: Mapping[str, Any], path: str, ctx: BundleContext
) -> Iterator[Issue]:
    """An object's modified timestamp is equal to or later than its created timestamp."""
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
