"""Known secrets, kept out of every message the tool prints.

A TAXII password or token must never reach stderr, not even when a careless server quotes the
request's ``Authorization`` header back in its error text. ``Credentials`` registers every form
in which a secret can travel (the password, the token, the Basic credential and its base64);
``redact`` replaces them in any text before it is printed. The CLI passes every error line
through it, and the TAXII client passes every text it quotes from a server.
"""

from __future__ import annotations

import base64

REDACTED = "[redacted]"
_KNOWN: set[str] = set()


def basic_credential(user: bytes, password: bytes) -> str:
    """The base64 token of an RFC 7617 Basic credential (what follows ``Basic ``)."""
    return base64.b64encode(user + b":" + password).decode("ascii")


def remember(*secrets: str) -> None:
    """Register secrets (and their base64 forms) to be redacted from every message."""
    for secret in secrets:
        if not secret:
            continue
        _KNOWN.add(secret)
        encoded = base64.b64encode(secret.encode("utf-8", "surrogateescape")).decode("ascii")
        _KNOWN.update({encoded, encoded.rstrip("=")})


def redact(text: str) -> str:
    """``text`` with every registered secret replaced by ``[redacted]``; longest first, so a
    secret that contains another is hidden whole."""
    if not _KNOWN:
        return text
    for secret in sorted(_KNOWN, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text
