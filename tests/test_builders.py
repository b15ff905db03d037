"""Every STIX type the facts format supports: what its builder makes (against expectations
written from the STIX 2.1 specification, not from the code), and how a mistake is reported.

The fixture is fictional (documentation addresses and example domains), like
facts_examples/example-iran-style.yaml; real reports are the built-in ones.
"""

from __future__ import annotations

import json
import textwrap
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from stix2validator import ValidationOptions, validate_instance

from stix_mtac.build import build_bundle, build_bundles, load_facts
from stix_mtac.errors import FactsError

# STIX 2.1 section 2.9: the namespace of deterministic cyber-observable ids.
SCO_NAMESPACE = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")
# The project namespace (README, ids.py), pinned here independently.
NAMESPACE = uuid.UUID("48ed5bdf-d56b-485f-9e36-537fcbcae91e")
TLP2 = {  # OASIS cti-stix-common-objects, extension-definition-specifications/tlp-2.0
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
TLP1 = {  # STIX 2.1 section 7.2.1.4
    "white": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
    "green": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
    "amber": "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
    "red": "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
}
SHA256 = "a" * 64
MD5 = "b" * 32
SOURCE = textwrap.dedent(
    f"""\
    The actor ran a web shell whose SHA-256 is {SHA256} and MD5 {MD5}.
    It beaconed to 192.0.2[.]10 over HTTPS and to hxxp://c2.example[.]com/gate.php daily.
    The domain c2.example[.]com resolved to 192.0.2[.]10 throughout March 2023.
    Phishing mail came from attacker[@]example.org and exploited CVE-2021-44228.
    Operators used Cobalt Strike and the ExampleLocker ransomware family.
    Patch Log4j and block the listed addresses.
    We agree with earlier reporting that this is the same actor.
    """
)
BASE: dict[str, Any] = {
    "schema_version": 2,
    "report": {
        "key": "example-advisory",
        "title": "Example advisory",
        "published": "2023-04-01",
        "timestamp": "2023-04-01T00:00:00.000Z",
        "source_text": "example.source.txt",
        "authors": ["identity/example-cert"],
        "cited_as": "Example CERT advisory",
        "lang": "en",
        "facts": ["F1", "F2", "F3", "F4", "F5", "F6", "F7"],
        "description": "A fictional advisory for the tests.",
    },
    "markings": {"default": ["tlp2:green"]},
    "facts": [
        {
            "id": "F1",
            "claim": "The actor ran a web shell.",
            "quote": f"The actor ran a web shell whose SHA-256 is {SHA256} and MD5 {MD5}.",
            "wording": "observed",
        },
        {
            "id": "F2",
            "claim": "It beaconed to an IP and a URL.",
            "quote": "It beaconed to 192.0.2[.]10 over HTTPS and to "
            "hxxp://c2.example[.]com/gate.php daily.",
            "wording": "observed",
        },
        {
            "id": "F3",
            "claim": "The domain resolved to the IP.",
            "quote": "The domain c2.example[.]com resolved to 192.0.2[.]10 throughout March 2023.",
            "wording": "stated",
        },
        {
            "id": "F4",
            "claim": "Phishing from an address exploiting Log4Shell.",
            "quote": "Phishing mail came from attacker[@]example.org and exploited CVE-2021-44228.",
            "wording": "stated",
        },
        {
            "id": "F5",
            "claim": "Cobalt Strike and ExampleLocker.",
            "quote": "Operators used Cobalt Strike and the ExampleLocker ransomware family.",
            "wording": "stated",
        },
        {
            "id": "F6",
            "claim": "Mitigations.",
            "quote": "Patch Log4j and block the listed addresses.",
            "wording": "stated",
        },
        {
            "id": "F7",
            "claim": "Agreement with earlier reporting.",
            "quote": "We agree with earlier reporting that this is the same actor.",
            "wording": "likely",
        },
    ],
    "identities": [
        {
            "key": "example-cert",
            "name": "Example CERT",
            "identity_class": "organization",
            "sectors": ["government-national"],
            "facts": ["F1"],
            "description": "The fictional author.",
        }
    ],
}


def write_facts(tmp_path: Path, **sections: Any) -> Path:
    data = json.loads(json.dumps(BASE))
    for name, value in sections.items():
        if name == "report":
            data["report"].update(value)
        else:
            data[name] = value
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "example.source.txt").write_text(SOURCE, encoding="utf-8")
    path = tmp_path / "example.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def build(tmp_path: Path, strict: bool = True, **sections: Any) -> dict[str, dict[str, Any]]:
    """The bundle's objects by id, after checking it is valid (strict unless told)."""
    bundle = build_bundle(load_facts(write_facts(tmp_path, **sections))).bundle
    results = validate_instance(
        bundle, ValidationOptions(strict=strict, enforce_refs=True, disabled="103,302")
    )
    assert results.is_valid, [str(error) for error in results.errors]
    return {obj["id"]: obj for obj in bundle["objects"]}


