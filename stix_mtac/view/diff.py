"""Compare two bundles by object id: added, removed, changed (which properties).

A changed object whose ``modified`` is not newer is flagged: STIX versioning says the newest
``modified`` wins, so a TIP that already holds the old version keeps it and drops the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stix_mtac.view.objects import BundleView, StixObject, display_name
from stix_mtac.view.text import wrapped
from stix_mtac.view.timestamps import timestamp_key


@dataclass(frozen=True)
class ObjectRef:
    id: str
    type: str
    name: str


@dataclass(frozen=True)
class Change:
    object: ObjectRef
    properties: tuple[str, ...]
    old_modified: str | None
    new_modified: str | None

    @property
    def modified_newer(self) -> bool:
        return timestamp_key(self.new_modified) > timestamp_key(self.old_modified)


@dataclass(frozen=True)
class BundleDiff:
    added: tuple[ObjectRef, ...]
    removed: tuple[ObjectRef, ...]
    changed: tuple[Change, ...]

    @property
    def identical(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _ref(obj: StixObject) -> ObjectRef:
    return ObjectRef(id=str(obj["id"]), type=str(obj["type"]), name=display_name(obj))


def _modified(obj: StixObject) -> str | None:
    value = obj.get("modified")
    return value if isinstance(value, str) else None


def _comparable(value: Any) -> Any:
    """A JSON value in a form where == means "same JSON": key order is ignored, ``1`` equals
    ``1.0`` but not ``true`` (Python's ``True == 1`` would hide that change), and integers of
    any size compare exactly."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return (type(value).__name__, value)
    if isinstance(value, int | float):
        return ("number", value)
    if isinstance(value, list):
        return ("list", tuple(_comparable(item) for item in value))
    if isinstance(value, dict):
        return ("object", tuple(sorted((key, _comparable(item)) for key, item in value.items())))
    return ("other", repr(value))


def _same_json(old: Any, new: Any) -> bool:
    """``_comparable(old) == _comparable(new)``, mostly at the speed of ``==``.

    Python's ``==`` holds for every pair of equal JSON values (key order ignored, ``1 == 1.0``,
    exact integers), so ``!=`` settles a difference; it errs only by taking ``true`` for
    ``1``, which can only happen where a boolean is present, and that case is compared
    exactly.
    """
    if type(old) is str or type(new) is str:
        return type(old) is type(new) and old == new
    if old != new:
        return False
    texts = (repr(old), repr(new))
    if not any("True" in text or "False" in text for text in texts):
        return True
    return bool(_comparable(old) == _comparable(new))


def changed_properties(old: StixObject, new: StixObject) -> tuple[str, ...]:
    """Top-level properties added, removed or with another JSON value, sorted."""
    return tuple(
        key
        for key in sorted(set(old) | set(new))
        if key not in old or key not in new or not _same_json(old[key], new[key])
    )


def diff_bundles(old: BundleView, new: BundleView) -> BundleDiff:
    """The differences from ``old`` to ``new``, each list sorted by id."""
    old_objects, new_objects = old.by_id(), new.by_id()
    changed = []
    for object_id in sorted(set(old_objects) & set(new_objects)):
        before, after = old_objects[object_id], new_objects[object_id]
        properties = changed_properties(before, after)
        if properties:
            changed.append(Change(_ref(after), properties, _modified(before), _modified(after)))
    return BundleDiff(
        added=tuple(_ref(new_objects[i]) for i in sorted(set(new_objects) - set(old_objects))),
        removed=tuple(_ref(old_objects[i]) for i in sorted(set(old_objects) - set(new_objects))),
        changed=tuple(changed),
    )


def _ref_data(ref: ObjectRef) -> dict[str, str]:
    return {"id": ref.id, "type": ref.type, "name": ref.name}


def diff_data(diff: BundleDiff) -> dict[str, Any]:
    """The diff as JSON data (shape documented in ``stix-mtac diff --help``)."""
    return {
        "identical": diff.identical,
        "added": [_ref_data(ref) for ref in diff.added],
        "removed": [_ref_data(ref) for ref in diff.removed],
        "changed": [
            {
                **_ref_data(change.object),
                "properties": list(change.properties),
                "old_modified": change.old_modified,
                "new_modified": change.new_modified,
                "modified_newer": change.modified_newer,
            }
            for change in diff.changed
        ],
        "not_bumped": sum(not change.modified_newer for change in diff.changed),
    }


def _stale_warning(change: Change) -> str:
    if change.new_modified is None:
        return "! no 'modified' property: importers cannot tell this version is newer"
    return (
        f"! 'modified' not newer ({change.old_modified or 'absent'} -> {change.new_modified}): "
        "TIPs holding the old version would ignore this change"
    )


def diff_text(diff: BundleDiff, old_name: str, new_name: str) -> str:
    """The diff for a terminal, at most 80 columns per line."""
    lines = [*wrapped(f"--- {old_name}", 0, 4), *wrapped(f"+++ {new_name}", 0, 4)]
    if diff.identical:
        return "\n".join([*lines, "no differences"]) + "\n"
    for title, refs, mark in (("added", diff.added, "+"), ("removed", diff.removed, "-")):
        lines.append(f"{title} ({len(refs)})")
        for ref in refs:
            lines.extend(wrapped(f"{mark} {ref.id}", 2, 6))
            lines.extend(wrapped(f"{ref.type}: {ref.name}", 6))
    lines.append(f"changed ({len(diff.changed)})")
    for change in diff.changed:
        lines.extend(wrapped(f"~ {change.object.id}", 2, 6))
        lines.extend(wrapped(f"{change.object.type}: {change.object.name}", 6))
        lines.extend(wrapped("properties: " + ", ".join(change.properties), 6, 8))
        if not change.modified_newer:
            lines.extend(wrapped(_stale_warning(change), 6, 8))
    stale = sum(not change.modified_newer for change in diff.changed)
    lines.append(
        f"{len(diff.added)} added, {len(diff.removed)} removed, {len(diff.changed)} changed"
        + (f" ({stale} without a newer 'modified')" if stale else "")
    )
    return "\n".join(lines) + "\n"
