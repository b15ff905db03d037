"""Why a quote is not found in its source text, and where the nearest passage is.

A facts file's quote must occur verbatim in the report's cleaned source text (white space may
wrap differently). When it does not, the analyst needs to know which passage was meant and what
differs: a curly apostrophe typed straight, a different case, a soft hyphen or zero-width space
that the PDF export left in the source, a no-break space. ``diagnose_quote`` says so in one line.

Pure functions of their input; the cost is bounded by ``MAX_SOURCE_CHARS`` and the quote length.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

# Characters that print as nothing (or as a plain space) and so hide in a source text.
HIDDEN: Mapping[str, str] = {
    "\u00ad": "a soft hyphen (U+00AD)",
    "\u200b": "a zero-width space (U+200B)",
    "\u200c": "a zero-width non-joiner (U+200C)",
    "\u200d": "a zero-width joiner (U+200D)",
    "\u2060": "a word joiner (U+2060)",
    "\ufeff": "a byte-order mark / zero-width no-break space (U+FEFF)",
}
SPACES: Mapping[str, str] = {
    "\u00a0": "a no-break space (U+00A0)",
    "\u202f": "a narrow no-break space (U+202F)",
    "\u2007": "a figure space (U+2007)",
}
# Typographic characters and the plain ones people type instead.
TYPOGRAPHIC: Mapping[str, str] = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u2026": "...",
}

MAX_SOURCE_CHARS = 4_000_000  # beyond this, say "not found" without a nearest passage
SHOWN_CHARS = 70  # how much of the nearest passage the message shows


@dataclass(frozen=True)
class _Text:
    """A text with white space collapsed, and the index in the original of each character."""

    text: str
    origin: tuple[int, ...]


def _collapse(text: str, keep: Callable[[str], str] = lambda character: character) -> _Text:
    """Collapse runs of white space to one space (as the facts loader compares), after mapping
    each character through ``keep`` (which may return "" to drop it)."""
    out: list[str] = []
    origin: list[int] = []
    for index, character in enumerate(text):
        mapped = keep(character)
        for piece in mapped:
            if piece.isspace() and piece not in SPACES:
                if out and out[-1] == " ":
                    continue
                piece = " "
            out.append(piece)
            origin.append(index)
    while out and out[-1] == " ":
        out.pop()
        origin.pop()
    start = 1 if out and out[0] == " " else 0
    return _Text("".join(out[start:]), tuple(origin[start:]))


def _plain(character: str) -> str:
    """Hidden characters dropped, special spaces as spaces, typography as typed."""
    if character in HIDDEN:
        return ""
    if character in SPACES:
        return " "
    return TYPOGRAPHIC.get(character, character)


def diagnose_quote(quote: str, source: str) -> str:
    """One line: the nearest passage of ``source`` and why ``quote`` differs from it."""
    source_text = _collapse(source)
    quote_text = _collapse(quote)
    if not quote_text.text:
        return "the quote is empty"
    if quote_text.text in source_text.text:
        return "the quote is in the source"
    if len(source) > MAX_SOURCE_CHARS:
        return "no passage matches (the source is too large to search for the nearest one)"
    reason, where = _explain(quote_text.text, source, source_text)
    if where is None:
        return reason
    line = source.count("\n", 0, where) + 1
    return f"{reason} (source line {line})"


def _explain(quote: str, source: str, source_text: _Text) -> tuple[str, int | None]:
    """The reason the quote differs and the position in ``source`` of the nearest passage."""
    # 1. Hidden characters, odd spaces, typography: compare with them neutralised.
    plain_source = _collapse(source, _plain)
    plain_quote = _collapse(quote, _plain).text
    position = plain_source.text.find(plain_quote)
    if position != -1:
        start = plain_source.origin[position]
        end = plain_source.origin[position + len(plain_quote) - 1] + 1
        return _character_reason(quote, source[start:end]), start
    # 2. Case.
    position = plain_source.text.casefold().find(plain_quote.casefold())
    if position != -1:
        start = plain_source.origin[position]
        passage = plain_source.text[position : position + len(plain_quote)]
        return f"differs only in case: {_first_difference(plain_quote, passage)}", start
    # 3. Spacing inside the text (a word split or joined).
    squeezed_source = _collapse(source, lambda c: "" if c.isspace() else _plain(c))
    squeezed_quote = _collapse(quote, lambda c: "" if c.isspace() else _plain(c)).text
    position = squeezed_source.text.find(squeezed_quote)
    if position != -1 and squeezed_quote:
        return "differs only in spacing (a word split or joined)", squeezed_source.origin[position]
    # 4. Nearest passage by similarity.
    return _nearest(plain_quote, plain_source)


def _character_reason(quote: str, passage: str) -> str:
    """Which hidden, space or typographic characters make ``passage`` differ from ``quote``."""
    reasons: list[str] = []
    for character, name in (*HIDDEN.items(), *SPACES.items()):
        in_source, in_quote = character in passage, character in quote
        if in_source != in_quote:
            where, other = ("the source", "quote") if in_source else ("the quote", "source")
            reasons.append(f"{where} has {name} that the {other} lacks")
    seen: set[tuple[str, str]] = set()
    for character, typed in TYPOGRAPHIC.items():
        if character in passage and character not in quote and typed in quote:
            seen.add((character, typed))
        if character in quote and character not in passage:
            reasons.append(f"the quote has {_name(character)} where the source has {typed!r}")
    for character, typed in sorted(seen):
        reasons.append(f"the source has {_name(character)} where the quote has {typed!r}")
    if not reasons:  # the same characters, placed differently
        reasons.append("differs in typographic characters (quotes, dashes, hidden characters)")
    return "; ".join(reasons)


def _name(character: str) -> str:
    return f"{character!r} ({unicodedata.name(character, 'unnamed').lower()})"


def _first_difference(quote: str, passage: str) -> str:
    for index, (ours, theirs) in enumerate(zip(quote, passage, strict=False)):
        if ours != theirs:
            start = max(0, index - 15)
            return (
                f"the quote has {quote[start : index + 15]!r}, "
                f"the source has {passage[start : index + 15]!r}"
            )
    return f"the quote has {len(quote)} characters, the passage {len(passage)}"


_WORD = re.compile(r"\w+")


def _nearest(quote: str, source: _Text) -> tuple[str, int | None]:
    """The passage of ``source`` most like ``quote``: anchored on the longest common run, then
    widened to the quote's length and scored; shows where the two first part."""
    text = source.text
    if not text:
        return "the source text is empty", None
    matcher = difflib.SequenceMatcher(None, text, quote, autojunk=False)
    best: tuple[float, int] = (-1.0, 0)
    for block in matcher.get_matching_blocks()[:50]:
        if block.size == 0:
            continue
        start = max(0, block.a - block.b)
        window = text[start : start + len(quote)]
        score = difflib.SequenceMatcher(None, window, quote, autojunk=False).ratio()
        if score > best[0]:
            best = (score, start)
    score, start = best
    if score < 0.5:
        return "no passage of the source is close to the quote (is it from another text?)", None
    passage = text[start : start + len(quote)]
    difference = _first_difference(quote, passage)
    shown = passage if len(passage) <= SHOWN_CHARS else passage[:SHOWN_CHARS] + "…"
    return f'nearest passage "{shown}": {difference}', source.origin[start]
