"""Totals over a run and the exit status they mean (documented in ``stix-mtac validate --help``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from stix_mtac.validate.findings import Severity
from stix_mtac.validate.sources import FileReport

EXIT_VALID = 0
EXIT_ERRORS = 1
# An unreadable input wins over findings: it was not checked at all, so the run proves nothing
# about it, and CI must not mistake "could not read" for "has a fixable finding".
EXIT_UNREADABLE = 4

# The pseudo-rule that machine formats use for an input that could not be read.
UNREADABLE_CODE, UNREADABLE_NAME = "SX000", "unreadable-input"


@dataclass(frozen=True)
class RunSummary:
    files: int
    objects: int
    errors: int
    warnings: int
    infos: int
    unreadable: int
    seconds: float
    skipped: int = 0

    @property
    def exit_code(self) -> int:
        if self.unreadable:
            return EXIT_UNREADABLE
        return EXIT_ERRORS if self.errors else EXIT_VALID

    def line(self) -> str:
        """The last line of every output: files, objects, errors, warnings, seconds."""

        def plural(count: int, word: str) -> str:
            return f"{count} {word}{'' if count == 1 else 's'}"

        unreadable = f", {self.unreadable} unreadable" if self.unreadable else ""
        if self.skipped:
            unreadable += f", {self.skipped} skipped"
        return (
            f"{plural(self.files, 'file')}{unreadable}, {plural(self.objects, 'object')}: "
            f"{plural(self.errors, 'error')}, {plural(self.warnings, 'warning')} "
            f"in {self.seconds:.2f} s"
        )


def summarise(reports: Sequence[FileReport], seconds: float) -> RunSummary:
    results = [report.result for report in reports if report.result is not None]
    skipped = sum(1 for report in reports if report.skipped is not None)
    return RunSummary(
        files=len(reports) - skipped,
        objects=sum(result.object_count for result in results),
        errors=sum(result.count(Severity.ERROR) for result in results),
        warnings=sum(result.count(Severity.WARNING) for result in results),
        infos=sum(result.count(Severity.INFO) for result in results),
        unreadable=sum(1 for report in reports if report.input_error is not None),
        seconds=seconds,
        skipped=skipped,
    )
