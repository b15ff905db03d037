"""Node styles per STIX type, read from ``data/view/styles.json`` (data, not code)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

SHAPES = frozenset({"rect", "round", "ellipse", "hexagon", "parallelogram", "note", "diamond"})
DEFAULT_KEY = "_default"
PALETTE_KEY = "_palette"
# The pseudo-type of a node drawn for a reference whose object is not in the bundle.
MISSING_TYPE = "x-missing"


@dataclass(frozen=True)
class NodeStyle:
    fill: str
    stroke: str
    shape: str
    column: int


@dataclass(frozen=True)
class Palette:
    background: str
    text: str
    edge: str
    edge_label: str


def _style(raw: Mapping[str, Any]) -> NodeStyle:
    style = NodeStyle(
        fill=str(raw["fill"]),
        stroke=str(raw["stroke"]),
        shape=str(raw["shape"]),
        column=int(raw["column"]),
    )
    if style.shape not in SHAPES:
        raise ValueError(f"styles.json: unknown shape {style.shape!r}")
    return style


@cache
def _styles() -> Mapping[str, NodeStyle]:
    text = resources.files("stix_mtac.data").joinpath("view", "styles.json").read_text("utf-8")
    raw: dict[str, Any] = json.loads(text)
    return {
        key: _style(value) for key, value in raw.items() if key not in ("_comment", PALETTE_KEY)
    }


@cache
def palette() -> Palette:
    """Colours that belong to no STIX type: background, text, edges and their labels."""
    text = resources.files("stix_mtac.data").joinpath("view", "styles.json").read_text("utf-8")
    raw: dict[str, Any] = json.loads(text)
    return Palette(**{key: str(value) for key, value in raw[PALETTE_KEY].items()})


def style_for(stix_type: str) -> NodeStyle:
    styles = _styles()
    return styles.get(stix_type, styles[DEFAULT_KEY])