def errors(tmp_path: Path, **sections: Any) -> list[str]:
    with pytest.raises(FactsError) as caught:
        load_facts(write_facts(tmp_path, **sections))
    return caught.value.lines()


def of_type(objects: dict[str, dict[str, Any]], stix_type: str) -> list[dict[str, Any]]:
    return [obj for obj in objects.values() if obj["type"] == stix_type]


def object_id(stix_type: str, key: str) -> str:
    return f"{stix_type}--{uuid.uuid5(NAMESPACE, f'{stix_type}/stix-mtac/{key}')}"


def sco_id(stix_type: str, contributing: dict[str, Any]) -> str:
    """Section 2.9: UUIDv5 over the JCS-canonical JSON of the id-contributing properties."""
    text = json.dumps(contributing, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return f"{stix_type}--{uuid.uuid5(SCO_NAMESPACE, text)}"


OBSERVABLES = [
    {"key": "c2-ip", "type": "ipv4-addr", "value": "192.0.2[.]10", "facts": ["F2"]},
    {"key": "c2-domain", "type": "domain-name", "value": "c2.example[.]com", "facts": ["F3"],
     "resolves_to": ["ipv4-addr/c2-ip"]},
    {"key": "c2-url", "type": "url", "value": "hxxp://c2.example[.]com/gate.php",
     "facts": ["F2"]},
    {"key": "sender", "type": "email-addr", "value": "attacker[@]example.org", "facts": ["F4"]},
    {"key": "shell", "type": "file", "name": "shell.aspx",
     "hashes": {"SHA-256": SHA256, "MD5": MD5}, "facts": ["F1"]},
    {"key": "c2-https", "type": "network-traffic", "dst": "ipv4-addr/c2-ip", "src_port": 49152,
     "dst_port": 443, "protocols": ["tcp", "https"], "facts": ["F2"]},
]  # fmt: skip


# ---- observables ---------------------------------------------------------------------------


def test_observables_are_refanged_with_the_spec_deterministic_ids(tmp_path: Path) -> None:
    objects = build(tmp_path, observables=OBSERVABLES)
    ip_id = sco_id("ipv4-addr", {"value": "192.0.2.10"})
    assert objects[ip_id]["value"] == "192.0.2.10"
    domain = objects[sco_id("domain-name", {"value": "c2.example.com"})]
    assert domain["resolves_to_refs"] == [ip_id]
    assert objects[sco_id("url", {"value": "http://c2.example.com/gate.php"})]
    assert objects[sco_id("email-addr", {"value": "attacker@example.org"})]
    # file: hashes and name contribute to the id; of the hashes only one, the first of MD5,
    # SHA-1, SHA-256, SHA-512 present (section 2.9).
    shell = objects[sco_id("file", {"hashes": {"MD5": MD5}, "name": "shell.aspx"})]
    assert shell["name"] == "shell.aspx"
    traffic = of_type(objects, "network-traffic")[0]
    assert traffic["dst_ref"] == ip_id and traffic["protocols"] == ["tcp", "https"]
    assert traffic["id"] == sco_id(
        "network-traffic",
        {"dst_port": 443, "dst_ref": ip_id, "protocols": ["tcp", "https"], "src_port": 49152},
    )
    # SCOs carry markings but no created_by_ref, timestamps or confidence.
    for obj in of_type(objects, "ipv4-addr"):
        assert obj["object_marking_refs"] == [TLP2["green"]]
        assert not {"created_by_ref", "created", "confidence"} & set(obj)


def test_a_malformed_ioc_is_one_line_at_its_value(tmp_path: Path) -> None:
    bad = [{"key": "ip", "type": "ipv4-addr", "value": "192.0.2[.]300", "facts": ["F2"]}]
    (line,) = errors(tmp_path, observables=bad)
    assert line.startswith("example.yaml:") and "observables[0].value: " in line


def test_an_ioc_missing_from_its_quote_is_refused(tmp_path: Path) -> None:
    absent = [{"key": "ip", "type": "ipv4-addr", "value": "198.51.100.7", "facts": ["F2"]}]
    (line,) = errors(tmp_path, observables=absent)
    assert "observables[0].value: '198.51.100.7' does not occur in the quote of its facts" in line


def test_an_observable_key_of_another_type_is_refused(tmp_path: Path) -> None:
    wrong = [{"key": "ip", "type": "ipv4-addr", "value": "192.0.2.10", "hashes": {"MD5": MD5},
              "facts": ["F2"]}]  # fmt: skip
    (line,) = errors(tmp_path, observables=wrong)
    assert "observables[0].hashes: `hashes` is not a key of a ipv4-addr observable" in line


# ---- indicator, observed-data, sighting ----------------------------------------------------


def test_indicator_pattern_is_built_from_its_observables(tmp_path: Path) -> None:
    indicator = {
        "key": "c2",
        "name": "Example C2",
        "indicator_types": ["malicious-activity"],
        "observables": ["ipv4-addr/c2-ip", "file/shell", "url/c2-url"],
        "valid_from": "2023-04-01T00:00:00Z",
        "valid_until": "2024-04-01T00:00:00Z",
        "kill_chain_phases": [{"kill_chain": "mitre-attack", "phase": "command-and-control"}],
        "facts": ["F1", "F2"],
        "description": "Addresses and hashes.",
    }
    objects = build(tmp_path, observables=OBSERVABLES, indicators=[indicator])
    (built,) = of_type(objects, "indicator")
    assert built["pattern"] == (
        "[ipv4-addr:value = '192.0.2.10'] OR "
        f"[file:hashes.'SHA-256' = '{SHA256}' OR file:hashes.MD5 = '{MD5}'] OR "
        "[url:value = 'http://c2.example.com/gate.php']"
    )
    assert built["pattern_type"] == "stix"
    assert built["valid_until"] == "2024-04-01T00:00:00Z"
    assert built["kill_chain_phases"] == [
        {"kill_chain_name": "mitre-attack", "phase_name": "command-and-control"}
    ]
    assert built["id"] == object_id("indicator", "c2")
    assert built["lang"] == "en" and built["confidence"] == 90


def test_a_given_stix_pattern_is_checked_by_the_grammar(tmp_path: Path) -> None:
    indicator = {"key": "bad", "name": "Bad", "pattern": "[ipv4-addr:value = ", "pattern_type":
                 "stix", "facts": ["F2"], "description": "x"}  # fmt: skip
    (line,) = errors(tmp_path, indicators=[indicator])
    assert "indicators[0].pattern: not a STIX pattern:" in line


def test_valid_until_must_follow_valid_from(tmp_path: Path) -> None:
    indicator = {"key": "c2", "name": "C2", "observables": ["ipv4-addr/c2-ip"],
                 "valid_from": "2023-04-01T00:00:00Z", "valid_until": "2023-04-01T00:00:00Z",
                 "facts": ["F2"], "description": "x"}  # fmt: skip
    (line,) = errors(tmp_path, observables=OBSERVABLES[:1], indicators=[indicator])
    assert "indicators[0].valid_until: '2023-04-01T00:00:00Z' must be after valid_from" in line


def test_observed_data_and_sighting(tmp_path: Path) -> None:
    observed = {
        "key": "seen",
        "first_observed": "2023-03-01T00:00:00Z",
        "last_observed": "2023-03-31T00:00:00Z",
        "number_observed": 30,
        "observables": ["ipv4-addr/c2-ip", "network-traffic/c2-https"],
        "facts": ["F3"],
    }
    malware = {
        "key": "shell",
        "name": "Example web shell",
        "is_family": False,
        "malware_types": ["webshell"],
        "samples": ["file/shell"],
        "facts": ["F1"],
        "description": "The sample.",
    }
    sighting = {"key": "at-victim", "sighting_of": "malware/shell",
                "observed_data": ["observed-data/seen"], "where_sighted": ["identity/example-cert"],
                "first_seen": "2023-03-01T00:00:00Z", "count": 1, "facts": ["F1"],
                "description": "Seen once."}  # fmt: skip
    objects = build(
        tmp_path,
        observables=OBSERVABLES,
        observed_data=[observed],
        malware=[malware],
        sightings=[sighting],
    )
    (data,) = of_type(objects, "observed-data")
    ip_id = sco_id("ipv4-addr", {"value": "192.0.2.10"})
    assert data["number_observed"] == 30 and ip_id in data["object_refs"]
    (seen,) = of_type(objects, "sighting")
    assert seen["sighting_of_ref"] == object_id("malware", "shell")
    assert seen["observed_data_refs"] == [object_id("observed-data", "seen")]
    assert seen["where_sighted_refs"] == [object_id("identity", "example-cert")]
    (sample,) = of_type(objects, "malware")
    assert sample["is_family"] is False
    assert sample["sample_refs"] == [sco_id("file", {"hashes": {"MD5": MD5}, "name": "shell.aspx"})]


def test_a_sighting_of_an_observable_is_refused(tmp_path: Path) -> None:
    sighting = {"key": "s", "sighting_of": "ipv4-addr/c2-ip", "facts": ["F2"]}
    (line,) = errors(tmp_path, observables=OBSERVABLES[:1], sightings=[sighting])
    assert "sightings[0].sighting_of: 'ipv4-addr/c2-ip' is a ipv4-addr; expected one of:" in line


# ---- malware, tool, vulnerability, infrastructure, course-of-action --------------------------


def test_malware_family_tool_vulnerability_infrastructure_course_of_action(tmp_path: Path) -> None:
    objects = build(
        tmp_path,
        malware=[{"key": "examplelocker", "name": "ExampleLocker", "is_family": True,
                  "aliases": ["ELock"], "malware_types": ["ransomware"],
                  "capabilities": ["evades-av", "communicates-with-c2"],
                  "kill_chain_phases": [
                      {"kill_chain": "mitre-attack", "phase": "execution"},
                      {"kill_chain": "mitre-attack", "phase": "impact"}],
                  "first_seen": "2022-01-01T00:00:00Z", "facts": ["F5"],
                  "description": "Ransomware."}],
        tools=[{"key": "cobalt-strike", "name": "Cobalt Strike", "tool_types": ["remote-access"],
                "facts": ["F5"], "description": "Post-exploitation framework."}],
        vulnerabilities=[{"key": "log4shell", "name": "CVE-2021-44228", "cve": "CVE-2021-44228",
                          "facts": ["F4"], "description": "Log4Shell."}],
        infrastructure=[{"key": "c2", "name": "Example C2", "infrastructure_types":
                         ["command-and-control"], "facts": ["F2"], "description": "C2."}],
        courses_of_action=[{"key": "patch", "name": "Patch Log4j", "facts": ["F6"],
                            "description": "Patch."}],
        relationships=[
            {"source": "malware/examplelocker", "type": "exploits",
             "target": "vulnerability/log4shell", "facts": ["F4"],
             "start_time": "2022-01-01T00:00:00Z", "stop_time": "2023-01-01T00:00:00Z"},
            {"source": "course-of-action/patch", "type": "mitigates",
             "target": "vulnerability/log4shell", "facts": ["F6"]},
            {"source": "malware/examplelocker", "type": "beacons-to",
             "target": "infrastructure/c2", "facts": ["F2"]},
        ],
    )  # fmt: skip
    (family,) = of_type(objects, "malware")
    assert family["is_family"] is True and family["aliases"] == ["ELock"]
    assert family["capabilities"] == ["evades-av", "communicates-with-c2"]
    assert [phase["phase_name"] for phase in family["kill_chain_phases"]] == ["execution", "impact"]
    assert "Exploits: CVE-2021-44228." in family["description"]
    (vulnerability,) = of_type(objects, "vulnerability")
    assert vulnerability["external_references"] == [
        {"source_name": "cve", "external_id": "CVE-2021-44228",
         "url": "https://www.cve.org/CVERecord?id=CVE-2021-44228"}
    ]  # fmt: skip
    (tool,) = of_type(objects, "tool")
    assert tool["tool_types"] == ["remote-access"]
    assert of_type(objects, "infrastructure")[0]["infrastructure_types"] == ["command-and-control"]
    assert of_type(objects, "course-of-action")[0]["name"] == "Patch Log4j"
    exploits = next(
        r for r in of_type(objects, "relationship") if r["relationship_type"] == "exploits"
    )
    assert exploits["start_time"] == "2022-01-01T00:00:00Z"
    assert exploits["stop_time"] == "2023-01-01T00:00:00Z"
    assert exploits["description"].startswith("ExampleLocker exploits CVE-2021-44228.")


def test_malware_vocabulary_and_family_rules(tmp_path: Path) -> None:
    lines = errors(
        tmp_path,
        malware=[{"key": "x", "name": "X", "is_family": False, "aliases": ["Y"],
                  "malware_types": ["virus-ish"], "facts": ["F5"], "description": "x"}],
    )  # fmt: skip
    assert any("malware[0].aliases: only a malware family" in line for line in lines)
    assert any(
        "'virus-ish' is not in the STIX vocabulary malware-type-ov" in line for line in lines
    )


def test_a_bad_cve_id_is_refused(tmp_path: Path) -> None:
    (line,) = errors(
        tmp_path,
        vulnerabilities=[{"key": "v", "name": "v", "cve": "CVE-21-1", "facts": ["F4"],
                          "description": "x"}],
    )  # fmt: skip
    assert "vulnerabilities[0].cve: 'CVE-21-1' is not a CVE id" in line


def test_a_kill_chain_phase_not_in_its_catalogue_is_refused(tmp_path: Path) -> None:
    (line,) = errors(
        tmp_path,
        tools=[{"key": "t", "name": "T", "kill_chain_phases": [
            {"kill_chain": "mitre-attack", "phase": "not-a-tactic"}], "facts": ["F5"],
            "description": "x"}],
    )  # fmt: skip
    assert (
        "tools[0].kill_chain_phases[0].phase: 'not-a-tactic' is not a phase of mitre-attack" in line
    )


# ---- note, opinion, grouping ---------------------------------------------------------------


def test_note_opinion_grouping(tmp_path: Path) -> None:
    objects = build(
        tmp_path,
        tools=[{"key": "cobalt-strike", "name": "Cobalt Strike", "facts": ["F5"],
                "description": "x"}],
        notes=[{"key": "n", "abstract": "Caveat", "content": "Versions unknown.",
                "object_refs": ["tool/cobalt-strike"], "facts": ["F5"]}],
        opinions=[{"key": "o", "opinion": "agree", "explanation": "Same actor.",
                   "object_refs": ["tool/cobalt-strike"], "facts": ["F7"]}],
        groupings=[{"key": "g", "name": "Tools", "context": "suspicious-activity",
                    "object_refs": ["tool/cobalt-strike"], "facts": ["F5"]}],
    )  # fmt: skip
    tool_id = object_id("tool", "cobalt-strike")
    (note,) = of_type(objects, "note")
    assert note["object_refs"] == [tool_id] and note["abstract"] == "Caveat"
    assert note["content"].startswith('Versions unknown.\n\nSource:\n- "Operators used')
    (opinion,) = of_type(objects, "opinion")
    assert opinion["opinion"] == "agree" and opinion["confidence"] == 70
    (grouping,) = of_type(objects, "grouping")
    assert grouping["context"] == "suspicious-activity" and grouping["object_refs"] == [tool_id]


def test_an_opinion_outside_the_enumeration_is_refused(tmp_path: Path) -> None:
    (line,) = errors(
        tmp_path,
        opinions=[{"key": "o", "opinion": "maybe", "object_refs": ["identity/example-cert"],
                   "facts": ["F7"]}],
    )  # fmt: skip
    assert "opinions[0].opinion: 'maybe' is not in the STIX vocabulary opinion-enum" in line


# ---- SDO properties, relationships ---------------------------------------------------------


def test_sdo_properties_a_report_can_state(tmp_path: Path) -> None:
    objects = build(
        tmp_path,
        threat_actors=[{"key": "a", "name": "Actor", "threat_actor_types": ["crime-syndicate"],
                        "aliases": ["Actor Alias"], "roles": ["agent"], "goals": ["Money"],
                        "secondary_motivations": ["dominance"], "first_seen":
                        "2019-01-01T00:00:00Z", "last_seen": "2023-01-01T00:00:00Z",
                        "labels": ["ransomware"], "lang": "en-GB",
                        "external_references": [{"source_name": "Example", "url":
                                                 "https://example.org/actor"}],
                        "facts": ["F5"], "description": "x"}],
        intrusion_sets=[{"key": "i", "name": "Set", "last_seen": "2023-01-01T00:00:00Z",
                         "facts": ["F5"], "description": "x"}],
    )  # fmt: skip
    (actor,) = of_type(objects, "threat-actor")
    assert actor["aliases"] == ["Actor Alias"] and actor["roles"] == ["agent"]
    assert actor["secondary_motivations"] == ["dominance"]
    assert actor["last_seen"] == "2023-01-01T00:00:00Z" and actor["labels"] == ["ransomware"]
    assert actor["lang"] == "en-GB"
    assert actor["external_references"] == [
        {"source_name": "Example", "url": "https://example.org/actor"}
    ]
    assert of_type(objects, "intrusion-set")[0]["last_seen"] == "2023-01-01T00:00:00Z"


def test_an_unsuggested_relationship_needs_a_reason(tmp_path: Path) -> None:
    tools = [{"key": "t", "name": "T", "facts": ["F5"], "description": "x"}]
    rel = {"source": "tool/t", "type": "hosts", "target": "identity/example-cert", "facts": ["F5"]}
    (line,) = errors(tmp_path, tools=tools, relationships=[rel])
    assert "relationships[0].type: tool hosts identity is not a relationship the STIX 2.1" in line
    assert "say why in `unsuggested:`" in line
    # The opt-in builds a valid bundle; stix2-validator --strict warns about it (202), as it
    # should: the built-in reports never use it.
    opted = [{**rel, "unsuggested": "the report"}]
    objects = build(tmp_path, strict=False, tools=tools, relationships=opted)
    assert of_type(objects, "relationship")[0]["relationship_type"] == "hosts"


# ---- markings and authorship ---------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), [
    *((f"tlp2:{level}", marking) for level, marking in TLP2.items()),
    *((f"tlp1:{level}", marking) for level, marking in TLP1.items()),
])  # fmt: skip
def test_every_tlp_marking_is_the_published_definition(
    tmp_path: Path, name: str, expected: str
) -> None:
    objects = build(tmp_path, markings={"default": [name]})
    report = of_type(objects, "report")[0]
    assert report["object_marking_refs"] == [expected]
    assert expected in objects


