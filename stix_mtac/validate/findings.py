"""What a validation check reports. Shared by every engine, check and output format."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, order=True)
class Finding:
    """One problem found in one place of one bundle.

    ``code`` and ``name`` are stable identifiers users can pass to ``--disable``;
    ``json_path`` points into the bundle (``$.objects[3].created_by_ref``); ``message`` says
    what is wrong and how to fix it.
    """

    code: str
    name: str
    severity: Severity
    json_path: str
    message: str
    object_id: str | None = None
