"""A TAXII 2.1 status resource, checked before it is believed.

A server's status says how many of the objects sent were stored, failed or are pending. Each
field is type-checked (a count that is not a non-negative integer, or ``failures`` that is not
a list, is a server error, exit 7), and the counts are compared with what was sent: a status
that claims 0 or 1,000 added for 13 objects sent does not confirm anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stix_mtac.errors import ServerError
from stix_mtac.printable import printable
from stix_mtac.redaction import redact

_COUNTS = ("total_count", "success_count", "failure_count", "pending_count")
_LISTS = ("successes", "failures", "pendings")


@dataclass(frozen=True)
class FailedObject:
    id: str
    version: str
    message: str


@dataclass(frozen=True)
class Status:
    """A checked status resource."""

    id: str | None
    complete: bool
    total: int | None
    succeeded: int
    failed: int
    pending: int
    failures: tuple[FailedObject, ...]

    def disagreement(self, sent: int) -> str | None:
        """Why the counts cannot be true for ``sent`` objects, or None."""
        counted = self.succeeded + self.failed + self.pending
        if self.total is not None and self.total != sent:
            return f"total_count {self.total} for {sent} objects sent"
        if counted != sent:
            return (
                f"{self.succeeded} added, {self.failed} failed and {self.pending} pending "
                f"for {sent} objects sent"
            )
        if len(self.failures) > self.failed:
            return f"{len(self.failures)} failures listed but failure_count {self.failed}"
        return None


def _text(value: Any) -> str:
    return printable(redact(str(value)))[:300]


def read_status(data: Mapping[str, Any]) -> Status:
    """Check a status resource's fields; ServerError (exit 7) names the first bad one."""
    status_id = data.get("id")
    if status_id is not None and not isinstance(status_id, str):
        raise ServerError(f"the server's status resource: 'id' is {_kind(status_id)}, not a string")
    where = f"status {_text(status_id)}" if status_id else "the server's status resource"
    for key in _COUNTS:
        value = data.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ServerError(f"{where}: '{key}' is {_kind(value)}, not a count")
    for key in _LISTS:
        value = data.get(key, [])
        if value is not None and not isinstance(value, list):
            raise ServerError(f"{where}: '{key}' is {_kind(value)}, not a list")
    state = data.get("status")
    if not isinstance(state, str):
        raise ServerError(f"{where}: 'status' is {_kind(state)}, not 'complete' or 'pending'")
    failures = tuple(
        FailedObject(
            _text(d.get("id", "")), _text(d.get("version", "")), _text(d.get("message", ""))
        )
        for d in data.get("failures") or []
        if isinstance(d, dict)
    )
    total = data.get("total_count")
    return Status(
        id=status_id,
        complete=state == "complete",
        total=total if isinstance(total, int) else None,
        succeeded=data.get("success_count", 0),
        failed=data.get("failure_count", 0),
        pending=data.get("pending_count", 0),
        failures=failures,
    )


def _kind(value: Any) -> str:
    if value is None:
        return "missing"
    text = repr(value)
    return f"{type(value).__name__} {printable(text[:40])}"
