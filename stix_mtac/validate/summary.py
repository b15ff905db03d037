"""Totals over a run and the exit status they mean (documented in ``stix-mtac validate --help``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from stix_mtac.validate.catalogue import UNREADABLE
from stix_mtac.validate.findings import Severity
from stix_mtac.validate.sources import FileReport

EXIT_VALID = 0
EXIT_ERRORS = 1
# An unreadable input wins over findings: it was not checked at all, so the run proves nothing
# about it, and CI must not mistake "could not read" for "has a fixable finding". A run that
# checked nothing at all (an empty directory, only JSON that is not STIX) proves nothing
# either: a gate pointed at the wrong folder must not pass.
EXIT_UNREADABLE = 4
EXIT_NOTHING_CHECKED = EXIT_UNREADABLE

# The pseudo-rule that machine formats use for an input that could not be read.
UNREADABLE_CODE, UNREADABLE_NAME = UNREADABLE

FailOn = Literal["error", "warning"]


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
    suppressed: int = 0
    checked: int = 0  # files whose bundle was checked
    fail_on: FailOn = "error"
    allow_empty: bool = False

    @property
    def nothing_checked(self) -> bool:
        return self.checked == 0 and self.unreadable == 0 and not self.allow_empty

    @property
    def exit_code(self) -> int:
        if self.unreadable:
            return EXIT_UNREADABLE
        if self.nothing_checked:
            return EXIT_NOTHING_CHECKED
        failing = self.errors + (self.warnings if self.fail_on == "warning" else 0)
        return EXIT_ERRORS if failing else EXIT_VALID

    def line(self) -> str:
        """The last line of every output: files, objects, errors, warnings, seconds."""

        def plural(count: int, word: str) -> str:
            return f"{count} {word}{'' if count == 1 else 's'}"

        extra = f", {self.unreadable} unreadable" if self.unreadable else ""
        if self.skipped:
            extra += f", {self.skipped} skipped"
        suppressed = f", {self.suppressed} suppressed by the baseline" if self.suppressed else ""
        nothing = "; nothing was checked" if self.nothing_checked else ""
        return (
            f"{plural(self.files, 'file')}{extra}, {plural(self.objects, 'object')}: "
            f"{plural(self.errors, 'error')}, {plural(self.warnings, 'warning')}{suppressed} "
            f"in {self.seconds:.2f} s{nothing}"
        )


def summarise(
    reports: Sequence[FileReport],
    seconds: float,
    *,
    fail_on: FailOn = "error",
    allow_empty: bool = False,
) -> RunSummary:
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
        suppressed=sum(len(result.suppressed) for result in results),
        checked=len(results),
        fail_on=fail_on,
        allow_empty=allow_empty,
    )
