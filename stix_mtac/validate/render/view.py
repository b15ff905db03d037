"""What every output format shares: how to name a file and a place in it, and what to show.

Everything taken from input (file names, ids, keys inside paths and messages) goes through
:func:`~stix_mtac.printable.printable` in the text formats; the JSON formats escape every
non-ASCII and control character as JSON does, and JUnit XML gets the printable form (XML 1.0
cannot carry most control characters at all).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from stix_mtac.validate.findings import Finding, Severity
from stix_mtac.validate.sources import FileReport

STDIN_NAME = "<stdin>"


@dataclass(frozen=True)
class RenderOptions:
    """``root``: paths in SARIF and the baseline are relative to it; ``quiet``: errors and the
    summary only; ``colour``: ANSI colours in text (a terminal without NO_COLOR)."""

    root: Path = field(default_factory=Path.cwd)
    quiet: bool = False
    colour: bool = False


def relative_path(source: str, root: Path) -> str | None:
    """``source`` relative to ``root`` in POSIX form, or None (stdin, or outside the root)."""
    if source == STDIN_NAME:
        return None
    try:
        return PurePosixPath(Path(source).resolve().relative_to(root.resolve())).as_posix()
    except ValueError:
        return None


def artifact_uri(source: str, root: Path) -> tuple[str, bool]:
    """The SARIF URI of an input and whether it is relative to the root (``uriBaseId``)."""
    relative = relative_path(source, root)
    if relative is not None:
        return quote(relative, safe="/"), True
    if source == STDIN_NAME:
        return "stdin", False
    return Path(source).resolve().as_uri(), False


def baseline_key(source: str, root: Path) -> str:
    """How a baseline names a file: relative to the root when inside it, else as given."""
    return relative_path(source, root) or source


def shown_findings(report: FileReport, options: RenderOptions) -> list[Finding]:
    """The findings a format lists for one file: all, or under ``quiet`` the counting errors."""
    if report.result is None:
        return []
    findings = list(report.result.findings)
    if options.quiet:
        findings = [f for f in findings if f.severity is Severity.ERROR and f.suppression is None]
    return findings
