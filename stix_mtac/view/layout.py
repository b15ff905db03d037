"""A deterministic layered layout: one column per group of STIX types, few edge crossings.

Columns come from the style table (actors left, campaigns, techniques, victims right), so the
picture reads like the report: who -> what campaign -> how -> against whom. Within a column,
nodes are ordered by the barycentre of their neighbours, a classic crossing-reduction heuristic;
ties keep the previous order, so the same bundle always gives the same picture. A column taller
than ``MAX_ROWS`` wraps into several, keeping large bundles (ATT&CK) drawable.
"""

from __future__ import annotations

import math
import textwrap
from collections import defaultdict
from dataclasses import dataclass

from stix_mtac.view.graph import Edge, Graph, Node
from stix_mtac.view.styles import NodeStyle, style_for

NODE_WIDTH = 200
NODE_HEIGHT = 56
COLUMN_GAP = 150
ROW_GAP = 22
MARGIN = 40
TITLE_HEIGHT = 40
LEGEND_ROW = 22
MAX_ROWS = 30
LABEL_CHARS = 27
LABEL_LINES = 3
ORDERING_SWEEPS = 6
# Same-column edges bulge out to the right by this much (plus a share of their height).
LOOP_BULGE = 70
LABEL_STACK = 12
# Text and legend geometry shared by the SVG and PNG renderers.
LABEL_SIZE = 11
EDGE_LABEL_SIZE = 10
TITLE_SIZE = 17
LINE_HEIGHT = 13
LEGEND_COLUMN = 240
LEGEND_PER_ROW = 4

Point = tuple[float, float]


@dataclass(frozen=True)
class PlacedNode:
    node: Node
    style: NodeStyle
    x: float  # left
    y: float  # top
    width: float
    height: float
    lines: tuple[str, ...]

    @property
    def centre(self) -> Point:
        return (self.x + self.width / 2, self.y + self.height / 2)


@dataclass(frozen=True)
class PlacedEdge:
    edge: Edge
    # A cubic Bezier curve: start, two control points, end (the arrow tip).
    curve: tuple[Point, Point, Point, Point]
    label_at: Point


@dataclass(frozen=True)
class LegendEntry:
    stix_type: str
    style: NodeStyle


@dataclass(frozen=True)
class Layout:
    title: str
    width: float
    height: float
    nodes: tuple[PlacedNode, ...]
    edges: tuple[PlacedEdge, ...]
    legend: tuple[LegendEntry, ...]
    legend_top: float
    # under the title: what a graph past its node limit left out ("" when nothing)
    note: str = ""
    # a report's created_by_ref and marking, drawn dashed (not relationships)
    references: tuple[PlacedEdge, ...] = ()


def wrap_label(
    label: str, width: int = LABEL_CHARS, max_lines: int = LABEL_LINES
) -> tuple[str, ...]:
    """Wrap a label to at most ``max_lines`` lines, ending in an ellipsis when cut."""
    lines = textwrap.wrap(label, width=width, break_long_words=True) or [""]
    if len(lines) <= max_lines:
        return tuple(lines)
    kept = lines[:max_lines]
    last = kept[-1]
    kept[-1] = (last[: width - 1] if len(last) >= width else last) + "\u2026"
    return tuple(kept)


def _initial_columns(graph: Graph) -> list[list[Node]]:
    by_column: dict[int, list[Node]] = defaultdict(list)
    for node in graph.nodes:
        # The producer stands with the report it wrote, not among the victims and places.
        kind = "report" if node.producer else node.type
        by_column[style_for(kind).column].append(node)
    columns = [by_column[key] for key in sorted(by_column)]
    for column in columns:
        column.sort(key=lambda node: (node.type, node.label.casefold(), node.id))
    return columns


def _order_by_barycentre(columns: list[list[Node]], graph: Graph) -> None:
    """Reorder each column by the mean row of its neighbours in other columns (in place)."""
    column_of = {node.id: index for index, column in enumerate(columns) for node in column}
    neighbours: dict[str, list[str]] = defaultdict(list)
    for edge in graph.edges:
        if column_of[edge.source] != column_of[edge.target]:
            neighbours[edge.source].append(edge.target)
            neighbours[edge.target].append(edge.source)
    for sweep in range(ORDERING_SWEEPS):
        order = range(len(columns)) if sweep % 2 == 0 else reversed(range(len(columns)))
        for index in order:
            row_of = {
                node.id: row / max(len(column) - 1, 1)
                for column in columns
                for row, node in enumerate(column)
            }
            column = columns[index]
            last = max(len(column) - 1, 1)
            keyed: list[tuple[float, int, Node]] = []
            for position, node in enumerate(column):
                linked = neighbours.get(node.id)
                if linked:
                    centre = sum(row_of[other] for other in linked) / len(linked)
                else:
                    centre = position / last
                keyed.append((centre, position, node))
            keyed.sort(key=lambda item: (item[0], item[1]))
            columns[index] = [node for _, _, node in keyed]


def _wrap_tall_columns(columns: list[list[Node]]) -> list[list[Node]]:
    wrapped: list[list[Node]] = []
    for column in columns:
        parts = max(1, math.ceil(len(column) / MAX_ROWS))
        size = math.ceil(len(column) / parts)
        wrapped.extend(column[start : start + size] for start in range(0, len(column), size))
    return wrapped


