"""course-of-action: a mitigation or response the report recommends."""

from __future__ import annotations

import stix2

from stix_mtac.build.builders.common import BuildContext, StixObject
from stix_mtac.build.facts import Entity


def build_course_of_action(entity: Entity, context: BuildContext) -> StixObject:
    return stix2.v21.CourseOfAction(
        name=entity.name,
        description=context.describe(entity),
        allow_custom=False,
        **context.entity_common(entity),
    )
