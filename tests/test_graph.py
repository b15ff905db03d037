"""`stix-mtac graph`: every object a node, every relationship an edge, in SVG, PNG and HTML."""

from __future__ import annotations

import io
import json
import os
import re
import uuid
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from test_show_support import (
    BUILTIN,
    CAMPAIGN,
    RELATIONSHIPS,
    builtin_bundle,
    sample_bundle,
    write_bundle,
)

from stix_mtac.cli import cli
from stix_mtac.view.graph import Edge, Graph, Node, build_graph
from stix_mtac.view.html import script_safe_json
from stix_mtac.view.layout import layout_graph, wrap_label
from stix_mtac.view.objects import bundle_from_data
from stix_mtac.view.styles import style_for

SVG_NS = "{http://www.w3.org/2000/svg}"


def draw(tmp_path: Path, bundle_path: Path, name: str) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)  # graph creates no directory
    out = tmp_path / name
    result = CliRunner().invoke(cli, ["graph", str(bundle_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {out} ({out.suffix[1:]})\n"
    return out


def expected_nodes(bundle: dict[str, Any]) -> set[str]:
    return {o["id"] for o in bundle["objects"] if o["type"] != "relationship"}


def expected_edges(bundle: dict[str, Any]) -> set[tuple[str, str, str, str]]:
    return {
        (o["id"], o["source_ref"], o["target_ref"], o["relationship_type"])
        for o in bundle["objects"]
        if o["type"] == "relationship"
    }


def svg_graph(svg_text: str) -> tuple[set[str], set[tuple[str, str, str, str]]]:
    root = ET.fromstring(svg_text)
    nodes = {g.get("data-id", "") for g in root.iter(f"{SVG_NS}g") if g.get("class") == "node"}
    edges = set()
    for group in root.iter(f"{SVG_NS}g"):
        if group.get("class") == "edge":
            label = "".join(group.find(f"{SVG_NS}text").itertext())  # type: ignore[union-attr]
            edges.add(
                (
                    group.get("data-id", ""),
                    group.get("data-source", ""),
                    group.get("data-target", ""),
                    label,
                )
            )
    return nodes, edges


class PageParser(HTMLParser):
    """Collects the embedded graph data, every URL-bearing attribute, and script/style text."""

    def __init__(self) -> None:
        super().__init__()
        self.data_text = ""
        self.urls: list[str] = []
        self.code: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if name in {"src", "href", "xlink:href", "action", "poster", "srcset", "data"}:
                self.urls.append(value or "")
        if tag == "link" or tag in {"iframe", "img", "object", "embed", "audio", "video"}:
            self.urls.append(f"<{tag}> element")
        if tag == "script" and values.get("src") is None:
            self._in = "data" if values.get("id") == "stix-graph-data" else "code"
        if tag == "style":
            self._in = "code"

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "data":
            self.data_text += data
        elif self._in == "code":
            self.code.append(data)


def network_uses(page: str) -> list[str]:
    """Everything in the page that could make the browser fetch something."""
    parser = PageParser()
    parser.feed(page)
    found = list(parser.urls)
    code = "\n".join(parser.code)
    for pattern in (
        r"https?://",
        r"//[a-z0-9.-]+\.[a-z]{2,}",
        r"\bfetch\s*\(",
        r"XMLHttpRequest",
        r"WebSocket",
        r"EventSource",
        r"sendBeacon",
        r"\bimport\s*\(",
        r"@import",
        r"url\s*\(",
        r"\.src\s*=",
    ):
        found.extend(re.findall(pattern, code, flags=re.IGNORECASE))
    return found


def test_svg_of_builtin_bundle_has_every_object_as_node_and_relationship_as_edge(
    tmp_path: Path,
) -> None:
    bundle = builtin_bundle()
    nodes, edges = svg_graph(draw(tmp_path, BUILTIN, "g.svg").read_text("utf-8"))
    assert nodes == expected_nodes(bundle)
    assert edges == expected_edges(bundle)
    assert len(edges) == 28


def test_html_of_builtin_bundle_embeds_the_same_graph_and_loads_nothing(tmp_path: Path) -> None:
    bundle = builtin_bundle()
    page = draw(tmp_path, BUILTIN, "g.html").read_text("utf-8")
    parser = PageParser()
    parser.feed(page)
    data = json.loads(parser.data_text)
    assert {n["id"] for n in data["nodes"]} == expected_nodes(bundle)
    assert {(e["id"], e["source"], e["target"], e["label"]) for e in data["edges"]} == (
        expected_edges(bundle)
    )
    assert data["objects"] == {o["id"]: o for o in bundle["objects"]}
    assert network_uses(page) == []
    assert "default-src 'none'" in page
    # The inline SVG is the same picture.
    svg = page[page.index("<svg") : page.index("</svg>") + len("</svg>")]
    assert svg_graph(svg) == (expected_nodes(bundle), expected_edges(bundle))


def test_network_check_catches_what_it_looks_for() -> None:
    assert network_uses('<img src="https://cdn.example.com/a.png">')
    assert network_uses('<script src="d3.js"></script>')
    assert network_uses("<script>fetch('/x')</script>")
    assert network_uses("<style>@import 'x.css';</style>")
    assert network_uses('<link rel="stylesheet" href="x.css">')


def test_bundle_text_cannot_break_out_of_the_page(tmp_path: Path) -> None:
    bundle = sample_bundle()
    hostile = '</script><script>fetch("https://evil.example/")</script><img src=x>'
    for obj in bundle["objects"]:
        if obj["id"] == CAMPAIGN:
            obj["name"] = hostile
            obj["description"] = "</SCRIPT> & <b>"
    page = draw(tmp_path, write_bundle(tmp_path / "b.json", bundle), "g.html").read_text("utf-8")
    assert network_uses(page) == []
    parser = PageParser()
    parser.feed(page)
    data = json.loads(parser.data_text)
    assert data["objects"][CAMPAIGN]["name"] == hostile
    assert data["objects"][CAMPAIGN]["description"] == "</SCRIPT> & <b>"


def test_control_characters_in_names_still_give_well_formed_svg(tmp_path: Path) -> None:
    bundle = sample_bundle()
    for obj in bundle["objects"]:
        if obj["id"] == CAMPAIGN:
            obj["name"] = "bell\u0007 nul\u0000 end"
    svg = draw(tmp_path, write_bundle(tmp_path / "b.json", bundle), "g.svg").read_text("utf-8")
    nodes, _ = svg_graph(svg)  # parses the SVG as XML
    assert CAMPAIGN in nodes
    assert "bell\ufffd nul\ufffd end" in svg


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.text() | st.integers() | st.booleans() | st.none(),
        lambda c: st.lists(c) | st.dictionaries(st.text(), c),
        max_leaves=10,
    )
)
def test_script_safe_json_round_trips_and_never_closes_a_script(value: Any) -> None:
    text = script_safe_json(value)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == value


def test_dangling_relationship_end_becomes_a_placeholder_node(tmp_path: Path) -> None:
    bundle = sample_bundle()
    missing = "malware--00000000-0000-4000-8000-00000000dead"
    bundle["objects"][-2]["target_ref"] = missing  # REL_USES -> an object not in the bundle
    svg = draw(tmp_path, write_bundle(tmp_path / "b.json", bundle), "g.svg").read_text("utf-8")
    nodes, edges = svg_graph(svg)
    assert nodes == expected_nodes(bundle) | {missing}
    assert edges == expected_edges(bundle)
    root = ET.fromstring(svg)
    placeholder = next(g for g in root.iter(f"{SVG_NS}g") if g.get("data-id") == missing)
    assert placeholder.get("data-type") == "x-missing"


def test_pictures_are_deterministic(tmp_path: Path) -> None:
    for name in ("a.svg", "a.png", "a.html"):
        first = draw(tmp_path / "1", BUILTIN, name).read_bytes()
        second = draw(tmp_path / "2", BUILTIN, name).read_bytes()
        assert first == second, name


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def test_png_draws_nodes_in_their_type_colours(tmp_path: Path) -> None:
    bundle = builtin_bundle()
    image = Image.open(io.BytesIO(draw(tmp_path, BUILTIN, "g.png").read_bytes())).convert("RGB")
    assert image.width > 1000 and image.height > 1000
    colours = {colour: count for count, colour in image.getcolors(maxcolors=1 << 20) or []}
    for stix_type in {o["type"] for o in bundle["objects"] if o["type"] != "relationship"}:
        fill = hex_rgb(style_for(stix_type).fill)
        # Each node of a 200x48 box at scale 2 fills thousands of pixels with its colour.
        assert colours.get(fill, 0) > 5_000, stix_type
    white = colours.get((255, 255, 255), 0)
    assert white < image.width * image.height * 0.9, "the picture is almost empty"


def test_unknown_suffix_is_a_usage_error_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "g.gif"
    result = CliRunner().invoke(cli, ["graph", str(BUILTIN), "-o", str(out)])
    assert result.exit_code == 2
    assert "cannot tell the format from the suffix" in result.stderr
    assert not out.exists()


def test_format_option_overrides_the_suffix(tmp_path: Path) -> None:
    out = tmp_path / "picture.out"
    result = CliRunner().invoke(cli, ["graph", str(BUILTIN), "-o", str(out), "--format", "svg"])
    assert result.exit_code == 0
    assert out.read_text("utf-8").startswith("<svg ")


def test_dash_writes_the_picture_to_standard_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["graph", str(BUILTIN), "-o", "-", "--format", "svg"])
    assert result.exit_code == 0, result.output
    assert os.listdir(tmp_path) == [], "no file called '-'"
    nodes, _ = svg_graph(result.stdout)
    objects = json.loads(BUILTIN.read_bytes())["objects"]
    assert nodes == {obj["id"] for obj in objects if obj["type"] != "relationship"}
    needs_format = runner.invoke(cli, ["graph", str(BUILTIN), "-o", "-"])
    assert needs_format.exit_code == 2


