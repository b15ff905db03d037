"""Read a collection back and compare it with what was sent.

Paging follows ``next``. The reference server forgets a paging cursor after about 30 s
(HTTP 400 "'next' not valid"); the read then resumes with ``added_after`` just before the
first object of the last page read, and duplicates are folded by id and version.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from stix_mtac.canonical import canonical_bytes
from stix_mtac.errors import ServerError
from stix_mtac.publish.taxii import TaxiiClient

PAGE_SIZE = 500
_MAX_RESUMES = 10
_DATE_ADDED_FIRST = "X-TAXII-Date-Added-First"


@dataclass
class ReadbackResult:
    compared: int = 0
    missing: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.changed

    def summary(self) -> str:
        return (
            f"read back {self.compared} objects: {len(self.missing)} missing, "
            f"{len(self.changed)} changed"
        )


def iter_pages(
    client: TaxiiClient, query: Mapping[str, str], page_size: int = PAGE_SIZE
) -> Iterator[list[dict[str, Any]]]:
    """Yield pages of objects for ``query``, resuming with ``added_after`` if the cursor expires."""
    base = {**query, "limit": str(page_size)}
    params = dict(base)
    resumes = 0
    resume_from: str | None = None
    while True:
        reply = client.get_objects(params)
        if reply.status == 400:
            if "next" not in params or resume_from is None or resumes >= _MAX_RESUMES:
                raise ServerError(
                    f"GET {client.connection.collection_url}objects/: HTTP 400: "
                    "the server did not accept the query"
                )
            resumes += 1
            params = {**base, "added_after": _just_before(resume_from)}
            continue
        data = reply.data if isinstance(reply.data, dict) else {}
        page = [obj for obj in data.get("objects", []) if isinstance(obj, dict)]
        first = reply.headers.get(_DATE_ADDED_FIRST)
        if first:
            resume_from = first
        yield page
        next_cursor = data.get("next")
        if not data.get("more") or not isinstance(next_cursor, str) or not page:
            return
        params = {**{k: v for k, v in params.items() if k != "next"}, "next": next_cursor}


def iter_objects(client: TaxiiClient, query: Mapping[str, str]) -> Iterator[dict[str, Any]]:
    for page in iter_pages(client, query):
        yield from page


def read_back(
    client: TaxiiClient, sent: Sequence[dict[str, Any]], page_size: int = PAGE_SIZE
) -> ReadbackResult:
    """Fetch every version in the collection and check each sent object is there unchanged."""
    held: dict[tuple[str, str], bytes] = {}
    for page in iter_pages(client, {"match[version]": "all"}, page_size):
        for obj in page:
            held[(str(obj.get("id")), _version(obj))] = canonical_bytes(obj)
    result = ReadbackResult(compared=len(sent))
    for obj in sent:
        copy = held.get((obj["id"], _version(obj)))
        if copy is None:
            result.missing.append(obj["id"])
        elif copy != canonical_bytes(obj):
            result.changed.append(obj["id"])
    return result


def _version(obj: Mapping[str, Any]) -> str:
    return str(obj.get("modified") or obj.get("created") or "")


def _just_before(timestamp: str) -> str:
    """One microsecond before a TAXII timestamp, so objects added at that instant are re-read."""
    try:
        moment = datetime.strptime(timestamp.rstrip("Z")[:26], "%Y-%m-%dT%H:%M:%S.%f")
    except ValueError:
        try:
            moment = datetime.strptime(timestamp.rstrip("Z")[:19], "%Y-%m-%dT%H:%M:%S")
        except ValueError:
            raise ServerError(f"the server sent an unreadable date_added {timestamp!r}") from None
    return (moment - timedelta(microseconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
