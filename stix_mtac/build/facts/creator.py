"""Who created the STIX: the facts file's ``creator`` or the project's own identity."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml


@cache
def default_creator() -> dict[str, Any]:
    """The stix-mtac project identity shipped in ``data/creator.yaml``."""
    text = resources.files("stix_mtac.data").joinpath("creator.yaml").read_text("utf-8")
    raw: dict[str, Any] = yaml.safe_load(text)
    return raw


def creator_of(data: dict[str, Any]) -> dict[str, Any]:
    """The creator section of a (shape-checked) facts document, or the default."""
    raw = data.get("creator") or default_creator()
    return {
        "key": raw["key"],
        "name": raw["name"],
        "identity_class": raw["identity_class"],
        "description": " ".join(raw["description"].split()),
        "created": raw.get("created"),
        "contact_information": raw.get("contact_information"),
    }
