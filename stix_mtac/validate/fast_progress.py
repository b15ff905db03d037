"""A progress bar on stderr for conformance runs that take more than about two seconds.

Pass ``progress_bar()`` as ``conformance_findings(..., progress=...)``. Nothing is drawn when
stderr is not a terminal (CI logs stay clean) or before ``delay`` seconds have passed (small
bundles never flash a bar); the line is cleared when the work is done.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

WIDTH = 30


class ProgressBar:
    def __init__(
        self,
        label: str,
        stream: TextIO,
        *,
        delay: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.stream = stream
        self.delay = delay
        self.clock = clock
        self.started = clock()
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        if done >= total:
            if self.drawn:
                self.stream.write("\r\x1b[2K")
                self.stream.flush()
            return
        if self.clock() - self.started < self.delay or total <= 0:
            return
        filled = WIDTH * done // total
        bar = "#" * filled + "." * (WIDTH - filled)
        self.stream.write(f"\r{self.label} [{bar}] {done}/{total} objects")
        self.stream.flush()
        self.drawn = True


def progress_bar(label: str = "checking", stream: TextIO | None = None) -> ProgressBar | None:
    """A bar for ``stream`` (default stderr) when it is a terminal, else None."""
    target = stream if stream is not None else sys.stderr
    return ProgressBar(label, target) if target.isatty() else None
