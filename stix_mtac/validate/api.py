"""The public validation API: ``validate_bundle`` for data, used by export, CI and the CLI.

A bundle is checked by stix2-validator's conformance checks (``conformance.py``) and by our
own semantic checks (``checks/``); where both report one defect, one finding is kept (ours,
see ``catalogue.py``). The options then apply uniformly to every finding: ``disabled`` and
``enabled`` select by code, name or alias, ``strict`` turns warnings into errors, and
``severities`` set (or ignore) the severity of single checks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from stix_mtac.errors import InputError
from stix_mtac.jsonio import DEFAULT_LIMITS, JsonLimits
from stix_mtac.validate.catalogue import (
    CONFORMANCE_RECURSION,
    TOO_MANY_FINDINGS,
    has_override,
    identities,
    one_finding_per_defect,
    severity_of,
)
from stix_mtac.validate.engine import run_checks
from stix_mtac.validate.findings import Engine, Finding, Progress, Severity

# Resource limits per file (documented in the README; --max-objects, --max-findings).
DEFAULT_MAX_OBJECTS = 1_000_000
DEFAULT_MAX_FINDINGS = 100_000


@dataclass(frozen=True)
class ValidationOptions:
    """How to validate. ``disabled``/``enabled`` hold check codes, names or aliases (any case);
    ``severities`` maps a code or name to the severity its findings get (None: ignore them)."""

    disabled: frozenset[str] = frozenset()
    enabled: frozenset[str] | None = None  # None: every check; otherwise only these
    strict: bool = False
    severities: Mapping[str, Severity | None] = field(default_factory=dict)
    max_objects: int = DEFAULT_MAX_OBJECTS
    max_findings: int = DEFAULT_MAX_FINDINGS
    open_bundle: bool = False
    conformance: bool = True  # False: only our own checks (fast; no stix2-validator)
    engine: Engine = "fast"
    jobs: int | None = None
    limits: JsonLimits = field(default=DEFAULT_LIMITS)

    def __post_init__(self) -> None:
        # codes and names match in any case: keep them lower-case once, not per finding
        object.__setattr__(self, "disabled", frozenset(s.lower() for s in self.disabled))
        if self.enabled is not None:
            object.__setattr__(self, "enabled", frozenset(s.lower() for s in self.enabled))

    def selects(self, code: str, name: str = "") -> bool:
        """True when a finding with this code is reported under these options."""
        names = identities(code) | {name.lower()}
        if names & self.disabled:
            return False
        return self.enabled is None or bool(names & self.enabled)

    def severity_overrides(self) -> dict[str, Severity | None]:
        return {spelling.lower(): severity for spelling, severity in self.severities.items()}


@dataclass(frozen=True)
class ValidationResult:
    """The findings for one bundle, in bundle order, after the options were applied."""

    source: str
    findings: tuple[Finding, ...]
    object_count: int

    def count(self, severity: Severity) -> int:
        """Findings of ``severity`` that count (a baseline's suppressed ones do not)."""
        return sum(1 for f in self.findings if f.severity is severity and f.suppression is None)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR and f.suppression is None]

    @property
    def warnings(self) -> list[Finding]:
        return [
            f for f in self.findings if f.severity is Severity.WARNING and f.suppression is None
        ]

    @property
    def suppressed(self) -> list[Finding]:
        return [f for f in self.findings if f.suppression is not None]

    @property
    def is_valid(self) -> bool:
        return not self.errors


def require_bundle(value: Any, source: str) -> Mapping[str, Any]:
    """The value as a bundle, or InputError (exit 4) saying what the top level is instead."""
    if not isinstance(value, dict):
        kind = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
            type(value), "a number"
        )
        raise InputError(f"{source}: top level is {kind}, expected a STIX bundle object")
    if value.get("type") != "bundle":
        found = value.get("type")
        what = f"a {found!r} object" if isinstance(found, str) else "an object without a type"
        raise InputError(
            f'{source}: top level is {what}, expected a bundle ({{"type": "bundle", ...}}); '
            "wrap single objects in a bundle"
        )
    return value


