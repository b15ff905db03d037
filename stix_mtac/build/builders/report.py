"""report: the publication itself, referring to every object built from it; and the
statement markings its facts declare."""

from __future__ import annotations

import stix2

from stix_mtac.build import ids
from stix_mtac.build.builders.common import BuildContext, StixObject, provenance
from stix_mtac.build.facts import Statement


def report_stix_id(context: BuildContext) -> str:
    return ids.report_id(context.facts.id_namespace, context.facts.report.key)


def build_report(object_refs: list[str], context: BuildContext) -> StixObject:
    info = context.facts.report
    authors = "; ".join(
        entity.name for ref in info.authors if (entity := context.facts.entity(ref)) is not None
    )
    text = "\n\n".join(
        [
            " ".join(info.description.split()),
            f"Written by: {authors}.",
            provenance(context, info.facts),
        ]
    )
    common = context.common(
        report_stix_id(context),
        info.facts,
        {"markings": info.markings, "labels": info.labels},
    )
    common.pop("external_references", None)  # the report's own references replace them
    references = [dict(reference) for reference in info.external_references]
    return stix2.v21.Report(
        name=info.title,
        description=text,
        published=f"{info.published}T00:00:00.000Z",
        report_types=list(info.report_types),
        object_refs=object_refs,
        allow_custom=False,
        **({"external_references": references} if references else {}),
        **common,
    )


def statement_id(context: BuildContext, statement: Statement) -> str:
    return ids.object_id(context.facts.id_namespace, "marking-definition", statement.key)


def build_statement(statement: Statement, context: BuildContext) -> StixObject:
    """A statement marking (copyright, terms of use), created by the creator."""
    return stix2.v21.MarkingDefinition(
        id=statement_id(context, statement),
        created=statement.created or context.facts.report.timestamp,
        created_by_ref=context.creator_id,
        definition_type="statement",
        definition=stix2.v21.StatementMarking(statement=" ".join(statement.statement.split())),
        allow_custom=False,
    )
