"""Every type of the README's support table has a builder test and an error test (issue 10).

The types tests/test_builders.py builds and refuses are not repeated here; this file adds the
rest: what campaign, identity, location, intrusion-set, report and ipv6-addr builders make
(expectations written from the STIX 2.1 specification), and for every supported type one
mistake, reported as one line at the file line of the offending key, found here by PyYAML's
own composer rather than by the loader under test. Attack-pattern lives with the technique
catalogue tests (tests/test_facts.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_builders import BASE, OBSERVABLES, SOURCE, build, errors, object_id, of_type, sco_id

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _line_of(path: Path, key_path: str) -> int:
    """The 1-based line of ``a[0].b`` in the YAML file, from the composed node tree: a list
    element's own line, a scalar value's line, or the key's line for a mapping or list value."""
    node = yaml.compose(path.read_text(encoding="utf-8"))
    mark = node.start_mark
    for step in re.findall(r"[^.\[\]]+|\[\d+\]", key_path):
        if step.startswith("["):
            node = node.value[int(step[1:-1])]
            mark = node.start_mark
            continue
        key, node = next((k, v) for k, v in node.value if k.value == step)
        mark = node.start_mark if isinstance(node, yaml.ScalarNode) else key.start_mark
    return int(mark.line) + 1


CASES: dict[str, tuple[dict[str, Any], str, str]] = {
    # type: (sections, key path, words the line must carry)
    "identity": (
        {"identities": [*BASE["identities"], {"key": "x", "name": "X", "identity_class":
                        "guild", "facts": ["F1"], "description": "x"}]},
        "identities[1].identity_class", "'guild' is not in the STIX vocabulary identity-class-ov",
    ),
    "location": (
        {"locations": [{"key": "l", "name": "L", "region": "middle-earth", "facts": ["F1"]}]},
        "locations[0].region", "'middle-earth' is not in the STIX vocabulary region-ov",
    ),
    "threat-actor": (
        {"threat_actors": [{"key": "a", "name": "A", "threat_actor_types": ["pirates"],
                            "facts": ["F5"], "description": "x"}]},
        "threat_actors[0].threat_actor_types[0]", "threat-actor-type-ov",
    ),
    "intrusion-set": (
        {"intrusion_sets": [{"key": "i", "name": "I", "resource_level": "galactic",
                             "facts": ["F5"], "description": "x"}]},
        "intrusion_sets[0].resource_level", "attack-resource-level-ov",
    ),
    "campaign": (
        {"campaigns": [{"key": "c", "name": "C", "first_seen": "2023-02-01T00:00:00Z",
                        "last_seen": "2023-01-01T00:00:00Z", "facts": ["F5"],
                        "description": "x"}]},
        "campaigns[0].last_seen", "must be at or after first_seen",
    ),
    "infrastructure": (
        {"infrastructure": [{"key": "c2", "name": "C2", "infrastructure_types": ["castle"],
                             "facts": ["F2"], "description": "x"}]},
        "infrastructure[0].infrastructure_types[0]", "infrastructure-type-ov",
    ),
    "course-of-action": (
        {"courses_of_action": [{"key": "p", "name": "Patch", "facts": ["F6"]}]},
        "courses_of_action[0]", "needs `description`",
    ),
    "observed-data": (
        {"observables": OBSERVABLES[:1], "observed_data": [{"key": "s", "first_observed":
         "2023-03-01T00:00:00Z", "last_observed": "2023-03-31T00:00:00Z", "number_observed": 0,
         "observables": ["ipv4-addr/c2-ip"], "facts": ["F3"]}]},
        "observed_data[0].number_observed", "less than the minimum of 1",  # spec: 1 to 999999999
    ),
    "note": (
        {"notes": [{"key": "n", "content": "c", "object_refs": ["tool/none"], "facts": ["F5"]}]},
        "notes[0].object_refs[0]", "no object 'tool/none' is declared in this file",
    ),
    "grouping": (
        {"groupings": [{"key": "g", "name": "G", "context": "whatever",
                        "object_refs": ["identity/example-cert"], "facts": ["F5"]}]},
        "groupings[0].context", "grouping-context-ov",
    ),
    "report": (
        {"report": {"report_types": ["gossip"]}},
        "report.report_types[0]", "'gossip' is not in the STIX vocabulary report-type-ov",
    ),
    "ipv4-addr": (
        {"observables": [{"key": "v4", "type": "ipv4-addr", "value": "192.0.2.256",
                          "facts": ["F2"]}]},
        "observables[0].value", "192.0.2.256",
    ),
    "ipv6-addr": (
        {"observables": [{"key": "v6", "type": "ipv6-addr", "value": "2001:db8::zz",
                          "facts": ["F2"]}]},
        "observables[0].value", "is not an IPv6 address or CIDR block",
    ),
    "domain-name": (
        {"observables": [{"key": "d", "type": "domain-name", "value": "c2..example.com",
                          "facts": ["F3"]}]},
        "observables[0].value", "has an empty label",
    ),
    "url": (
        {"observables": [{"key": "u", "type": "url", "value": "gate.php", "facts": ["F2"]}]},
        "observables[0].value", "is not a URL",
    ),
    "email-addr": (
        {"observables": [{"key": "e", "type": "email-addr", "value": "attacker",
                          "facts": ["F4"]}]},
        "observables[0].value", "is not an email address",
    ),
    "file": (
        {"observables": [{"key": "f", "type": "file", "hashes": {"SHA-256": "a" * 63},
                          "facts": ["F1"]}]},
        "observables[0].hashes.SHA-256", "64 hex digits",
    ),
    "network-traffic": (
        {"observables": [*OBSERVABLES[:1], {"key": "n", "type": "network-traffic", "dst":
                         "ipv4-addr/c2-ip", "src_port": 1, "dst_port": 70000,
                         "protocols": ["tcp"], "facts": ["F2"]}]},
        "observables[1].dst_port", "greater than the maximum of 65535",
    ),
}  # fmt: skip


