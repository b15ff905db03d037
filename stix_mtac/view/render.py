"""Draw a bundle to a file whose suffix picks the format: .svg, .png, .html, .dot or .graphml."""

from __future__ import annotations

from pathlib import Path

from stix_mtac.errors import OutputError
from stix_mtac.view.graph import DEFAULT_MAX_NODES, Graph, build_graph
from stix_mtac.view.html import render_html
from stix_mtac.view.interchange import render_dot, render_graphml
from stix_mtac.view.layout import Layout, layout_graph
from stix_mtac.view.objects import BundleView
from stix_mtac.view.svg import render_svg

FORMATS = ("svg", "png", "html", "dot", "graphml")


def format_from_suffix(path: Path) -> str | None:
    """The format a file name's suffix names (.svg, .png, .html/.htm, .dot/.gv, .graphml),
    or None."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix == "htm":
        return "html"
    if suffix == "gv":
        return "dot"
    return suffix if suffix in FORMATS else None


def render_graph_bytes(
    bundle: BundleView,
    output_format: str,
    scale: float = 2.0,
    max_nodes: int | None = DEFAULT_MAX_NODES,
) -> bytes:
    """The picture of ``bundle`` in ``output_format`` (svg, png, html, dot or graphml)."""
    return render_graph(build_graph(bundle, max_nodes), bundle, output_format, scale)


def render_graph(graph: Graph, bundle: BundleView, output_format: str, scale: float = 2.0) -> bytes:
    """``graph`` (of ``bundle``) in ``output_format``."""
    if output_format == "dot":
        return render_dot(graph).encode("utf-8")
    if output_format == "graphml":
        return render_graphml(graph).encode("utf-8")
    layout = layout_graph(graph)
    if output_format == "svg":
        return render_svg(layout).encode("utf-8")
    if output_format == "png":
        return _png(layout, scale)
    return render_html(layout, graph, bundle).encode("utf-8")


def _png(layout: Layout, scale: float) -> bytes:
    """PNG needs Pillow, an optional dependency (the ``png`` extra); SVG and HTML do not."""
    try:
        from stix_mtac.view.png import render_png
    except ImportError as missing:
        if missing.name not in ("PIL", "PIL.Image"):
            raise
        raise OutputError(
            "PNG output needs Pillow, which is not installed: pip install 'stix-mtac[png]' "
            "(or write .svg or .html, which need nothing more)"
        ) from None
    return render_png(layout, scale)
