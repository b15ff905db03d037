"""Versioning that respects STIX 2.1 (section 3.2): an object keeps its ``created`` for ever,
and a change of content needs a newer ``modified``.

Export compares the bundle it is about to write with the previous one (the committed
``bundles/<key>.json``, or a file given with ``--previous``) and refuses, one line per object,
what a TIP would otherwise silently merge wrong: a new ``created``, or new content under the
same ``modified`` (TIPs keep the version they have and drop the "duplicate").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stix_mtac.build.facts.sections import observable_keys

# Marking definitions cannot be versioned at all; SCOs have no created/modified.
_FROZEN = frozenset({"marking-definition"})
_UNVERSIONED = frozenset(observable_keys())


def _label(obj: Mapping[str, Any]) -> str:
    name = obj.get("name")
    return f"{obj['type']} {name!r} ({obj['id']})" if name else f"{obj['type']} {obj['id']}"


def _instant(timestamp: str) -> str:
    base, _, fraction = timestamp.rstrip("Z").partition(".")
    return f"{base}.{fraction.ljust(6, '0')}"


def version_problems(
    new: Mapping[str, Any], previous: Mapping[str, Any], facts_name: str
) -> list[str]:
    """One line per object of ``new`` that breaks STIX versioning against ``previous``."""
    before = {obj["id"]: obj for obj in previous.get("objects", []) if isinstance(obj, dict)}
    problems: list[str] = []
    for obj in new["objects"]:
        old = before.get(obj["id"])
        if old is None or old == obj or obj["type"] in _UNVERSIONED:
            continue
        label = _label(obj)
        if obj["type"] in _FROZEN:
            problems.append(
                f"{facts_name}: {label} differs from the previous bundle; a marking definition "
                "cannot change: give the changed one a new key"
            )
            continue
        if old.get("created") != obj.get("created"):
            problems.append(
                f"{facts_name}: {label}: created changed from {old.get('created')} to "
                f"{obj.get('created')}; an object keeps its created: set `created: "
                f'"{old.get("created")}"` on it in the facts'
            )
            continue
        changed = sorted(
            key for key in set(obj) | set(old) if key != "modified" and obj.get(key) != old.get(key)
        )
        if changed and _instant(obj["modified"]) <= _instant(str(old.get("modified", ""))):
            problems.append(
                f"{facts_name}: {label}: {', '.join(changed)} changed but modified stays "
                f"{old.get('modified')}; set `modified:` later than that (report.modified, or "
                "the object's own `modified:`)"
            )
    return problems