@pytest.mark.parametrize("stix_type", sorted(CASES))
def test_a_mistake_in_each_type_is_one_line_at_its_key(tmp_path: Path, stix_type: str) -> None:
    sections, key_path, words = CASES[stix_type]
    (line,) = errors(tmp_path, **sections)
    expected_line = _line_of(tmp_path / "example.yaml", key_path)
    assert line.startswith(f"example.yaml:{expected_line}: {key_path}: "), line
    assert words in line, line


def _support_table() -> dict[str, str]:
    """README's support table: type -> its mark (a check mark, or the dash of "not")."""
    table = README.split("### STIX 2.1 support", 1)[1].split("\nCommon properties:", 1)[0]
    rows: dict[str, str] = {}
    for row in table.splitlines():
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        if len(cells) >= 2 and cells[1] in ("✓", "\N{EN DASH}"):
            rows |= {name.strip(): cells[1] for name in cells[0].split(",")}
    return rows


def test_the_support_table_names_every_stix_2_1_object_type() -> None:
    # STIX 2.1: 19 SDOs (section 4), 2 SROs (section 5), 18 SCOs (section 6), and the
    # meta objects language-content, marking-definition and extension-definition (section 7)
    sdos = {
        "attack-pattern",
        "campaign",
        "course-of-action",
        "grouping",
        "identity",
        "incident",
        "indicator",
        "infrastructure",
        "intrusion-set",
        "location",
        "malware",
        "malware-analysis",
        "note",
        "observed-data",
        "opinion",
        "report",
        "threat-actor",
        "tool",
        "vulnerability",
    }
    scos = {
        "artifact",
        "autonomous-system",
        "directory",
        "domain-name",
        "email-addr",
        "email-message",
        "file",
        "ipv4-addr",
        "ipv6-addr",
        "mac-addr",
        "mutex",
        "network-traffic",
        "process",
        "software",
        "url",
        "user-account",
        "windows-registry-key",
        "x509-certificate",
    }
    meta = {"language-content", "marking-definition", "extension-definition"}
    assert (len(sdos), len(scos)) == (19, 18)
    assert set(_support_table()) == sdos | scos | meta | {"relationship", "sighting"}


def test_every_supported_type_of_the_readme_table_is_covered() -> None:
    supported = {name for name, mark in _support_table().items() if mark == "✓"}
    # built and refused in tests/test_builders.py; attack-pattern in tests/test_facts.py
    elsewhere = {"attack-pattern", "indicator", "malware", "tool", "vulnerability",
                 "sighting", "opinion", "relationship", "marking-definition"}  # fmt: skip
    assert supported == set(CASES) | elsewhere, supported ^ (set(CASES) | elsewhere)


V6_SOURCE = SOURCE + "A fallback server listened on 2001:db8::10 from 1 March 2023.\n"
V6_FACT = {"id": "F8", "claim": "A fallback server.", "wording": "observed",
           "quote": "A fallback server listened on 2001:db8::10 from 1 March 2023."}  # fmt: skip


