"""What a validation check reports. Shared by every engine, check and output format."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from stix_mtac.jsonio import Span

# The conformance engines: ours (fast) and stix2-validator's checks as they are (reference).
Engine = Literal["fast", "reference"]
# progress(done, total): called as objects are checked; the CLI draws a bar from it.
Progress = Callable[[int, int], None]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, order=True)
class Finding:
    """One problem found in one place of one bundle.

    ``code`` and ``name`` are stable identifiers users can pass to ``--disable``;
    ``json_path`` points into the bundle (``$.objects[3].created_by_ref``); ``message`` says
    what is wrong and how to fix it. ``region`` is where ``json_path`` sits in the file that
    was read (filled in by the file front end; None for data that came without text).
    """

    code: str
    name: str
    severity: Severity
    json_path: str
    message: str
    object_id: str | None = None
    region: Span | None = field(default=None, compare=False)
    # why a baseline accepts this finding (it is then reported but does not count)
    suppression: str | None = field(default=None, compare=False)
