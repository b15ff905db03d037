"""show, graph and diff over real bundles written by others (tests/realworld/, vendored with
their licences). Every bundle there must summarise and draw without error, with every object a
node and every relationship an edge. Missing data fails the test; it never passes unchecked.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from stix_mtac.errors import InputError
from stix_mtac.view.diff import diff_bundles
from stix_mtac.view.graph import DEFAULT_MAX_NODES, build_graph
from stix_mtac.view.layout import layout_graph
from stix_mtac.view.objects import load_bundle
from stix_mtac.view.summary import summarize, summary_text
from stix_mtac.view.svg import render_svg

CORPUS = Path(__file__).parent / "realworld"
SVG_NS = "{http://www.w3.org/2000/svg}"
# Files that are not bundles: the verdict table, and an example that is a bare object.
# (extdefs/ holds bare extension-definition objects, malformed-json/ broken files.)
NOT_BUNDLES = {"CASES.json", "using-tlp2.0-green.json"}


def corpus_files() -> list[Path]:
    assert CORPUS.is_dir(), f"{CORPUS}: the vendored real-world corpus is missing"
    return sorted(
        path
        for path in CORPUS.rglob("*.json")
        if not {"originals", "malformed-json", "extdefs"} & set(path.parts)
    )


def test_every_real_bundle_summarises_draws_and_diffs_cleanly() -> None:
    checked = 0
    for path in corpus_files():
        try:
            bundle = load_bundle(path)
        except InputError:
            assert path.name in NOT_BUNDLES, path
            continue
        text = summary_text(summarize(bundle))
        assert max(len(line) for line in text.splitlines()) <= 80, path
        graph = build_graph(bundle)
        root = ET.fromstring(render_svg(layout_graph(graph)))
        drawn_nodes = {
            g.get("data-id") for g in root.iter(f"{SVG_NS}g") if g.get("class") == "node"
        }
        drawn_edges = {
            g.get("data-id") for g in root.iter(f"{SVG_NS}g") if g.get("class") == "edge"
        }
        objects = bundle.objects
        nodes = {o["id"] for o in objects if o["type"] != "relationship"}
        relationships = {o["id"] for o in objects if o["type"] == "relationship"}
        if graph.left_out is None:
            assert nodes <= drawn_nodes, path
            assert relationships == drawn_edges, path
        else:  # past the node limit: the most connected are drawn, the rest counted
            assert len(drawn_nodes) == DEFAULT_MAX_NODES, path
            assert drawn_edges <= relationships, path
            assert graph.left_out.edges == len(relationships) - len(drawn_edges), path
            assert graph.left_out.total_nodes - graph.left_out.nodes == DEFAULT_MAX_NODES
        assert diff_bundles(bundle, bundle).identical, path
        checked += 1
    assert checked >= 30, f"only {checked} bundles found in {CORPUS}"


def test_malformed_corpus_files_are_refused_with_a_located_message() -> None:
    malformed = sorted((CORPUS / "oasis-common-objects" / "malformed-json").glob("*.json"))
    assert malformed, "the vendored malformed-json files are missing"
    for path in malformed:
        try:
            load_bundle(path)
        except InputError as error:
            assert error.message.startswith(f"{path}: line "), error.message
        else:
            raise AssertionError(f"{path} was accepted")
