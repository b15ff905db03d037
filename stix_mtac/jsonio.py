"""Strict, bounded JSON reading: the one place that turns untrusted bytes into Python values.

Two parsers must never read different content from the same bytes, so this reader refuses
what lenient parsers accept silently: duplicate keys, a UTF-8 byte-order mark, ``NaN`` and
``Infinity``, invalid UTF-8. It bounds what an attacker controls: file size, nesting depth
and string length (in characters), each reported with the JSON path where it was crossed and
the line and column (:class:`JsonInputError`).

:func:`read_json` and :func:`parse_json_document` also give the :class:`Positions` of the
text that was parsed: where the value at any JSON path starts and ends (line and column), so
every output points into the very bytes the checks saw, never into a second read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from json.decoder import scanstring  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any

from stix_mtac.errors import InputError
from stix_mtac.fileio import read_bounded
from stix_mtac.jsonpath import Part, key_part, parse_path

UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class JsonLimits:
    """Bounds on untrusted JSON. Defaults fit the largest real bundles we know (ATT&CK)."""

    max_bytes: int = 512 * 1024 * 1024
    max_depth: int = 64
    max_string: int = 4 * 1024 * 1024


DEFAULT_LIMITS = JsonLimits()


class JsonInputError(InputError):
    """Unacceptable JSON, with the line and column (1-based, in characters) where it is wrong."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


@dataclass(frozen=True, order=True)
class Span:
    """Where a JSON value sits: 1-based line and column (characters) of its first character and
    of the character after its last (as SARIF regions count). For an object member, the span
    starts at the member's key."""

    line: int
    column: int
    end_line: int
    end_column: int


_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def _string_end(text: str, offset: int) -> int:
    """The offset after the JSON string whose opening quote is at ``offset`` (the json
    module's own C scanner: linear, whatever the escapes)."""
    _, end = scanstring(text, offset + 1)
    return int(end)


def _key_at(text: str, offset: int) -> tuple[str, int]:
    """The object key (a JSON string) at ``offset`` and the offset after it."""
    key, end = scanstring(text, offset + 1)
    return str(key), int(end)


def _skip(text: str, offset: int) -> int:
    match = _WHITESPACE.match(text, offset)
    return match.end() if match else offset


def _value_end(text: str, offset: int) -> int:
    """The offset just after the JSON value that starts at ``offset`` (text already valid)."""
    if text[offset] == '"':
        return _string_end(text, offset)
    _, end = _DECODER.raw_decode(text, offset)
    return int(end)


class Positions:
    """Where each JSON path's value sits in the text that was parsed (resolved on demand).

    Lookups walk the text from the top, skipping the values they do not descend into; the
    element offsets of every array walked are kept, so locating one finding in each of a
    bundle's objects costs one pass over ``objects``, not one per finding.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._elements: dict[int, list[int]] = {}
        self._ended: set[int] = set()

    def _member(self, start: int, key: str) -> tuple[int, int] | None:
        text = self._text
        offset = _skip(text, start + 1)
        while text[offset] == '"':
            name, after = _key_at(text, offset)
            value = _skip(text, _skip(text, after) + 1)
            if name == key:
                return offset, value
            offset = _skip(text, _value_end(text, value))
            if text[offset] != ",":
                break
            offset = _skip(text, offset + 1)
        return None

    def _element(self, start: int, index: int) -> int | None:
        text = self._text
        known = self._elements.setdefault(start, [])
        if not known and start not in self._ended:
            first = _skip(text, start + 1)
            if text[first] == "]":
                self._ended.add(start)
            else:
                known.append(first)
        while len(known) <= index and start not in self._ended:
            after = _skip(text, _value_end(text, known[-1]))
            if text[after] != ",":
                self._ended.add(start)
                break
            known.append(_skip(text, after + 1))
        return known[index] if index < len(known) else None

    def offsets(self, parts: Iterable[Part]) -> tuple[int, int]:
        """Start and end offsets of the deepest value on the path that exists in the text."""
        text = self._text
        value = anchor = _skip(text, 0)
        for part in parts:
            opening = text[value] if value < len(text) else ""
            if opening == "{" and isinstance(part, str):
                member = self._member(value, part)
                if member is None:
                    break
                anchor, value = member
            elif opening == "[" and isinstance(part, int):
                element = self._element(value, part)
                if element is None:
                    break
                anchor = value = element
            else:
                break
        if value >= len(text):
            return anchor, anchor
        return anchor, _value_end(text, value)

    def spans(self, paths: Iterable[str]) -> dict[str, Span]:
        """The span of each path (its deepest existing part); one pass over the text's lines."""
        wanted: dict[str, tuple[int, int]] = {}
        for path in paths:
            if path not in wanted:
                parts = parse_path(path)
                wanted[path] = self.offsets(parts if parts is not None else [])
        places = _line_columns(self._text, {o for pair in wanted.values() for o in pair})
        return {path: Span(*places[start], *places[end]) for path, (start, end) in wanted.items()}

    def span(self, path: str) -> Span:
        return self.spans([path])[path]


