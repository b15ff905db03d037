"""``stix-mtac navigator``: ATT&CK Navigator layers, validated against the Navigator's layer
format 4.5 (``tests/navigator/``: its definition, vendored with its licence, and a JSON Schema
transcribed from it)."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from stix_mtac.cli import cli

REPO = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent / "navigator"
BUNDLE = REPO / "bundles" / "mtac-east-asia-2023-09-07.json"
SCHEMA = json.loads((HERE / "layer-4.5.schema.json").read_text(encoding="utf-8"))


def validator(domains: list[str] | None = None) -> jsonschema.Draft202012Validator:
    schema = copy.deepcopy(SCHEMA)
    if domains:
        schema["properties"]["domain"]["enum"] = domains
    return jsonschema.Draft202012Validator(schema)


def spec_example() -> dict[str, Any]:
    text = (HERE / "layerformat-4.5.md").read_text(encoding="utf-8")
    block = re.search(r"## Example.*?```json\n(.*?)```", text, re.DOTALL)
    assert block
    example: dict[str, Any] = json.loads(block.group(1))
    return example


def test_the_transcribed_schema_accepts_the_format_definitions_own_example() -> None:
    validator().validate(spec_example())


@pytest.mark.parametrize(
    "breakage",
    [
        lambda layer: layer.pop("name"),
        lambda layer: layer.__setitem__("domain", "mitre-enterprise"),  # the 3.0 spelling
        lambda layer: layer["versions"].__setitem__("layer", "4.4"),
        lambda layer: layer["techniques"][0].__setitem__("techniqueID", "1110"),
        lambda layer: layer["gradient"].__setitem__("colors", ["#ff0000"]),
    ],
)
def test_the_transcribed_schema_refuses_what_the_definition_forbids(breakage: Any) -> None:
    layer = spec_example()
    breakage(layer)
    assert list(validator().iter_errors(layer))


def layers(tmp_path: Path) -> dict[str, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["navigator", str(BUNDLE), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    found = {}
    for path in sorted(tmp_path.glob("*.layer.json")):
        found[path.name] = json.loads(path.read_text(encoding="utf-8"))
    return found


def test_one_layer_per_framework_each_valid(tmp_path: Path) -> None:
    written = layers(tmp_path)
    stem = BUNDLE.stem
    assert sorted(written) == [f"{stem}.DISARM.layer.json", f"{stem}.enterprise-attack.layer.json"]
    validator().validate(written[f"{stem}.enterprise-attack.layer.json"])
    # DISARM's own Navigator is the ATT&CK Navigator with domain "DISARM" (its published layers)
    validator(["DISARM"]).validate(written[f"{stem}.DISARM.layer.json"])


def test_the_layers_hold_the_bundles_techniques(tmp_path: Path) -> None:
    written = layers(tmp_path)
    bundle = json.loads(BUNDLE.read_text(encoding="utf-8"))
    expected: dict[str, set[tuple[str, str]]] = {"enterprise-attack": set(), "DISARM": set()}
    for obj in bundle["objects"]:
        if obj["type"] != "attack-pattern":
            continue
        # DISARM's ids are cited as DISARM's own STIX does, under "mitre-attack"; the kill
        # chain ("disarm" or "mitre-attack") says which framework a technique is from.
        (ref,) = [r for r in obj["external_references"] if r["source_name"] == "mitre-attack"]
        chains = {phase["kill_chain_name"] for phase in obj["kill_chain_phases"]}
        domain = "DISARM" if chains == {"disarm"} else "enterprise-attack"
        for phase in obj["kill_chain_phases"]:
            expected[domain].add((ref["external_id"], phase["phase_name"]))
    for layer in written.values():
        got = {(t["techniqueID"], t["tactic"]) for t in layer["techniques"]}
        assert got == expected[layer["domain"]]
    enterprise = written[f"{BUNDLE.stem}.enterprise-attack.layer.json"]
    forge = next(t for t in enterprise["techniques"] if t["techniqueID"] == "T1606")
    assert forge["score"] == 1
    assert forge["comment"] == (
        "Forge Web Credentials. Used by: Storm-0558 access to Microsoft customer email"
    )


def test_standard_output_is_the_multi_layer_list(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["navigator", str(BUNDLE), "-o", "-"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert [layer["domain"] for layer in printed] == ["enterprise-attack", "DISARM"]
    assert printed == [layers(tmp_path)[name] for name in sorted(layers(tmp_path))][::-1]


def test_a_bundle_without_techniques_and_a_missing_directory_are_errors(tmp_path: Path) -> None:
    bare = tmp_path / "bare.json"
    bundle = json.loads(BUNDLE.read_text(encoding="utf-8"))
    bundle["objects"] = [o for o in bundle["objects"] if o["type"] == "identity"]
    bare.write_text(json.dumps(bundle), encoding="utf-8")
    none = CliRunner().invoke(cli, ["navigator", str(bare), "-o", str(tmp_path)])
    assert none.exit_code == 1 and "no ATT&CK or DISARM technique" in none.stderr
    missing = CliRunner().invoke(cli, ["navigator", str(BUNDLE), "-o", str(tmp_path / "no")])
    assert missing.exit_code == 2 and not (tmp_path / "no").exists()
