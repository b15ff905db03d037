"""Node outlines as polygons, shared by the SVG and PNG renderers so both draw the same shapes."""

from __future__ import annotations

from stix_mtac.view.layout import Point

# "round" and "ellipse" are drawn natively (SVG <rect rx>/<ellipse>, Pillow
# rounded_rectangle/ellipse); every other shape is a polygon from outline().
CORNER_RADIUS = 12
SLANT = 14
NOTE_FOLD = 12


def outline(shape: str, x: float, y: float, width: float, height: float) -> list[Point]:
    """The polygon for ``shape`` in the box (x, y, width, height); a rectangle by default."""
    right, bottom, middle = x + width, y + height, y + height / 2
    if shape == "hexagon":
        return [
            (x + SLANT, y),
            (right - SLANT, y),
            (right, middle),
            (right - SLANT, bottom),
            (x + SLANT, bottom),
            (x, middle),
        ]
    if shape == "parallelogram":
        return [(x + SLANT, y), (right, y), (right - SLANT, bottom), (x, bottom)]
    if shape == "diamond":
        centre = x + width / 2
        return [(centre, y - 6), (right, middle), (centre, bottom + 6), (x, middle)]
    if shape == "note":
        return [
            (x, y),
            (right - NOTE_FOLD, y),
            (right, y + NOTE_FOLD),
            (right, bottom),
            (x, bottom),
        ]
    return [(x, y), (right, y), (right, bottom), (x, bottom)]
