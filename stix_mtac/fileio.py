"""Files in and out: one bounded reader for every untrusted file, and transactional writes.

Reading. ``read_bounded`` is the only way the tool reads a file it was given (facts files,
source texts, bundles, signatures, keys, keyrings, manifests). It opens without blocking and
checks the *opened* file, so a FIFO, a device (``/dev/zero``), a socket or a directory is
refused instead of hanging or filling memory, and it never reads more than the caller's size
limit (plus one byte, to tell that the limit was passed).

Writing. Every file the tool writes goes to a temporary file in the destination directory, is
flushed to disk, then renamed over the target, so an interrupted run leaves the old file or
the new one, never half of one. The tool never writes *through* a symbolic link at an output
path: a planted link (``bundles/x.json -> ~/.bashrc``) is refused, not followed, so no file
outside the output directory can be clobbered. ``write_new`` creates a file that must not
exist yet (key files) and refuses even a dangling link there. ``replace_together`` replaces
several files of one directory as one transaction (a bundle, its signature and the manifest):

1. every new file is staged as ``.stix-mtac-staged.<name>.<random>`` and flushed;
2. a journal ``.stix-mtac-journal.json`` naming the staged files is written and flushed:
   this is the commit point;
3. the staged files are renamed over their targets, then the journal is removed.

Recovery: the next transaction in that directory (under the same lock) first finishes a
journal it finds (renames the staged files that are still there), then removes any staged
file no journal names; ``verify`` finishes a journal it finds the same way
(``finish_interrupted``) before it reads. So a run killed before the commit point changed
nothing; one killed after it is completed by the next ``sign``, ``export`` or ``verify``, and
a bundle is never read beside the signature of another version. Temporary files are removed on
every exit path Python sees (errors, Ctrl-C, SIGTERM).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import select
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

from stix_mtac.errors import OutputError, StixMtacError

STAGED_PREFIX = ".stix-mtac-staged."
JOURNAL_NAME = ".stix-mtac-journal.json"
DEFAULT_MODE = 0o644


PIPE_IDLE_SECONDS = 30.0  # a pipe that sends nothing for this long is given up on
PIPE_DEADLINE_SECONDS = 120.0  # and no pipe is read for longer than this in all
_PIPE_POLL_SECONDS = 0.05


def read_bounded(
    path: Path,
    max_bytes: int,
    *,
    what: str = "file",
    error: type[StixMtacError],
    allow_pipe: bool = False,
    hint: str = "",
) -> bytes:
    """Read at most ``max_bytes`` of an untrusted file, or raise ``error`` saying why not.

    ``what`` names the file in messages (``no such key file``); ``hint`` follows a size
    message (`` (raise it with --max-bytes)``). Devices, sockets and directories are always
    refused; FIFOs too unless ``allow_pipe`` (bundles given to ``validate``, e.g. from
    ``<(curl ...)``), which are then read up to the size limit and within a time limit. The
    open never blocks and the checks are made on the opened file, so a path swapped for a
    FIFO after a check cannot hang the reader.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise error(f"{path}: no such {what}") from None
    except IsADirectoryError:
        raise error(f"{path}: is a directory, expected a {what}") from None
    except PermissionError:
        raise error(f"{path}: permission denied") from None
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a socket
            raise error(f"{path}: not a regular file (a socket?); expected a {what}") from None
        raise error(f"{path}: cannot read: {exc.strerror}") from None
    info = os.fstat(fd)
    if stat.S_ISDIR(info.st_mode):  # a directory opens read-only, but reads as nothing
        os.close(fd)
        raise error(f"{path}: is a directory, expected a {what}")
    with os.fdopen(fd, "rb", buffering=0) as stream:
        pipe = stat.S_ISFIFO(info.st_mode)
        if pipe and not allow_pipe:
            raise error(f"{path}: is a pipe (FIFO); expected a regular {what}")
        if not (stat.S_ISREG(info.st_mode) or pipe):
            raise error(f"{path}: not a regular file (a device or socket?); expected a {what}")
        if info.st_size > max_bytes:
            raise error(f"{path}: {info.st_size} bytes exceeds the size limit of {max_bytes}{hint}")
        try:
            if pipe:
                data = _read_pipe(fd, max_bytes + 1, path, error)
            else:
                os.set_blocking(fd, True)
                data = _read_up_to(stream, max_bytes + 1)
        except OSError as exc:
            raise error(f"{path}: cannot read: {exc.strerror}") from None
    if len(data) > max_bytes:
        raise error(f"{path}: more than {max_bytes} bytes exceeds the size limit{hint}")
    return data


