"""A self-contained interactive HTML page: the SVG, the objects as JSON, inline CSS and JS.

The page loads nothing: no CDN, no fonts, no images. Its Content-Security-Policy
(``default-src 'none'``) makes the browser refuse any request even if bundle text tried one.
Embedded JSON escapes ``<``, ``>`` and ``&`` so bundle text cannot close the script element.
"""

from __future__ import annotations

import html
import json
import re
from importlib import resources
from typing import Any

from stix_mtac.view.graph import Graph
from stix_mtac.view.layout import Layout
from stix_mtac.view.objects import BundleView
from stix_mtac.view.svg import render_svg

_PLACEHOLDER = re.compile(r"@(TITLE|CSS|SVG|DATA|JS)@")


def _asset(name: str) -> str:
    return resources.files("stix_mtac.data").joinpath("view", name).read_text("utf-8")


def script_safe_json(value: Any) -> str:
    """JSON that is safe inside ``<script type="application/json">`` (no ``</script>``)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def graph_data(graph: Graph, bundle: BundleView) -> dict[str, Any]:
    """What the page embeds: nodes, edges, and the drawn objects' properties for the side
    panel."""
    drawn = {node.id for node in graph.nodes} | {edge.id for edge in graph.edges}
    return {
        "nodes": [
            {"id": node.id, "type": node.type, "label": node.label, "missing": node.missing}
            for node in graph.nodes
        ],
        "edges": [
            {"id": edge.id, "source": edge.source, "target": edge.target, "label": edge.label}
            for edge in graph.edges
        ],
        # only what is drawn: the side panel shows a node's properties, nothing else
        "objects": {str(obj["id"]): dict(obj) for obj in bundle.objects if str(obj["id"]) in drawn},
        "left_out": graph.left_out.sentence() if graph.left_out else None,
    }


def render_html(layout: Layout, graph: Graph, bundle: BundleView) -> str:
    """The page as text; one pass of substitution so inserted text is never re-expanded."""
    values = {
        "TITLE": html.escape(graph.title),
        "CSS": _asset("graph.css"),
        "SVG": render_svg(layout),
        "DATA": script_safe_json(graph_data(graph, bundle)),
        "JS": _asset("graph.js"),
    }
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], _asset("graph.html"))
