"""The reference data our checks compare against, read once from ``stix_mtac/data/validate``
(and the official TLP marking definitions from ``stix_mtac/data/markings``, which the builders
ship as well: one copy).

Object types with their specified properties, and the official TLP marking definitions, are
data files so a reviewer can check them against the specification without reading code.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from stix_mtac.stixdata import TLP_2_0_EXTENSION, tlp_markings


def _load(name: str) -> dict[str, Any]:
    text = resources.files("stix_mtac.data").joinpath("validate", name).read_text("utf-8")
    value: dict[str, Any] = json.loads(text)
    return value


@dataclass(frozen=True)
class TypeInfo:
    kind: str  # sdo, sro, sco or meta
    properties: frozenset[str]


@cache
def stix_types() -> Mapping[str, TypeInfo]:
    """STIX 2.1 object types -> kind and specified top-level properties."""
    raw = _load("types.json")["types"]
    return {
        name: TypeInfo(entry["kind"], frozenset(entry["properties"])) for name, entry in raw.items()
    }


@cache
def official_tlp() -> Mapping[str, Mapping[str, Any]]:
    """Official TLP 1.0 and TLP 2.0 marking definitions by id, with their exact content."""
    return {definition["id"]: definition for definition in tlp_markings()}


@cache
def tlp2_extension_id() -> str:
    """The OASIS TLP 2.0 extension definition id."""
    return TLP_2_0_EXTENSION


@cache
def reference_types() -> Mapping[str, frozenset[str]]:
    """Reference property -> the object types it may name (``reference_types.json``)."""
    raw = _load("reference_types.json")
    return {key: frozenset(types) for key, types in raw.items() if not key.startswith("_")}
