"""The public validation API: ``validate_bundle`` for data, used by export, CI and the CLI.

A bundle is checked by stix2-validator's conformance checks (``conformance.py``) and by our
own semantic checks (``checks/``). The options then apply uniformly to every finding:
``disabled``/``enabled`` select by code or name, ``strict`` turns warnings into errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from stix_mtac.errors import InputError
from stix_mtac.jsonio import DEFAULT_LIMITS, JsonLimits
from stix_mtac.validate.engine import run_checks
from stix_mtac.validate.findings import Engine, Finding, Progress, Severity
from stix_mtac.validate.registry import registered_checks

# Code of the finding that replaces a conformance run that recursed too deep (a guard: the
# conformance layer promises never to raise RecursionError).
CONFORMANCE_RECURSION = ("SX001", "conformance-recursion")


@dataclass(frozen=True)
class ValidationOptions:
    """How to validate. ``disabled``/``enabled`` hold check codes or names."""

    disabled: frozenset[str] = frozenset()
    enabled: frozenset[str] | None = None  # None: every check; otherwise only these
    strict: bool = False
    open_bundle: bool = False
    conformance: bool = True  # False: only our own checks (fast; no stix2-validator)
    engine: Engine = "fast"
    jobs: int | None = None
    limits: JsonLimits = field(default=DEFAULT_LIMITS)

    def selects(self, code: str, name: str) -> bool:
        """True when a finding with this code and name is reported under these options."""
        if code in self.disabled or name in self.disabled:
            return False
        return self.enabled is None or code in self.enabled or name in self.enabled


@dataclass(frozen=True)
class ValidationResult:
    """The findings for one bundle, in bundle order, after the options were applied."""

    source: str
    findings: tuple[Finding, ...]
    object_count: int

    def count(self, severity: Severity) -> int:
        return sum(1 for finding in self.findings if finding.severity is severity)

    @property
    def errors(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity is Severity.WARNING]

    @property
    def is_valid(self) -> bool:
        return not any(finding.severity is Severity.ERROR for finding in self.findings)


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
    """Select findings by code/name and promote warnings under ``strict``."""
    selected = [f for f in findings if options.selects(f.code, f.name)]
    if options.strict:
        selected = [
            replace(f, severity=Severity.ERROR) if f.severity is Severity.WARNING else f
            for f in selected
        ]
    return selected


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
    ours = frozenset(c.code for c in registered_checks() if options.selects(c.code, c.name))
    findings = run_checks(checked, open_bundle=options.open_bundle, selected=ours)
    if options.conformance:
        findings.extend(_conformance(checked, options, progress))
    objects = checked.get("objects")
    return ValidationResult(
        source=source,
        findings=tuple(sorted(apply_options(findings, options), key=_bundle_order)),
        object_count=len(objects) if isinstance(objects, list) else 0,
    )
