"""Render a :class:`~stix_mtac.view.layout.Layout` as a standalone SVG document.

Every node is a ``<g class="node" data-id=... data-type=...>`` and every edge a
``<g class="edge" data-id=... data-source=... data-target=...>``, so tests and scripts can read
the picture back; all text from the bundle is XML-escaped.
"""

from __future__ import annotations

import re
from xml.sax import saxutils

from stix_mtac.view.layout import (
    EDGE_LABEL_SIZE,
    LABEL_SIZE,
    LEGEND_COLUMN,
    LEGEND_PER_ROW,
    LEGEND_ROW,
    LINE_HEIGHT,
    MARGIN,
    TITLE_SIZE,
    Layout,
    PlacedEdge,
    PlacedNode,
)
from stix_mtac.view.shapes import CORNER_RADIUS, outline
from stix_mtac.view.styles import palette

# Characters XML 1.0 cannot carry at all, even escaped; bundle text may hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def escape(text: str) -> str:
    """XML-escape bundle text, replacing characters XML cannot carry with U+FFFD."""
    return saxutils.escape(_NOT_XML.sub("\ufffd", text))


def quoteattr(text: str) -> str:
    return saxutils.quoteattr(_NOT_XML.sub("\ufffd", text))


FONT_FAMILY = "DejaVu Sans, Verdana, Arial, sans-serif"


def _number(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _points(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{_number(x)},{_number(y)}" for x, y in points)


def shape_element(shape: str, x: float, y: float, width: float, height: float, paint: str) -> str:
    if shape == "ellipse":
        return (
            f'<ellipse cx="{_number(x + width / 2)}" cy="{_number(y + height / 2)}" '
            f'rx="{_number(width / 2)}" ry="{_number(height / 2)}" {paint}/>'
        )
    if shape == "round":
        return (
            f'<rect x="{_number(x)}" y="{_number(y)}" width="{_number(width)}" '
            f'height="{_number(height)}" rx="{CORNER_RADIUS}" {paint}/>'
        )
    return f'<polygon points="{_points(outline(shape, x, y, width, height))}" {paint}/>'


def _node(placed: PlacedNode) -> str:
    node, style = placed.node, placed.style
    paint = f'fill="{style.fill}" stroke="{style.stroke}" stroke-width="1.5"'
    if node.missing:
        paint += ' stroke-dasharray="5 3"'
    cx, cy = placed.centre
    first_y = cy - (len(placed.lines) - 1) * LINE_HEIGHT / 2 + LABEL_SIZE * 0.35
    spans = "".join(
        f'<tspan x="{_number(cx)}" y="{_number(first_y + row * LINE_HEIGHT)}">'
        f"{escape(line)}</tspan>"
        for row, line in enumerate(placed.lines)
    )
    return (
        f'<g class="node" data-id={quoteattr(node.id)} data-type={quoteattr(node.type)}>'
        f"<title>{escape(node.type)}: {escape(node.label)}</title>"
        f"{shape_element(style.shape, placed.x, placed.y, placed.width, placed.height, paint)}"
        f'<text text-anchor="middle" font-size="{LABEL_SIZE}" fill="{palette().text}">'
        f"{spans}</text>"
        "</g>"
    )


def _edge(placed: PlacedEdge) -> str:
    edge = placed.edge
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = placed.curve
    path = (
        f"M{_number(x0)},{_number(y0)} C{_number(x1)},{_number(y1)} "
        f"{_number(x2)},{_number(y2)} {_number(x3)},{_number(y3)}"
    )
    lx, ly = placed.label_at
    return (
        f'<g class="edge" data-id={quoteattr(edge.id)} data-source={quoteattr(edge.source)} '
        f"data-target={quoteattr(edge.target)} data-type={quoteattr(edge.label)}>"
        f'<path d="{path}" fill="none" stroke="{palette().edge}" stroke-width="1.2" '
        'marker-end="url(#arrow)"/>'
        f'<text x="{_number(lx)}" y="{_number(ly + 3)}" text-anchor="middle" '
        f'font-size="{EDGE_LABEL_SIZE}" fill="{palette().edge_label}" '
        f'stroke="{palette().background}" stroke-width="3" '
        f'paint-order="stroke">{escape(edge.label)}</text>'
        "</g>"
    )


def _reference(placed: PlacedEdge) -> str:
    """A report's created_by_ref or marking: dashed, so it is not read as a relationship."""
    ref = placed.edge
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = placed.curve
    path = (
        f"M{_number(x0)},{_number(y0)} C{_number(x1)},{_number(y1)} "
        f"{_number(x2)},{_number(y2)} {_number(x3)},{_number(y3)}"
    )
    lx, ly = placed.label_at
    return (
        f'<g class="reference" data-source={quoteattr(ref.source)} '
        f"data-target={quoteattr(ref.target)} data-type={quoteattr(ref.label)}>"
        f'<path d="{path}" fill="none" stroke="{palette().edge}" stroke-width="1" '
        'stroke-dasharray="4 3" marker-end="url(#arrow)"/>'
        f'<text x="{_number(lx)}" y="{_number(ly + 3)}" text-anchor="middle" '
        f'font-size="{EDGE_LABEL_SIZE}" fill="{palette().edge_label}" '
        f'stroke="{palette().background}" stroke-width="3" '
        f'paint-order="stroke">{escape(ref.label)}</text>'
        "</g>"
    )


def _legend(layout: Layout) -> str:
    items = []
    for index, entry in enumerate(layout.legend):
        x = MARGIN + (index % LEGEND_PER_ROW) * LEGEND_COLUMN
        y = layout.legend_top + (index // LEGEND_PER_ROW) * LEGEND_ROW
        paint = f'fill="{entry.style.fill}" stroke="{entry.style.stroke}" stroke-width="1.2"'
        items.append(
            shape_element(entry.style.shape, x, y, 34, 14, paint)
            + f'<text x="{_number(x + 42)}" y="{_number(y + 11)}" font-size="11" '
            f'fill="{palette().text}">{escape(entry.stix_type)}</text>'
        )
    return f'<g class="legend">{"".join(items)}</g>'


def render_svg(layout: Layout) -> str:
    """The picture as SVG text (deterministic: same layout, same bytes)."""
    width, height = _number(layout.width), _number(layout.height)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT_FAMILY}">',
        "<defs>"
        '<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
        f'markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="{palette().edge}"/></marker>'
        "</defs>",
        f'<rect class="background" width="{width}" height="{height}" '
        f'fill="{palette().background}"/>',
        f'<text class="title" x="{MARGIN}" y="{MARGIN + 8}" font-size="{TITLE_SIZE}" '
        f'font-weight="bold" fill="{palette().text}">{escape(layout.title)}</text>',
        *(
            [
                f'<text class="note" x="{MARGIN}" y="{MARGIN + 26}" '
                f'font-size="{EDGE_LABEL_SIZE}" fill="{palette().text}">'
                f"{escape(layout.note)}</text>"
            ]
            if layout.note
            else []
        ),
        '<g class="references">',
        *(_reference(ref) for ref in layout.references),
        "</g>",
        '<g class="edges">',
        *(_edge(edge) for edge in layout.edges),
        "</g>",
        '<g class="nodes">',
        *(_node(node) for node in layout.nodes),
        "</g>",
        _legend(layout),
        "</svg>",
    ]
    return "\n".join(parts) + "\n"
