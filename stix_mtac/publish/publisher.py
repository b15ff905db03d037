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
from stix_mtac.errors import PublishFailure, ServerError, StixMtacError
from stix_mtac.publish.chunks import Envelope, envelope_of, plan_envelopes
from stix_mtac.publish.readback import iter_objects
from stix_mtac.publish.status import FailedObject, Status, read_status
from stix_mtac.publish.taxii import TaxiiClient

DEFAULT_MAX_OBJECTS = 500
# Used when the API root does not state max_content_length (it is required, but be lenient).
FALLBACK_MAX_BYTES = 10 * 1024 * 1024
# Ids per "which of these do you hold?" query: keeps the URL well under common 8 KiB limits.
_IDS_PER_QUERY = 60
# Above this many candidates one paged read of the whole collection is cheaper than id
# queries (medallion scans the whole collection for every query).
_SCAN_COLLECTION_ABOVE = 4 * _IDS_PER_QUERY
# A pending status is polled at growing intervals up to this one.
_MAX_POLL_INTERVAL = 5.0

Progress = Callable[[str], None]

__all__ = ["EnvelopeAccount", "FailedObject", "PublishResult", "publish_bundle"]


@dataclass
class EnvelopeAccount:
    """What became of one planned envelope: the objects it holds (a slice of the bundle, in
    order), what the server's statuses said about them, and what went wrong."""

    number: int
    first: int  # index of its first object in the bundle
    objects: tuple[dict[str, Any], ...]
    sent: bool = False  # a POST of it was made (its answer may still be missing)
    confirmed: int = 0  # objects a checked status accounts for
    added: int = 0
    refused: int = 0  # failed, or already present (told apart after the run)
    pending: int = 0
    problem: str = ""

    def describe(self, planned: int) -> str:
        count = len(self.objects)
        where = (
            f"envelope {self.number}/{planned}, objects {self.first + 1}-{self.first + count} "
            f"({self.objects[0].get('id')} .. {self.objects[-1].get('id')})"
        )
        if not self.sent:
            return f"{where}: not sent"
        counts = f"{self.added} added, {self.refused} refused, {self.pending} pending"
        unknown = count - self.confirmed
        if unknown:
            counts += f", {unknown} not confirmed"
        return f"{where}: {counts}" + (f" ({self.problem})" if self.problem else "")


@dataclass
class PublishResult:
    sent: int = 0
    envelopes: int = 0
    succeeded: int = 0
    already_present: int = 0
    pending: int = 0
    failed: list[FailedObject] = field(default_factory=list)
    # objects whose fate no checked status confirms (lost answer, counts that disagree)
    unconfirmed: int = 0
    account: list[EnvelopeAccount] = field(default_factory=list)
    # the error that ended the run early; envelopes after it were not sent
    stopped: StixMtacError | None = None

    @property
    def complete(self) -> bool:
        return not (self.failed or self.pending or self.unconfirmed or self.stopped)

    @property
    def landed(self) -> int:
        return self.succeeded + self.already_present

    def summary(self) -> str:
        plural = "s" if self.envelopes != 1 else ""
        text = (
            f"{self.sent} objects in {self.envelopes} envelope{plural}: "
            f"{self.succeeded} added, {self.already_present} already present, "
            f"{len(self.failed)} failed, {self.pending} pending"
        )
        if self.unconfirmed:
            text += f", {self.unconfirmed} not confirmed"
        return text


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
    progress: Progress | None = None,
) -> PublishResult:
    """Send ``objects`` in order and account for every one of them.

    Raises ServerError/AuthError only before the first object is sent (the API root and the
    collection are checked first) and PublishFailure if an object alone is over the size
    limit (nothing is sent). Once sending has begun, a failure ends the run early but is
    returned in ``result.stopped``, with ``result.account`` saying which envelopes landed,
    which were not confirmed and which were never sent: running again completes the rest
    (TAXII keeps one copy per id and version; a second copy counts as already present).
    """
    client.collection_information()  # a clear 404/403 before any object is sent
    limit = server_limit(client, max_bytes)
    envelopes = plan_envelopes(objects, limit, max_objects)
    result = PublishResult(sent=len(objects))
    first = 0
    for number, envelope in enumerate(envelopes, 1):
        result.account.append(EnvelopeAccount(number, first, envelope.objects))
        first += len(envelope.objects)
    failures: list[FailedObject] = []
    try:
        for account, envelope in zip(result.account, envelopes, strict=True):
            if progress is not None:
                done = account.first
                progress(
                    f"publishing: envelope {account.number}/{len(envelopes)}, "
                    f"{done}/{len(objects)} objects sent"
                )
            account.sent = True
            for posted, status in _post(client, envelope):
                status = _await(client, status, status_timeout, poll_interval, clock)
                result.envelopes += 1
                disagreement = status.disagreement(posted)
                if disagreement is not None:
                    account.problem = f"the server's status counts disagree: {disagreement}"
                    continue
                account.confirmed += posted
                account.added += status.succeeded
                account.refused += status.failed
                account.pending += status.pending
                failures.extend(_failures(status))
            if account.pending and not account.problem:
                account.problem = f"still pending after {status_timeout:g} s"
    except (ServerError, PublishFailure) as error:
        result.stopped = error
        account.problem = error.message
    result.succeeded = sum(a.added for a in result.account)
    result.pending = sum(a.pending for a in result.account)
    result.unconfirmed = sum(len(a.objects) - a.confirmed for a in result.account if a.sent)
    sent = {(obj["id"], object_version(obj)): obj for obj in objects}
    try:
        present = _already_present(client, failures, sent)
    except ServerError as error:
        present = set()  # the refusals stay failures; say why they could not be told apart
        result.stopped = result.stopped or error
    result.already_present = len(present)
    result.failed = [f for f in failures if (f.id, f.version) not in present]
    return result


def _post(client: TaxiiClient, envelope: Envelope) -> Iterable[tuple[int, Status]]:
    """POST an envelope; on 413 (a proxy or server stricter than it said) send it in halves.
    Yields the number of objects of each POST and the status the server answered."""
    reply = client.add_objects(envelope.body)
    if reply.status != 413:
        if not isinstance(reply.data, dict):
            raise ServerError("the server's status resource is not a JSON object")
        yield len(envelope.objects), read_status(reply.data)
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
    status: Status,
    timeout: float,
    interval: float,
    clock: Callable[[], float],
) -> Status:
    """Poll a pending status until it is complete, ``timeout`` passes or the client's
    deadline comes near; at growing intervals, so a status that stays pending costs a bounded
    number of requests."""
    deadline = clock() + timeout
    while not status.complete:
        left = client.remaining()
        if clock() + interval >= deadline or (left is not None and interval >= left):
            return status
        if status.id is None:
            raise ServerError("the server's pending status resource has no id to poll")
        client.pause(interval, f"polling status {status.id}")
        status = read_status(client.status(status.id))
        interval = min(interval * 2, _MAX_POLL_INTERVAL)
    return status


def _failures(status: Status) -> list[FailedObject]:
    found = list(status.failures)
    # A server may count failures without listing them; keep the count honest.
    missing = status.failed - len(found)
    found.extend(
        FailedObject("<unlisted>", "", f"status {status.id} counts a failure it does not list")
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
