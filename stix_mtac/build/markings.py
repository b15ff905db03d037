"""Marking definitions: the shipped TLP ones, and the statement markings a report declares."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

TLP_2_0_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"


def _name_of(definition: Mapping[str, Any]) -> str:
    extension = definition.get("extensions", {}).get(TLP_2_0_EXTENSION)
    if extension is not None:
        return f"tlp2:{extension['tlp_2_0']}"
    return f"tlp1:{definition['definition']['tlp']}"


@cache
def tlp_definitions() -> Mapping[str, Mapping[str, Any]]:
    """TLP marking definitions by facts name (``tlp2:amber+strict``), exactly as published."""
    folder = resources.files("stix_mtac.data").joinpath("markings")
    found: dict[str, Mapping[str, Any]] = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".json"):
            definition: dict[str, Any] = json.loads(entry.read_text(encoding="utf-8"))
            found[_name_of(definition)] = definition
    return dict(sorted(found.items()))


def tlp_names() -> list[str]:
    """Names a facts file may give for a TLP marking."""
    return list(tlp_definitions())
