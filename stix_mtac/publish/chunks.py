"""Split a bundle's objects into TAXII envelopes that fit the server's size limit.

Pure: the bytes of each envelope are decided here, so the size check and the request body
are the same bytes. Objects keep the bundle's order (the producer, markings and the objects
come before the relationships that use them, which OpenCTI needs).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from stix_mtac.canonical import canonical_bytes
from stix_mtac.errors import PublishFailure

_OPEN = b'{"objects":['
_CLOSE = b"]}"


@dataclass(frozen=True)
class Envelope:
    """One request body: ``{"objects": [...]}`` in canonical JSON."""

    objects: tuple[dict[str, Any], ...]
    body: bytes

    @property
    def size(self) -> int:
        return len(self.body)


def envelope_of(objects: Sequence[dict[str, Any]]) -> Envelope:
    encoded = [canonical_bytes(obj) for obj in objects]
    return Envelope(tuple(objects), _OPEN + b",".join(encoded) + _CLOSE)


def plan_envelopes(
    objects: Iterable[dict[str, Any]], max_bytes: int, max_objects: int
) -> list[Envelope]:
    """Group objects, in order, into envelopes of at most ``max_bytes`` and ``max_objects``.

    Raises PublishFailure (nothing is sent) if one object alone does not fit.
    """
    envelopes: list[Envelope] = []
    group: list[dict[str, Any]] = []
    parts: list[bytes] = []
    size = len(_OPEN) + len(_CLOSE)
    for obj in objects:
        encoded = canonical_bytes(obj)
        alone = len(_OPEN) + len(encoded) + len(_CLOSE)
        if alone > max_bytes:
            raise PublishFailure(
                f"{obj.get('id', '<no id>')}: object is {alone} bytes in an envelope, over the "
                f"limit of {max_bytes} bytes (server max_content_length); nothing was sent"
            )
        grown = size + len(encoded) + (1 if parts else 0)
        if parts and (grown > max_bytes or len(group) >= max_objects):
            envelopes.append(Envelope(tuple(group), _OPEN + b",".join(parts) + _CLOSE))
            group, parts = [], []
            size = len(_OPEN) + len(_CLOSE)
            grown = size + len(encoded)
        group.append(obj)
        parts.append(encoded)
        size = grown
    if parts:
        envelopes.append(Envelope(tuple(group), _OPEN + b",".join(parts) + _CLOSE))
    return envelopes