def _curve(source: PlacedNode, target: PlacedNode) -> tuple[Point, Point, Point, Point]:
    (sx, sy), (tx, ty) = source.centre, target.centre
    half = NODE_WIDTH / 2
    if abs(sx - tx) < 1:
        bulge = LOOP_BULGE + abs(ty - sy) * 0.15
        start, end = (sx + half, sy), (tx + half + 8, ty)
        return (start, (start[0] + bulge, sy), (end[0] + bulge, ty), end)
    direction = 1 if tx > sx else -1
    start = (sx + direction * half, sy)
    end = (tx - direction * (half + 8), ty)
    pull = max(abs(end[0] - start[0]) * 0.45, 40)
    return (start, (start[0] + direction * pull, sy), (end[0] - direction * pull, ty), end)


def bezier_point(curve: tuple[Point, Point, Point, Point], t: float) -> Point:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = curve
    u = 1 - t
    a, b, c, d = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
    return (a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3)


def _label_point(curve: tuple[Point, Point, Point, Point]) -> Point:
    """Where an edge's label goes: in the gap just before the target's column.

    Long edges cross other columns, and a label at their middle would sit under a node there.
    Edges into one node mostly share a relationship type, so their labels coincide harmlessly.
    """
    start_x, end_x = curve[0][0], curve[3][0]
    if abs(end_x - start_x) < NODE_WIDTH:  # a same-column loop: label its bulge
        return bezier_point(curve, 0.5)
    direction = 1 if end_x > start_x else -1
    wanted = end_x - direction * COLUMN_GAP * 0.4
    low, high = 0.0, 1.0
    for _ in range(30):  # x is monotonic along these curves, so bisection finds it
        middle = (low + high) / 2
        if (bezier_point(curve, middle)[0] - wanted) * direction < 0:
            low = middle
        else:
            high = middle
    return bezier_point(curve, (low + high) / 2)


def layout_graph(graph: Graph) -> Layout:
    """Place every node and route every edge; a pure function of the graph."""
    columns = _initial_columns(graph)
    _order_by_barycentre(columns, graph)
    columns = _wrap_tall_columns(columns)
    present_types = sorted({node.type for node in graph.nodes})
    legend = tuple(LegendEntry(stix_type, style_for(stix_type)) for stix_type in present_types)
    tallest = max((len(column) for column in columns), default=0)
    body_height = max(tallest * (NODE_HEIGHT + ROW_GAP) - ROW_GAP, 0)
    top = MARGIN + TITLE_HEIGHT
    placed: dict[str, PlacedNode] = {}
    for index, column in enumerate(columns):
        height = len(column) * (NODE_HEIGHT + ROW_GAP) - ROW_GAP
        offset = top + (body_height - height) / 2
        x = MARGIN + index * (NODE_WIDTH + COLUMN_GAP)
        for row, node in enumerate(column):
            placed[node.id] = PlacedNode(
                node=node,
                style=style_for(node.type),
                x=x,
                y=offset + row * (NODE_HEIGHT + ROW_GAP),
                width=NODE_WIDTH,
                height=NODE_HEIGHT,
                lines=wrap_label(node.label),
            )
    # Different relationship types into one node would print their labels on top of each
    # other; stack them, while identical labels keep sharing one spot.
    labels_into: dict[str, list[str]] = defaultdict(list)
    for edge in graph.edges:
        if edge.label not in labels_into[edge.target]:
            labels_into[edge.target].append(edge.label)
    # Edges of one type into one node share one label spot exactly: near-misses of the same
    # word printed a smudge at busy nodes ("targets" eight times, each a pixel apart).
    shared_spot: dict[tuple[str, str], Point] = {}
    edges = []
    for edge in graph.edges:
        curve = _curve(placed[edge.source], placed[edge.target])
        spot = shared_spot.get((edge.target, edge.label))
        if spot is None:
            label_x, label_y = _label_point(curve)
            stacked = labels_into[edge.target]
            label_y += (stacked.index(edge.label) - (len(stacked) - 1) / 2) * LABEL_STACK
            spot = shared_spot.setdefault((edge.target, edge.label), (label_x, label_y))
        edges.append(PlacedEdge(edge=edge, curve=curve, label_at=spot))
    width = MARGIN * 2 + max(len(columns) * (NODE_WIDTH + COLUMN_GAP) - COLUMN_GAP, NODE_WIDTH)
    width += LOOP_BULGE * 2  # room for same-column loops on the last column
    legend_top = top + body_height + MARGIN
    height = legend_top + LEGEND_ROW * math.ceil(len(legend) / LEGEND_PER_ROW) + MARGIN
    ordered_nodes = tuple(placed[node.id] for node in graph.nodes)
    return Layout(
        title=graph.title,
        width=float(width),
        height=float(height),
        nodes=ordered_nodes,
        edges=tuple(edges),
        legend=legend,
        legend_top=float(legend_top),
        note=graph.left_out.sentence() if graph.left_out else "",
        references=tuple(
            PlacedEdge(edge=ref, curve=curve, label_at=bezier_point(curve, 0.5))
            for ref in graph.references
            for curve in [_curve(placed[ref.source], placed[ref.target])]
        ),
    )
