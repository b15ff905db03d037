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
# Text in the JSON where an optional property is absent.
NOT_STATED = None


def _ref(object_id: str, objects: dict[str, StixObject]) -> dict[str, Any]:
    obj = objects.get(object_id)
    return {
        "id": object_id,
        "type": object_id.split("--", 1)[0],
        "name": display_name(obj) if obj is not None else None,
    }


def _external_ids(obj: StixObject | None) -> list[str]:
    if obj is None or not isinstance(obj.get("external_references"), list):
        return []
    return [
        ref["external_id"]
        for ref in obj["external_references"]
        if isinstance(ref, dict) and isinstance(ref.get("external_id"), str)
    ]


def _sort_key(entry: dict[str, Any]) -> tuple[str, str]:
    return (str(entry.get("name") or "").casefold(), str(entry["id"]))


def _text_value(obj: StixObject, key: str) -> str | None:
    value = obj.get(key)
    return value if isinstance(value, str) else NOT_STATED


def summarize(bundle: BundleView) -> dict[str, Any]:
    """The summary as JSON data; lists sorted by name then id so output is stable."""
    objects = bundle.by_id()
    outgoing: dict[tuple[str, str], list[str]] = defaultdict(list)
    incoming: dict[tuple[str, str], list[str]] = defaultdict(list)
    for obj in bundle.objects:
        if obj["type"] != "relationship":
            continue
        source, target, kind = (
            obj.get("source_ref"),
            obj.get("target_ref"),
            obj.get("relationship_type"),
        )
        if isinstance(source, str) and isinstance(target, str) and isinstance(kind, str):
            outgoing[(source, kind)].append(target)
            incoming[(target, kind)].append(source)

    def related(ids: list[str], wanted: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
        refs = [_ref(other, objects) for other in dict.fromkeys(ids)]
        if wanted is not None:
            refs = [ref for ref in refs if ref["type"] in wanted]
        return sorted(refs, key=_sort_key)

    def techniques_of(object_id: str) -> list[dict[str, Any]]:
        techniques = related(outgoing[(object_id, "uses")], ("attack-pattern",))
        for technique in techniques:
            technique["external_ids"] = _external_ids(objects.get(technique["id"]))
        return techniques

    actors = [
        {
            "id": obj["id"],
            "type": obj["type"],
            "name": display_name(obj),
            "aliases": string_list(obj.get("aliases")),
            "attributed_to": related(outgoing[(obj["id"], "attributed-to")]),
            "campaigns": related(incoming[(obj["id"], "attributed-to")], ("campaign",)),
            "targets": related(outgoing[(obj["id"], "targets")]),
            "techniques": techniques_of(obj["id"]),
        }
        for obj in bundle.objects
        if obj["type"] in ACTOR_TYPES
    ]
    campaigns = []
    for obj in bundle.objects:
        if obj["type"] != "campaign":
            continue
        campaigns.append(
            {
                "id": obj["id"],
                "name": display_name(obj),
                "first_seen": _text_value(obj, "first_seen"),
                "last_seen": _text_value(obj, "last_seen"),
                "attributed_to": related(outgoing[(obj["id"], "attributed-to")]),
                "targets": related(outgoing[(obj["id"], "targets")]),
                "techniques": techniques_of(obj["id"]),
            }
        )
    producer_ids = [
        obj["created_by_ref"]
        for obj in bundle.objects
        if isinstance(obj.get("created_by_ref"), str)
    ]
    marking_ids = [
        ref for obj in bundle.objects for ref in string_list(obj.get("object_marking_refs"))
    ]
    reports = [
        {"id": obj["id"], "name": display_name(obj), "published": _text_value(obj, "published")}
        for obj in bundle.objects
        if obj["type"] == "report"
    ]
    return {
        "bundle_id": bundle.bundle_id,
        "object_count": len(bundle.objects),
        "types": dict(sorted(Counter(str(obj["type"]) for obj in bundle.objects).items())),
        "producers": related(producer_ids),
        "markings": related(marking_ids),
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
