"""JSON paths as every finding spells them: ``$.objects[3].created_by_ref``.

One grammar, written here and read back here: a key that is a plain word (letters, digits,
``_``, ``-``) follows a dot, any other key is a JSON string in brackets (``$["a key"]``), a
list position is an integer in brackets. So a path from untrusted keys can always be parsed
back into the parts it was made of (which is how a finding is located in its file).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

Part = str | int

_PLAIN_KEY = re.compile(r"[A-Za-z0-9_\-]+\Z")
_TOKEN = re.compile(r'\.([A-Za-z0-9_\-]+)|\[(\d+)\]|\[("[^"\\]*(?:\\.[^"\\]*)*")\]')


def key_part(key: str) -> str:
    """How one key extends a path: ``.key`` or ``["key"]``."""
    if _PLAIN_KEY.match(key):
        return "." + key
    return "[" + json.dumps(key) + "]"


def json_path(base: str, parts: Iterable[object]) -> str:
    """``base`` extended by property names and list positions (``$.objects[3].labels[0]``)."""
    path = base
    for part in parts:
        if isinstance(part, int) and not isinstance(part, bool):
            path += f"[{part}]"
        else:
            path += key_part(str(part))
    return path


def parse_path(path: str) -> list[Part] | None:
    """The parts of a path this module wrote (``$`` first), or None if it is not one.

    Anything after the path proper (``$.a (a key)``) is ignored.
    """
    if not path.startswith("$"):
        return None
    parts: list[Part] = []
    position = 1
    while position < len(path):
        match = _TOKEN.match(path, position)
        if match is None:
            break
        plain, index, quoted = match.groups()
        if plain is not None:
            parts.append(plain)
        elif index is not None:
            parts.append(int(index))
        else:
            parts.append(json.loads(quoted))
        position = match.end()
    return parts