def _read_up_to(stream: BinaryIO, limit: int) -> bytes:
    chunks: list[bytes] = []
    left = limit
    while left > 0:
        chunk = stream.read(min(left, 1024 * 1024))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _read_pipe(fd: int, limit: int, path: Path, error: type[StixMtacError]) -> bytes:
    """Read a non-blocking pipe up to ``limit`` bytes, giving up when it stays silent for
    PIPE_IDLE_SECONDS or takes longer than PIPE_DEADLINE_SECONDS in all. A FIFO whose
    writer has not connected yet reads as end of file, so that is waited for too."""
    chunks: list[bytes] = []
    left = limit
    start = time.monotonic()
    last_data = start
    while left > 0:
        now = time.monotonic()
        if now - start > PIPE_DEADLINE_SECONDS:
            raise error(f"{path}: the pipe took longer than {PIPE_DEADLINE_SECONDS:.0f} s")
        if now - last_data > PIPE_IDLE_SECONDS:
            raise error(f"{path}: the pipe sent nothing for {PIPE_IDLE_SECONDS:.0f} s")
        ready, _, _ = select.select([fd], [], [], _PIPE_POLL_SECONDS * 20)
        if not ready:
            continue
        try:
            chunk = os.read(fd, min(left, 1024 * 1024))
        except BlockingIOError:
            continue
        if not chunk:
            if chunks:
                break  # the writer closed: end of the data
            time.sleep(_PIPE_POLL_SECONDS)  # no writer yet
            continue
        chunks.append(chunk)
        left -= len(chunk)
        last_data = time.monotonic()
    return b"".join(chunks)


def holds(path: Path, data: bytes) -> bool:
    """Whether ``path`` is a regular file (not a link) whose content is exactly ``data``."""
    try:
        info = path.lstat()
    except OSError:
        return False
    if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
        return False
    try:
        return read_bounded(path, len(data), error=OutputError) == data
    except OutputError:
        return False


