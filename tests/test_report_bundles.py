"""Every built-in report's bundle, as committed: strict conformance (stix2-validator, documented
disables only), our validator, the stix2 library, MISP's importer keeping its indicators, the
committed copy equal to a fresh build, and its signature verifying."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import stix2
from click.testing import CliRunner
from misp_stix_converter import ExternalSTIX2toMISPParser
from stix2validator import ValidationOptions, validate_instance

from stix_mtac.build import build_bundles, builtin_reports, load_facts
from stix_mtac.canonical import pretty_bytes
from stix_mtac.cli import cli
from stix_mtac.validate.api import ValidationOptions as OurOptions
from stix_mtac.validate.api import validate_bundle

REPO = Path(__file__).resolve().parent.parent
BUNDLES = REPO / "bundles"
KEYS = sorted(builtin_reports())
# The README's documented disables ("Conformance"): 103 UUIDv5 ids on purpose, 302 no hashes
# for living web pages.
DISABLED_CHECKS = "103,302"


def _committed(key: str) -> dict[str, Any]:
    data = json.loads((BUNDLES / f"{key}.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@cache
def _fresh() -> dict[str, bytes]:
    """Every built-in report built together, as `stix-mtac export` builds them."""
    results = build_bundles(load_facts(path) for path in builtin_reports().values())
    return {result.name: pretty_bytes(result.bundle) for result in results}


@pytest.mark.parametrize("key", KEYS)
def test_stix2_validator_strict_with_enforced_refs_finds_nothing(key: str) -> None:
    options = ValidationOptions(strict=True, enforce_refs=True, disabled=DISABLED_CHECKS)
    results = validate_instance(_committed(key), options)
    messages = [str(error) for error in results.errors] + [str(w) for w in results.warnings]
    assert results.is_valid and messages == []


@pytest.mark.parametrize("key", KEYS)
def test_only_the_documented_checks_would_fire(key: str) -> None:
    results = validate_instance(_committed(key), ValidationOptions(enforce_refs=True))
    codes = {str(warning).split("{")[1].split("}")[0] for warning in results.warnings}
    assert results.is_valid and codes <= set(DISABLED_CHECKS.split(","))


@pytest.mark.parametrize("key", KEYS)
def test_our_validator_finds_no_errors(key: str) -> None:
    result = validate_bundle(_committed(key), source=f"{key}.json", options=OurOptions())
    assert result.is_valid, [finding.message for finding in result.errors]


@pytest.mark.parametrize("key", KEYS)
def test_stix2_parses_it_without_custom_content(key: str) -> None:
    bundle = _committed(key)
    parsed = stix2.parse(json.dumps(bundle), allow_custom=False)
    assert len(parsed.objects) == len(bundle["objects"])


@pytest.mark.parametrize("key", KEYS)
def test_the_committed_bundle_is_a_fresh_build(key: str) -> None:
    assert (BUNDLES / f"{key}.json").read_bytes() == _fresh()[key]


@pytest.mark.parametrize("key", KEYS)
def test_the_committed_signature_verifies(key: str) -> None:
    keyring = str(BUNDLES / "keys" / "jwks.json")  # trust is pinned: name the keyring
    result = CliRunner().invoke(cli, ["verify", "--keyring", keyring, str(BUNDLES / f"{key}.json")])
    assert result.exit_code == 0, result.output


# What misp-stix (ExternalSTIX2toMISPParser) cannot import, pinned so that an upstream change
# shows: it makes a grouping an event of its own and reports the report's reference to it, and
# it has no mapping for infrastructure. README, "The built-in reports", says so too.
UPSTREAM_LOSSES = {
    "Unknown STIX object type: grouping",
    "Unable to load STIX object type: infrastructure",
    "Unknown STIX object type: infrastructure",
}


def _misp_events(bundle: dict[str, Any]) -> tuple[list[dict[str, Any]], Any]:
    """Every MISP event misp-stix makes of the bundle (one per report or grouping)."""
    parser = ExternalSTIX2toMISPParser()
    parser.load_stix_bundle(stix2.parse(json.dumps(bundle), allow_custom=True))
    parser.parse_stix_bundle()
    events = getattr(parser, "misp_events", None) or [parser.misp_event]
    if not isinstance(events, list):
        events = [events]
    return [event.to_dict() for event in events], parser


def _report_event(bundle: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    events, parser = _misp_events(bundle)
    name = next(obj["name"] for obj in bundle["objects"] if obj["type"] == "report")
    [event] = [event for event in events if event["info"] == name]
    return event, parser


def _values(event: dict[str, Any]) -> set[str]:
    attributes = list(event.get("Attribute", []))
    for misp_object in event.get("Object", []):
        attributes.extend(misp_object["Attribute"])
    return {str(attribute["value"]).lower() for attribute in attributes}


def _ioc_values(bundle: dict[str, Any]) -> set[str]:
    """The values of the bundle's observables, read from the SCOs (independent of MISP)."""
    values: set[str] = set()
    for obj in bundle["objects"]:
        if "value" in obj and obj["type"] in ("ipv4-addr", "ipv6-addr", "domain-name", "url"):
            values.add(obj["value"].lower())
        values.update(digest.lower() for digest in obj.get("hashes", {}).values())
    return values


@pytest.mark.parametrize("key", KEYS)
def test_misp_imports_the_report_as_an_event_with_every_ioc(key: str) -> None:
    bundle = _committed(key)
    event, parser = _report_event(bundle)
    assert dict(parser.warnings) == {}
    errors = {message for messages in dict(parser.errors).values() for message in messages}
    assert errors <= UPSTREAM_LOSSES
    missing = _ioc_values(bundle) - _values(event)
    assert missing == set(), f"MISP lost {sorted(missing)}"


@pytest.mark.parametrize("key", ["cisa-mar-10329297-1", "cisa-mar-10325064-1"])
def test_misp_tags_the_tlp_white_reports_as_such(key: str) -> None:
    event, _ = _report_event(_committed(key))
    assert "tlp:white" in {tag["name"].lower() for tag in event.get("Tag", [])}


def test_misp_keeps_the_yara_rule_as_printed() -> None:
    bundle = _committed("cisa-mar-10329297-1")
    [indicator] = [o for o in bundle["objects"] if o.get("pattern_type") == "yara"]
    event, _ = _report_event(bundle)
    rules = [
        attribute["value"]
        for misp_object in event.get("Object", [])
        if misp_object["name"] == "yara"
        for attribute in misp_object["Attribute"]
        if attribute["object_relation"] == "yara"
    ]
    assert rules == [indicator["pattern"]]
    assert "rule CISA_10328929_01 : trojan webshell exploit CVE_2021_27065" in rules[0]
