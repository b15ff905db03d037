"""Base64url without padding (RFC 7515 section 2), decoded strictly.

A lenient decoder accepts several spellings of the same bytes (padding, stray characters,
non-zero trailing bits), which would let a token be altered without changing what it means;
this one accepts exactly the spelling ``encode`` produces.
"""

from __future__ import annotations

import base64
import re

_ALPHABET = re.compile(r"[A-Za-z0-9_-]*")


def encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode(text: str) -> bytes:
    """Decode unpadded base64url; ValueError unless ``text`` is exactly ``encode(result)``."""
    if not _ALPHABET.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not unpadded base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if encode(data) != text:
        raise ValueError("not the canonical base64url spelling of its bytes")
    return data
