"""Relations in words, so they survive importers that drop relationship objects (MISP)."""

from __future__ import annotations

from collections.abc import Mapping

from stix_mtac.build.facts import ReportFacts

# relationship type -> (phrase on the source, phrase on the target)
RELATION_PHRASES: Mapping[str, tuple[str, str]] = {
    "attributed-to": ("Attributed to", "Responsible for"),
    "targets": ("Targets", "Targeted by"),
    "uses": ("Uses", "Used by"),
    "located-at": ("Located in", "Location of"),
    "originates-from": ("Originates from", "Origin of"),
    "impersonates": ("Impersonates", "Impersonated by"),
    "related-to": ("Related to", "Related to"),
    "indicates": ("Indicates", "Indicated by"),
    "mitigates": ("Mitigates", "Mitigated by"),
    "remediates": ("Remediates", "Remediated by"),
    "investigates": ("Investigates", "Investigated by"),
    "exploits": ("Exploits", "Exploited by"),
    "delivers": ("Delivers", "Delivered by"),
    "drops": ("Drops", "Dropped by"),
    "downloads": ("Downloads", "Downloaded by"),
    "communicates-with": ("Communicates with", "Contacted by"),
    "beacons-to": ("Beacons to", "Beaconed to by"),
    "exfiltrates-to": ("Exfiltrates to", "Receives data exfiltrated by"),
    "hosts": ("Hosts", "Hosted on"),
    "owns": ("Owns", "Owned by"),
    "controls": ("Controls", "Controlled by"),
    "compromises": ("Compromises", "Compromised by"),
    "consists-of": ("Consists of", "Part of"),
    "has": ("Has", "Present in"),
    "authored-by": ("Authored by", "Author of"),
    "variant-of": ("Variant of", "Has variant"),
    "based-on": ("Based on", "Basis of"),
    "resolves-to": ("Resolves to", "Resolved from"),
    "belongs-to": ("Belongs to", "Has"),
    "cooperates-with": ("Cooperates with", "Cooperates with"),
    "characterizes": ("Characterizes", "Characterized by"),
    "analysis-of": ("Analysis of", "Analysed by"),
    "static-analysis-of": ("Static analysis of", "Statically analysed by"),
    "dynamic-analysis-of": ("Dynamic analysis of", "Dynamically analysed by"),
    "av-analysis-of": ("AV analysis of", "AV-analysed by"),
}


def sentence(facts: ReportFacts, source_ref: str, relationship_type: str, target_ref: str) -> str:
    """``China AI-generated imagery influence campaign targets U.S. voters.``"""
    names = _names(facts)
    verb = relationship_type.replace("-", " ")
    return f"{names[source_ref]} {verb} {names[target_ref]}."


def relation_prose(facts: ReportFacts) -> dict[str, tuple[str, ...]]:
    """For each object ("type/key"), lines such as ``Targeted by: A; B.``, in a stable order."""
    names = _names(facts)
    grouped: dict[str, dict[str, list[str]]] = {}
    for relation in facts.relationships:
        forward, backward = RELATION_PHRASES.get(
            relation.relationship_type, (relation.relationship_type, relation.relationship_type)
        )
        grouped.setdefault(relation.source, {}).setdefault(forward, []).append(
            names[relation.target]
        )
        grouped.setdefault(relation.target, {}).setdefault(backward, []).append(
            names[relation.source]
        )
    return {
        ref: tuple(
            f"{phrase}: {'; '.join(sorted(set(others)))}."
            for phrase, others in sorted(by_phrase.items())
        )
        for ref, by_phrase in grouped.items()
    }


def _names(facts: ReportFacts) -> dict[str, str]:
    names = {entity.ref: entity.name for entity in facts.entities}
    for relation in facts.relationships:
        if relation.key is not None:
            names[f"relationship/{relation.key}"] = (
                f"{names[relation.source]} {relation.relationship_type} {names[relation.target]}"
            )
    return names
