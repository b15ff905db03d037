"""The TLP marking definitions, shipped once (``stix_mtac/data/markings/``), are exactly the
published ones: TLP 2.0 as OASIS publishes them in cti-stix-common-objects (the vendored copies
under tests/realworld), TLP 1.0 as the stix2 library predefines them (STIX 2.1 section 7.2.1.4).
The builders ship them and the validator checks others' copies against them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import stix2

from stix_mtac.build.markings import tlp_definitions
from stix_mtac.validate.refdata import official_tlp

OASIS = Path(__file__).parent / "realworld" / "oasis-common-objects" / "tlp2"


def _published_tlp2() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(OASIS.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for obj in data.get("objects", [data]):
            if obj.get("type") == "marking-definition" and obj.get("name", "").startswith("TLP:"):
                found[obj["id"]] = obj
    return found


def test_tlp2_definitions_are_the_oasis_ones() -> None:
    published = _published_tlp2()
    shipped = {name: d for name, d in tlp_definitions().items() if name.startswith("tlp2:")}
    assert sorted(shipped) == [
        "tlp2:amber",
        "tlp2:amber+strict",
        "tlp2:clear",
        "tlp2:green",
        "tlp2:red",
    ]
    for name, definition in shipped.items():
        assert definition == published[definition["id"]], name


def test_tlp1_definitions_are_the_ones_stix_predefines() -> None:
    predefined = {
        "tlp1:white": stix2.v21.TLP_WHITE,
        "tlp1:green": stix2.v21.TLP_GREEN,
        "tlp1:amber": stix2.v21.TLP_AMBER,
        "tlp1:red": stix2.v21.TLP_RED,
    }
    shipped = {name: d for name, d in tlp_definitions().items() if name.startswith("tlp1:")}
    assert sorted(shipped) == sorted(predefined)
    for name, marking in predefined.items():
        assert shipped[name] == json.loads(marking.serialize()), name


def test_the_validator_checks_against_the_same_definitions() -> None:
    assert official_tlp() == {d["id"]: d for d in tlp_definitions().values()}
