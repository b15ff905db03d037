"""The README's picture of the built-in bundle is the current one."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from test_show_support import BUILTIN, REPO

from stix_mtac.view.graph import build_graph
from stix_mtac.view.layout import layout_graph
from stix_mtac.view.objects import load_bundle
from stix_mtac.view.svg import render_svg

DOCS = REPO / "docs"
REGENERATE = (
    "regenerate with: stix-mtac graph bundles/mtac-east-asia-2023-09-07.json "
    "-o docs/mtac-east-asia-graph.svg (and -o docs/mtac-east-asia-graph.png)"
)


def test_docs_svg_is_the_picture_of_the_committed_bundle() -> None:
    expected = render_svg(layout_graph(build_graph(load_bundle(BUILTIN))))
    assert (DOCS / "mtac-east-asia-graph.svg").read_text("utf-8") == expected, REGENERATE


def test_docs_png_has_the_layout_of_the_committed_bundle() -> None:
    layout = layout_graph(build_graph(load_bundle(BUILTIN)))
    image = Image.open(io.BytesIO((DOCS / "mtac-east-asia-graph.png").read_bytes()))
    assert image.format == "PNG"
    # Pixels may differ between Pillow versions; the size follows the layout (scale 2).
    assert image.size == (round(layout.width * 2), round(layout.height * 2)), REGENERATE


def test_readme_shows_the_picture() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    assert "](docs/mtac-east-asia-graph.png)" in readme
    assert "docs/mtac-east-asia-graph.svg" in readme
    assert Path(DOCS / "mtac-east-asia-graph.png").stat().st_size > 10_000
