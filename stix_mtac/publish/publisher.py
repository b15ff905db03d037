"""Publish a bundle's objects: envelopes under the size limit, status polling, and the
difference between a real failure and an object the server already holds.

TAXII has no "already present" status. The reference server (medallion) answers a second
POST of the same id and ``modified`` with a failure ("Unable to process object") and keeps
the first copy. So a failure counts as already present only when the server really holds an
identical object under that id and version; anything else stays a failure.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from stix_mtac.canonical import canonical_bytes
from stix_mtac.errors import PublishFailure, ServerError
from stix_mtac.publish.chunks import Envelope, envelope_of, plan_envelopes
from stix_mtac.publish.readback import iter_objects
from stix_mtac.publish.taxii import TaxiiClient

DEFAULT_MAX_OBJECTS = 500
# Used when the API root does not state max_content_length (it is required, but be lenient).
FALLBACK_MAX_BYTES = 10 * 1024 * 1024
# Ids per "which of these do you hold?" query: keeps the URL well under common 8 KiB limits.
_IDS_PER_QUERY = 60
# Above this many candidates one paged read of the whole collection is cheaper than id
# queries (medallion scans the whole collection for every query).
_SCAN_COLLECTION_ABOVE = 4 * _IDS_PER_QUERY


@dataclass(frozen=True)
class FailedObject:
    id: str
    version: str
    message: str


@dataclass
class PublishResult:
    sent: int = 0
    envelopes: int = 0
    succeeded: int = 0
    already_present: int = 0
    pending: int = 0
    failed: list[FailedObject] = field(default_factory=list)

    def summary(self) -> str:
        plural = "s" if self.envelopes != 1 else ""
        return (
            f"{self.sent} objects in {self.envelopes} envelope{plural}: "
            f"{self.succeeded} added, {self.already_present} already present, "
            f"{len(self.failed)} failed, {self.pending} pending"
        )


def object_version(obj: Mapping[str, Any]) -> str:
    """The version TAXII files an object under: ``modified``, else ``created``."""
    return str(obj.get("modified") or obj.get("created") or "")


def server_limit(client: TaxiiClient, cap: int | None) -> int:
    information = client.api_root_information()
    stated = information.get("max_content_length")
    limit = stated if isinstance(stated, int) and stated > 0 else FALLBACK_MAX_BYTES
    return min(limit, cap) if cap else limit


def publish_bundle(
    client: TaxiiClient,
    objects: Sequence[dict[str, Any]],
    *,
    max_objects: int = DEFAULT_MAX_OBJECTS,
    max_bytes: int | None = None,
    status_timeout: float = 60.0,
    poll_interval: float = 0.5,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> PublishResult:
    """Send ``objects`` in order and account for every one of them.

    Raises ServerError/AuthError for transport and HTTP problems. Failed objects are returned
    in ``result.failed`` (the CLI turns them into exit 9), so counts are shown either way.
    """
    client.collection_information()  # a clear 404/403 before any object is sent
    limit = server_limit(client, max_bytes)
    envelopes = plan_envelopes(objects, limit, max_objects)
    result = PublishResult(sent=len(objects))
    failures: list[FailedObject] = []
    for envelope in envelopes:
        for status in _post(client, envelope):
            status = _await(client, status, status_timeout, poll_interval, clock, sleep)
            result.envelopes += 1
            result.succeeded += _count(status, "success_count")
            result.pending += _count(status, "pending_count")
            failures.extend(_failures(status))
    sent = {(obj["id"], object_version(obj)): obj for obj in objects}
    present = _already_present(client, failures, sent)
    result.already_present = len(present)
    result.failed = [f for f in failures if (f.id, f.version) not in present]
    return result


def _post(client: TaxiiClient, envelope: Envelope) -> Iterable[dict[str, Any]]:
    """POST an envelope; on 413 (a proxy or server stricter than it said) send it in halves."""
    reply = client.add_objects(envelope.body)
    if reply.status != 413:
        if not isinstance(reply.data, dict):
            raise ServerError("the server's status resource is not a JSON object")
        yield reply.data
        return
    if len(envelope.objects) == 1:
        raise PublishFailure(
            f"{envelope.objects[0].get('id')}: HTTP 413: the server refuses this object "
            f"({envelope.size} bytes) as too large"
        )
    half = len(envelope.objects) // 2
    yield from _post(client, envelope_of(envelope.objects[:half]))
    yield from _post(client, envelope_of(envelope.objects[half:]))


def _await(
    client: TaxiiClient,
    status: dict[str, Any],
    timeout: float,
    interval: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> dict[str, Any]:
    deadline = clock() + timeout
    while status.get("status") != "complete" and clock() < deadline:
        status_id = status.get("id")
        if not isinstance(status_id, str):
            raise ServerError("the server's status resource has no id to poll")
        sleep(interval)
        status = client.status(status_id)
    return status


def _count(status: dict[str, Any], key: str) -> int:
    value = status.get(key, 0)
    return value if isinstance(value, int) and value >= 0 else 0


def _failures(status: dict[str, Any]) -> list[FailedObject]:
    details = status.get("failures") or []
    found = [
        FailedObject(str(d.get("id", "")), str(d.get("version", "")), str(d.get("message", "")))
        for d in details
        if isinstance(d, dict)
    ]
    # A server may count failures without listing them; keep the count honest.
    missing = _count(status, "failure_count") - len(found)
    found.extend(
        FailedObject(
            "<unlisted>", "", f"status {status.get('id')} counts a failure it does not list"
        )
        for _ in range(max(missing, 0))
    )
    return found


def _already_present(
    client: TaxiiClient,
    failures: Sequence[FailedObject],
    sent: dict[tuple[str, str], dict[str, Any]],
) -> set[tuple[str, str]]:
    """The failures whose id and version the server holds with exactly the content we sent."""
    candidates = sorted({f.id for f in failures if (f.id, f.version) in sent})
    if len(candidates) > _SCAN_COLLECTION_ABOVE:
        queries = [{"match[version]": "all"}]
    else:
        queries = [
            {
                "match[id]": ",".join(candidates[start : start + _IDS_PER_QUERY]),
                "match[version]": "all",
            }
            for start in range(0, len(candidates), _IDS_PER_QUERY)
        ]
    present: set[tuple[str, str]] = set()
    for query in queries:
        for held in iter_objects(client, query):
            key = (str(held.get("id")), object_version(held))
            mine = sent.get(key)
            if mine is not None and canonical_bytes(mine) == canonical_bytes(held):
                present.add(key)
    return present
