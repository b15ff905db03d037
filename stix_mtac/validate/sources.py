"""The file front end: expand files, directories and ``-`` (stdin), read each strictly, validate.

One unreadable file never stops the others: its problem becomes that file's ``input_error``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

from stix_mtac.errors import InputError
from stix_mtac.jsonio import JsonInputError, ParsedJson, Positions, parse_json_bytes, read_json
from stix_mtac.validate.api import ValidationOptions, ValidationResult, validate_bundle
from stix_mtac.validate.findings import Progress

STDIN = "-"


@dataclass(frozen=True)
class FileReport:
    """The outcome for one input: a validation result, or why it could not be read."""

    source: str
    result: ValidationResult | None = None
    input_error: str | None = None
    # why a file met while walking a directory was not checked (JSON, but not STIX at all)
    skipped: str | None = None
    # where the reader stopped in an unreadable file (line, column), when it knows
    input_position: tuple[int, int] | None = None


EMPTY_DIRECTORY = "directory holds no .json files"


class EmptyDirectory(str):
    """A directory named on the command line that holds no ``*.json`` file."""


def expand_paths(paths: Sequence[str]) -> Iterator[tuple[str | Path, bool]]:
    """Inputs in order, each with whether it was found by walking a directory: ``-``, files,
    and the ``*.json`` files under directories (sorted); an empty directory as an
    :class:`EmptyDirectory` (nothing to check there, which the summary counts)."""
    for raw in paths:
        if raw == STDIN:
            yield STDIN, False
            continue
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.json") if p.is_file())
            if not found:
                yield EmptyDirectory(raw), False
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


def located(result: ValidationResult, positions: Positions) -> ValidationResult:
    """The result with each finding's region: where its JSON path sits in the parsed text."""
    spans = positions.spans(finding.json_path for finding in result.findings)
    findings = tuple(replace(f, region=spans[f.json_path]) for f in result.findings)
    return replace(result, findings=findings)


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
    progress: Progress | None = None,
    walked: bool = False,
    skip_non_stix: bool = False,
) -> FileReport:
    """Read and validate one input; never raises InputError (it becomes the report's error).

    A file met while walking a directory that is JSON but not STIX at all (a key set, a
    manifest) is skipped; named explicitly, it is an error unless ``skip_non_stix`` (the
    pre-commit hook, which is handed every staged JSON file).
    """
    source = "<stdin>" if item == STDIN else str(item)
    try:
        parsed: ParsedJson
        if item == STDIN:
            if stdin is None:
                raise InputError("<stdin>: no standard input available")
            parsed = parse_json_bytes(_read_stdin(stdin, options), source, options.limits)
        else:
            parsed = read_json(Path(item), options.limits)
        reason = not_stix(parsed.value) if walked or skip_non_stix else None
        if reason is not None:
            return FileReport(source, skipped=f"not STIX: {reason}")
        result = validate_bundle(parsed.value, source=source, options=options, progress=progress)
    except JsonInputError as error:
        where = (error.line, error.column) if error.line and error.column else None
        return FileReport(source, input_error=error.message, input_position=where)
    except InputError as error:
        return FileReport(source, input_error=error.message)
    return FileReport(source, located(result, parsed.positions))


def validate_paths(
    paths: Sequence[str],
    options: ValidationOptions,
    *,
    stdin: BinaryIO | None = None,
    progress: ProgressFactory | None = None,
    skip_non_stix: bool = False,
) -> list[FileReport]:
    """Validate every input; each finding carries its region in the file that was read."""
    reports: list[FileReport] = []
    for item, walked in expand_paths(paths):
        if isinstance(item, EmptyDirectory):
            reports.append(FileReport(str(item), skipped=EMPTY_DIRECTORY))
        else:
            source = "<stdin>" if item == STDIN else str(item)
            bar = progress(source) if progress is not None else None
            report = validate_source(
                item,
                options,
                stdin=stdin,
                progress=bar,
                walked=walked,
                skip_non_stix=skip_non_stix,
            )
            reports.append(report)
    return reports