def _line_columns(text: str, offsets: Iterable[int]) -> dict[int, tuple[int, int]]:
    """Line and column (1-based) of each offset, counting newlines once up to the last one."""
    places: dict[int, tuple[int, int]] = {}
    line, scanned, line_start = 1, 0, 0
    for offset in sorted(offsets):
        newlines = text.count("\n", scanned, offset)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", scanned, offset) + 1
        scanned = offset
        places[offset] = (line, offset - line_start + 1)
    return places


@dataclass(frozen=True)
class ParsedJson:
    """A strictly parsed JSON document and the positions of its values in the parsed text."""

    value: Any
    positions: Positions


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


_SCALAR = re.compile(r'[^\s{}\[\],:"]+')


def _duplicate_key_offset(text: str) -> int | None:
    """Offset of the first key repeated within one object (only called once one was found)."""
    stack: list[set[str] | None] = []  # a set of keys per open object, None per open array
    expect_key = False
    offset, length = 0, len(text)
    while True:
        offset = _skip(text, offset)
        if offset >= length:
            return None
        char = text[offset]
        if char == '"':
            end = _string_end(text, offset)
            keys = stack[-1] if stack else None
            if expect_key and keys is not None:
                key, _ = _key_at(text, offset)
                if key in keys:
                    return offset
                keys.add(key)
            expect_key = False
            offset = end
            continue
        if char in "{[":
            stack.append(set() if char == "{" else None)
            expect_key = char == "{"
        elif char in "}]":
            if stack:
                stack.pop()
            expect_key = False
        elif char == ",":
            expect_key = bool(stack) and stack[-1] is not None
        elif char == ":":
            expect_key = False
        else:
            match = _SCALAR.match(text, offset)
            offset = match.end() if match else offset + 1
            expect_key = False
            continue
        offset += 1


def _byte_line_col(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", "replace")) + 1
    return line, column


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
                    return f"{path}{key_part(key)} (a key)"
                stack.append((item, f"{path}{key_part(key)}"))
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{index}]") for index, item in enumerate(value))
    return "$"


class _ShapeError(Exception):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def _check_shape(root: Any, limits: JsonLimits) -> None:
    """Refuse nesting deeper than the limit and strings (values or keys) longer than it.

    One iterative pass over the parsed value; the JSON path is worked out only on failure.
    """
    max_string, max_depth = limits.max_string, limits.max_depth
    stack: list[tuple[Any, int]] = [(root, 1)]
    while stack:
        container, depth = stack.pop()
        if depth > max_depth:
            raise _ShapeError(
                _path_to(root, id(container)),
                f"JSON nesting deeper than {max_depth} levels (STIX objects need far fewer; "
                "raise it with --max-depth)",
            )
        items = container.values() if type(container) is dict else container
        if type(container) is dict:
            for key in container:
                if len(key) > max_string:
                    _string_too_long(root, key, max_string)
        for item in items:
            kind = type(item)
            if kind is str:
                if len(item) > max_string:
                    _string_too_long(root, item, max_string)
            elif kind is dict or kind is list:
                stack.append((item, depth + 1))


def _string_too_long(root: Any, value: str, limit: int) -> None:
    raise _ShapeError(
        _path_to(root, id(value)),
        f"string of {len(value)} characters exceeds the limit of {limit} "
        "(raise it with --max-string)",
    )


