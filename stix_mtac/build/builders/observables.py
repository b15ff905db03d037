"""Cyber-observable objects: the IPs, domains, URLs, e-mail addresses, files and connections
a report gives as IOCs.

Their ids are the STIX 2.1 deterministic ids (UUIDv5 over each type's id-contributing
properties, section 2.9), computed by stix2: the same IP has the same id in everyone's
bundles, which is what lets a TIP merge them. Values are stored refanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import stix2

from stix_mtac import iocs
from stix_mtac.build.builders.common import BuildContext, StixObject
from stix_mtac.build.facts import Entity

_CLASSES: Mapping[str, Callable[..., StixObject]] = {
    "ipv4-addr": stix2.v21.IPv4Address,
    "ipv6-addr": stix2.v21.IPv6Address,
    "domain-name": stix2.v21.DomainName,
    "url": stix2.v21.URL,
    "email-addr": stix2.v21.EmailAddress,
    "file": stix2.v21.File,
    "network-traffic": stix2.v21.NetworkTraffic,
}
# facts key -> STIX property, for keys that refer to other observables
_REFERENCES = {"resolves_to": "resolves_to_refs", "src": "src_ref", "dst": "dst_ref"}


def observable_values(entity: Entity) -> dict[str, Any]:
    """The observable's own STIX properties (no references), values refanged."""
    props = entity.properties
    values: dict[str, Any] = {}
    if "value" in props:
        values["value"] = iocs.refang(props["value"])
    if "hashes" in props:
        values["hashes"] = {name: iocs.refang(value) for name, value in props["hashes"].items()}
    for name in ("name", "size", "display_name", "src_port", "dst_port"):
        if name in props:
            values[name] = props[name]
    if "protocols" in props:
        values["protocols"] = list(props["protocols"])
    return values


def _references(entity: Entity, ids: Mapping[str, str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, prop in _REFERENCES.items():
        value = entity.properties.get(key)
        if isinstance(value, tuple):
            found[prop] = [ids[ref] for ref in value]
        elif isinstance(value, str):
            found[prop] = ids[value]
    return found


def observable_id(entity: Entity, ids: Mapping[str, str]) -> str:
    """The deterministic id, from the properties that contribute to it (and the ids of the
    observables it refers to, which network-traffic's id depends on)."""
    refs = _references(entity, ids) if entity.stix_type == "network-traffic" else {}
    obj = _CLASSES[entity.stix_type](allow_custom=False, **observable_values(entity), **refs)
    stix_id: str = obj["id"]
    return stix_id


def build_observable(entity: Entity, context: BuildContext) -> StixObject:
    obj = _CLASSES[entity.stix_type](
        id=context.id_of(entity.ref),
        object_marking_refs=context.markings_of(entity.properties.get("markings")),
        allow_custom=False,
        **observable_values(entity),
        **_references(entity, context.ids),
    )
    return obj
