"""Strict, bounded JSON reading: the one place that turns untrusted bytes into Python values.

Two parsers must never read different content from the same bytes, so this reader refuses
what lenient parsers accept silently: duplicate keys, a UTF-8 byte-order mark, ``NaN`` and
``Infinity``, invalid UTF-8. It bounds what an attacker controls: file size, nesting depth
and string length (in characters), each reported with the JSON path where it was crossed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stix_mtac.errors import InputError
from stix_mtac.fileio import read_bounded

UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class JsonLimits:
    """Bounds on untrusted JSON. Defaults fit the largest real bundles we know (ATT&CK)."""

    max_bytes: int = 512 * 1024 * 1024
    max_depth: int = 64
    max_string: int = 4 * 1024 * 1024


DEFAULT_LIMITS = JsonLimits()


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


def _path_to(root: Any, target: int) -> str:
    """The JSON path of the container or string whose id() is ``target`` (slow; errors only)."""
    stack: list[tuple[Any, str]] = [(root, "$")]
    while stack:
        value, path = stack.pop()
        if id(value) == target:
            return path
        if isinstance(value, dict):
            for key, item in value.items():
                if id(key) == target:
                    return f"{path} (a key)"
                stack.append((item, f"{path}.{key}"))
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{index}]") for index, item in enumerate(value))
    return "$"


def _check_shape(root: Any, source: str, limits: JsonLimits) -> None:
    """Refuse nesting deeper than the limit and strings (values or keys) longer than it.

    One iterative pass over the parsed value; the JSON path is worked out only on failure.
    """
    max_string, max_depth = limits.max_string, limits.max_depth
    stack: list[tuple[Any, int]] = [(root, 1)]
    while stack:
        container, depth = stack.pop()
        if depth > max_depth:
            raise InputError(
                f"{source}: {_path_to(root, id(container))}: JSON nesting deeper than "
                f"{max_depth} levels (STIX objects need far fewer; raise it with --max-depth)"
            )
        items = container.values() if type(container) is dict else container
        if type(container) is dict:
            for key in container:
                if len(key) > max_string:
                    _string_too_long(root, key, source, max_string)
        for item in items:
            kind = type(item)
            if kind is str:
                if len(item) > max_string:
                    _string_too_long(root, item, source, max_string)
            elif kind is dict or kind is list:
                stack.append((item, depth + 1))


def _string_too_long(root: Any, value: str, source: str, limit: int) -> None:
    raise InputError(
        f"{source}: {_path_to(root, id(value))}: string of {len(value)} characters exceeds the "
        f"limit of {limit} (raise it with --max-string)"
    )


def decode_json_bytes(data: bytes, source: str, limits: JsonLimits = DEFAULT_LIMITS) -> str:
    """Check size, byte-order mark and UTF-8 of untrusted JSON bytes; return the text."""
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
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source}: {_line_col(data, exc.start)}: invalid UTF-8 byte 0x{data[exc.start]:02x}"
        ) from None


def parse_json_text(text: str, source: str, limits: JsonLimits = DEFAULT_LIMITS) -> Any:
    """Parse decoded JSON text strictly; raise InputError naming ``source`` and the position."""
    try:
        value = json.loads(
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
        # the C parser stops at the interpreter's recursion limit, far above ours
        raise InputError(
            f"{source}: JSON nesting deeper than {limits.max_depth} levels (STIX objects need "
            "far fewer; is this a hostile file?)"
        ) from None
    if type(value) is dict or type(value) is list:
        _check_shape(value, source, limits)
    elif type(value) is str and len(value) > limits.max_string:
        _string_too_long(value, value, source, limits.max_string)
    return value


def parse_json(data: bytes, source: str, limits: JsonLimits = DEFAULT_LIMITS) -> Any:
    """Parse untrusted JSON bytes strictly; raise InputError naming ``source`` and the position."""
    return parse_json_text(decode_json_bytes(data, source, limits), source, limits)


def read_json_file(path: Path, limits: JsonLimits = DEFAULT_LIMITS) -> Any:
    """Read and strictly parse a JSON file, within the size limit (devices refused; a pipe is
    read within the size and time limits of ``fileio.read_bounded``)."""
    data = read_bounded(
        path,
        limits.max_bytes,
        error=InputError,
        allow_pipe=True,  # validate <(curl ...): read within the size and time limits
        hint=" (raise it with --max-bytes)",
    )
    text = decode_json_bytes(data, str(path), limits)
    del data  # a big bundle's bytes need not live beside its text and its parsed objects
    return parse_json_text(text, str(path), limits)