def refuse_unsafe_target(path: Path) -> None:
    """An output path must be absent or a regular file; never a link, device or directory."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror}") from None
    if stat.S_ISLNK(info.st_mode):
        raise OutputError(
            f"{path}: is a symbolic link; refusing to write through it (remove the link, "
            "or write somewhere else)"
        )
    if not stat.S_ISREG(info.st_mode):
        raise OutputError(f"{path}: not a regular file; refusing to replace it")


def _make_directory(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"{directory}: not a directory; cannot write here") from None
    except OSError as exc:
        raise OutputError(f"{directory}: cannot write here: {exc.strerror}") from None


def _stage(directory: Path, name: str, data: bytes, mode: int) -> Path:
    """A flushed temporary copy of ``data`` in ``directory``; mode 0600 until complete."""
    try:
        handle, temp_name = tempfile.mkstemp(
            prefix=f"{STAGED_PREFIX}{name}.", suffix=".tmp", dir=directory
        )
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
            raise OutputError(f"{directory / name}: cannot write: {exc.strerror}") from None
        raise
    return Path(temp_name)


def _fsync_directory(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def _directory_lock(directory: Path) -> Iterator[None]:
    """One transaction at a time per directory: an advisory lock on the directory itself."""
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        raise OutputError(f"{directory}: cannot write here: {exc.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def recover(directory: Path) -> None:
    """Finish an interrupted transaction in ``directory`` and remove stray staged files.

    Call with the directory lock held (``replace_together`` does).
    """
    journal = directory / JOURNAL_NAME
    if journal.is_file() and not journal.is_symlink():
        try:
            moves = json.loads(journal.read_text("utf-8"))
        except (OSError, ValueError):
            moves = {}
        for staged, target in moves.items() if isinstance(moves, dict) else ():
            staged_path = directory / Path(str(staged)).name
            target_path = directory / Path(str(target)).name
            if staged_path.name.startswith(STAGED_PREFIX) and staged_path.exists():
                with contextlib.suppress(OSError):
                    os.replace(staged_path, target_path)
        _fsync_directory(directory)
        with contextlib.suppress(OSError):
            journal.unlink()
    for stray in directory.glob(f"{STAGED_PREFIX}*"):
        with contextlib.suppress(OSError):
            stray.unlink()


def finish_interrupted(directory: Path) -> bool:
    """Complete a transaction in ``directory`` that a killed run committed but did not finish
    (its journal is still there). Returns whether there was one; OutputError if it cannot be
    completed (a directory this user may not write)."""
    journal = directory / JOURNAL_NAME
    if not os.path.lexists(journal):
        return False
    with _directory_lock(directory):
        recover(directory)
    if os.path.lexists(journal):
        raise OutputError(
            f"{journal}: an interrupted write (export or sign) left this journal and it cannot "
            "be completed here; run stix-mtac sign or export in that directory with write access"
        )
    return True


def replace_together(files: Mapping[Path, bytes], modes: Mapping[Path, int] | None = None) -> None:
    """Replace every file in ``files`` (all in one directory) or none of them.

    See the module docstring for the staging, commit point and recovery rule. Each target
    must be absent or a regular file (a symbolic link is refused, never followed).
    """
    if not files:
        return
    directories = {path.parent for path in files}
    if len(directories) != 1:
        raise ValueError("replace_together: all files must be in one directory")
    (directory,) = directories
    for path in files:
        refuse_unsafe_target(path)
    _make_directory(directory)
    with _directory_lock(directory):
        recover(directory)
        staged: dict[Path, Path] = {}
        journal = directory / JOURNAL_NAME
        committed = False
        try:
            for path, data in files.items():
                mode = (modes or {}).get(path, DEFAULT_MODE)
                staged[path] = _stage(directory, path.name, data, mode)
            if len(files) > 1:
                record = {temp.name: path.name for path, temp in staged.items()}
                journal_temp = _stage(
                    directory, JOURNAL_NAME, json.dumps(record).encode("utf-8"), 0o600
                )
                staged[journal] = journal_temp  # discarded with the rest if the rename fails
                os.replace(journal_temp, journal)
                del staged[journal]
                _fsync_directory(directory)
            committed = True
            for path, temp in staged.items():
                os.replace(temp, path)
            _fsync_directory(directory)
            with contextlib.suppress(FileNotFoundError):
                journal.unlink()
        except OSError as exc:
            if not committed:
                _discard(staged.values())
                raise OutputError(f"{directory}: cannot write: {exc.strerror}") from None
            recover(directory)
            raise OutputError(f"{directory}: cannot write: {exc.strerror}") from None
        except BaseException:
            if committed:
                recover(directory)  # past the commit point: finish, as the next run would
            else:
                _discard(staged.values())
            raise


def _discard(paths: Iterable[Path]) -> None:
    for temp in paths:
        with contextlib.suppress(OSError):
            os.unlink(temp)


def write_atomic(path: Path, data: bytes, mode: int = DEFAULT_MODE) -> None:
    """Write ``data`` to ``path`` atomically, with permission bits ``mode``.

    The temporary file is created with mode 0600 and only widened to ``mode`` after it holds
    the full content, so secret files are never readable by others even for an instant. A
    symbolic link, device, pipe, socket or directory at ``path`` is refused, not written
    through or replaced.
    """
    replace_together({path: data}, {path: mode})


def write_new(path: Path, data: bytes, mode: int, *, what: str = "key file") -> None:
    """Create ``path`` with ``data``; refuse if anything, even a dangling link, is there.

    The content is staged and then hard-linked into place, which fails rather than replaces
    when the name exists (no window where another file, or a link, could be clobbered).
    ``what`` names the file in the refusal.
    """
    if os.path.lexists(path):
        raise OutputError(f"{path}: already exists; refusing to overwrite a {what}")
    _make_directory(path.parent)
    temp = _stage(path.parent, path.name, data, mode)
    try:
        os.link(temp, path, follow_symlinks=False)
    except FileExistsError:
        raise OutputError(f"{path}: already exists; refusing to overwrite a {what}") from None
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror}") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)
