"""Order STIX timestamps without losing sub-microsecond precision.

STIX allows any number of fractional digits, and Python's datetime keeps six, so two versions
that differ in the seventh digit would compare equal. The key keeps the digits as text.
"""

from __future__ import annotations

import re
from typing import Any

_TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$")

# Sorts before every real timestamp: a missing or malformed `modified` is the oldest.
MISSING: tuple[str, str] = ("", "")


def timestamp_key(value: Any) -> tuple[str, str]:
    """A sortable key for a STIX timestamp string; :data:`MISSING` if absent or malformed."""
    if not isinstance(value, str):
        return MISSING
    match = _TIMESTAMP.match(value)
    if match is None:
        return MISSING
    fraction = (match.group(2) or "").rstrip("0")
    return (match.group(1), fraction)
