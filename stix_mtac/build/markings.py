"""Marking definitions: the shipped TLP ones, and the statement markings a report declares."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from stix_mtac.stixdata import TLP_2_0_EXTENSION, tlp_markings


def _name_of(definition: Mapping[str, Any]) -> str:
    extension = definition.get("extensions", {}).get(TLP_2_0_EXTENSION)
    if extension is not None:
        return f"tlp2:{extension['tlp_2_0']}"
    return f"tlp1:{definition['definition']['tlp']}"


@cache
def tlp_definitions() -> Mapping[str, Mapping[str, Any]]:
    """TLP marking definitions by facts name (``tlp2:amber+strict``), exactly as published."""
    return dict(sorted((_name_of(definition), definition) for definition in tlp_markings()))


def tlp_names() -> list[str]:
    """Names a facts file may give for a TLP marking."""
    return list(tlp_definitions())
