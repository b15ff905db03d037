"""A progress line for long TAXII runs: on stderr, rewritten in place, only on a terminal.

Nothing is written when stderr is a file or a pipe, so logs and scripts see only the result
lines; on a terminal a 20-second read-back no longer looks like a hang.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TextIO

_CLEAR_LINE = "\r\x1b[K"


class TerminalProgress:
    """Call it with a short text to show; use it as a context manager to clear the line."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream if stream is not None else sys.stderr
        try:
            self.active = self._stream.isatty()
        except (AttributeError, ValueError):
            self.active = False
        self._shown = False

    def __call__(self, text: str) -> None:
        if self.active:
            self._stream.write(f"{_CLEAR_LINE}{text}")
            self._stream.flush()
            self._shown = True

    def clear(self) -> None:
        if self._shown:
            self._stream.write(_CLEAR_LINE)
            self._stream.flush()
            self._shown = False

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.clear()
