"""What the schema cannot say about a facts file, checked at load time.

Fact ids and object references resolve; vocabulary values are the spec's; countries are ISO
3166-1; techniques and kill-chain phases are in the shipped catalogues; every timestamp is a
real instant the builder can write; IOC values are valid and occur in their quotes; markings
exist; relationship types are the ones the spec suggests for their pair (or say why not).
Everything that would otherwise fail later, in the builder or a validator, fails here, with
its line. Entries whose shape is broken are skipped (their shape error is already reported).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from stix_mtac import iocs, quotes, stixdata
from stix_mtac.build import catalogues, markings, patterns
from stix_mtac.build.facts.problems import Problems
from stix_mtac.build.facts.records import Fact
from stix_mtac.build.facts.sections import (
    ANY_TARGET,
    COMMON_TIMESTAMPS,
    ORDERED_TIMESTAMPS,
    observable_keys,
    sections,
)
from stix_mtac.errors import FactsError
from stix_mtac.yamlload import KeyPath

# STIX 2.1 section 3.2: timestamps are RFC 3339 in UTC; stix2 writes years below 1000 without
# their leading zeros, which no reader accepts, so the format refuses them here.
MIN_YEAR = 1000
# STIX relationship type names: lower-case ASCII letters, digits and hyphens (section 5.1).
RELATIONSHIP_TYPE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# file hashes (STIX names) -> observable kind for iocs.validate_ioc
HASH_KINDS = {name: f"file:{name}" for name in ("MD5", "SHA-1", "SHA-256", "SHA-512", "SSDEEP")}
_REF_KEYS = ("sighting_of", "src", "dst")


def check_all(
    data: dict[str, Any], problems: Problems, source_text_path: Path, broken: set[KeyPath]
) -> dict[str, Fact]:
    """Every cross-reference check; returns the facts by id, with their confidence."""
    checker = _Checker(data, problems, source_text_path, broken)
    checker.run()
    return checker.facts


class _Checker:
    def __init__(
        self, data: dict[str, Any], problems: Problems, source_text_path: Path, broken: set[KeyPath]
    ) -> None:
        self.data = data
        self.problems = problems
        self.source_text_path = source_text_path
        self.broken = broken
        self.facts: dict[str, Fact] = {}
        self.cited: set[str] = set()
        self.declared: dict[str, KeyPath] = {}  # "type/key" -> where
        self.source_text: str | None = None
        # ids of facts whose entry is broken: known, so citing them is no second error
        self.broken_facts: set[str] = set()
        self.raw_source_text: str | None = None

    def ok(self, path: KeyPath) -> bool:
        return not any(path[:end] in self.broken for end in range(len(path) + 1))

    def entries(
        self, section: str, broken_too: bool = False
    ) -> Iterable[tuple[KeyPath, dict[str, Any]]]:
        """The well-shaped entries of a list section (with ``broken_too``: every mapping)."""
        value = self.data.get(section, [])
        if not isinstance(value, list):
            return
        for index, raw in enumerate(value):
            path: KeyPath = (section, index)
            if isinstance(raw, dict) and (broken_too or self.ok(path)):
                yield path, raw

    def run(self) -> None:
        self._read_source_text()
        self._check_facts()
        self._declare_objects()
        self._check_report()
        self._check_markings()
        for name, section in sections().items():
            for path, raw in self.entries(name):
                self._check_entry(path, raw, section.vocabularies, section.references)
                self._check_timestamps(path, raw, (*section.timestamps, *COMMON_TIMESTAMPS))
        self._check_locations()
        self._check_attack_patterns()
        self._check_malware()
        self._check_observables()
        self._check_indicators()
        self._check_relationships()
        self._check_uncited()

    # --- source text and facts -----------------------------------------------------------

    def _read_source_text(self) -> None:
        from stix_mtac.build.facts.loader import read_source_text

        try:
            self.raw_source_text = read_source_text(self.source_text_path)
        except FactsError as exc:
            self.problems.add(("report", "source_text"), f"cannot read source text: {exc.message}")
            return
        self.source_text = normalise(self.raw_source_text)

    def _check_facts(self) -> None:
        wordings, grades = stixdata.confidence_scale()
        source_keys = {
            source.get("key") for source in self.data.get("sources", []) if isinstance(source, dict)
        }
        for path, raw in self.entries("facts", broken_too=True):
            if not self.ok(path):
                if isinstance(raw.get("id"), str):
                    self.broken_facts.add(raw["id"])
                continue
            if raw["id"] in self.facts:
                self.problems.add((*path, "id"), f"fact id {raw['id']!r} is used twice")
                continue
            if "wording" in raw and raw["wording"] not in wordings:
                self.problems.add(
                    (*path, "wording"),
                    f"{raw['wording']!r} is not on the confidence scale "
                    f"(one of: {', '.join(sorted(wordings))})",
                )
            # An outside fact's wording defaults to a plain statement; its grade (the
            # reliability of its source) is a ceiling on it (data/confidence.yaml).
            confidence = wordings.get(raw.get("wording", "stated"), 0)
            if "source" not in raw:
                self._check_quote(path, raw["quote"])
            else:
                if raw["source"] not in source_keys:
                    self.problems.add(
                        (*path, "source"), f"no source with key {raw['source']!r} in `sources`"
                    )
                if raw["grade"] not in grades:
                    self.problems.add(
                        (*path, "grade"), f"{raw['grade']!r} is not a grade ({', '.join(grades)})"
                    )
                confidence = min(confidence, grades.get(raw["grade"], 0))
            self.facts[raw["id"]] = Fact(
                id=raw["id"],
                claim=raw["claim"],
                quote=raw["quote"],
                confidence=confidence,
                wording=raw.get("wording"),
                source=raw.get("source"),
            )

    def _check_quote(self, path: KeyPath, quote: str) -> None:
        if self.source_text is None or normalise(quote) in self.source_text:
            return
        reason = quotes.diagnose_quote(quote, self.raw_source_text or "")
        self.problems.add(
            (*path, "quote"), f"quote not found in {self.source_text_path.name}: {reason}"
        )

    def check_fact_refs(self, path: KeyPath, fact_ids: Any) -> None:
        if not isinstance(fact_ids, list):
            return
        for position, fact_id in enumerate(fact_ids):
            self.cited.add(fact_id)
            if fact_id not in self.facts and fact_id not in self.broken_facts:
                self.problems.add((*path, position), f"no fact with id {fact_id!r}")

    def _check_uncited(self) -> None:
        for path, raw in self.entries("facts"):
            if raw["id"] not in self.cited:
                self.problems.add(
                    (*path, "id"), f"fact {raw['id']} supports no object; cite it or drop it"
                )

    # --- objects and references ----------------------------------------------------------

    def _declare_objects(self) -> None:
        for name, section in sections().items():
            for path, raw in self.entries(name, broken_too=True):
                stix_type = raw.get("type") if section.stix_type is None else section.stix_type
                if not isinstance(raw.get("key"), str) or not isinstance(stix_type, str):
                    continue
                ref = f"{stix_type}/{raw['key']}"
                if ref in self.declared:
                    self.problems.add((*path, "key"), f"{ref} is declared twice")
                self.declared[ref] = path
        for path, raw in self.entries("relationships", broken_too=True):
            if isinstance(raw.get("key"), str):
                ref = f"relationship/{raw['key']}"
                if ref in self.declared:
                    self.problems.add((*path, "key"), f"{ref} is declared twice")
                self.declared[ref] = path

    def check_ref(self, path: KeyPath, ref: Any, allowed: tuple[str, ...]) -> None:
        if not isinstance(ref, str):
            return
        if ref not in self.declared:
            self.problems.add(path, f"no object {ref!r} is declared in this file")
            return
        stix_type = ref.split("/", 1)[0]
        if ANY_TARGET not in allowed and stix_type not in allowed:
            self.problems.add(
                path, f"{ref!r} is a {stix_type}; expected one of: {', '.join(allowed)}"
            )

    def _check_entry(
        self,
        path: KeyPath,
        raw: Mapping[str, Any],
        vocabularies: Mapping[str, str],
        references: Mapping[str, tuple[str, ...]],
    ) -> None:
        self.check_fact_refs((*path, "facts"), raw.get("facts"))
        check_vocabulary(path, raw, vocabularies, self.problems)
        for prop, allowed in references.items():
            value = raw.get(prop)
            if isinstance(value, list):
                for position, ref in enumerate(value):
                    self.check_ref((*path, prop, position), ref, allowed)
            elif value is not None:
                self.check_ref((*path, prop), value, allowed)
        self._check_marking_names((*path, "markings"), raw.get("markings"))
        self._check_kill_chain_phases((*path, "kill_chain_phases"), raw.get("kill_chain_phases"))

    def _check_report(self) -> None:
        report = self.data["report"]
        self.check_fact_refs(("report", "facts"), report.get("facts"))
        check_vocabulary(("report",), report, {"report_types": "report-type-ov"}, self.problems)
        for position, ref in enumerate(report.get("authors", [])):
            self.check_ref(("report", "authors", position), ref, ("identity",))
        self._check_marking_names(("report", "markings"), report.get("markings"))
        self._check_timestamps(("report",), report, ("timestamp", "modified"))
        if isinstance(report.get("published"), str):
            self._check_instant(("report", "published"), report["published"], "date")
        creator = self.data.get("creator")
        if isinstance(creator, dict) and self.ok(("creator",)):
            check_vocabulary(
                ("creator",), creator, {"identity_class": "identity-class-ov"}, self.problems
            )
            self._check_timestamps(("creator",), creator, ("created",))

    # --- markings ------------------------------------------------------------------------

    def _statement_keys(self) -> set[str]:
        block = self.data.get("markings")
        if not isinstance(block, dict):
            return set()
        return {
            raw["key"]
            for raw in block.get("statements", [])
            if isinstance(raw, dict) and "key" in raw
        }

    def _check_markings(self) -> None:
        if not self.ok(("markings",)):
            return
        block = self.data["markings"]
        self._check_marking_names(("markings", "default"), block.get("default"))
        seen: set[str] = set()
        for index, raw in enumerate(block.get("statements", [])):
            path: KeyPath = ("markings", "statements", index)
            if raw["key"] in seen:
                self.problems.add((*path, "key"), f"statement/{raw['key']} is declared twice")
            seen.add(raw["key"])
            self._check_timestamps(path, raw, ("created",))

    def _check_marking_names(self, path: KeyPath, names: Any) -> None:
        if not isinstance(names, list):
            return
        statements = self._statement_keys()
        tlp = [
            name for name in names if isinstance(name, str) and not name.startswith("statement/")
        ]
        for position, name in enumerate(names):
            if not isinstance(name, str):
                continue
            if name.startswith("statement/"):
                if name.removeprefix("statement/") not in statements:
                    self.problems.add(
                        (*path, position),
                        f"no statement marking {name!r} in `markings.statements`",
                    )
            elif name not in markings.tlp_names():
                self.problems.add(
                    (*path, position),
                    f"unknown marking {name!r} (one of: {', '.join(markings.tlp_names())}, "
                    "statement/<key>)",
                )
        if len(tlp) > 1:
            self.problems.add(path, f"at most one TLP marking per object, got {', '.join(tlp)}")

    # --- timestamps ----------------------------------------------------------------------

    def _check_timestamps(self, path: KeyPath, raw: Mapping[str, Any], keys: Iterable[str]) -> None:
        parsed: dict[str, datetime] = {}
        for key in keys:
            value = raw.get(key)
            if isinstance(value, str):
                instant = self._check_instant((*path, key), value)
                if instant is not None:
                    parsed[key] = instant
        for first, second, strict in ORDERED_TIMESTAMPS:
            if first in parsed and second in parsed:
                early, late = parsed[first], parsed[second]
                if late < early or (strict and late == early):
                    relation = "after" if strict else "at or after"
                    self.problems.add(
                        (*path, second),
                        f"{raw[second]!r} must be {relation} {first} {raw[first]!r}",
                    )

    def _check_instant(self, path: KeyPath, value: str, what: str = "instant") -> datetime | None:
        """A timestamp (or date) that matched the schema's form: is it a real one, that stix2
        can write?"""
        try:
            instant = datetime.fromisoformat(
                value.replace("Z", "+00:00") if what == "instant" else f"{value}T00:00:00+00:00"
            )
        except ValueError as exc:
            reason = str(exc)
            if "second must be" in reason:
                reason = "leap seconds (:60) cannot be written in STIX"
            elif "year 0" in reason:
                reason = "there is no year 0000"
            self.problems.add(path, f"{value!r} is not a real {what}: {reason}")
            return None
        if instant.year < MIN_YEAR:
            self.problems.add(
                path, f"{value!r}: years before {MIN_YEAR} cannot be written in a STIX bundle"
            )
            return None
        return instant

    # --- per-type checks -----------------------------------------------------------------

    def _check_locations(self) -> None:
        codes = stixdata.country_codes()
        for path, raw in self.entries("locations"):
            country = raw.get("country")
            if isinstance(country, str) and country not in codes:
                self.problems.add(
                    (*path, "country"),
                    f"{country!r} is not an ISO 3166-1 alpha-2 country code",
                )
            if ("latitude" in raw) != ("longitude" in raw):
                self.problems.add(path, "`latitude` and `longitude` go together")
            if "precision" in raw and "latitude" not in raw:
                self.problems.add((*path, "precision"), "`precision` needs `latitude`/`longitude`")

    def _check_attack_patterns(self) -> None:
        for path, raw in self.entries("attack_patterns"):
            if "description" in raw:
                self.problems.add(
                    (*path, "description"),
                    "an attack pattern carries only what its catalogue says; say how this "
                    "report's actors use it in the description of their `uses` relationship",
                )
            name = raw["catalogue"]
            if name not in catalogues.catalogue_names():
                known = ", ".join(catalogues.catalogue_names())
                self.problems.add(
                    (*path, "catalogue"), f"unknown catalogue {name!r} (one of: {known})"
                )
                continue
            technique = catalogues.technique(name, raw["technique"])
            if technique is None:
                near = catalogues.nearest(name, raw["technique"])
                hint = f"; nearest: {', '.join(near)}" if near else ""
                self.problems.add(
                    (*path, "technique"),
                    f"{raw['technique']!r} is not a technique of {catalogues.title(name)}{hint}",
                )
                continue
            if technique.status:
                self.problems.add(
                    (*path, "technique"),
                    f"{raw['technique']} ({technique.name}) is {technique.status} in "
                    f"{catalogues.title(name)}; {catalogues.replacement_hint(name, technique)}",
                )
            for position, phase in enumerate(raw.get("phases", [])):
                if phase not in technique.tactics:
                    self.problems.add(
                        (*path, "phases", position),
                        f"{phase!r} is not a tactic of {raw['technique']} in "
                        f"{catalogues.title(name)} (its tactics: {', '.join(technique.tactics)})",
                    )

    def _check_kill_chain_phases(self, path: KeyPath, phases: Any) -> None:
        if not isinstance(phases, list):
            return
        for position, phase in enumerate(phases):
            if not isinstance(phase, dict):
                continue
            chain = str(phase.get("kill_chain"))
            known = catalogues.kill_chains()
            if chain not in known:
                self.problems.add(
                    (*path, position, "kill_chain"),
                    f"unknown kill chain {chain!r} (one of: {', '.join(sorted(known))})",
                )
            elif phase.get("phase") not in known[chain]:
                self.problems.add(
                    (*path, position, "phase"),
                    f"{phase.get('phase')!r} is not a phase of {chain} "
                    f"(one of: {', '.join(known[chain])})",
                )

    def _check_malware(self) -> None:
        for path, raw in self.entries("malware"):
            if raw.get("is_family") is False and "aliases" in raw:
                self.problems.add(
                    (*path, "aliases"), "only a malware family (is_family: true) has aliases"
                )

    def _fact_quotes(self, raw: Mapping[str, Any]) -> list[str]:
        return [self.facts[fact_id].quote for fact_id in raw["facts"] if fact_id in self.facts]

    def _check_ioc(self, path: KeyPath, kind: str, written: str, raw: Mapping[str, Any]) -> None:
        value = iocs.refang(written)
        problem = iocs.validate_ioc(kind, value)
        if problem is not None:
            self.problems.add(path, problem)
            return
        fact_quotes = self._fact_quotes(raw)
        if fact_quotes and not any(iocs.occurs_in(value, quote) for quote in fact_quotes):
            cited = ", ".join(raw["facts"])
            self.problems.add(
                path,
                f"{value!r} does not occur in the quote of its facts ({cited}), defanged or not",
            )

    def _check_observables(self) -> None:
        keys = observable_keys()
        for path, raw in self.entries("observables"):
            stix_type = raw["type"]
            expected = keys[stix_type]
            given = set(raw) - {"key", "type", "facts", "markings"}
            for key in sorted(given - expected.allowed):
                self.problems.add(
                    (*path, key),
                    f"`{key}` is not a key of a {stix_type} observable "
                    f"(its keys: {', '.join(sorted(expected.allowed))})",
                )
            for key in expected.required:
                if key not in raw:
                    self.problems.add(path, f"a {stix_type} observable needs `{key}`")
            if expected.one_of and not any(key in raw for key in expected.one_of):
                wanted = " or ".join(f"`{key}`" for key in expected.one_of)
                self.problems.add(path, f"a {stix_type} observable needs {wanted}")
            if stix_type in iocs.KINDS and isinstance(raw.get("value"), str):
                self._check_ioc((*path, "value"), stix_type, raw["value"], raw)
            hashes = raw.get("hashes") if "hashes" in expected.allowed else None
            for algorithm, written in (hashes or {}).items():
                if isinstance(written, str):
                    self._check_ioc(
                        (*path, "hashes", algorithm), HASH_KINDS[algorithm], written, raw
                    )

    def _check_indicators(self) -> None:
        vocabulary = stixdata.vocabularies()["pattern-type-ov"]
        for path, raw in self.entries("indicators"):
            pattern_type = raw.get("pattern_type")
            if pattern_type == "stix" and isinstance(raw.get("pattern"), str):
                problem = patterns.problem(raw["pattern"])
                if problem is not None:
                    self.problems.add((*path, "pattern"), f"not a STIX pattern: {problem}")
            elif pattern_type is not None and pattern_type not in vocabulary:
                pass  # reported by the vocabulary check

    def _check_relationships(self) -> None:
        seen: set[tuple[str, str, str]] = set()
        for path, raw in self.entries("relationships"):
            self.check_fact_refs((*path, "facts"), raw["facts"])
            self._check_marking_names((*path, "markings"), raw.get("markings"))
            self._check_timestamps(path, raw, ("start_time", "stop_time", *COMMON_TIMESTAMPS))
            for end in ("source", "target"):
                self.check_ref((*path, end), raw[end], (ANY_TARGET,))
            source_type = raw["source"].split("/")[0]
            target_type = raw["target"].split("/")[0]
            kind = raw["type"]
            if not RELATIONSHIP_TYPE.match(kind):
                self.problems.add((*path, "type"), f"{kind!r} is not a STIX relationship type name")
            elif "unsuggested" not in raw and not stixdata.is_suggested_relationship(
                source_type, kind, target_type
            ):
                allowed = ", ".join(stixdata.suggested_relationship_types(source_type, target_type))
                self.problems.add(
                    (*path, "type"),
                    f"{source_type} {kind} {target_type} is not a relationship the STIX 2.1 "
                    f"spec suggests (for this pair: {allowed}); to use it anyway, say why in "
                    "`unsuggested:`",
                )
            triple = (raw["source"], kind, raw["target"])
            if triple in seen:
                self.problems.add(path, f"relationship {' '.join(triple)} is declared twice")
            seen.add(triple)


def check_vocabulary(
    path: KeyPath, raw: Mapping[str, Any], vocabulary_of: Mapping[str, str], problems: Problems
) -> None:
    vocabularies = stixdata.vocabularies()
    for prop, vocabulary in vocabulary_of.items():
        if prop not in raw:
            continue
        values = raw[prop] if isinstance(raw[prop], list) else [raw[prop]]
        allowed = vocabularies[vocabulary]
        for position, value in enumerate(values):
            if value not in allowed:
                where = (*path, prop, position) if isinstance(raw[prop], list) else (*path, prop)
                problems.add(
                    where,
                    f"{value!r} is not in the STIX vocabulary {vocabulary} "
                    "(TIPs map only its values; say the rest in the description)",
                )


def normalise(text: str) -> str:
    """Collapse white space so a quote may wrap differently from the source text."""
    return re.sub(r"\s+", " ", text).strip()
