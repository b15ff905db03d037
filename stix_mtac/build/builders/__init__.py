"""Facts -> stix2 objects, one module per family of STIX types.

Every builder is a pure function of the facts and a BuildContext: no clock, no randomness, no
network. ``BUILDERS`` maps each STIX type a facts file can declare to its builder; adding a
type is one builder module, its entry here, its section in ``data/facts/sections.yaml`` and its
shape in ``data/facts.schema.json``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from stix_mtac.build.builders.actors import build_intrusion_set, build_threat_actor
from stix_mtac.build.builders.campaigns import build_campaign
from stix_mtac.build.builders.capabilities import build_malware, build_tool
from stix_mtac.build.builders.commentary import build_grouping, build_note, build_opinion
from stix_mtac.build.builders.common import BuildContext, StixObject
from stix_mtac.build.builders.identities import build_identity
from stix_mtac.build.builders.indicators import build_indicator
from stix_mtac.build.builders.infrastructure import build_infrastructure
from stix_mtac.build.builders.locations import build_location
from stix_mtac.build.builders.mitigations import build_course_of_action
from stix_mtac.build.builders.observables import build_observable
from stix_mtac.build.builders.observations import build_observed_data, build_sighting
from stix_mtac.build.builders.techniques import build_attack_pattern
from stix_mtac.build.builders.vulnerabilities import build_vulnerability
from stix_mtac.build.facts import Entity

EntityBuilder = Callable[[Entity, BuildContext], StixObject]

BUILDERS: Mapping[str, EntityBuilder] = {
    "identity": build_identity,
    "location": build_location,
    "threat-actor": build_threat_actor,
    "intrusion-set": build_intrusion_set,
    "campaign": build_campaign,
    "attack-pattern": build_attack_pattern,
    "malware": build_malware,
    "tool": build_tool,
    "vulnerability": build_vulnerability,
    "infrastructure": build_infrastructure,
    "course-of-action": build_course_of_action,
    "indicator": build_indicator,
    "observed-data": build_observed_data,
    "sighting": build_sighting,
    "note": build_note,
    "opinion": build_opinion,
    "grouping": build_grouping,
    **{
        sco: build_observable
        for sco in (
            "ipv4-addr",
            "ipv6-addr",
            "domain-name",
            "url",
            "email-addr",
            "file",
            "network-traffic",
        )
    },
}

__all__ = ["BUILDERS", "BuildContext", "EntityBuilder", "StixObject"]
