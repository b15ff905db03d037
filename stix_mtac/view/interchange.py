"""The object graph for analysts' own tools: Graphviz DOT and GraphML (yEd, Gephi, Cytoscape).

Both carry the same graph the pictures draw (the same node limit and placeholders): a node per
object with its STIX id, type and name, an edge per relationship with its id and type. No
layout is written; the tools lay it out themselves.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from stix_mtac.view.graph import Graph


def _dot_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\n", "\\n").replace("\r", "")
    return f'"{escaped}"'


def render_dot(graph: Graph) -> str:
    lines = [f"digraph {_dot_string(graph.title)} {{", "  node [shape=box];"]
    if graph.left_out:
        lines.append(f"  // {graph.left_out.sentence()}")
    for node in graph.nodes:
        attributes = f"label={_dot_string(node.label)}, stix_type={_dot_string(node.type)}"
        style = ", style=dashed" if node.missing else ""
        lines.append(f"  {_dot_string(node.id)} [{attributes}{style}];")
    for edge in graph.edges:
        lines.append(
            f"  {_dot_string(edge.source)} -> {_dot_string(edge.target)} "
            f"[label={_dot_string(edge.label)}, stix_id={_dot_string(edge.id)}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


_GRAPHML_KEYS = (
    ("label", "node", "label"),
    ("stix_type", "node", "stix_type"),
    ("missing", "node", "missing"),
    ("relationship_type", "edge", "relationship_type"),
)


def render_graphml(graph: Graph) -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
    ]
    for key, domain, name in _GRAPHML_KEYS:
        kind = "boolean" if key == "missing" else "string"
        lines.append(f'  <key id="{key}" for="{domain}" attr.name="{name}" attr.type="{kind}"/>')
    lines.append(f'  <graph id={quoteattr(graph.title)} edgedefault="directed">')
    if graph.left_out:
        lines.append(f"    <desc>{_text(graph.left_out.sentence())}</desc>")
    for node in graph.nodes:
        lines.append(f"    <node id={quoteattr(node.id)}>")
        lines.append(f'      <data key="label">{_text(node.label)}</data>')
        lines.append(f'      <data key="stix_type">{_text(node.type)}</data>')
        lines.append(f'      <data key="missing">{"true" if node.missing else "false"}</data>')
        lines.append("    </node>")
    for edge in graph.edges:
        lines.append(
            f"    <edge id={quoteattr(edge.id)} source={quoteattr(edge.source)} "
            f"target={quoteattr(edge.target)}>"
        )
        lines.append(f'      <data key="relationship_type">{_text(edge.label)}</data>')
        lines.append("    </edge>")
    lines += ["  </graph>", "</graphml>"]
    return "\n".join(lines) + "\n"


def _text(value: str) -> str:
    """XML character data: escaped, and without the control characters XML 1.0 forbids."""
    cleaned = "".join(c for c in value if c in "\t\n\r" or ord(c) >= 0x20)
    return quoteattr(cleaned)[1:-1]
