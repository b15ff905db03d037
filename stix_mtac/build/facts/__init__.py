"""Facts files (docs/facts-format.md): loading, checking, and the records builders consume."""

from stix_mtac.build.facts.loader import MAX_FACTS_BYTES, SCHEMA_VERSION, load_facts
from stix_mtac.build.facts.records import (
    Creator,
    Entity,
    Fact,
    RelationshipFact,
    ReportFacts,
    ReportInfo,
    Source,
    Statement,
)

__all__ = [
    "MAX_FACTS_BYTES",
    "SCHEMA_VERSION",
    "Creator",
    "Entity",
    "Fact",
    "RelationshipFact",
    "ReportFacts",
    "ReportInfo",
    "Source",
    "Statement",
    "load_facts",
]
