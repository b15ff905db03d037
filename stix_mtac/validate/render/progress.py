"""A progress line on stderr for long conformance runs: terminals only, after two seconds."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from stix_mtac.validate.api import Progress

DELAY_S = 2.0  # short runs never show a bar


class ProgressLine:
    """``progress(done, total)`` callback that redraws one line, then clears it when done."""

    def __init__(self, source: str, stream: TextIO, delay: float = DELAY_S) -> None:
        self.source = source
        self.stream = stream
        self.started = time.monotonic()
        self.delay = delay
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if not self.shown and time.monotonic() - self.started < self.delay:
            return
        self.shown = True
        percent = 100 * done // total if total else 100
        self.stream.write(f"\r{self.source}: checking {done}/{total} objects ({percent}%)\x1b[K")
        if done >= total:
            self.stream.write("\r\x1b[K")
        self.stream.flush()


def progress_for_terminal(source: str, stream: TextIO | None = None) -> Progress | None:
    """A ProgressLine when ``stream`` (default stderr) is a terminal, else None."""
    stream = stream or sys.stderr
    return ProgressLine(source, stream) if stream.isatty() else None