def test_statement_and_per_object_markings(tmp_path: Path) -> None:
    objects = build(
        tmp_path,
        markings={"default": ["tlp2:clear", "statement/terms"],
                  "statements": [{"key": "terms", "statement": "Example terms of use."}]},
        tools=[{"key": "t", "name": "T", "markings": ["tlp2:amber+strict"], "facts": ["F5"],
                "description": "x"}],
    )  # fmt: skip
    statement_id = object_id("marking-definition", "terms")
    statement = objects[statement_id]
    assert statement["definition_type"] == "statement"
    assert statement["definition"] == {"statement": "Example terms of use."}
    assert of_type(objects, "report")[0]["object_marking_refs"] == [TLP2["clear"], statement_id]
    assert of_type(objects, "tool")[0]["object_marking_refs"] == [TLP2["amber+strict"]]


def test_two_tlp_markings_and_unknown_markings_are_refused(tmp_path: Path) -> None:
    lines = errors(tmp_path, markings={"default": ["tlp2:clear", "tlp2:red", "statement/none"]})
    assert any("at most one TLP marking per object" in line for line in lines)
    assert any("no statement marking 'statement/none'" in line for line in lines)
    (line,) = errors(tmp_path, markings={"default": ["tlp2:white"]})
    assert "unknown marking 'tlp2:white' (one of: tlp1:amber" in line