def test_output_into_a_file_path_is_exit_10(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(cli, ["graph", str(BUILTIN), "-o", str(blocker / "g.svg")])
    assert result.exit_code == 10
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"error: {blocker}")


def test_bad_input_writes_no_picture(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"type": "bundle", "objects": [}')
    out = tmp_path / "g.svg"
    result = CliRunner().invoke(cli, ["graph", str(bad), "-o", str(out)])
    assert result.exit_code == 4
    assert result.stderr.startswith(f"error: {bad}: line 1 column 32: not valid JSON")
    assert not out.exists()


def test_sample_bundle_relationships_are_all_edges(tmp_path: Path) -> None:
    svg = draw(tmp_path, write_bundle(tmp_path / "b.json", sample_bundle()), "g.svg")
    _, edges = svg_graph(svg.read_text("utf-8"))
    assert {edge[0] for edge in edges} == set(RELATIONSHIPS)


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1))
def test_wrapped_labels_are_short(label: str) -> None:
    lines = wrap_label(" ".join(label.split()) or "x")
    assert 1 <= len(lines) <= 3
    assert all(len(line) <= 27 for line in lines)


def test_relationship_about_a_relationship_is_not_called_missing(tmp_path: Path) -> None:
    bundle = sample_bundle()
    meta = dict(
        bundle["objects"][-2],
        id="relationship--a0000000-0000-4000-8000-0000000000ff",
        relationship_type="related-to",
        source_ref=RELATIONSHIPS[0],
    )
    bundle["objects"].append(meta)
    svg = draw(tmp_path, write_bundle(tmp_path / "b.json", bundle), "g.svg").read_text("utf-8")
    root = ET.fromstring(svg)
    types = {g.get("data-id"): g.get("data-type") for g in root.iter(f"{SVG_NS}g")}
    assert types[RELATIONSHIPS[0]] == "relationship"
    _, edges = svg_graph(svg)
    assert edges == expected_edges(bundle)


