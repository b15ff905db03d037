"""``stix-mtac show``, ``graph`` and ``diff``: read, draw and compare any STIX 2.1 bundle."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from stix_mtac.canonical import pretty_bytes
from stix_mtac.commands.options import (
    bundle_argument,
    command,
    console,
    echo_json,
    format_option,
    input_name,
    is_stream,
    one_stdin,
    output_option,
    read_bundle_input,
)
from stix_mtac.fileio import write_atomic
from stix_mtac.view.diff import diff_bundles, diff_data, diff_text
from stix_mtac.view.graph import DEFAULT_MAX_NODES, build_graph
from stix_mtac.view.objects import BundleView, bundle_from_data
from stix_mtac.view.render import FORMATS, format_from_suffix, render_graph
from stix_mtac.view.summary import summarize, summary_text


def _view(path: Path) -> BundleView:
    """The bundle at ``path`` (``-``: standard input) as the views see it."""
    return bundle_from_data(read_bundle_input(path), input_name(path))


@command()
@bundle_argument("bundle")
@format_option(
    help_text="text: sections for an 80-column terminal; json: the same data, stable shape."
)
def show(bundle: Path, output_format: str) -> None:
    """Summarise a STIX 2.1 bundle: objects by type, producer and markings, each threat actor
    and intrusion set with aliases and attributed campaigns, each campaign with dates,
    attribution, targets and techniques.

    \b
    --format json prints one object with the keys:
      bundle_id, object_count, types {type: count},
      producers, markings  [{id, type, name}],
      reports   [{id, name, published}],
      actors    [{id, type, name, aliases, attributed_to,
                  campaigns, targets, techniques}],
      campaigns [{id, name, first_seen, last_seen,
                  attributed_to, targets, techniques}]
    (references are {id, type, name}; name is null when the object is not in the bundle;
    techniques also carry external_ids).

    \b
    Examples:
      stix-mtac show bundles/mtac-east-asia-2023-09-07.json
      stix-mtac show --format json bundle.json | jq '.campaigns[].name'
      stix-mtac pull https://taxii.example.org/taxii2/ --collection ID -o - | stix-mtac show -

    \b
    Exit codes: 0 shown; 4 the file is unreadable, not strict JSON or not a bundle.
    """
    summary = summarize(_view(bundle))
    if output_format == "json":
        echo_json(summary)
    else:
        click.echo(summary_text(summary), nl=False)


@command()
@bundle_argument("bundle")
@output_option(
    "Picture to write (its directory must exist); its suffix (.svg, .png, .html, .dot, "
    ".graphml) picks the format. - writes to standard output (with --format).",
    required=True,
)
@format_option(FORMATS, default=None, help_text="Override the format the suffix implies.")
@click.option(
    "--max-nodes",
    type=click.IntRange(min=0),
    default=DEFAULT_MAX_NODES,
    show_default=True,
    help="Draw at most this many nodes, the most connected; the picture and a warning say "
    "what was left out. 0: no limit.",
)
def graph(bundle: Path, output: Path, output_format: str | None, max_nodes: int) -> None:
    """Draw the object graph of a STIX 2.1 bundle as SVG, PNG or interactive HTML, or write
    it as Graphviz DOT or GraphML for other tools.

    Every object is a node, coloured and shaped by STIX type and labelled by name; every
    relationship is an arrow labelled with its type. Columns read left to right: actors,
    campaigns, techniques, victims and places. A relationship end missing from the bundle
    is drawn as a dashed placeholder. The HTML page is self-contained and works offline:
    drag to pan, scroll to zoom, click a node to see its properties. Output is written
    atomically and is the same for the same bundle. Past --max-nodes (default 300; more is an
    unreadable wall) only the most connected nodes and the relationships between them are
    drawn, and the picture's subtitle and a warning on stderr count what was left out.

    \b
    Examples:
      stix-mtac graph bundles/mtac-east-asia-2023-09-07.json -o graph.html
      stix-mtac graph bundle.json -o docs/graph.png
      stix-mtac graph bundle.json -o - --format svg > graph.svg
      stix-mtac graph bundle.json -o graph.graphml --max-nodes 0

    \b
    Exit codes: 0 written; 2 unknown output suffix without --format, or an output in a
    directory that does not exist (none is created); 4 the input is unreadable, not strict
    JSON or not a bundle; 10 the output cannot be written.
    """
    to_stdout = is_stream(output)
    chosen = output_format or (None if to_stdout else format_from_suffix(output))
    if chosen is None:
        raise click.UsageError(
            f"{output}: cannot tell the format from the suffix; use .svg, .png or .html, "
            "or --format"
        )
    view = _view(bundle)
    drawn = build_graph(view, max_nodes or None)
    if drawn.left_out is not None:
        console().warn(
            f"{input_name(bundle)}: {drawn.left_out.sentence()} (--max-nodes {max_nodes}; "
            "0 draws everything)"
        )
    data = render_graph(drawn, view, chosen)
    if to_stdout:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    write_atomic(output, data)
    console().info(f"wrote {output} ({chosen})")


@command()
@bundle_argument("old")
@bundle_argument("new")
@format_option(help_text="text: a readable report; json: the same data, stable shape.")
def diff(old: Path, new: Path, output_format: str) -> None:
    """Compare two STIX 2.1 bundles object by object, matching by id.

    Lists objects added, removed and changed, with the properties that changed. A change
    whose 'modified' is not later than before is flagged: TIPs keep the version with the
    newest 'modified', so they would ignore it. With several versions of one id in a
    bundle, the newest is compared.

    \b
    --format json prints one object with the keys:
      identical (bool), added, removed [{id, type, name}],
      changed [{id, type, name, properties, old_modified,
                new_modified, modified_newer}],
      not_bumped (count of changes without a newer modified)

    \b
    Examples:
      stix-mtac diff old.json bundles/mtac-east-asia-2023-09-07.json
      stix-mtac diff --format json old.json new.json | jq .changed
      stix-mtac pull https://taxii.example.org/taxii2/ --collection ID -o - \\
        | stix-mtac diff - new.json

    \b
    Either bundle may be - (standard input), not both.

    \b
    Exit codes (like diff(1)): 0 no differences; 1 differences found; 2 usage error;
    4 an input is unreadable, not strict JSON or not a bundle.
    """
    one_stdin(old, new)
    result = diff_bundles(_view(old), _view(new))
    if output_format == "json":
        echo_json(diff_data(result))
    else:
        click.echo(diff_text(result, input_name(old), input_name(new)), nl=False)
    if not result.identical:
        click.get_current_context().exit(1)


@command()
@bundle_argument("bundle")
@output_option(
    "Directory for the layer files (BUNDLE-STEM.DOMAIN.layer.json; created if missing, in an "
    "existing directory; end the name with / to create parents too), or - to print every "
    "layer as one JSON list (the Navigator's multi-layer file).",
    directory=True,
    default=".",
    show_default=True,
)
def navigator(bundle: Path, output: Path) -> None:
    """Write ATT&CK Navigator layers (format 4.5) of BUNDLE's techniques, one per framework.

    Enterprise, Mobile and ICS ATT&CK techniques go into layers for the ATT&CK Navigator;
    DISARM techniques into a layer with domain DISARM, for DISARM's Navigator. Each technique
    is scored by how many objects use it, with their names as its comment.

    \b
    Examples:
      stix-mtac navigator bundles/mtac-east-asia-2023-09-07.json -o build/
      stix-mtac navigator bundle.json -o - | jq '.[].domain'

    \b
    BUNDLE may be - (standard input; the layer files are then named stdin.DOMAIN.layer.json).

    \b
    Exit codes: 0 written; 1 the bundle has no ATT&CK or DISARM technique; 2 usage error
    (also -o naming a file, or a directory whose parent is missing: none is created); 4 unreadable
    bundle; 10 cannot write.
    """
    from stix_mtac.errors import InvalidBundleError
    from stix_mtac.view.navigator import navigator_layers

    layers = navigator_layers(_view(bundle))
    if not layers:
        raise InvalidBundleError(
            f"{input_name(bundle)}: no ATT&CK or DISARM technique to put in a layer"
        )
    if is_stream(output):
        echo_json([layer.data for layer in layers])
        return
    stem = "stdin" if is_stream(bundle) else bundle.stem
    for layer in layers:
        target = output / f"{stem}.{layer.domain}.layer.json"
        write_atomic(target, pretty_bytes(layer.data))
        count = len(layer.data["techniques"])
        console().info(f"{target}: {count} technique{'s' if count != 1 else ''} ({layer.domain})")
