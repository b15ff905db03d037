"""The object graph of a bundle: relationships are edges, every other object is a node.

A relationship whose end is not in the bundle still gets its edge: the missing end is drawn as
a placeholder node, so a dangling reference is visible rather than silently dropped.

A picture of more than ``DEFAULT_MAX_NODES`` nodes is an unreadable wall (100,000 objects made a
13,000-pixel-wide image that took 20 s and 800 MiB), so past the limit the graph keeps the most
connected nodes (most edges first, then bundle order) and the edges between them, and says
what it left out: ``Graph.left_out`` counts the nodes by type and the edges not drawn.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from stix_mtac.view.objects import BundleView, StixObject, display_name
from stix_mtac.view.styles import MISSING_TYPE


@dataclass(frozen=True)
class Node:
    id: str
    type: str
    label: str
    missing: bool = False
    # the identity other objects name as created_by_ref: drawn with the report, not the victims
    producer: bool = False


@dataclass(frozen=True)
class Edge:
    id: str
    source: str
    target: str
    label: str


DEFAULT_MAX_NODES = 300


@dataclass(frozen=True)
class LeftOut:
    """What a graph past its node limit does not draw."""

    nodes_by_type: tuple[tuple[str, int], ...]
    edges: int
    total_nodes: int

    @property
    def nodes(self) -> int:
        return sum(count for _, count in self.nodes_by_type)

    def sentence(self) -> str:
        kinds = ", ".join(f"{count} {kind}" for kind, count in self.nodes_by_type)
        drawn = self.total_nodes - self.nodes
        return (
            f"drawn: the {drawn} most connected of {self.total_nodes} nodes; left out "
            f"{self.nodes} nodes ({kinds}) and {self.edges} relationships"
        )


@dataclass(frozen=True)
class Graph:
    title: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    left_out: LeftOut | None = field(default=None)
    # Not relationships: a report's created_by_ref and object_marking_refs, drawn dashed so the
    # report, its producer and its marking do not float unconnected.
    references: tuple[Edge, ...] = field(default=())


def _title(bundle: BundleView) -> str:
    reports = [obj for obj in bundle.objects if obj["type"] == "report"]
    if len(reports) == 1:
        return display_name(reports[0])
    return bundle.bundle_id or "STIX bundle"


def _edge(obj: StixObject) -> Edge | None:
    source, target = obj.get("source_ref"), obj.get("target_ref")
    if not isinstance(source, str) or not isinstance(target, str):
        return None
    label = obj.get("relationship_type")
    return Edge(
        id=str(obj["id"]),
        source=source,
        target=target,
        label=label if isinstance(label, str) else "related",
    )


def build_graph(bundle: BundleView, max_nodes: int | None = DEFAULT_MAX_NODES) -> Graph:
    """Nodes and edges in bundle order; placeholders for ends missing from the bundle; at most
    ``max_nodes`` nodes (None: no limit), the rest counted in ``left_out``."""
    nodes: dict[str, Node] = {}
    edges: list[Edge] = []
    malformed_relationships: list[StixObject] = []
    producers = {obj.get("created_by_ref") for obj in bundle.objects}
    for obj in bundle.objects:
        if obj["type"] == "relationship":
            edge = _edge(obj)
            if edge is None:
                malformed_relationships.append(obj)
            else:
                edges.append(edge)
        else:
            object_id = str(obj["id"])
            nodes[object_id] = Node(
                id=object_id,
                type=str(obj["type"]),
                label=display_name(obj),
                producer=obj["type"] == "identity" and object_id in producers,
            )
    # A relationship without both ends cannot be an edge; show it as a node instead of hiding it.
    for obj in malformed_relationships:
        object_id = str(obj["id"])
        nodes[object_id] = Node(id=object_id, type="relationship", label=display_name(obj))
    edge_labels = {edge.id: edge.label for edge in edges}
    for edge in edges:
        for end in (edge.source, edge.target):
            if end in edge_labels and end not in nodes:
                # A relationship about a relationship: its end is an edge, drawn as a node too.
                label = f"{edge_labels[end]} relationship"
                nodes[end] = Node(id=end, type="relationship", label=label)
            elif end not in nodes:
                nodes[end] = Node(
                    id=end, type=MISSING_TYPE, label=f"{end} (not in bundle)", missing=True
                )
    title = _title(bundle)
    references = _report_references(bundle, nodes)
    if max_nodes is None or len(nodes) <= max_nodes:
        return Graph(title, tuple(nodes.values()), tuple(edges), references=references)
    return _limited(title, list(nodes.values()), edges, references, max_nodes)


def _report_references(bundle: BundleView, nodes: dict[str, Node]) -> tuple[Edge, ...]:
    found: list[Edge] = []
    for obj in bundle.objects:
        if obj["type"] != "report":
            continue
        report = str(obj["id"])
        creator = obj.get("created_by_ref")
        if isinstance(creator, str) and creator in nodes:
            found.append(Edge(f"{report}/created_by_ref", report, creator, "created by"))
        markings = obj.get("object_marking_refs")
        for marking in markings if isinstance(markings, list) else []:
            if isinstance(marking, str) and marking in nodes:
                found.append(
                    Edge(f"{report}/object_marking_refs/{marking}", report, marking, "marked")
                )
    return tuple(found)


def _limited(
    title: str, nodes: list[Node], edges: list[Edge], references: tuple[Edge, ...], max_nodes: int
) -> Graph:
    degree: Counter[str] = Counter()
    for edge in edges:
        degree[edge.source] += 1
        degree[edge.target] += 1
    ranked = sorted(range(len(nodes)), key=lambda index: (-degree[nodes[index].id], index))
    kept_index = sorted(ranked[:max_nodes])
    kept = {nodes[index].id for index in kept_index}
    drawn_edges = tuple(e for e in edges if e.source in kept and e.target in kept)
    left = Counter(node.type for node in nodes if node.id not in kept)
    left_out = LeftOut(
        nodes_by_type=tuple(sorted(left.items(), key=lambda kv: (-kv[1], kv[0]))),
        edges=len(edges) - len(drawn_edges),
        total_nodes=len(nodes),
    )
    return Graph(
        title=title,
        nodes=tuple(nodes[index] for index in kept_index),
        edges=drawn_edges,
        left_out=left_out,
        references=tuple(r for r in references if r.source in kept and r.target in kept),
    )
