"""Files in and out: bounded reads of untrusted files and atomic writes.

A write goes to a temporary file in the destination directory, is flushed to disk, then
renamed over the target, so an interrupted run leaves either the old file or the new one,
never half of one. A read refuses devices and stops at a size limit, so ``/dev/zero`` or an
endless pipe cannot exhaust memory.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from stix_mtac.errors import OutputError, StixMtacError


def read_bounded(
    path: Path,
    max_bytes: int,
    *,
    what: str = "file",
    error: type[StixMtacError],
    allow_pipe: bool = True,
    hint: str = "",
) -> bytes:
    """Read at most ``max_bytes`` of an untrusted file, or raise ``error`` saying why not.

    ``what`` names the file in messages (``no such key file``); ``hint`` follows a size
    message (`` (raise it with --max-bytes)``). Pipes are read only up to the limit.
    """
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise error(f"{path}: is a directory, expected a {what}")
        pipe = allow_pipe and stat.S_ISFIFO(info.st_mode)
        if not (stat.S_ISREG(info.st_mode) or pipe):
            raise error(f"{path}: not a regular file (a device or socket?)")
        if info.st_size > max_bytes:
            raise error(f"{path}: {info.st_size} bytes exceeds the size limit of {max_bytes}{hint}")
        with path.open("rb") as stream:
            data = stream.read(max_bytes + 1)
    except FileNotFoundError:
        raise error(f"{path}: no such {what}") from None
    except PermissionError:
        raise error(f"{path}: permission denied") from None
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc.strerror}") from None
    if len(data) > max_bytes:
        raise error(f"{path}: more than {max_bytes} bytes exceeds the size limit{hint}")
    return data


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` atomically, with permission bits ``mode``.

    The temporary file is created with mode 0600 and only widened to ``mode`` after it holds
    the full content, so secret files are never readable by others even for an instant.
    A symbolic link is written through (its target is replaced); a device, pipe, socket or
    directory at ``path`` is refused rather than replaced by a file.
    """
    if path.is_symlink():
        path = path.resolve()
    if path.exists() and not path.is_file():
        raise OutputError(f"{path}: not a regular file; refusing to replace it")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{path.parent}: cannot write here: {exc.strerror}") from None
    temp_name = _staged(path, data, mode)
    try:
        os.replace(temp_name, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise OutputError(f"{path}: cannot write: {exc.strerror}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise


def _staged(path: Path, data: bytes, mode: int) -> str:
    """A temporary file beside ``path`` holding ``data``, flushed to disk, mode ``mode``
    (created 0600 and widened only once full); removed again if anything fails."""
    directory = path.parent
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise OutputError(f"{directory}: cannot write here: {exc.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp_name, mode)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        if isinstance(exc, OSError):
            raise OutputError(f"{path}: cannot write: {exc.strerror}") from None
        raise
    return temp_name


def write_new(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path``, which must not exist yet (not even as a symbolic link).

    The content goes to a temporary file first and is hard-linked into place, so the file
    appears whole or not at all, and an existing file (or a link planted where it would go)
    is never replaced: ``OutputError`` says so instead.
    """
    temp_name = _staged(path, data, mode)
    try:
        os.link(temp_name, path)
    except FileExistsError:
        raise OutputError(f"{path}: already exists; not overwriting it") from None
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror}") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
