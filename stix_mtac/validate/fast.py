"""The fast conformance engine (in progress: delegates to the reference engine for now)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stix_mtac.validate.findings import Finding


def fast_findings(
    bundle: dict[str, Any],
    *,
    strict: bool,
    jobs: int | None,
    progress: Callable[[int, int], None] | None,
) -> list[Finding]:
    from stix_mtac.validate.conformance import conformance_findings

    return conformance_findings(bundle, engine="reference", strict=strict, progress=progress)
