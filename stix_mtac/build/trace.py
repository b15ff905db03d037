"""Traceability: which STIX objects each fact produced, as text or a Markdown table."""

from __future__ import annotations

from typing import Any

from stix_mtac.build.assembly import BuildResult


def object_label(obj: dict[str, Any]) -> str:
    if obj["type"] == "relationship":
        return f"relationship {obj['relationship_type']}"
    return f"{obj['type']} {obj.get('name', '')}".rstrip()


def fact_trace_lines(result: BuildResult) -> list[str]:
    """A fact per line, then its objects indented, one per line."""
    by_id = {obj["id"]: obj for obj in result.bundle["objects"]}
    lines = []
    for fact_id, fact in result.facts.facts.items():
        origin = "report" if fact.from_report else f"source {fact.source}"
        lines.append(f"{fact_id} ({origin}, confidence {fact.confidence}): {fact.claim}")
        lines.extend(
            f"    {object_label(by_id[object_id])}  {object_id}"
            for object_id in result.objects_by_fact[fact_id]
        )
    return lines


def fact_table_markdown(result: BuildResult) -> str:
    """The README's fact -> STIX objects table."""
    by_id = {obj["id"]: obj for obj in result.bundle["objects"]}
    rows = ["| fact | claim | confidence | STIX objects |", "|---|---|---|---|"]
    for fact_id, fact in result.facts.facts.items():
        objects = [by_id[object_id] for object_id in result.objects_by_fact[fact_id]]
        named = sorted({f"{obj['type']} *{obj['name']}*" for obj in objects if "name" in obj})
        for kind in ("note", "relationship"):  # objects without a name, counted
            count = sum(1 for obj in objects if obj["type"] == kind)
            if count:
                named.append(f"{count} {kind}{'s' if count != 1 else ''}")
        rows.append(f"| {fact_id} | {fact.claim} | {fact.confidence} | {'; '.join(named)} |")
    return "\n".join(rows) + "\n"
