"""Strict, bounded JSON reading: the one place that turns untrusted bytes into Python values.

Two parsers must never read different content from the same bytes, so this reader refuses
what lenient parsers accept silently: duplicate keys, a UTF-8 byte-order mark, ``NaN`` and
``Infinity``, invalid UTF-8. It bounds what an attacker controls: file size, nesting depth
and string length, each reported with the position where the limit was crossed.
"""

from __future__ import annotations

import json
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stix_mtac.errors import InputError

UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class JsonLimits:
    """Bounds on untrusted JSON. Defaults fit the largest real bundles we know (ATT&CK)."""

    max_bytes: int = 512 * 1024 * 1024
    max_depth: int = 64
    max_string: int = 4 * 1024 * 1024


DEFAULT_LIMITS = JsonLimits()

# A JSON string token, written as an "unrolled loop": runs of plain bytes repeat as one
# single-character repeat, so the regex engine keeps no per-character state (the naive
# ``"(?:[^"\\]|\\.)*"`` used ~120 bytes of memory per byte of a long string).
_STRING_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return result


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON (JSON has no NaN or Infinity)")


def _line_col(data: bytes, offset: int) -> str:
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return f"line {line} column {column}"


def _check_shape(data: bytes, source: str, limits: JsonLimits) -> None:
    """Reject over-long strings and over-deep nesting before the recursive parser sees them."""
    skeleton_parts: list[bytes] = []
    last = 0
    for match in _STRING_TOKEN.finditer(data):
        start, end = match.span()
        if end - start - 2 > limits.max_string:
            raise InputError(
                f"{source}: {_line_col(data, start)}: string of {end - start - 2} bytes exceeds "
                f"the limit of {limits.max_string} (raise it with --max-string)"
            )
        skeleton_parts.append(data[last:start])
        last = end
    skeleton_parts.append(data[last:])
    brackets = b"".join(skeleton_parts).translate(None, _NOT_BRACKET)
    if brackets.count(b"[") + brackets.count(b"{") <= limits.max_depth:
        return
    depth = 0
    for byte in brackets:
        if byte in b"[{":
            depth += 1
            if depth > limits.max_depth:
                raise InputError(
                    f"{source}: JSON nesting deeper than {limits.max_depth} levels "
                    "(STIX objects need far fewer; is this a hostile file?)"
                )
        else:
            depth -= 1


def parse_json(data: bytes, source: str, limits: JsonLimits = DEFAULT_LIMITS) -> Any:
    """Parse untrusted JSON bytes strictly; raise InputError naming ``source`` and the position."""
    if len(data) > limits.max_bytes:
        raise InputError(
            f"{source}: {len(data)} bytes exceeds the size limit of {limits.max_bytes} "
            "(raise it with --max-bytes)"
        )
    if data.startswith(UTF8_BOM):
        raise InputError(
            f"{source}: starts with a UTF-8 byte-order mark; RFC 8259 forbids it in JSON "
            "(save the file as UTF-8 without BOM)"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source}: {_line_col(data, exc.start)}: invalid UTF-8 byte 0x{data[exc.start]:02x}"
        ) from None
    _check_shape(data, source, limits)
    try:
        return json.loads(
            text, object_pairs_hook=_reject_duplicates, parse_constant=_reject_constant
        )
    except _DuplicateKey as exc:
        raise InputError(
            f"{source}: duplicate key {exc.key!r} in one JSON object; parsers disagree on "
            "which value wins, so the file is refused"
        ) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{source}: line {exc.lineno} column {exc.colno}: not valid JSON: {exc.msg}"
        ) from None
    except ValueError as exc:
        raise InputError(f"{source}: {exc}") from None
    except RecursionError:
        raise InputError(f"{source}: JSON nesting too deep to parse") from None


def read_json_file(path: Path, limits: JsonLimits = DEFAULT_LIMITS) -> Any:
    """Read and strictly parse a JSON file, refusing files over the size limit before reading.

    Devices are refused and pipes are read only up to the limit, so ``/dev/zero`` or an endless
    pipe cannot exhaust memory.
    """
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError
        if not (stat.S_ISREG(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
            raise InputError(f"{path}: not a regular file (a device or socket?)")
        if info.st_size > limits.max_bytes:
            raise InputError(
                f"{path}: {info.st_size} bytes exceeds the size limit of {limits.max_bytes} "
                "(raise it with --max-bytes)"
            )
        with path.open("rb") as stream:
            data = stream.read(limits.max_bytes + 1)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, expected a JSON file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    if len(data) > limits.max_bytes:
        raise InputError(
            f"{path}: more than {limits.max_bytes} bytes exceeds the size limit "
            "(raise it with --max-bytes)"
        )
    return parse_json(data, str(path), limits)