def test_authors_are_named_and_the_creator_is_the_project(tmp_path: Path) -> None:
    objects = build(
        tmp_path,
        report={"authors": ["identity/example-cert", "identity/second"]},
        identities=[*BASE["identities"], {"key": "second", "name": "Second Agency",
                    "identity_class": "organization", "facts": ["F1"], "description": "x"}],
    )  # fmt: skip
    creator = object_id("identity", "stix-mtac")
    assert {obj["created_by_ref"] for obj in objects.values() if "created_by_ref" in obj} == {
        creator
    }
    report = of_type(objects, "report")[0]
    assert "Written by: Example CERT; Second Agency." in report["description"]
    assert "(Example CERT advisory, fact F1, confidence 90)" in report["description"]
    assert "MTAC" not in json.dumps(list(objects.values()))


def test_an_author_must_be_a_declared_identity(tmp_path: Path) -> None:
    (line,) = errors(tmp_path, report={"authors": ["identity/nobody"]})
    assert "report.authors[0]: no object 'identity/nobody' is declared in this file" in line


# ---- versions across reports ---------------------------------------------------------------


def test_two_reports_sharing_an_object_give_it_the_earliest_created(tmp_path: Path) -> None:
    tool = {"key": "cobalt-strike", "name": "Cobalt Strike", "facts": ["F5"], "description": "x"}
    first = load_facts(write_facts(tmp_path / "a", tools=[tool]))
    later = load_facts(
        write_facts(
            tmp_path / "b",
            report={"key": "later", "timestamp": "2024-01-01T00:00:00.000Z"},
            tools=[{**tool, "description": "y"}],
        )
    )
    tool_id = object_id("tool", "cobalt-strike")
    for ordered in ([first, later], [later, first]):
        built = {result.name: result.bundle for result in build_bundles(ordered)}
        versions = [
            next(obj for obj in built[name]["objects"] if obj["id"] == tool_id)
            for name in ("example-advisory", "later")
        ]
        assert [obj["created"] for obj in versions] == ["2023-04-01T00:00:00.000Z"] * 2
        assert [obj["modified"] for obj in versions] == [
            "2023-04-01T00:00:00.000Z",
            "2024-01-01T00:00:00.000Z",
        ]


def test_two_reports_changing_a_shared_object_at_one_modified_are_refused(tmp_path: Path) -> None:
    tool = {"key": "cobalt-strike", "name": "Cobalt Strike", "facts": ["F5"], "description": "x"}
    first = load_facts(write_facts(tmp_path / "a", tools=[tool]))
    other = load_facts(
        write_facts(tmp_path / "b", report={"key": "other"}, tools=[{**tool, "description": "y"}])
    )
    with pytest.raises(FactsError) as caught:
        build_bundles([first, other])
    assert any(
        "tool 'Cobalt Strike'" in line and "give it a `modified:` of its own" in line
        for line in caught.value.lines()
    )
