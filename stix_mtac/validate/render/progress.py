"""A progress bar on stderr for long conformance runs: terminals only, after two seconds.

Nothing is drawn when stderr is not a terminal (CI logs stay clean) or before the delay has
passed (small bundles never flash a bar); the line is cleared when the work is done.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from stix_mtac.validate.findings import Progress

DELAY_S = 2.0
WIDTH = 30


class ProgressBar:
    """``progress(done, total)`` callback that redraws one line, then clears it when done."""

    def __init__(
        self,
        source: str,
        stream: TextIO,
        *,
        delay: float = DELAY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
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
        self.stream.write(f"\r{self.source}: checking [{bar}] {done}/{total} objects\x1b[K")
        self.stream.flush()
        self.drawn = True


def progress_for_terminal(source: str, stream: TextIO | None = None) -> Progress | None:
    """A ProgressBar for ``stream`` (default stderr) when it is a terminal, else None."""
    target = stream if stream is not None else sys.stderr
    return ProgressBar(source, target) if target.isatty() else None
