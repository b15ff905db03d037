"""Load any STIX 2.1 bundle for viewing: strict JSON, a bundle shape check, one version per id.

Viewing must work on bundles we did not write, so only what the views rely on is checked
(an object list of JSON objects with string ``type`` and ``id``); everything else is shown as is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stix_mtac.errors import InputError
from stix_mtac.jsonio import read_json_file
from stix_mtac.view.timestamps import timestamp_key

StixObject = Mapping[str, Any]


@dataclass(frozen=True)
class BundleView:
    """A bundle reduced to the newest version of each object, in first-seen order."""

    source: str
    bundle_id: str
    objects: tuple[StixObject, ...]

    def by_id(self) -> dict[str, StixObject]:
        return {str(obj["id"]): obj for obj in self.objects}


def bundle_from_data(data: Any, source: str) -> BundleView:
    """Check the shape the views need and keep the newest version of every id."""
    if not isinstance(data, dict) or data.get("type") != "bundle":
        raise InputError(f"{source}: not a STIX bundle (expected a JSON object with type 'bundle')")
    raw_objects = data.get("objects", [])
    if not isinstance(raw_objects, list):
        raise InputError(f"{source}: $.objects: expected a list of STIX objects")
    newest: dict[str, StixObject] = {}
    for index, obj in enumerate(raw_objects):
        where = f"{source}: $.objects[{index}]"
        if not isinstance(obj, dict):
            raise InputError(f"{where}: expected a JSON object, found {type(obj).__name__}")
        for key in ("type", "id"):
            if not isinstance(obj.get(key), str):
                raise InputError(f"{where}.{key}: missing or not a string")
        object_id = obj["id"]
        kept = newest.get(object_id)
        # A bundle may carry several versions of one object; the newest one is what TIPs keep.
        if kept is None or timestamp_key(obj.get("modified")) > timestamp_key(kept.get("modified")):
            newest[object_id] = obj
    bundle_id = data.get("id")
    return BundleView(
        source=source,
        bundle_id=bundle_id if isinstance(bundle_id, str) else "",
        objects=tuple(newest.values()),
    )


def load_bundle(path: Path) -> BundleView:
    """Read ``path`` strictly (see :mod:`stix_mtac.jsonio`) as a STIX bundle."""
    return bundle_from_data(read_json_file(path), str(path))


def display_name(obj: StixObject) -> str:
    """The label a person recognises: name, else a type-specific field, else the id."""
    for key in ("name", "value", "definition_type", "relationship_type"):
        value = obj.get(key)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return str(obj["id"])


def string_list(value: Any) -> list[str]:
    """A list property as strings, ignoring anything malformed (viewing never fails on it)."""
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, str)]
