"""What a reviewer wants from a bundle at a glance: who, which campaigns, against whom, how.

:func:`summarize` returns plain JSON data with a stable shape (documented in the README and
in ``stix-mtac show --help``); :func:`summary_text` renders it for an 80-column terminal.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from stix_mtac.view.objects import BundleView, StixObject, display_name, string_list
from stix_mtac.view.text import safe, wrapped

ACTOR_TYPES = ("threat-actor", "intrusion-set")

Ref = dict[str, Any]


def _external_ids(obj: StixObject | None) -> list[str]:
    if obj is None or not isinstance(obj.get("external_references"), list):
        return []
    return [
        ref["external_id"]
        for ref in obj["external_references"]
        if isinstance(ref, dict) and isinstance(ref.get("external_id"), str)
    ]


def _sort_key(entry: Ref) -> tuple[str, str]:
    return (str(entry.get("name") or "").casefold(), str(entry["id"]))


def _text_value(obj: StixObject, key: str) -> str | None:
    value = obj.get(key)
    return value if isinstance(value, str) else None


class _Relations:
    """The bundle's relationships indexed both ways, resolved to sorted references."""

    def __init__(self, bundle: BundleView) -> None:
        self.objects = bundle.by_id()
        self.outgoing: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.incoming: dict[tuple[str, str], list[str]] = defaultdict(list)
        for obj in bundle.objects:
            if obj["type"] != "relationship":
                continue
            source, target = obj.get("source_ref"), obj.get("target_ref")
            kind = obj.get("relationship_type")
            if isinstance(source, str) and isinstance(target, str) and isinstance(kind, str):
                self.outgoing[(source, kind)].append(target)
                self.incoming[(target, kind)].append(source)

    def refs(self, ids: list[str], types: tuple[str, ...] | None = None) -> list[Ref]:
        """``{id, type, name}`` for each distinct id (name None when not in the bundle)."""
        refs = []
        for object_id in dict.fromkeys(ids):
            obj = self.objects.get(object_id)
            stix_type = object_id.split("--", 1)[0]
            if types is None or stix_type in types:
                name = display_name(obj) if obj is not None else None
                refs.append({"id": object_id, "type": stix_type, "name": name})
        return sorted(refs, key=_sort_key)

    def targets_of(self, object_id: str, kind: str) -> list[Ref]:
        return self.refs(self.outgoing[(object_id, kind)])

    def techniques_of(self, object_id: str) -> list[Ref]:
        techniques = self.refs(self.outgoing[(object_id, "uses")], ("attack-pattern",))
        for technique in techniques:
            technique["external_ids"] = _external_ids(self.objects.get(technique["id"]))
        return techniques

    def actor(self, obj: StixObject) -> Ref:
        object_id = str(obj["id"])
        return {
            "id": object_id,
            "type": obj["type"],
            "name": display_name(obj),
            "aliases": string_list(obj.get("aliases")),
            "attributed_to": self.targets_of(object_id, "attributed-to"),
            "campaigns": self.refs(self.incoming[(object_id, "attributed-to")], ("campaign",)),
            "targets": self.targets_of(object_id, "targets"),
            "techniques": self.techniques_of(object_id),
        }

    def campaign(self, obj: StixObject) -> Ref:
        object_id = str(obj["id"])
        return {
            "id": object_id,
            "name": display_name(obj),
            "first_seen": _text_value(obj, "first_seen"),
            "last_seen": _text_value(obj, "last_seen"),
            "attributed_to": self.targets_of(object_id, "attributed-to"),
            "targets": self.targets_of(object_id, "targets"),
            "techniques": self.techniques_of(object_id),
        }


def summarize(bundle: BundleView) -> dict[str, Any]:
    """The summary as JSON data; lists sorted by name then id so output is stable."""
    relations = _Relations(bundle)
    objects = bundle.objects
    producers = [o["created_by_ref"] for o in objects if isinstance(o.get("created_by_ref"), str)]
    markings = [ref for o in objects for ref in string_list(o.get("object_marking_refs"))]
    reports = [
        {"id": o["id"], "name": display_name(o), "published": _text_value(o, "published")}
        for o in objects
        if o["type"] == "report"
    ]
    actors = [relations.actor(o) for o in objects if o["type"] in ACTOR_TYPES]
    campaigns = [relations.campaign(o) for o in objects if o["type"] == "campaign"]
    return {
        "bundle_id": bundle.bundle_id,
        "object_count": len(objects),
        "types": dict(sorted(Counter(str(o["type"]) for o in objects).items())),
        "producers": relations.refs(producers),
        "markings": relations.refs(markings),
        "reports": sorted(reports, key=_sort_key),
        "actors": sorted(actors, key=_sort_key),
        "campaigns": sorted(campaigns, key=_sort_key),
    }


def _names(refs: list[dict[str, Any]]) -> str:
    return "; ".join(str(ref["name"] or ref["id"]) for ref in refs) or "none stated"


def _technique_name(ref: dict[str, Any]) -> str:
    ids = " ".join(ref.get("external_ids", []))
    name = str(ref["name"] or ref["id"])
    return f"{ids} {name}" if ids else name


def summary_text(summary: dict[str, Any]) -> str:
    """The summary for a terminal: sections, every line at most 80 columns."""
    lines = [
        *wrapped(
            f"Bundle {summary['bundle_id'] or '(no id)'}: {summary['object_count']} objects", 0
        )
    ]
    lines.append("")
    lines.append("Objects by type")
    for stix_type, count in summary["types"].items():
        lines.append(f"  {safe(stix_type)[:60]:<28} {count:>6}")
    lines.append("")
    lines.extend(wrapped(f"Producer: {_names(summary['producers'])}", 0, 4))
    lines.extend(wrapped(f"Markings: {_names(summary['markings'])}", 0, 4))
    for report in summary["reports"]:
        published = report["published"] or "no date"
        lines.extend(wrapped(f"Report: {report['name']} (published {published})", 0, 4))
    lines.append("")
    lines.append(f"Threat actors and intrusion sets ({len(summary['actors'])})")
    for actor in summary["actors"]:
        lines.extend(wrapped(f"{actor['name']} [{actor['type']}]", 2, 4))
        if actor["aliases"]:
            lines.extend(wrapped("aliases: " + "; ".join(actor["aliases"]), 4, 6))
        if actor["attributed_to"]:
            lines.extend(wrapped("attributed to: " + _names(actor["attributed_to"]), 4, 6))
        lines.extend(wrapped("campaigns: " + _names(actor["campaigns"]), 4, 6))
        if actor["targets"]:
            lines.extend(wrapped("targets: " + _names(actor["targets"]), 4, 6))
        if actor["techniques"]:
            techniques = "; ".join(_technique_name(ref) for ref in actor["techniques"])
            lines.extend(wrapped("techniques: " + techniques, 4, 6))
    lines.append("")
    lines.append(f"Campaigns ({len(summary['campaigns'])})")
    for campaign in summary["campaigns"]:
        lines.extend(wrapped(campaign["name"], 2, 4))
        first = campaign["first_seen"] or "not stated"
        last = campaign["last_seen"] or "not stated"
        lines.extend(wrapped(f"first seen: {first}; last seen: {last}", 4, 6))
        lines.extend(wrapped("attributed to: " + _names(campaign["attributed_to"]), 4, 6))
        lines.extend(wrapped("targets: " + _names(campaign["targets"]), 4, 6))
        techniques = "; ".join(_technique_name(ref) for ref in campaign["techniques"])
        lines.extend(wrapped("techniques: " + (techniques or "none stated"), 4, 6))
    return "\n".join(lines) + "\n"
