"""The check catalogue: every code a finding can carry, ours and stix2-validator's, in one place.

Each :class:`Rule` has its code, name, default severity, a one-line summary and a full
description, and the upstream codes it answers to (its aliases). Option parsing, the
renderers (SARIF rules, JSON), the README table (tested) and de-duplication all read it.

Ours come from the check registry (``registry.py``, descriptions from the docstrings); the
conformance codes from ``conformance_codes.py`` with their descriptions in
``data/validate/rules.json``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from stix_mtac import __version__
from stix_mtac.validate import conformance_codes as codes
from stix_mtac.validate.findings import Finding, Severity
from stix_mtac.validate.registry import Alias, registered_checks

Origin = Literal["stix-mtac", "stix2-validator", "guard"]

# Where each rule is documented: the README's validate section at this release's tag (releases
# are tagged vX.Y.Z), one anchor per code. REPOSITORY_URL is pyproject.toml's project URL
# "Repository" (a test keeps the two equal).
REPOSITORY_URL = "https://github.com/stix-mtac/stix-mtac"
README_URL = f"{REPOSITORY_URL}/blob/v{__version__}/README.md"

# Pseudo-rules of the front end and guards (not checks of the bundle's content).
UNREADABLE = ("SX000", "unreadable-input")
CONFORMANCE_RECURSION = ("SX001", "conformance-recursion")
TOO_MANY_FINDINGS = ("SX002", "too-many-findings")


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    description: str
    origin: Origin
    aliases: tuple[Alias, ...] = ()

    @property
    def anchor(self) -> str:
        return f"check-{self.code.lower()}"

    @property
    def help_uri(self) -> str:
        return f"{README_URL}#{self.anchor}"

    @property
    def alias_codes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(alias.code for alias in self.aliases))


def _texts() -> dict[str, list[str]]:
    source = resources.files("stix_mtac.data.validate").joinpath("rules.json")
    data: dict[str, list[str]] = json.loads(source.read_text(encoding="utf-8"))
    data.pop("_comment", None)
    return data


@cache
def rules() -> dict[str, Rule]:
    """Every rule by code: ours (in code order), then the conformance and pseudo-rules."""
    texts = _texts()
    table: dict[str, Rule] = {}
    for check in registered_checks():
        table[check.code] = Rule(
            check.code,
            check.name,
            check.severity,
            check.summary,
            check.description,
            "stix-mtac",
            check.aliases,
        )

    def add(code: str, name: str, severity: Severity, origin: Origin) -> None:
        summary, description = texts[code]
        table[code] = Rule(code, name, severity, summary, f"{summary} {description}", origin)

    for code, name in (UNREADABLE, CONFORMANCE_RECURSION, TOO_MANY_FINDINGS):
        add(code, name, Severity.ERROR, "guard")
    add(*codes.SCHEMA, Severity.ERROR, "stix2-validator")
    for code, name in sorted(codes.MUST_CODES.values()):
        add(code, name, Severity.ERROR, "stix2-validator")
    guards = (codes.NOT_AN_OBJECT, codes.PATTERN_TOO_DEEP, codes.PATTERN_TOO_LARGE)
    for code, name in (*guards, codes.CHECK_FAILED):
        add(code, name, Severity.ERROR, "guard")
    add(*codes.UNNUMBERED_SHOULD, Severity.WARNING, "stix2-validator")
    for code, name in sorted(codes.SHOULD_NAMES.items(), key=lambda item: int(item[0])):
        add(code, name, Severity.WARNING, "stix2-validator")
    return table


@cache
def spellings() -> dict[str, str]:
    """Every code and name, by its lower-case spelling, as written in the catalogue."""
    return {
        spelling.lower(): spelling
        for rule in rules().values()
        for spelling in (rule.code, rule.name)
    }


@cache
def identities(code: str) -> frozenset[str]:
    """The lower-case spellings a finding of ``code`` answers to in the options: its code, its
    name, and the codes and names of the upstream checks it stands in for."""
    rule = rules().get(code)
    if rule is None:
        return frozenset({code.lower()})
    names = {rule.code, rule.name}
    for alias in rule.alias_codes:
        names.add(alias)
        upstream = rules().get(alias)
        if upstream is not None:
            names.add(upstream.name)
    return frozenset(name.lower() for name in names)


_OBJECT_INDEX = re.compile(r"^\$\.objects\[(\d+)\]")


def _object_index(path: str) -> int | None:
    match = _OBJECT_INDEX.match(path)
    return int(match.group(1)) if match else None


def _last_key(path: str) -> str | None:
    from stix_mtac.jsonpath import parse_path

    parts = parse_path(path)
    return parts[-1] if parts and isinstance(parts[-1], str) else None


def _absorbs(ours: Finding, alias: Alias, upstream: Finding) -> bool:
    """Whether ``upstream`` (already on the same object) is the defect ``ours`` reports."""
    if alias.match == "path" and upstream.json_path != ours.json_path:
        return False
    if alias.mentions is None:
        return True
    if alias.mentions == "*key":
        key = _last_key(ours.json_path)
        return key is not None and f"'{key}'" in upstream.message
    return re.search(alias.mentions, upstream.message) is not None


def one_finding_per_defect(findings: Iterable[Finding]) -> list[Finding]:
    """Drop each upstream finding that one of ours reports too (see :class:`Alias`)."""
    table = rules()
    kept = list(findings)
    by_place: dict[tuple[str, int | None], list[int]] = {}
    for position, finding in enumerate(kept):
        by_place.setdefault((finding.code, _object_index(finding.json_path)), []).append(position)
    dropped: set[int] = set()
    for finding in kept:
        rule = table.get(finding.code)
        if rule is None or not rule.aliases:
            continue
        place = _object_index(finding.json_path)
        for alias in rule.aliases:
            for position in by_place.get((alias.code, place), ()):
                if position not in dropped and _absorbs(finding, alias, kept[position]):
                    dropped.add(position)
    return [finding for position, finding in enumerate(kept) if position not in dropped]


def severity_of(code: str, overrides: Mapping[str, Severity | None]) -> Severity | None:
    """The severity ``overrides`` give a finding of ``code`` (None: ignore it); call only when
    :func:`has_override`. Ignoring wins, then error, then warning."""
    matched = [overrides[name] for name in identities(code) if name in overrides]
    if None in matched:
        return None
    return Severity.ERROR if Severity.ERROR in matched else matched[0]


def has_override(code: str, overrides: Mapping[str, Severity | None]) -> bool:
    return any(name in overrides for name in identities(code))


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown_table() -> str:
    """The README's table of every check, written from the catalogue (a test keeps the README
    equal to it: ``python -m stix_mtac.validate.catalogue`` prints it)."""
    severity = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"}
    lines = [
        "| code | name | severity | from | what it checks |",
        "|---|---|---|---|---|",
    ]
    for rule in rules().values():
        aliases = rule.alias_codes
        also = f" Answers to {', '.join(f'`{code}`' for code in aliases)}." if aliases else ""
        lines.append(
            f'| <a id="{rule.anchor}"></a>`{rule.code}` | {rule.name} | '
            f"{severity[rule.severity]} | {rule.origin} | {_cell(rule.summary)}{also} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