def decode_json_bytes(data: bytes, source: str, limits: JsonLimits = DEFAULT_LIMITS) -> str:
    """Check size, byte-order mark and UTF-8 of untrusted JSON bytes; return the text."""
    if len(data) > limits.max_bytes:
        raise InputError(
            f"{source}: {len(data)} bytes exceeds the size limit of {limits.max_bytes} "
            "(raise it with --max-bytes)"
        )
    if data.startswith(UTF8_BOM):
        raise JsonInputError(
            f"{source}: starts with a UTF-8 byte-order mark; RFC 8259 forbids it in JSON "
            "(save the file as UTF-8 without BOM)",
            1,
            1,
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _byte_line_col(data, exc.start)
        raise JsonInputError(
            f"{source}: line {line} column {column}: invalid UTF-8 byte 0x{data[exc.start]:02x}",
            line,
            column,
        ) from None


def parse_json_document(text: str, source: str, limits: JsonLimits = DEFAULT_LIMITS) -> ParsedJson:
    """Parse decoded JSON text strictly; raise JsonInputError naming ``source`` and the place."""
    try:
        value = json.loads(
            text, object_pairs_hook=_reject_duplicates, parse_constant=_reject_constant
        )
    except _DuplicateKey as exc:
        offset = _duplicate_key_offset(text)
        line, column = _line_columns(text, [offset])[offset] if offset is not None else (None, None)
        where = f"line {line} column {column}: " if line is not None else ""
        raise JsonInputError(
            f"{source}: {where}duplicate key {exc.key!r} in one JSON object; parsers disagree "
            "on which value wins, so the file is refused",
            line,
            column,
        ) from None
    except json.JSONDecodeError as exc:
        raise JsonInputError(
            f"{source}: line {exc.lineno} column {exc.colno}: not valid JSON: {exc.msg}",
            exc.lineno,
            exc.colno,
        ) from None
    except ValueError as exc:
        raise InputError(f"{source}: {exc}") from None
    except RecursionError:
        # the C parser stops at the interpreter's recursion limit, far above ours
        raise InputError(
            f"{source}: JSON nesting deeper than {limits.max_depth} levels (STIX objects need "
            "far fewer; is this a hostile file?)"
        ) from None
    positions = Positions(text)
    try:
        if type(value) is dict or type(value) is list:
            _check_shape(value, limits)
        elif type(value) is str and len(value) > limits.max_string:
            _string_too_long(value, value, limits.max_string)
    except _ShapeError as exc:
        span = positions.span(exc.path)
        raise JsonInputError(
            f"{source}: {exc.path}: {exc.message}", span.line, span.column
        ) from None
    return ParsedJson(value, positions)


def parse_json_text(text: str, source: str, limits: JsonLimits = DEFAULT_LIMITS) -> Any:
    """Parse decoded JSON text strictly; raise InputError naming ``source`` and the position."""
    return parse_json_document(text, source, limits).value


def parse_json(data: bytes, source: str, limits: JsonLimits = DEFAULT_LIMITS) -> Any:
    """Parse untrusted JSON bytes strictly; raise InputError naming ``source`` and the position."""
    return parse_json_text(decode_json_bytes(data, source, limits), source, limits)


def parse_json_bytes(data: bytes, source: str, limits: JsonLimits = DEFAULT_LIMITS) -> ParsedJson:
    """:func:`parse_json` with the positions of the parsed text."""
    return parse_json_document(decode_json_bytes(data, source, limits), source, limits)


def read_json(path: Path, limits: JsonLimits = DEFAULT_LIMITS) -> ParsedJson:
    """Read and strictly parse a JSON file within the size limit (devices refused; a pipe is
    read within the size and time limits of ``fileio.read_bounded``), with the positions of
    its values."""
    data = read_bounded(
        path,
        limits.max_bytes,
        error=InputError,
        allow_pipe=True,  # validate <(curl ...): read within the size and time limits
        hint=" (raise it with --max-bytes)",
    )
    text = decode_json_bytes(data, str(path), limits)
    del data  # a big bundle's bytes need not live beside its text and its parsed objects
    return parse_json_document(text, str(path), limits)


def read_json_file(path: Path, limits: JsonLimits = DEFAULT_LIMITS) -> Any:
    """Read and strictly parse a JSON file, within the size limit (devices refused)."""
    return read_json(path, limits).value
