"""Does a TAXII server serve, object for object, what a signed bundle holds?

A TAXII server stores objects, not files, so a bundle's detached signature cannot be checked
on what the server hands out. Instead: verify the signed file, then read from the server every
version it holds of the bundle's ids and compare each with the signed object in RFC 8785
canonical form. Three kinds of difference, one line each:

- ``missing``: a signed object (id and version) the server does not serve;
- ``altered``: the server serves that id and version with other content (the properties
  that differ are named);
- ``extra``: the server serves a version of a signed id that was never signed (a TIP would
  take the newest version as the object, so an unsigned newer one matters).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from stix_mtac.canonical import canonical_bytes
from stix_mtac.errors import SignatureError
from stix_mtac.publish.publisher import object_version
from stix_mtac.publish.readback import iter_objects
from stix_mtac.publish.taxii import Connection, TaxiiClient

# Ids per match[id] query: keeps the URL well under common 8 KiB limits.
IDS_PER_QUERY = 60
# Properties named in an "altered" line before "and N more".
_NAMED_PROPERTIES = 6

Kind = Literal["missing", "altered", "extra"]
_KINDS: tuple[Kind, ...] = get_args(Kind)


@dataclass(frozen=True)
class Difference:
    kind: Kind
    id: str
    version: str
    detail: str = ""

    def line(self) -> str:
        text = f"{self.kind}: {self.id} ({self.version})"
        return f"{text}: {self.detail}" if self.detail else text


def served_versions(client: TaxiiClient, ids: Sequence[str]) -> Iterator[dict[str, Any]]:
    """Every version the collection holds of ``ids``, queried in chunks."""
    unique = sorted(set(ids))
    for start in range(0, len(unique), IDS_PER_QUERY):
        query = {"match[id]": ",".join(unique[start : start + IDS_PER_QUERY])}
        yield from iter_objects(client, {**query, "match[version]": "all"})


def _changed_properties(signed: Mapping[str, Any], served: Mapping[str, Any]) -> str:
    names = sorted(
        key
        for key in set(signed) | set(served)
        if key not in signed
        or key not in served
        or canonical_bytes(signed[key]) != canonical_bytes(served[key])
    )
    shown = ", ".join(names[:_NAMED_PROPERTIES])
    more = f" and {len(names) - _NAMED_PROPERTIES} more" if len(names) > _NAMED_PROPERTIES else ""
    return f"served with other {shown}{more}"


def compare_served(
    signed: Sequence[Mapping[str, Any]], served: Iterable[Mapping[str, Any]]
) -> list[Difference]:
    """The differences between the signed objects and what the server served, in bundle order
    (missing and altered), then the extra versions by id."""
    held: dict[tuple[str, str], Mapping[str, Any]] = {}
    for obj in served:
        held[(str(obj.get("id")), object_version(obj))] = obj
    expected = {(str(obj["id"]), object_version(obj)): obj for obj in signed}
    found: list[Difference] = []
    for key, obj in expected.items():
        copy = held.get(key)
        if copy is None:
            found.append(Difference("missing", *key))
        elif canonical_bytes(copy) != canonical_bytes(obj):
            found.append(Difference("altered", *key, _changed_properties(obj, copy)))
    found.extend(
        Difference("extra", *key, "a version that was not signed")
        for key in sorted(held)
        if key not in expected
    )
    return found


def check_served(connection: Connection, bundle: Mapping[str, Any]) -> list[Difference]:
    """Compare a verified bundle's objects with what ``connection``'s collection serves."""
    objects = [obj for obj in bundle.get("objects", []) if isinstance(obj, dict)]
    with TaxiiClient(connection) as client:
        client.collection_information()  # a clear 404/403 first
        served = list(served_versions(client, [str(obj.get("id")) for obj in objects]))
    return compare_served(objects, served)


def served_problem(
    connection: Connection, path: Path, bundle: Mapping[str, Any]
) -> SignatureError | None:
    """None when the collection serves the signed bundle as signed; else one SignatureError
    (exit code 5) with a line per difference."""
    differences = check_served(connection, bundle)
    if not differences:
        return None
    counts = {kind: sum(1 for d in differences if d.kind == kind) for kind in _KINDS}
    summary = ", ".join(f"{count} {kind}" for kind, count in counts.items())
    return ServedDifferently(
        f"{path}: {connection.collection_url} does not serve the signed objects as signed "
        f"({summary})",
        [f"{path}: {difference.line()}" for difference in differences],
    )


class ServedDifferently(SignatureError):
    """The server's copy differs from the signed bundle; one line per object."""

    def __init__(self, message: str, problems: Sequence[str]) -> None:
        super().__init__(message)
        self.problems = list(problems)

    def lines(self) -> list[str]:
        return [*self.problems, self.message]
