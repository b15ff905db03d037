"""The object sections of a facts file, read from ``data/facts/sections.yaml``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

ANY_TARGET = "*"

# Pairs of timestamps where the second may not come before the first (STIX 2.1: last_seen,
# last_observed >= first; valid_until, stop_time > first; modified >= created).
ORDERED_TIMESTAMPS: tuple[tuple[str, str, bool], ...] = (
    ("first_seen", "last_seen", False),
    ("first_observed", "last_observed", False),
    ("valid_from", "valid_until", True),
    ("start_time", "stop_time", True),
    ("created", "modified", False),
)
COMMON_TIMESTAMPS = ("created", "modified")


@dataclass(frozen=True)
class Section:
    name: str
    stix_type: str | None  # None: each entry says its own (observables)
    kind: str  # "sdo", "sro" or "sco"
    vocabularies: Mapping[str, str]
    references: Mapping[str, tuple[str, ...]]
    timestamps: tuple[str, ...]


@dataclass(frozen=True)
class ObservableKeys:
    required: tuple[str, ...]
    one_of: tuple[str, ...]
    optional: tuple[str, ...]

    @property
    def allowed(self) -> frozenset[str]:
        return frozenset((*self.required, *self.one_of, *self.optional))


def _raw() -> dict[str, Any]:
    text = resources.files("stix_mtac.data").joinpath("facts", "sections.yaml").read_text("utf-8")
    raw: dict[str, Any] = yaml.safe_load(text)
    return raw


@cache
def sections() -> Mapping[str, Section]:
    """Object sections by facts-file name, in the order the file documents them."""
    return {
        name: Section(
            name=name,
            stix_type=entry["type"],
            kind=entry["kind"],
            vocabularies=dict(entry.get("vocabularies", {})),
            references={key: tuple(types) for key, types in entry.get("references", {}).items()},
            timestamps=tuple(entry.get("timestamps", ())),
        )
        for name, entry in _raw().items()
        if name != "observable_keys"
    }


@cache
def observable_keys() -> Mapping[str, ObservableKeys]:
    """Per SCO type, the keys an observable of that type takes."""
    return {
        stix_type: ObservableKeys(
            required=tuple(entry.get("required", ())),
            one_of=tuple(entry.get("one_of", ())),
            optional=tuple(entry.get("optional", ())),
        )
        for stix_type, entry in _raw()["observable_keys"].items()
    }


def section_of_type(stix_type: str) -> Section | None:
    for section in sections().values():
        if section.stix_type == stix_type:
            return section
    if stix_type in observable_keys():
        return sections()["observables"]
    return None
