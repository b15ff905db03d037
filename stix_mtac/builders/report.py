"""report: the publication itself, referring to every object built from it."""

from __future__ import annotations

import stix2

from stix_mtac import ids
from stix_mtac.builders.common import BuildContext, StixObject, describe


def build_report(object_refs: list[str], context: BuildContext) -> StixObject:
    info = context.facts.report
    return stix2.v21.Report(
        id=ids.report_id(context.facts.producer.key, info.key),
        name=info.title,
        description=describe(context, "", info.description, info.facts),
        published=f"{info.published}T00:00:00.000Z",
        report_types=list(info.report_types),
        object_refs=object_refs,
        external_references=[dict(reference) for reference in info.external_references],
        allow_custom=False,
        **{k: v for k, v in context.common(info.facts).items() if k != "external_references"},
    )
