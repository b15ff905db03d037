"""Read a collection back and compare it with what was sent.

Paging follows ``next``. The reference server forgets a paging cursor after about 30 s
(HTTP 400 "'next' not valid"); the read then resumes with ``added_after`` just before the
first object of the last page read, and duplicates are folded by id and version.

Paging is bounded: a server whose pages stop bringing objects not seen before (``more: true``
with the same ``next`` and the same page forever) or that sends more than ``max_pages`` pages
is stopped with a ServerError, and every envelope is type-checked (``"objects": 7`` is a server
error, not a crash). The cursor itself may repeat: medallion hands out one ``next`` per query
and advances behind it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from stix_mtac.canonical import canonical_bytes
from stix_mtac.errors import ServerError
from stix_mtac.printable import printable
from stix_mtac.publish.taxii import TaxiiClient

PAGE_SIZE = 500
# No collection read here needs more pages; a server that never says "no more" is stopped.
MAX_PAGES = 100_000
_MAX_RESUMES = 10
# Pages in a row with nothing new before the read is given up (more after a resume, which
# re-reads what came before it).
_STALLED_PAGES = 3
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
    client: TaxiiClient,
    query: Mapping[str, str],
    page_size: int = PAGE_SIZE,
    *,
    max_pages: int = MAX_PAGES,
    progress: Callable[[str], None] | None = None,
) -> Iterator[list[dict[str, Any]]]:
    """Yield pages of objects for ``query``, resuming with ``added_after`` if the cursor expires."""
    base = {**query, "limit": str(page_size)}
    params = dict(base)
    resumes = 0
    resume_from: str | None = None
    seen: set[tuple[str, str]] = set()
    stalled = 0
    allowed = _STALLED_PAGES
    pages = 0
    read = 0
    where = f"GET {client.connection.collection_url}objects/"
    while True:
        reply = client.get_objects(params)
        if reply.status == 400:
            if "next" not in params or resume_from is None or resumes >= _MAX_RESUMES:
                raise ServerError(f"{where}: HTTP 400: the server did not accept the query")
            resumes += 1
            params = {**base, "added_after": _just_before(resume_from)}
            stalled, allowed = 0, pages + _STALLED_PAGES
            continue
        page, more, next_cursor = _envelope(reply.data, where)
        pages += 1
        read += len(page)
        first = reply.headers.get(_DATE_ADDED_FIRST)
        if first:
            resume_from = first
        if progress is not None:
            progress(f"reading: page {pages}, {read} objects")
        yield page
        if not more or next_cursor is None or not page:
            return
        fresh = {(str(obj.get("id")), _version(obj)) for obj in page} - seen
        seen |= fresh
        stalled = 0 if fresh else stalled + 1
        if stalled >= allowed:
            raise ServerError(
                f"{where}: {stalled} pages in a row with nothing new (more: true, next "
                f"{printable(next_cursor[:80])!r}) after {pages} pages; the server pages "
                "forever, stopped"
            )
        if pages >= max_pages:
            raise ServerError(f"{where}: more than {max_pages} pages; stopped")
        params = {**{k: v for k, v in params.items() if k != "next"}, "next": next_cursor}


def _envelope(data: Any, where: str) -> tuple[list[dict[str, Any]], bool, str | None]:
    """A TAXII envelope's objects, ``more`` and ``next``, each type-checked."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ServerError(f"{where}: the answer is not a TAXII envelope (a JSON object)")
    objects = data.get("objects", [])
    if objects is None:
        objects = []
    if not isinstance(objects, list):
        kind = type(objects).__name__
        raise ServerError(f"{where}: the envelope's 'objects' is {kind}, not a list")
    more = data.get("more", False)
    if not isinstance(more, bool):
        raise ServerError(
            f"{where}: the envelope's 'more' is {type(more).__name__}, not true or false"
        )
    next_cursor = data.get("next")
    if next_cursor is not None and (
        isinstance(next_cursor, bool) or not isinstance(next_cursor, (str, int))
    ):
        kind = type(next_cursor).__name__
        raise ServerError(f"{where}: the envelope's 'next' is {kind}, not a string")
    page = [obj for obj in objects if isinstance(obj, dict)]
    return page, more, None if next_cursor is None else str(next_cursor)


def iter_objects(client: TaxiiClient, query: Mapping[str, str]) -> Iterator[dict[str, Any]]:
    for page in iter_pages(client, query):
        yield from page


def read_back(
    client: TaxiiClient,
    sent: Sequence[dict[str, Any]],
    page_size: int = PAGE_SIZE,
    progress: Callable[[str], None] | None = None,
) -> ReadbackResult:
    """Fetch every version in the collection and check each sent object is there unchanged."""
    held: dict[tuple[str, str], bytes] = {}
    query = {"match[version]": "all"}
    for page in iter_pages(client, query, page_size, progress=progress):
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
