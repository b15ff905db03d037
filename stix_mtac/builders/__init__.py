"""Facts -> stix2 objects, one module per family of STIX types.

Every builder is a pure function of the facts and a BuildContext: no clock, no randomness, no
network. ``BUILDERS`` maps each STIX type a facts file can declare to its builder.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from stix_mtac.builders.actors import build_intrusion_set, build_threat_actor
from stix_mtac.builders.campaigns import build_campaign
from stix_mtac.builders.common import BuildContext, StixObject
from stix_mtac.builders.identities import build_identity
from stix_mtac.builders.locations import build_location
from stix_mtac.builders.techniques import build_attack_pattern
from stix_mtac.facts import Entity

EntityBuilder = Callable[[Entity, BuildContext], StixObject]

BUILDERS: Mapping[str, EntityBuilder] = {
    "identity": build_identity,
    "location": build_location,
    "threat-actor": build_threat_actor,
    "intrusion-set": build_intrusion_set,
    "campaign": build_campaign,
    "attack-pattern": build_attack_pattern,
}

__all__ = ["BUILDERS", "BuildContext", "EntityBuilder", "StixObject"]
