"""The official STIX 2.1 JSON schemas (shipped inside stix2-validator), compiled once.

Read from stix2-validator's package directory without importing it (its import costs over a
second). Every schema document goes into one jsonschema-rs Registry under its ``$id``, so the
relative ``$ref``s resolve in memory; validators are compiled lazily, once per schema name.
The schema for a type is found as stix2-validator finds it (first ``<type>.json`` below the
schema directory, else ``core``/``cyber-observable-core``), with its two patches applied:
``objects`` of observed-data and of bundles are checked separately.
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs

from stix_mtac.errors import StixMtacError


def package_dir() -> Path:
    """stix2-validator's package directory, found without running its ``__init__``."""
    spec = importlib.util.find_spec("stix2validator")
    locations = spec.submodule_search_locations if spec else None
    if not locations:
        raise StixMtacError("stix2-validator is not installed: its STIX 2.1 schemas are needed")
    return Path(next(iter(locations)))


@cache
def _documents() -> tuple[dict[str, Path], dict[str, dict[str, Any]]]:
    """(schema name -> file, first match like stix2-validator's walk; $id -> document)."""
    root = package_dir() / "schemas-2.1" / "schemas"
    names: dict[str, Path] = {}
    by_id: dict[str, dict[str, Any]] = {}
    for directory, _dirs, files in os.walk(root, followlinks=True):
        if "examples" in directory:
            continue
        for file_name in files:
            if not file_name.endswith(".json"):
                continue
            path = Path(directory) / file_name
            names.setdefault(file_name[: -len(".json")], path)
            document = json.loads(path.read_text(encoding="utf-8"))
            by_id[document["$id"]] = document
    return names, by_id


@cache
def _registry() -> jsonschema_rs.Registry:
    return jsonschema_rs.Registry(list(_documents()[1].items()))


def _patched(name: str, document: dict[str, Any]) -> dict[str, Any]:
    """stix2-validator's patches: ``objects`` is checked object by object, not here."""
    if name == "observed-data":
        document = json.loads(json.dumps(document))
        document["allOf"][1]["properties"]["objects"] = {
            "objects": {"type": "object", "minProperties": 1}
        }
    elif name == "bundle":
        document = json.loads(json.dumps(document))
        document["properties"]["objects"] = {"objects": {"type": "array", "minItems": 1}}
    return document


@cache
def validator(name: str) -> Any:
    """The compiled validator for schema ``name`` (a file name without ``.json``)."""
    path = _documents()[0][name]
    document = json.loads(path.read_text(encoding="utf-8"))
    return jsonschema_rs.validator_for(
        _patched(name, document), registry=_registry(), validate_formats=True
    )


def schema_name(obj: Mapping[str, Any], *, default: str = "core") -> str:
    """Which schema checks ``obj`` (stix2-validator's choice, for STIX 2.1)."""
    names = _documents()[0]
    type_name = obj["type"]
    if type_name in names:
        return str(type_name)
    untimed = all(p not in obj for p in ("created", "modified"))
    if default == "core" and untimed and type_name != "marking-definition":
        return "cyber-observable-core"
    return default
