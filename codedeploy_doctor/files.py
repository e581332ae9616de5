"""Input files read with a bound and without blocking; output files replaced atomically.

Every path cd-doctor reads (``--replay``, ``--catalog``, ``--agent-log``) goes through
:func:`read_bounded` or :func:`read_tail`: the file is opened non-blocking (a FIFO with no
writer cannot hang the open), must be a regular file (a FIFO, a device such as ``/dev/zero``, a
socket or a folder is refused: their reported size means nothing), and is read with a byte bound
whatever size it reports. ``-`` means standard input where a caller allows it.

Every file cd-doctor writes (``-o`` report, ``--record`` snapshot) goes through
:func:`write_atomically`: a temporary file in the same folder, flushed to disk, then renamed over
the target, so a failed write leaves the previous file as it was. A path that is not a regular
file (``/dev/stdout``, ``/dev/null``, a FIFO someone reads) is written in place, opened
non-blocking so a FIFO nobody reads is refused rather than waited on.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Final

from codedeploy_doctor.errors import BadInputError

STDIN: Final = "-"
"""The path that means standard input."""

_NONBLOCK: Final = getattr(os, "O_NONBLOCK", 0)
_NOCTTY: Final = getattr(os, "O_NOCTTY", 0)
_BINARY: Final = getattr(os, "O_BINARY", 0)


def read_bounded(path: Path, *, limit: int, what: str, stdin_ok: bool = False) -> bytes:
    """Return the whole content of a regular file of at most ``limit`` bytes (or of stdin for ``-``).

    Raises :class:`BadInputError` (one line, exit 2) for a file that cannot be opened, is not a
    regular file, or holds more than ``limit`` bytes; never blocks on a FIFO, never reads a
    device without end.
    """
    if stdin_ok and str(path) == STDIN:
        data = _read_stdin(limit + 1, what)
    else:
        descriptor = _open_regular(path, what)
        with os.fdopen(descriptor, "rb") as handle:
            # Ask for what the file says it holds (not the whole limit: a buffer that size would be
            # allocated for every small file), then for the rest up to the limit if it grew meanwhile.
            size = os.fstat(handle.fileno()).st_size
            data = _read(handle.read, min(limit, size) + 1, path, what)
            if size < len(data) <= limit:
                data += _read(handle.read, limit + 1 - len(data), path, what)
    if len(data) > limit:
        raise BadInputError(
            f"{what} {path} is larger than the {limit} byte limit", tip=f"is this really a {what}? see docs/security.md"
        )
    return data


def read_tail(path: Path, *, limit: int, what: str) -> tuple[bytes, bool]:
    """Return at most the last ``limit`` bytes of a regular file, and whether anything before them was left out."""
    descriptor = _open_regular(path, what)
    with os.fdopen(descriptor, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        start = max(0, size - limit)
        try:
            handle.seek(start)
        except OSError as exc:
            raise BadInputError(f"cannot read {what} {path}: {exc.strerror or exc}") from exc
        # Bounded whatever the size said: a file that grows while it is read stops at the limit.
        return _read(handle.read, limit, path, what), start > 0


def _read_stdin(count: int, what: str) -> bytes:
    stream = sys.stdin
    if stream is None:
        raise BadInputError(f"cannot read the {what} from standard input: there is none")
    if stream.isatty():
        raise BadInputError(f"cannot read the {what} from standard input: it is a terminal", tip="pipe the file in: < FILE")
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        return stream.read(count).encode("utf-8", errors="replace")[:count]
    try:
        return bytes(buffer.read(count))
    except OSError as exc:
        raise BadInputError(f"cannot read the {what} from standard input: {exc.strerror or exc}") from exc


def _read(read: Callable[[int], bytes], count: int, path: Path, what: str) -> bytes:
    try:
        return read(count)
    except OSError as exc:
        raise BadInputError(f"cannot read {what} {path}: {exc.strerror or exc}") from exc


def _open_regular(path: Path, what: str) -> int:
    """Open ``path`` for reading without blocking and check that it is a regular file."""
    try:
        descriptor = os.open(path, os.O_RDONLY | _NONBLOCK | _NOCTTY | _BINARY)
    except OSError as exc:
        raise BadInputError(f"cannot read {what} {path}: {exc.strerror or exc}") from exc
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise BadInputError(
                f"cannot read {what} {path}: it is {_kind(mode)}, not a regular file", tip=f"pass a {what} file saved on disk"
            )
        _set_blocking(descriptor)
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _set_blocking(descriptor: int) -> None:
    with contextlib.suppress(AttributeError, OSError):  # no os.set_blocking on some platforms: nothing to undo
        os.set_blocking(descriptor, True)


def write_atomically(path: Path, data: str | bytes, *, what: str) -> None:
    """Replace ``path`` with ``data`` at once; on any failure the previous file is left intact.

    Text is written as UTF-8 (a lone surrogate becomes ``?`` rather than an error). Raises
    :class:`BadInputError` (one line, exit 2) when the file cannot be written.
    """
    payload = data.encode("utf-8", errors="replace") if isinstance(data, str) else data
    try:
        info: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise BadInputError(f"cannot write {what} {path}: {exc.strerror or exc}") from exc
    try:
        if info is not None and not stat.S_ISREG(info.st_mode):
            _write_in_place(path, payload, what)
        else:
            _replace(Path(os.path.realpath(path)), payload, info)
    except OSError as exc:
        raise BadInputError(f"cannot write {what} {path}: {exc.strerror or exc}") from exc


def _replace(target: Path, payload: bytes, info: os.stat_result | None) -> None:
    """Write a temporary file beside ``target``, flush it to disk, then rename it over ``target``."""
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, stat.S_IMODE(info.st_mode) if info is not None else _default_mode())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_folder(target.parent)


def _write_in_place(path: Path, payload: bytes, what: str) -> None:
    """Write to a device or a FIFO as it is (``/dev/stdout``); a FIFO nobody reads is refused, not waited on."""
    try:
        descriptor = os.open(path, os.O_WRONLY | _NONBLOCK | _NOCTTY | _BINARY)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise BadInputError(f"cannot write {what} {path}: no process is reading this FIFO") from exc
        raise
    with os.fdopen(descriptor, "wb") as handle:
        _set_blocking(handle.fileno())
        handle.write(payload)
        handle.flush()


def _default_mode() -> int:
    """The mode a new file gets from ``open()``: 0o666 less the process's umask."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def _sync_folder(folder: Path) -> None:
    """Flush the rename to disk too (best effort: not every platform can open a folder)."""
    with contextlib.suppress(OSError, AttributeError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def write_output(text: str, output: Path | None) -> None:
    """Write the report to --output (atomically) or stdout (which carries the report and nothing else)."""
    if output is None:
        # A terminal or pipe that is not UTF-8 (latin-1, cp1252) still gets the report, with '?' for
        # what it cannot show, rather than an encoding error and no report.
        reconfigure = getattr(sys.stdout, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            # The reader left early (`| head`): stop writing quietly; the exit code still tells the verdict.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except OSError as exc:  # a full disk or a closed terminal: the report is lost, say so (like -o)
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second complaint at exit
            raise BadInputError(f"cannot write the report to standard output: {exc.strerror or exc}") from exc
        return
    write_atomically(output, text, what="the report to")
