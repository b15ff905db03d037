"""Draw a bundle to a file whose suffix picks the format: .svg, .png or .html."""

from __future__ import annotations

from pathlib import Path

from stix_mtac.fileio import write_atomic
from stix_mtac.view.graph import build_graph
from stix_mtac.view.html import render_html
from stix_mtac.view.layout import layout_graph
from stix_mtac.view.objects import BundleView
from stix_mtac.view.png import render_png
from stix_mtac.view.svg import render_svg

FORMATS = ("svg", "png", "html")


def format_from_suffix(path: Path) -> str | None:
    """The format a file name's suffix names (.svg, .png, .html/.htm), or None."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix == "htm":
        return "html"
    return suffix if suffix in FORMATS else None


def render_graph_bytes(bundle: BundleView, output_format: str, scale: float = 2.0) -> bytes:
    """The picture of ``bundle`` in ``output_format`` (svg, png or html)."""
    graph = build_graph(bundle)
    layout = layout_graph(graph)
    if output_format == "svg":
        return render_svg(layout).encode("utf-8")
    if output_format == "png":
        return render_png(layout, scale)
    return render_html(layout, graph, bundle).encode("utf-8")


def render_graph_file(bundle: BundleView, path: Path, output_format: str) -> None:
    """Write the picture atomically to ``path``."""
    write_atomic(path, render_graph_bytes(bundle, output_format))
