"""The tokens of a STIX 2.1 pattern, read in one pass (linear time on any input).

Longest match wins and, between equally long matches, the rule listed first in the reference
grammar (keywords before identifiers, ``true``/``false`` are boolean literals). White space
and comments are skipped. A character no rule accepts becomes an ``INVALID`` token, so the
parser, not the lexer, reports it, as the reference parser does.

Linear time: the one construct whose naive reading is quadratic is a run of quotes inside a
string that never closes (every quote starts a new attempt that scans to the same dead end).
When a first attempt fails, the ends of all strings are computed once, right to left.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

# Token kinds (names of the reference grammar's tokens).
INT_NEG, INT_POS, FLOAT_NEG, FLOAT_POS = "IntNeg", "IntPos", "FloatNeg", "FloatPos"
HEX, BINARY, STRING, BOOL, TIMESTAMP = "Hex", "Binary", "String", "Bool", "Timestamp"
IDENT, IDENT_HYPHEN = "Identifier", "IdentifierWithHyphen"
EQ, NEQ, LT, LE, GT, GE = "=", "!=", "<", "<=", ">", ">="
EOF = "<EOF>"
INVALID = "<INVALID>"

KEYWORDS = frozenset(
    {"AND", "OR", "NOT", "FOLLOWEDBY", "LIKE", "MATCHES", "ISSUPERSET", "ISSUBSET", "EXISTS"}
    | {"LAST", "IN", "START", "STOP", "SECONDS", "WITHIN", "REPEATS", "TIMES"}
)
# Single-character tokens; their kind is the character itself.
PUNCTUATION = frozenset("':.,)(][+-^/*")

# The reference grammar's white space: ASCII blanks plus the Unicode space separators.
_SPACES = (
    " \t\r\n\x0b\x0c\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_SKIP = re.compile(f"[{_SPACES}]+")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_HYPHEN_TAIL = re.compile(r"[A-Za-z0-9_-]*")
_NUMBER = re.compile(r"[+-]?[0-9]*\.[0-9]+|[+-]?(?:0|[1-9][0-9]*)")
_STRING = re.compile(r"'(?:[^'\\]++|\\['\\])*+'")
_HEX = re.compile(r"h'(?:[0-9A-Fa-f]{2})*'")
_B64 = "[A-Za-z0-9+/]"
_BINARY = re.compile(rf"b'(?:{_B64}{{4}})*(?:{_B64}{{4}}|{_B64}{{3}}=|{_B64}{{2}}==)'")
_TIMESTAMP = re.compile(
    r"t'[0-9]{4}-(?:0[1-9]|1[012])-(?:0[1-9]|[12][0-9]|3[01])T(?:[01][0-9]|2[0-3]):"
    r"[0-5][0-9]:(?:[0-5][0-9]|60)(?:\.[0-9]+)?Z'"
)
_LINE_COMMENT = re.compile(r"//[^\r\n]*")
_PREFIXED = {"h": _HEX, "b": _BINARY, "t": _TIMESTAMP}
_PREFIXED_KIND = {"h": HEX, "b": BINARY, "t": TIMESTAMP}
_OPERATORS = {"==": EQ, "=": EQ, "!=": NEQ, "<>": NEQ, "<=": LE, "<": LT, ">=": GE, ">": GT}


class Token(NamedTuple):
    kind: str
    text: str
    position: int


def _string_ends(text: str) -> list[int]:
    """For each index i, where a string whose content starts at i closes (-1: never)."""
    ends = [-1] * (len(text) + 2)
    for index in range(len(text) - 1, -1, -1):
        char = text[index]
        if char == "'":
            ends[index] = index
        elif char == "\\":
            ends[index] = ends[index + 2] if text[index + 1 : index + 2] in ("'", "\\") else -1
        else:
            ends[index] = ends[index + 1]
    return ends


# One expression for the common case, alternatives ordered so that the first match is the
# longest one. A quote that opens no string, a '/*' that never closes (the two constructs whose
# repeated failure is quadratic) or a character outside ASCII send the whole text to the
# careful reader below instead.
_MASTER = re.compile(
    "|".join(
        [
            f"(?P<skip>[{_SPACES}]+|//[^\\r\\n]*|/\\*(?s:.*?)\\*/)",
            f"(?P<{STRING}>'(?:[^'\\\\]++|\\\\['\\\\])*+')",
            f"(?P<{HEX}>{_HEX.pattern})",
            f"(?P<{BINARY}>{_BINARY.pattern})",
            f"(?P<{TIMESTAMP}>{_TIMESTAMP.pattern})",
            "(?P<word>[A-Za-z_][A-Za-z0-9_-]*)",
            "(?P<number>[+-]?[0-9]*\\.[0-9]+|[+-]?(?:0|[1-9][0-9]*))",
            "(?P<operator>==|!=|<>|<=|>=|[=<>])",
            "(?P<punctuation>[:.,)(\\][+\\-^*])",
            "(?P<slow>['/]|[^\\x00-\\x7f]|(?s:.))",
        ]
    )
)


@lru_cache(maxsize=256)
def tokenize(text: str) -> tuple[Token, ...]:
    """The tokens of ``text``, ending with an ``EOF`` token (cached: the size guard and the
    parser read the same pattern one after the other)."""
    tokens: list[Token] = []
    append = tokens.append
    for match in _MASTER.finditer(text):
        group = match.lastgroup
        if group == "skip":
            continue
        word = match.group()
        start = match.start()
        if group == "word":
            if "-" in word:
                kind = IDENT_HYPHEN
            elif word in KEYWORDS:
                kind = word
            elif word in ("true", "false"):
                kind = BOOL
            else:
                kind = IDENT
        elif group == "number":
            if "." in word:
                kind = FLOAT_NEG if word[0] == "-" else FLOAT_POS
            else:
                kind = INT_NEG if word[0] == "-" else INT_POS
        elif group == "operator":
            kind = _OPERATORS[word]
        elif group == "punctuation":
            kind = word
        elif group == "slow":
            return _tokenize_carefully(text)
        else:
            kind = group  # type: ignore[assignment]
        append(Token(kind, word, start))
    append(Token(EOF, "<EOF>", len(text)))
    return tuple(tokens)


def _tokenize_carefully(text: str) -> tuple[Token, ...]:
    """The same tokens, one character class at a time, linear on any input."""
    tokens: list[Token] = []
    append = tokens.append
    position, size = 0, len(text)
    string_ends: list[int] | None = None
    comment_unclosed_from = size + 1  # a '/*' at or after this has no '*/'
    while position < size:
        char = text[position]
        if char in _SPACES:
            position = _SKIP.match(text, position).end()  # type: ignore[union-attr]
            continue
        if char == "'":
            end = -1
            if string_ends is None:
                match = _STRING.match(text, position)
                if match:
                    end = match.end()
                else:
                    string_ends = _string_ends(text)
            if string_ends is not None:
                close = string_ends[position + 1]
                end = close + 1 if close >= 0 else -1
            if end > 0:
                append(Token(STRING, text[position:end], position))
                position = end
            else:
                append(Token("'", char, position))
                position += 1
            continue
        if char in _PREFIXED and text.startswith("'", position + 1):
            match = _PREFIXED[char].match(text, position)
            if match:
                append(Token(_PREFIXED_KIND[char], match.group(), position))
                position = match.end()
                continue
        if char.isascii() and (char.isalpha() or char == "_"):
            end = _IDENT.match(text, position).end()  # type: ignore[union-attr]
            tail = _HYPHEN_TAIL.match(text, end).end()  # type: ignore[union-attr]
            word = text[position:tail]
            if tail > end:
                kind = IDENT_HYPHEN
            elif word in KEYWORDS:
                kind = word
            elif word in ("true", "false"):
                kind = BOOL
            else:
                kind = IDENT
            append(Token(kind, word, position))
            position = tail
            continue
        if char.isdigit() or char in "+-.":
            match = _NUMBER.match(text, position)
            if match and char.isascii():
                number = match.group()
                if "." in number:
                    kind = FLOAT_NEG if number[0] == "-" else FLOAT_POS
                else:
                    kind = INT_NEG if number[0] == "-" else INT_POS
                append(Token(kind, number, position))
                position = match.end()
                continue
        if char == "/" and text.startswith("*", position + 1):
            close = text.find("*/", position + 2) if position < comment_unclosed_from else -1
            if close >= 0:
                position = close + 2
                continue
            comment_unclosed_from = min(comment_unclosed_from, position)
        elif char == "/" and text.startswith("/", position + 1):
            position = _LINE_COMMENT.match(text, position).end()  # type: ignore[union-attr]
            continue
        operator = text[position : position + 2]
        if operator in _OPERATORS:
            append(Token(_OPERATORS[operator], operator, position))
            position += 2
            continue
        if char in _OPERATORS:
            append(Token(_OPERATORS[char], char, position))
        elif char in PUNCTUATION:
            append(Token(char, char, position))
        else:
            append(Token(INVALID, char, position))
        position += 1
    append(Token(EOF, "<EOF>", size))
    return tuple(tokens)
