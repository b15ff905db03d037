"""The only JSON encoders: RFC 8785 canonical bytes (signing) and the pretty form (files).

Every byte the project writes or signs comes from here, so that two runs on two machines give
the same bytes.

Speed: for plain JSON data (strings, booleans, null, integers within +/-(2**53 - 1), no key
outside the Basic Multilingual Plane), RFC 8785's form is exactly orjson's sorted compact
output, and the pretty form orjson's sorted two-space output, both byte for byte what the
reference encoders (rfc8785, json) give (``tests/test_canonical_speed.py`` holds this). Any
other value (floats, whose canonical text follows ECMAScript; huge integers; astral keys,
which RFC 8785 orders by UTF-16 code units) goes through the reference encoders.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
import rfc8785

_SAFE_INTEGER = 2**53 - 1
_PRETTY = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS


def is_plain(value: Any) -> bool:
    """True when ``value`` holds only the kinds of JSON data both fast encoders get right."""
    stack = [value]
    pop, push = stack.pop, stack.extend
    while stack:
        item = pop()
        kind = type(item)
        if kind is str or item is None or kind is bool:
            continue
        if kind is dict:
            for key in item:
                if type(key) is not str or (not key.isascii() and max(key) > "\uffff"):
                    return False
            push(item.values())
        elif kind is list:
            push(item)
        elif kind is int:
            if not -_SAFE_INTEGER <= item <= _SAFE_INTEGER:
                return False
        else:
            return False  # floats and anything else
    return True


def canonical_bytes(value: Any) -> bytes:
    """RFC 8785 (JCS) canonical form: what signatures are computed over."""
    if is_plain(value):
        try:
            return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:
            pass  # a lone surrogate: the reference encoder says what is wrong
    return bytes(rfc8785.dumps(value))


def pretty_bytes(value: Any) -> bytes:
    """The form bundles are written in: sorted keys, two-space indent, UTF-8, final newline.

    Keys are sorted by code point, which for the ASCII keys STIX uses matches RFC 8785's order,
    so a reviewer reads the same key order in the file as the canonical form signs.
    """
    if is_plain(value):
        try:
            return orjson.dumps(value, option=_PRETTY) + b"\n"
        except orjson.JSONEncodeError:
            pass
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")
