"""The object graph of a bundle: relationships are edges, every other object is a node.

A relationship whose end is not in the bundle still gets its edge: the missing end is drawn as
a placeholder node, so a dangling reference is visible rather than silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from stix_mtac.view.objects import BundleView, StixObject, display_name
from stix_mtac.view.styles import MISSING_TYPE


@dataclass(frozen=True)
class Node:
    id: str
    type: str
    label: str
    missing: bool = False


@dataclass(frozen=True)
class Edge:
    id: str
    source: str
    target: str
    label: str


@dataclass(frozen=True)
class Graph:
    title: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]


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


def build_graph(bundle: BundleView) -> Graph:
    """Nodes and edges in bundle order; placeholders for ends missing from the bundle."""
    nodes: dict[str, Node] = {}
    edges: list[Edge] = []
    malformed_relationships: list[StixObject] = []
    for obj in bundle.objects:
        if obj["type"] == "relationship":
            edge = _edge(obj)
            if edge is None:
                malformed_relationships.append(obj)
            else:
                edges.append(edge)
        else:
            object_id = str(obj["id"])
            nodes[object_id] = Node(id=object_id, type=str(obj["type"]), label=display_name(obj))
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
    return Graph(title=_title(bundle), nodes=tuple(nodes.values()), edges=tuple(edges))
