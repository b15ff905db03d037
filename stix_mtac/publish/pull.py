"""Read a TAXII 2.1 collection into a bundle: ``stix-mtac pull``.

Pages follow ``next``; when the server forgets a cursor the read resumes with
``added_after`` (``readback.iter_pages``), and the copies read twice are folded by id and
version. The server's ``X-TAXII-Date-Added-Last`` of the last page is kept, so the next pull
can ask only for what was added since (``--added-after``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from stix_mtac.build import ids
from stix_mtac.canonical import canonical_bytes
from stix_mtac.publish.publisher import object_version
from stix_mtac.publish.readback import PAGE_SIZE, iter_pages
from stix_mtac.publish.taxii import Connection, Response, TaxiiClient

_DATE_ADDED_LAST = "X-TAXII-Date-Added-Last"


@dataclass(frozen=True)
class PullResult:
    bundle: dict[str, Any]
    pages: int
    # the server's date_added of the newest object read: pass it as --added-after next time
    added_last: str | None

    def summary(self, connection: Connection) -> str:
        count = len(self.bundle["objects"])
        pages = f"{self.pages} page{'s' if self.pages != 1 else ''}"
        text = f"pulled {count} objects in {pages} from {connection.collection_url}"
        return f"{text}; newest added {self.added_last}" if self.added_last else text


class _RecordingClient(TaxiiClient):
    """A client that remembers the newest ``date_added`` the server reported."""

    added_last: str | None = None

    def get_objects(self, params: Mapping[str, str]) -> Response:
        reply = super().get_objects(params)
        self.added_last = reply.headers.get(_DATE_ADDED_LAST) or self.added_last
        return reply


def pulled_bundle_id(objects: list[dict[str, Any]]) -> str:
    """A bundle id that names the content: the same objects give the same id."""
    versions = canonical_bytes(sorted([str(o.get("id")), object_version(o)] for o in objects))
    return ids.stix_id("bundle", "pull/" + hashlib.sha256(versions).hexdigest())


def pull_collection(
    connection: Connection,
    *,
    added_after: str | None = None,
    all_versions: bool = False,
    page_size: int = PAGE_SIZE,
    progress: Callable[[str], None] | None = None,
) -> PullResult:
    """Every object of the collection (its newest version, or ``all_versions``), in the order
    the server added them, as a bundle. Raises ServerError (7) and AuthError (8)."""
    query = {"match[version]": "all" if all_versions else "last"}
    if added_after:
        query["added_after"] = added_after
    seen: set[tuple[str, str]] = set()
    objects: list[dict[str, Any]] = []
    pages = 0
    client = _RecordingClient(connection)
    with client:
        client.collection_information()  # a clear 404/403 before paging
        for page in iter_pages(client, query, page_size, progress=progress):
            pages += 1
            for obj in page:
                key = (str(obj.get("id")), object_version(obj))
                if key not in seen:
                    seen.add(key)
                    objects.append(obj)
        added_last = client.added_last
    bundle = {"type": "bundle", "id": pulled_bundle_id(objects), "objects": objects}
    return PullResult(bundle, pages, added_last)
