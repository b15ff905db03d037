"""The file front end: expand files, directories and ``-`` (stdin), read each strictly, validate.

One unreadable file never stops the others: its problem becomes that file's ``input_error``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from stix_mtac.errors import InputError
from stix_mtac.jsonio import parse_json, read_json_file
from stix_mtac.validate.api import ValidationOptions, ValidationResult, validate_bundle
from stix_mtac.validate.findings import Progress

STDIN = "-"
_ID_PROPERTY = re.compile(rb'"id"\s*:\s*"([^"\\]{1,300})"')


@dataclass(frozen=True)
class FileReport:
    """The outcome for one input: a validation result, or why it could not be read."""

    source: str
    result: ValidationResult | None = None
    input_error: str | None = None
    # why a file met while walking a directory was not checked (JSON, but not STIX at all)
    skipped: str | None = None
    # first line on which each object id is declared, for formats that point into the file
    id_lines: Mapping[str, int] = field(default_factory=dict)


def expand_paths(paths: Sequence[str]) -> Iterator[tuple[str | Path | InputError, bool]]:
    """Inputs in order, each with whether it was found by walking a directory: ``-``, files,
    and the ``*.json`` files under directories (sorted)."""
    for raw in paths:
        if raw == STDIN:
            yield STDIN, False
            continue
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.json") if p.is_file())
            if not found:
                yield InputError(f"{path}: directory holds no .json files"), False
            yield from ((p, True) for p in found)
        else:
            yield path, False


def not_stix(value: Any) -> str | None:
    """Why parsed JSON is not STIX at all (neither a bundle type, objects nor a STIX id at
    the top), or None. JSON Schemas and GeoJSON have a ``type`` too, so it alone is not enough.

    Bundles with defects (a missing ``type``) still look like STIX and are checked.
    """
    if not isinstance(value, dict):
        return f"top level is a JSON {type(value).__name__}"
    stix_id = value.get("id")
    if value.get("type") == "bundle" or "objects" in value:
        return None
    if isinstance(stix_id, str) and "--" in stix_id:
        return None
    return "a JSON object that is not a bundle and has no STIX id"


def _id_lines(data: bytes) -> dict[str, int]:
    lines: dict[str, int] = {}
    line, scanned = 1, 0
    for match in _ID_PROPERTY.finditer(data):
        line += data.count(b"\n", scanned, match.start())
        scanned = match.start()
        lines.setdefault(match.group(1).decode("utf-8", "replace"), line)
    return lines


def _read_stdin(stream: BinaryIO, options: ValidationOptions) -> bytes:
    data = stream.read(options.limits.max_bytes + 1)
    if len(data) > options.limits.max_bytes:
        raise InputError(
            f"<stdin>: more than {options.limits.max_bytes} bytes exceeds the size limit "
            "(raise it with --max-bytes)"
        )
    return data


# Makes the progress callback for one input (by its name), or None for no progress display.
ProgressFactory = Callable[[str], Progress | None]


def validate_source(
    item: str | Path,
    options: ValidationOptions,
    *,
    stdin: BinaryIO | None,
    locate: bool,
    progress: Progress | None = None,
    walked: bool = False,
) -> FileReport:
    """Read and validate one input; never raises InputError (it becomes the report's error).

    A file met while walking a directory that is JSON but not STIX at all (a key set, a
    manifest) is skipped; named explicitly, it is an error.
    """
    source = "<stdin>" if item == STDIN else str(item)
    try:
        if item == STDIN:
            if stdin is None:
                raise InputError("<stdin>: no standard input available")
            data = _read_stdin(stdin, options)
            value = parse_json(data, source, options.limits)
        else:
            path = Path(item)
            value = read_json_file(path, options.limits)
            data = path.read_bytes() if locate else b""
        reason = not_stix(value) if walked else None
        if reason is not None:
            return FileReport(source, skipped=f"not STIX: {reason}")
        result = validate_bundle(value, source=source, options=options, progress=progress)
    except InputError as error:
        return FileReport(source, input_error=error.message)
    return FileReport(source, result, id_lines=_id_lines(data) if locate else {})


def validate_paths(
    paths: Sequence[str],
    options: ValidationOptions,
    *,
    stdin: BinaryIO | None = None,
    locate: bool = False,
    progress: ProgressFactory | None = None,
) -> list[FileReport]:
    """Validate every input; ``locate`` also records the line of each object id (SARIF)."""
    reports: list[FileReport] = []
    for item, walked in expand_paths(paths):
        if isinstance(item, InputError):
            reports.append(FileReport(item.message.split(":", 1)[0], input_error=item.message))
        else:
            source = "<stdin>" if item == STDIN else str(item)
            bar = progress(source) if progress is not None else None
            report = validate_source(
                item, options, stdin=stdin, locate=locate, progress=bar, walked=walked
            )
            reports.append(report)
    return reports
