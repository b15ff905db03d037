"""Text taken from untrusted input, made safe to print: the one escaping function for output.

A bundle, a file name or a server message may carry control characters: a newline in an id
would forge a line of output (``evil.json: valid``), an escape sequence in a key would reach
the terminal and rewrite earlier lines or the window title. Every character of Unicode
category C (controls, format characters such as bidirectional overrides, surrogates,
unassigned code points) and the line and paragraph separators is shown as a Python-style
escape (``\\x1b``, ``\\u202e``), so the text stays readable and on one line.
"""

from __future__ import annotations

import unicodedata

# Unicode categories escaped: controls, format characters, surrogates, private use,
# unassigned; and (checked as characters) the line and paragraph separators.
_UNSAFE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "\u2028", "\u2029"})


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def printable(text: str) -> str:
    """``text`` with every control or format character escaped (plain text is unchanged)."""
    if text.isprintable():
        return text  # the common case, in C
    return "".join(
        _escape(char) if unicodedata.category(char) in _UNSAFE or char in _UNSAFE else char
        for char in text
    )