stix_types = st.sampled_from(
    ["threat-actor", "campaign", "identity", "location", "attack-pattern", "x-custom", "report"]
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(stix_types, min_size=1, max_size=80),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)), max_size=120),
)
def test_layout_places_every_node_once_without_overlap(
    types: list[str], pairs: list[tuple[int, int]]
) -> None:
    ids = [
        f"{stix_type}--{index:08d}-0000-4000-8000-000000000000"
        for index, stix_type in enumerate(types)
    ]
    nodes = tuple(
        Node(id=i, type=t, label=f"node {n}")
        for n, (i, t) in enumerate(zip(ids, types, strict=True))
    )
    edges = tuple(
        Edge(
            id=f"relationship--{n}",
            source=ids[a % len(ids)],
            target=ids[b % len(ids)],
            label="uses",
        )
        for n, (a, b) in enumerate(pairs)
    )
    layout = layout_graph(Graph(title="t", nodes=nodes, edges=edges))
    assert [placed.node.id for placed in layout.nodes] == ids
    boxes = [(p.x, p.y, p.x + p.width, p.y + p.height) for p in layout.nodes]
    for index, (x0, y0, x1, y1) in enumerate(boxes):
        assert x0 >= 0 and x1 <= layout.width and y0 >= 0 and y1 <= layout.height
        for ox0, oy0, ox1, oy1 in boxes[index + 1 :]:
            assert x1 <= ox0 or ox1 <= x0 or y1 <= oy0 or oy1 <= y0, "nodes overlap"
    assert [placed.edge for placed in layout.edges] == list(edges)
    assert layout_graph(Graph(title="t", nodes=nodes, edges=edges)) == layout