def test_campaign_identity_location_intrusion_set_report_and_ipv6(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("test_builders.SOURCE", V6_SOURCE)
    objects = build(
        tmp_path,
        report={"facts": [*BASE["report"]["facts"], "F8"], "report_types": ["threat-actor"]},
        facts=[*BASE["facts"], V6_FACT],
        identities=[*BASE["identities"], {"key": "victim", "name": "Example Ministry",
                    "identity_class": "organization", "sectors": ["government-national"],
                    "roles": ["target"], "contact_information": "soc@example.org",
                    "facts": ["F4"], "description": "The target."}],
        locations=[{"key": "ruritania", "name": "Ruritania", "country": "DE", "region":
                    "western-europe", "city": "Berlin", "latitude": 52.52, "longitude": 13.405,
                    "precision": 1000.0, "facts": ["F3"]}],
        intrusion_sets=[{"key": "set", "name": "Example Set", "aliases": ["ES"],
                         "goals": ["Access"], "resource_level": "organization",
                         "primary_motivation": "personal-gain",
                         "first_seen": "2022-01-01T00:00:00Z", "facts": ["F5"],
                         "description": "x"}],
        campaigns=[{"key": "wave", "name": "Example wave", "aliases": ["Wave 1"],
                    "objective": "Ransom", "first_seen": "2023-03-01T00:00:00Z",
                    "last_seen": "2023-03-31T00:00:00Z", "facts": ["F5"],
                    "description": "x"}],
        observables=[{"key": "fallback", "type": "ipv6-addr", "value": "2001:db8::10",
                      "facts": ["F8"]}],
        relationships=[
            {"source": "campaign/wave", "type": "attributed-to", "target": "intrusion-set/set",
             "facts": ["F5"]},
            {"source": "campaign/wave", "type": "targets", "target": "identity/victim",
             "facts": ["F4"]},
            {"source": "identity/victim", "type": "located-at", "target": "location/ruritania",
             "facts": ["F3"]},
        ],
    )  # fmt: skip
    (campaign,) = of_type(objects, "campaign")
    assert campaign["id"] == object_id("campaign", "wave")
    assert campaign["aliases"] == ["Wave 1"] and campaign["objective"] == "Ransom"
    assert (campaign["first_seen"], campaign["last_seen"]) == (
        "2023-03-01T00:00:00Z",
        "2023-03-31T00:00:00Z",
    )
    victim = objects[object_id("identity", "victim")]
    assert victim["identity_class"] == "organization" and victim["roles"] == ["target"]
    assert victim["sectors"] == ["government-national"]
    assert victim["contact_information"] == "soc@example.org"
    (location,) = of_type(objects, "location")
    assert (location["country"], location["region"], location["city"]) == (
        "DE",
        "western-europe",
        "Berlin",
    )
    assert (location["latitude"], location["longitude"], location["precision"]) == (
        52.52,
        13.405,
        1000.0,
    )
    (intrusion_set,) = of_type(objects, "intrusion-set")
    assert intrusion_set["aliases"] == ["ES"] and intrusion_set["goals"] == ["Access"]
    assert intrusion_set["resource_level"] == "organization"
    assert intrusion_set["primary_motivation"] == "personal-gain"
    (report,) = of_type(objects, "report")
    assert report["id"] == object_id("report", "example-advisory")
    assert report["report_types"] == ["threat-actor"] and report["published"].startswith(
        "2023-04-01T00:00:00"
    )
    # the report refers to every object of the bundle but itself and the marking definitions
    assert set(report["object_refs"]) == {
        i for i, o in objects.items() if o["type"] not in ("report", "marking-definition")
    }
    v6 = objects[sco_id("ipv6-addr", {"value": "2001:db8::10"})]
    assert v6["value"] == "2001:db8::10"


# every key the facts schema constrains by a pattern, given a value that breaks it
PATTERN_CASES: dict[str, tuple[dict[str, Any], str]] = {
    "lang": ({"report": {"lang": "english!"}}, "is not a language tag"),
    "source_text": ({"report": {"source_text": "../etc/passwd"}}, "is not the name of a .txt"),
    "country": (
        {"locations": [{"key": "l", "name": "L", "country": "de", "facts": ["F1"]}]},
        "is not a country code",
    ),
    "ref": (
        {"groupings": [{"key": "g", "name": "G", "context": "suspicious-activity",
                        "object_refs": ["Identity/Example-Cert"], "facts": ["F5"]}]},
        "is not a reference to an object",
    ),
    "kill_chain": (
        {"tools": [{"key": "t", "name": "T", "kill_chain_phases": [{"kill_chain": "Mitre ATT&CK",
                    "phase": "execution"}], "facts": ["F5"], "description": "x"}]},
        "is not a name of lower case letters, digits and '-'",
    ),
    "protocols": (
        {"observables": [*OBSERVABLES[:1], {"key": "n", "type": "network-traffic", "dst":
                         "ipv4-addr/c2-ip", "src_port": 1, "dst_port": 443,
                         "protocols": ["TCP/IP"], "facts": ["F2"]}]},
        "is not a name of lower case letters, digits and '-'",
    ),
    "url": (
        {"report": {"external_references": [{"source_name": "x", "url": "ftp://x"}]}},
        "is not an https URL",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(PATTERN_CASES))
def test_shape_errors_use_the_formats_words_not_the_schemas(tmp_path: Path, case: str) -> None:
    sections, words = PATTERN_CASES[case]
    lines = errors(tmp_path, **sections)
    assert any(words in line for line in lines), lines
    for line in lines:  # no regular expression, no JSON Schema keyword
        assert not re.search(r"\^|\$'|\$\"|does not match|anyOf|oneOf|is not valid under", line)
