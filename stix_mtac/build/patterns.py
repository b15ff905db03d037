"""STIX patterns: built from observables, checked by the OASIS pattern grammar (stix2patterns).

This module is the one adapter around the untyped ``stix2patterns`` library.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

# The hash algorithms a file observable may carry, in the order a pattern lists them.
HASH_ORDER = ("SHA-256", "SHA-512", "SHA-1", "MD5", "SSDEEP")


def problem(pattern: str) -> str | None:
    """None when ``pattern`` is a valid STIX 2.1 pattern, else the grammar's first complaint."""
    from stix2patterns.validator import run_validator

    errors: list[str] = list(run_validator(pattern, stix_version="2.1"))
    return " ".join(errors[0].split()) if errors else None


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _hash_path(algorithm: str) -> str:
    return f"file:hashes.{_quote(algorithm)}" if "-" in algorithm else f"file:hashes.{algorithm}"


def comparisons(stix_type: str, values: Mapping[str, Any]) -> list[str]:
    """The comparison expressions that match one observable (joined with OR by the caller)."""
    if stix_type == "file":
        hashes = values.get("hashes") or {}
        found = [
            f"{_hash_path(algorithm)} = {_quote(hashes[algorithm])}"
            for algorithm in HASH_ORDER
            if algorithm in hashes
        ]
        if not found and "name" in values:
            found.append(f"file:name = {_quote(values['name'])}")
        return found
    if stix_type == "network-traffic":
        parts = [f"network-traffic:protocols[*] = {_quote(p)}" for p in values["protocols"]]
        for end in ("src", "dst"):
            if f"{end}_value" in values:
                parts.append(f"network-traffic:{end}_ref.value = {_quote(values[end + '_value'])}")
            if f"{end}_port" in values:
                parts.append(f"network-traffic:{end}_port = {int(values[end + '_port'])}")
        return [" AND ".join(parts)]
    return [f"{stix_type}:value = {_quote(values['value'])}"]


def pattern_of(observables: Sequence[tuple[str, Mapping[str, Any]]]) -> str:
    """``[a:value = 'x'] OR [file:hashes.MD5 = 'y' OR file:hashes.'SHA-256' = 'z']``."""
    observations = [
        "[" + " OR ".join(comparisons(stix_type, values)) + "]" for stix_type, values in observables
    ]
    return " OR ".join(observations)
