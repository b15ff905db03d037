"""Read-only access to the reference data shipped in ``stix_mtac/data``.

Vocabularies, the spec's relationship table, the confidence scale and the ISO 3166-1 country
codes are data files, so reviewers can check them against the specification
without reading code. Each loader reads its file once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import yaml

# Relationship types any two objects may have (STIX 2.1 section 5.1.1 / 4: common relationships).
ANY_PAIR_KEY = "common"
# The OASIS TLP 2.0 extension definition (cti-stix-common-objects) the TLP 2.0 markings use.
TLP_2_0_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"


def _data_text(*parts: str) -> str:
    return resources.files("stix_mtac.data").joinpath(*parts).read_text(encoding="utf-8")


@cache
def vocabularies() -> Mapping[str, frozenset[str]]:
    """Open vocabularies by name (``industry-sector-ov`` -> values)."""
    raw: dict[str, Any] = json.loads(_data_text("stix", "vocabularies.json"))
    return {name: frozenset(values) for name, values in raw.items() if not name.startswith("_")}


@cache
def _relationship_table() -> tuple[frozenset[str], dict[str, dict[str, frozenset[str]]]]:
    raw: dict[str, Any] = json.loads(_data_text("stix", "relationships.json"))
    common = frozenset(raw[ANY_PAIR_KEY])
    suggested = {
        source: {rel: frozenset(targets) for rel, targets in by_type.items()}
        for source, by_type in raw["suggested"].items()
    }
    return common, suggested


def is_suggested_relationship(source_type: str, relationship_type: str, target_type: str) -> bool:
    """True when the spec suggests ``relationship_type`` from ``source_type`` to ``target_type``."""
    common, suggested = _relationship_table()
    if relationship_type in common:
        return True
    return target_type in suggested.get(source_type, {}).get(relationship_type, frozenset())


def suggested_relationship_types(source_type: str, target_type: str) -> list[str]:
    """The relationship types the spec suggests for this pair, for error messages."""
    common, suggested = _relationship_table()
    specific = [
        rel for rel, targets in suggested.get(source_type, {}).items() if target_type in targets
    ]
    return sorted(specific) + sorted(common)


@cache
def confidence_scale() -> tuple[Mapping[str, int], Mapping[str, int]]:
    """(estimative wording -> confidence, outside-source grade -> confidence)."""
    raw = yaml.safe_load(_data_text("confidence.yaml"))
    return dict(raw["wordings"]), dict(raw["outside_grades"])


@cache
def frameworks() -> Mapping[str, Mapping[str, str]]:
    """Technique catalogues by name (``mitre-attack``, ``disarm``)."""
    raw: dict[str, dict[str, str]] = yaml.safe_load(_data_text("frameworks.yaml"))
    return raw


@cache
def country_codes() -> Mapping[str, str]:
    """ISO 3166-1 alpha-2 codes -> English short name (``data/stix/iso3166-1.json``)."""
    raw: dict[str, Any] = json.loads(_data_text("stix", "iso3166-1.json"))
    return dict(raw["countries"])


@cache
def tlp_markings() -> tuple[Mapping[str, Any], ...]:
    """The official TLP 1.0 and TLP 2.0 marking definitions, exactly as published
    (``data/markings/``, one file each): the one source both the builders (which ship them)
    and the validator (which checks others' copies against them) read."""
    folder = resources.files("stix_mtac.data").joinpath("markings")
    found = [
        json.loads(entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".json")
    ]
    return tuple(sorted(found, key=lambda definition: str(definition["id"])))
