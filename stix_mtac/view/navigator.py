"""ATT&CK Navigator layers (format 4.5) from a bundle's attack patterns: one layer per
framework (ATT&CK Enterprise, Mobile, ICS, DISARM).

An attack pattern goes into the framework its ``kill_chain_phases`` name, with its technique id
from ``external_references`` and each phase as the technique's ``tactic``. A technique's score
is how many distinct objects the bundle says ``uses`` it; its comment names them. Which
kill chain is which framework is data (``data/view/navigator.json``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from typing import Any

from stix_mtac.view.objects import BundleView, StixObject, display_name


@dataclass(frozen=True)
class Layer:
    framework: str  # the kill_chain_name, e.g. "mitre-attack", "disarm"
    domain: str
    data: dict[str, Any]


def _catalogue() -> dict[str, Any]:
    text = resources.files("stix_mtac.data").joinpath("view", "navigator.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _technique_id(pattern: StixObject, sources: list[str]) -> str | None:
    references = pattern.get("external_references")
    for reference in references if isinstance(references, list) else []:
        if (
            isinstance(reference, dict)
            and reference.get("source_name") in sources
            and isinstance(reference.get("external_id"), str)
        ):
            return str(reference["external_id"])
    return None


def _users(bundle: BundleView) -> dict[str, list[str]]:
    """attack-pattern id -> sorted names of the objects that use it."""
    by_id = bundle.by_id()
    users: dict[str, set[str]] = defaultdict(set)
    for obj in bundle.objects:
        if obj.get("type") == "relationship" and obj.get("relationship_type") == "uses":
            source = by_id.get(str(obj.get("source_ref")))
            users[str(obj.get("target_ref"))].add(
                display_name(source) if source else str(obj.get("source_ref"))
            )
    return {pattern: sorted(names) for pattern, names in users.items()}


def _title(bundle: BundleView) -> str:
    reports = [obj for obj in bundle.objects if obj.get("type") == "report"]
    return display_name(reports[0]) if reports else bundle.bundle_id or bundle.source


def navigator_layers(bundle: BundleView) -> list[Layer]:
    """A layer per framework the bundle's attack patterns belong to, in catalogue order."""
    catalogue = _catalogue()
    users = _users(bundle)
    techniques: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for pattern in bundle.objects:
        if pattern.get("type") != "attack-pattern":
            continue
        phases = pattern.get("kill_chain_phases")
        for phase in phases if isinstance(phases, list) else []:
            if not isinstance(phase, dict):
                continue
            framework = catalogue["frameworks"].get(phase.get("kill_chain_name"))
            technique_id = framework and _technique_id(pattern, framework["sources"])
            if not technique_id:
                continue
            used_by = users.get(str(pattern["id"]), [])
            entry: dict[str, Any] = {
                "techniqueID": technique_id,
                "tactic": str(phase.get("phase_name", "")),
                "score": len(used_by),
                "comment": f"{display_name(pattern)}. Used by: {'; '.join(used_by) or 'nobody'}",
                "enabled": True,
                "metadata": [{"name": "STIX id", "value": str(pattern["id"])}],
                "showSubtechniques": False,
            }
            techniques[str(phase["kill_chain_name"])].append(entry)
    title = _title(bundle)
    layers = []
    for framework, spec in catalogue["frameworks"].items():
        entries = sorted(
            techniques.get(framework, []), key=lambda t: (t["techniqueID"], t["tactic"])
        )
        if not entries:
            continue
        top = max(1, *(entry["score"] for entry in entries))
        layer = {
            "name": f"{title} ({spec['title']})",
            "versions": {
                "layer": catalogue["layer_version"],
                "navigator": catalogue["navigator_version"],
            },
            "domain": spec["domain"],
            "description": (
                f"The {spec['title']} techniques of STIX bundle {bundle.bundle_id}; score: how "
                "many objects the bundle says use the technique. Made by stix-mtac navigator."
            ),
            "sorting": 3,
            "layout": {"layout": "side", "showID": True, "showName": True},
            "hideDisabled": False,
            "techniques": entries,
            "gradient": {"colors": list(catalogue["gradient"]), "minValue": 0, "maxValue": top},
            "legendItems": [],
        }
        layers.append(Layer(framework, spec["domain"], layer))
    return layers