def _star_bundle(spokes: int) -> dict[str, Any]:
    """One intrusion set using ``spokes`` attack patterns, plus ``spokes`` unconnected notes."""
    when = "2024-01-01T00:00:00.000Z"
    common = {"spec_version": "2.1", "created": when, "modified": when}
    hub = {**common, "type": "intrusion-set", "id": f"intrusion-set--{uuid.uuid4()}", "name": "Hub"}
    objects: list[dict[str, Any]] = [hub]
    for n in range(spokes):
        pattern = {**common, "type": "attack-pattern", "id": f"attack-pattern--{uuid.uuid4()}"}
        objects.append({**pattern, "name": f"Technique {n}"})
        objects.append(
            {**common, "type": "relationship", "id": f"relationship--{uuid.uuid4()}",
             "relationship_type": "uses", "source_ref": hub["id"], "target_ref": pattern["id"]}
        )  # fmt: skip
        objects.append(
            {**common, "type": "note", "id": f"note--{uuid.uuid4()}", "content": f"n{n}",
             "object_refs": [hub["id"]]}
        )  # fmt: skip
    return {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects}


def test_past_the_node_limit_the_most_connected_are_drawn_and_the_rest_named(
    tmp_path: Path,
) -> None:
    path = tmp_path / "star.json"
    path.write_text(json.dumps(_star_bundle(40)), encoding="utf-8")
    out = tmp_path / "g.svg"
    result = CliRunner().invoke(cli, ["graph", str(path), "-o", str(out), "--max-nodes", "21"])
    assert result.exit_code == 0, result.output
    sentence = (
        "drawn: the 21 most connected of 81 nodes; left out 60 nodes (40 note, "
        "20 attack-pattern) and 20 relationships"
    )
    assert result.stderr == f"warning: {path}: {sentence} (--max-nodes 21; 0 draws everything)\n"
    root = ET.fromstring(out.read_text(encoding="utf-8"))
    kinds = [g.get("data-type") for g in root.iter(f"{SVG_NS}g") if g.get("class") == "node"]
    assert sorted(kinds) == ["attack-pattern"] * 20 + ["intrusion-set"]  # notes have no edge
    assert sentence in out.read_text(encoding="utf-8")
    everything = CliRunner().invoke(
        cli, ["graph", str(path), "-o", str(tmp_path / "all.svg"), "--max-nodes", "0"]
    )
    assert everything.exit_code == 0 and everything.stderr == ""


