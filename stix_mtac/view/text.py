"""Plain-text helpers for terminal output: safe characters, wrapping to a fixed width."""

from __future__ import annotations

import textwrap

from stix_mtac.printable import printable

WIDTH = 80


def safe(text: str) -> str:
    """Text from a bundle with control characters made visible.

    Bundles are untrusted: an escape sequence in a name must not reach the terminal, where it
    could rewrite earlier lines or the window title.
    """
    return printable(" ".join(text.split()))


def wrapped(text: str, indent: int, hanging: int | None = None, width: int = WIDTH) -> list[str]:
    """``text`` wrapped to ``width`` columns; first line indented ``indent``, others ``hanging``."""
    rest = indent if hanging is None else hanging
    return textwrap.wrap(
        safe(text),
        width=width,
        initial_indent=" " * indent,
        subsequent_indent=" " * rest,
        break_long_words=True,
        break_on_hyphens=False,
    ) or [" " * indent]
