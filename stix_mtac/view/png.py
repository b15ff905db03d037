"""Render a :class:`~stix_mtac.view.layout.Layout` as PNG with Pillow, drawing the same shapes.

Pillow ships as wheels with FreeType and its own font, so a PNG needs no system libraries.
Output is deterministic for a given Pillow version (no timestamps in the file).
"""

from __future__ import annotations

import io
import math

from PIL import Image, ImageDraw, ImageFont

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
    Point,
    bezier_point,
)
from stix_mtac.view.shapes import CORNER_RADIUS, outline
from stix_mtac.view.styles import palette

# Pillow refuses images above ~179 Mpx; stay well below so huge bundles scale down instead.
MAX_PIXELS = 60_000_000
CURVE_STEPS = 32
ARROW_LENGTH = 9.0


class _Painter:
    def __init__(self, layout: Layout, scale: float) -> None:
        self.scale = scale
        size = (math.ceil(layout.width * scale), math.ceil(layout.height * scale))
        self.image = Image.new("RGB", size, palette().background)
        self.draw = ImageDraw.Draw(self.image)
        self.fonts: dict[float, ImageFont.FreeTypeFont | ImageFont.ImageFont] = {}

    def font(self, size: float) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
        if size not in self.fonts:
            self.fonts[size] = ImageFont.load_default(size=size * self.scale)
        return self.fonts[size]

    def at(self, point: Point) -> Point:
        return (point[0] * self.scale, point[1] * self.scale)

    def shape(
        self, shape: str, box: tuple[float, float, float, float], fill: str, line: str
    ) -> None:
        x, y, width, height = box
        corners = [self.at((x, y)), self.at((x + width, y + height))]
        stroke = max(1, round(1.5 * self.scale))
        if shape == "ellipse":
            self.draw.ellipse(corners, fill=fill, outline=line, width=stroke)
        elif shape == "round":
            radius = CORNER_RADIUS * self.scale
            self.draw.rounded_rectangle(corners, radius, fill=fill, outline=line, width=stroke)
        else:
            points = [self.at(point) for point in outline(shape, x, y, width, height)]
            # polygon(width>1) builds a mask the size of the whole image per call; filling
            # and then stroking the outline as a line is the same picture, far faster.
            self.draw.polygon(points, fill=fill)
            self.draw.line([*points, points[0], points[1]], fill=line, width=stroke, joint="curve")

    def text(self, centre: Point, text: str, size: float, colour: str, halo: bool = False) -> None:
        self.draw.text(
            self.at(centre),
            text,
            fill=colour,
            font=self.font(size),
            anchor="mm",
            stroke_width=round(2 * self.scale) if halo else 0,
            stroke_fill=palette().background,
        )

    def edge(self, placed: PlacedEdge) -> None:
        points = [self.at(bezier_point(placed.curve, step / CURVE_STEPS)) for step in range(33)]
        self.draw.line(points, fill=palette().edge, width=max(1, round(1.2 * self.scale)))
        (tip_x, tip_y), (back_x, back_y) = points[-1], points[-2]
        angle = math.atan2(tip_y - back_y, tip_x - back_x)
        length = ARROW_LENGTH * self.scale
        tip = (tip_x + math.cos(angle) * 6 * self.scale, tip_y + math.sin(angle) * 6 * self.scale)
        head = [
            tip,
            (tip[0] - length * math.cos(angle - 0.45), tip[1] - length * math.sin(angle - 0.45)),
            (tip[0] - length * math.cos(angle + 0.45), tip[1] - length * math.sin(angle + 0.45)),
        ]
        self.draw.polygon(head, fill=palette().edge)
        self.text(placed.label_at, placed.edge.label, EDGE_LABEL_SIZE, palette().edge_label, True)

    def node(self, placed: PlacedNode) -> None:
        box = (placed.x, placed.y, placed.width, placed.height)
        self.shape(placed.style.shape, box, placed.style.fill, placed.style.stroke)
        cx, cy = placed.centre
        first = cy - (len(placed.lines) - 1) * LINE_HEIGHT / 2
        for row, line in enumerate(placed.lines):
            self.text((cx, first + row * LINE_HEIGHT), line, LABEL_SIZE, palette().text)


def render_png(layout: Layout, scale: float = 2.0) -> bytes:
    """The picture as PNG bytes, ``scale`` pixels per SVG unit (reduced for huge graphs)."""
    pixels = layout.width * layout.height * scale * scale
    if pixels > MAX_PIXELS:
        scale *= math.sqrt(MAX_PIXELS / pixels)
    painter = _Painter(layout, scale)
    painter.draw.text(
        painter.at((MARGIN, MARGIN - 6)),
        layout.title,
        fill=palette().text,
        font=painter.font(TITLE_SIZE),
        stroke_width=max(0, round(0.4 * scale)),
        stroke_fill=palette().text,
    )
    if layout.note:
        painter.draw.text(
            painter.at((MARGIN, MARGIN + 16)),
            layout.note,
            fill=palette().text,
            font=painter.font(EDGE_LABEL_SIZE),
        )
    for edge in (*layout.references, *layout.edges):
        painter.edge(edge)
    for node in layout.nodes:
        painter.node(node)
    for index, entry in enumerate(layout.legend):
        x = MARGIN + (index % LEGEND_PER_ROW) * LEGEND_COLUMN
        y = layout.legend_top + (index // LEGEND_PER_ROW) * LEGEND_ROW
        painter.shape(entry.style.shape, (x, y, 34, 14), entry.style.fill, entry.style.stroke)
        painter.draw.text(
            painter.at((x + 42, y + 7)),
            entry.stix_type,
            fill=palette().text,
            font=painter.font(LABEL_SIZE),
            anchor="lm",
        )
    buffer = io.BytesIO()
    painter.image.save(buffer, format="PNG")
    return buffer.getvalue()
