"""The only JSON encoders: RFC 8785 canonical bytes (signing) and the pretty form (files).

Every byte the project writes or signs comes from here, so that two runs on two machines give
the same bytes.
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785


def canonical_bytes(value: Any) -> bytes:
    """RFC 8785 (JCS) canonical form: what signatures are computed over."""
    return bytes(rfc8785.dumps(value))


def pretty_bytes(value: Any) -> bytes:
    """The form bundles are written in: sorted keys, two-space indent, UTF-8, final newline.

    Keys are sorted by code point, which for the ASCII keys STIX uses matches RFC 8785's order,
    so a reviewer reads the same key order in the file as the canonical form signs.
    """
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")
