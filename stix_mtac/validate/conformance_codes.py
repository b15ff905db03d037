"""Stable codes and JSON paths of conformance findings, shared by both engines.

stix2-validator numbers its SHOULD checks ("103", "202", ...): we keep those numbers. Its
schema validation and MUST checks have no numbers: they get the ``C1xx`` codes below, one per
check function, so ``--disable C112`` turns off pattern syntax checking for example.
"""

from __future__ import annotations

from stix_mtac.jsonpath import json_path as json_path  # the one path grammar

# Schema violations (the official STIX 2.1 JSON schemas), reported at the failing property.
SCHEMA = ("C100", "schema")

# stix2-validator's MUST checks (``stix2validator.v21.musts``), by function name.
MUST_CODES: dict[str, tuple[str, str]] = {
    "timestamp": ("C101", "timestamp"),
    "timestamp_compare": ("C102", "timestamp-compare"),
    "observable_timestamp_compare": ("C103", "observable-timestamp-compare"),
    "object_marking_circular_refs": ("C104", "object-marking-circular-refs"),
    "granular_markings_circular_refs": ("C105", "granular-markings-circular-refs"),
    "marking_selector_syntax": ("C106", "marking-selector-syntax"),
    "observable_object_references": ("C107", "observable-object-references"),
    "artifact_mime_type": ("C108", "artifact-mime-type"),
    "character_set": ("C109", "character-set"),
    "language": ("C110", "language"),
    "software_language": ("C111", "software-language"),
    "patterns": ("C112", "pattern"),
    "cpe_check": ("C113", "cpe"),
    "language_contents": ("C114", "language-contents"),
    "uuid_version_check": ("C115", "sco-uuid-version"),
    "process": ("C116", "process-uuid"),
}

# Findings of our guards around stix2-validator (same in both engines).
NOT_AN_OBJECT = ("C120", "not-a-stix-object")  # entry of objects is not {type, id, ...}
PATTERN_TOO_DEEP = ("C121", "pattern-too-deep")  # would make the pattern parser recurse away
PATTERN_TOO_LARGE = ("C122", "pattern-too-large")  # over the length or chain bound
CHECK_FAILED = ("C199", "check-failed")  # a stix2-validator check crashed on malformed data

# SHOULD findings stix2-validator emits without a number in the message.
UNNUMBERED_SHOULD = ("C190", "best-practice")

# Names of stix2-validator's numbered SHOULD checks (its CHECK_CODES table, v21).
SHOULD_NAMES: dict[str, str] = {
    "101": "custom-prefix",
    "102": "custom-prefix-lax",
    "103": "uuid-check",
    "111": "open-vocab-format",
    "121": "kill-chain-names",
    "141": "observable-object-keys",
    "142": "observable-dictionary-keys",
    "143": "malware-analysis-product",
    "149": "windows-process-priority-format",
    "150": "hash-length",
    "201": "marking-definition-type",
    "202": "relationship-types",
    "203": "duplicate-ids",
    "210": "all-vocabs",
    "211": "attack-motivation",
    "212": "attack-resource-level",
    "213": "identity-class",
    "214": "indicator-types",
    "215": "industry-sector",
    "216": "malware-types",
    "218": "report-types",
    "219": "threat-actor-types",
    "220": "threat-actor-role",
    "221": "threat-actor-sophistication",
    "222": "tool-types",
    "223": "region",
    "225": "grouping-context",
    "226": "implementation-languages",
    "227": "infrastructure-types",
    "228": "malware-capabilities",
    "230": "processor-architecture",
    "231": "malware-result",
    "241": "hash-algo",
    "243": "windows-pebinary-type",
    "244": "account-type",
    "245": "indicator-pattern-types",
    "270": "all-external-sources",
    "271": "mime-type",
    "272": "protocols",
    "273": "ipfix",
    "274": "http-request-headers",
    "275": "socket-options",
    "276": "pdf-doc-info",
    "277": "countries",
    "301": "network-traffic-ports",
    "302": "extref-hashes",
    "303": "indicator-properties",
    "304": "deprecated-properties",
    "305": "extension-description",
    "306": "extension-properties",
    "401": "extensions-use",
}

# A STIX pattern nested deeper than this (brackets and parentheses) is not parsed: the
# ANTLR parser recurses once per level and would hit Python's recursion limit.
MAX_PATTERN_NESTING = 40