def test_dot_and_graphml_carry_the_graph(tmp_path: Path) -> None:
    bundle = builtin_bundle()
    relationships = {o["id"] for o in bundle["objects"] if o["type"] == "relationship"}
    draw(tmp_path, BUILTIN, "g.graphml")
    root = ET.fromstring((tmp_path / "g.graphml").read_bytes())
    ns = "{http://graphml.graphdrawing.org/xmlns}"
    assert {e.get("id") for e in root.iter(f"{ns}edge")} == relationships
    assert {n.get("id") for n in root.iter(f"{ns}node")} == expected_nodes(bundle)
    dot = draw(tmp_path, BUILTIN, "g.dot").read_text(encoding="utf-8")
    assert dot.startswith('digraph "') and dot.rstrip().endswith("}")
    assert sum(1 for line in dot.splitlines() if " -> " in line) == len(relationships)


def test_an_output_in_a_missing_directory_creates_nothing(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "g.svg"
    result = CliRunner().invoke(cli, ["graph", str(BUILTIN), "-o", str(target)])
    assert result.exit_code == 2 and "no such directory" in result.stderr
    assert not (tmp_path / "no").exists()


def test_the_producer_stands_with_the_report_and_names_are_not_cut(tmp_path: Path) -> None:
    bundle = builtin_bundle()
    root = ET.fromstring(draw(tmp_path, BUILTIN, "g.svg").read_text(encoding="utf-8"))
    x_of: dict[str, float] = {}
    texts: dict[str, str] = {}
    for g in root.iter(f"{SVG_NS}g"):
        if g.get("class") == "node":
            first_line = next(g.iter(f"{SVG_NS}tspan"))
            x_of[str(g.get("data-id"))] = float(first_line.get("x", "nan"))
            texts[str(g.get("data-id"))] = " ".join(
                "".join(t.itertext()) for t in g.iter(f"{SVG_NS}tspan")
            )
    by_type = {o["id"]: o for o in bundle["objects"]}
    producer = next(o["created_by_ref"] for o in bundle["objects"] if "created_by_ref" in o)
    report = next(o["id"] for o in bundle["objects"] if o["type"] == "report")
    victim = next(
        o["id"] for o in bundle["objects"] if o["type"] == "identity" and o["id"] != producer
    )
    assert x_of[producer] == x_of[report] != x_of[victim]
    cut = [by_type[i]["name"] for i, text in texts.items() if "\u2026" in text]
    assert cut == []  # no name of this bundle (the longest: 69 characters) is cut


def test_labels_of_one_type_into_one_node_share_one_spot() -> None:
    view = bundle_from_data(builtin_bundle(), "builtin")
    layout = layout_graph(build_graph(view))
    spots: dict[tuple[str, str], set[tuple[float, float]]] = {}
    for placed in layout.edges:
        key = (placed.edge.target, placed.edge.label)
        spots.setdefault(key, set()).add(placed.label_at)
    busiest = max(
        spots, key=lambda key: sum(1 for e in layout.edges if (e.edge.target, e.edge.label) == key)
    )
    assert sum(1 for e in layout.edges if (e.edge.target, e.edge.label) == busiest) >= 3
    assert all(len(points) == 1 for points in spots.values())
    # and different types into one node are stacked apart
    by_target: dict[str, set[tuple[float, float]]] = {}
    for (target, _label), points in spots.items():
        by_target.setdefault(target, set()).update(points)
    for target, points in by_target.items():
        labels = {label for (t, label) in spots if t == target}
        assert len(points) == len(labels), target


def test_the_report_is_tied_to_its_producer_and_marking(tmp_path: Path) -> None:
    bundle = builtin_bundle()
    report = next(o for o in bundle["objects"] if o["type"] == "report")
    root = ET.fromstring(draw(tmp_path, BUILTIN, "g.svg").read_text(encoding="utf-8"))
    references = {
        (g.get("data-source"), g.get("data-target"), g.get("data-type"))
        for g in root.iter(f"{SVG_NS}g")
        if g.get("class") == "reference"
    }
    assert references == {(report["id"], report["created_by_ref"], "created by")} | {
        (report["id"], marking, "marked") for marking in report["object_marking_refs"]
    }
