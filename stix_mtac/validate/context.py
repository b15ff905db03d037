"""What every check may look at: the bundle's objects and an id index built once per bundle."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# A reference found in an object: (path of the holding JSON object, property, list position
# or -1, referenced id). The full JSON path is only formatted when a finding needs it.
Reference = tuple[str, str, int, str]


def object_path(index: int) -> str:
    return f"$.objects[{index}]"


@dataclass
class BundleContext:
    """The bundle under check; ``open_bundle`` means references may live outside it (a TIP)."""

    bundle: Mapping[str, Any]
    objects: list[tuple[int, Mapping[str, Any]]]
    open_bundle: bool = False
    # id -> positions (in ``objects`` order) of every object carrying that id
    positions_by_id: dict[str, list[int]] = field(default_factory=dict)
    # (object, its references): checks that read references share one walk per object
    last_references: tuple[object, list[Reference]] | None = None
    _by_position: dict[int, Mapping[str, Any]] | None = None

    @classmethod
    def build(cls, bundle: Mapping[str, Any], *, open_bundle: bool) -> BundleContext:
        raw = bundle.get("objects")
        objects: list[tuple[int, Mapping[str, Any]]] = []
        if isinstance(raw, list):
            objects = [(index, obj) for index, obj in enumerate(raw) if isinstance(obj, dict)]
        positions: dict[str, list[int]] = {}
        for index, obj in objects:
            stix_id = obj.get("id")
            if isinstance(stix_id, str):
                positions.setdefault(stix_id, []).append(index)
        return cls(bundle, objects, open_bundle, positions)

    @property
    def by_position(self) -> dict[int, Mapping[str, Any]]:
        """The JSON objects of ``objects`` by their position (entries that are not objects
        are absent)."""
        if self._by_position is None:
            self._by_position = dict(self.objects)
        return self._by_position

    def has_id(self, stix_id: str) -> bool:
        return stix_id in self.positions_by_id

    def type_of(self, stix_id: str) -> str:
        """The object type an identifier names (the part before ``--``)."""
        return stix_id.split("--", 1)[0]