_OBJECT_INDEX = re.compile(r"^\$\.objects\[(\d+)\]")


def _bundle_order(finding: Finding) -> tuple[int, str, str]:
    match = _OBJECT_INDEX.match(finding.json_path)
    return (int(match.group(1)) if match else -1, finding.code, finding.json_path)


def _conformance(
    bundle: Mapping[str, Any], options: ValidationOptions, progress: Progress | None
) -> list[Finding]:
    from stix_mtac.validate.conformance import conformance_findings

    try:
        findings: list[Finding] = conformance_findings(
            dict(bundle),
            engine=options.engine,
            jobs=options.jobs,
            strict=options.strict,
            progress=progress,
            limit=options.max_findings + 1,
        )
        return findings
    except RecursionError:
        code, name = CONFORMANCE_RECURSION
        return [
            Finding(
                code,
                name,
                Severity.ERROR,
                "$",
                "the bundle is nested too deeply to check (a STIX pattern or property that "
                "recurses without end?); simplify it",
            )
        ]


def apply_options(findings: Iterable[Finding], options: ValidationOptions) -> list[Finding]:
    """Select findings by code/name, promote warnings under ``strict``, then apply the
    per-check severities (which win over ``strict``: they name one check)."""
    selected = [f for f in findings if options.selects(f.code, f.name)]
    if options.strict:
        selected = [
            replace(f, severity=Severity.ERROR) if f.severity is Severity.WARNING else f
            for f in selected
        ]
    overrides = options.severity_overrides()
    if not overrides:
        return selected
    result: list[Finding] = []
    for finding in selected:
        if not has_override(finding.code, overrides):
            result.append(finding)
        elif (severity := severity_of(finding.code, overrides)) is not None:
            result.append(replace(finding, severity=severity))
    return result


def _bounded(findings: list[Finding], limit: int) -> list[Finding]:
    """At most ``limit`` findings (in bundle order), then one saying the rest were dropped."""
    if len(findings) <= limit:
        return findings
    code, name = TOO_MANY_FINDINGS
    message = (
        f"more than {limit} findings: the rest of this file was not checked or reported "
        "(fix these first, or raise the limit with --max-findings)"
    )
    return [*findings[:limit], Finding(code, name, Severity.ERROR, "$", message)]


def _object_count(bundle: Mapping[str, Any], source: str, limit: int) -> int:
    objects = bundle.get("objects")
    count = len(objects) if isinstance(objects, list) else 0
    if count > limit:
        raise InputError(
            f"{source}: {count} objects exceeds the limit of {limit} objects per file "
            "(raise it with --max-objects)"
        )
    return count


def validate_bundle(
    bundle: Any,
    *,
    source: str = "<bundle>",
    options: ValidationOptions | None = None,
    progress: Progress | None = None,
) -> ValidationResult:
    """Validate parsed bundle data. Pure: no clock, no I/O.

    Raises InputError when the top level is not a bundle object. Everything else is a finding.
    ``progress(done, total)`` is called as the conformance checks go through the objects.
    """
    options = options or ValidationOptions()
    checked = require_bundle(bundle, source)
    count = _object_count(checked, source, options.max_objects)
    # All of ours run whatever is selected: a disabled one must still absorb the upstream
    # finding of its defect, so that --disable with either code silences that defect.
    findings = run_checks(checked, open_bundle=options.open_bundle, limit=options.max_findings + 1)
    if options.conformance:
        findings.extend(_conformance(checked, options, progress))
    findings = apply_options(one_finding_per_defect(findings), options)
    findings.sort(key=_bundle_order)
    return ValidationResult(
        source=source,
        findings=tuple(_bounded(findings, options.max_findings)),
        object_count=count,
    )
