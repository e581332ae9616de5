"""Read a bundle from the local disk for ``cd-doctor lint``: a directory, a zip, a tar or tgz, or an AppSpec file alone."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Final

from codedeploy_doctor.bundle.archive import inflate_prefix, read_tar, read_zip, root_appspec, script_paths
from codedeploy_doctor.bundle.model import HEAD_BYTES, MAX_APPSPEC_BYTES, Bundle, BundleFormatError, Entry, with_parents

MAX_DIRECTORY_ENTRIES: Final = 100_000
"""Files listed from a bundle directory at most (a bigger one is listed in part, and said to be)."""

MAX_LOCAL_TAR_BYTES: Final = 512 * 1024 * 1024
"""A local tar or tgz larger than this is refused."""

SKIPPED_DIRECTORIES: Final = frozenset({".git"})
"""Folders of a bundle directory that are not part of what gets deployed."""

APPSPEC_SUFFIXES: Final = (".yml", ".yaml", ".json")


def load_bundle(path: Path) -> Bundle:
    """Read ``path`` as a bundle; :class:`BundleFormatError` or ``OSError`` when it cannot be."""
    if path.is_dir():
        return _directory(path)
    if not path.is_file():
        raise BundleFormatError(f"{path}: not a file or directory")
    name = path.name.lower()
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic.startswith(b"PK"):
        return _zip(path)
    if magic.startswith(b"\x1f\x8b") or name.endswith((".tar", ".tgz", ".tar.gz")):
        return _tar(path, compressed=magic.startswith(b"\x1f\x8b"))
    if name.endswith(APPSPEC_SUFFIXES):
        return _appspec_only(path)
    raise BundleFormatError(f"{path}: not a bundle (a directory, .zip, .tar, .tgz) nor an AppSpec file (.yml, .yaml, .json)")


def _zip(path: Path) -> Bundle:
    size = path.stat().st_size
    with path.open("rb") as handle:

        def read(start: int, length: int) -> bytes:
            handle.seek(max(0, start))
            return handle.read(max(0, length))

        return read_zip(path.name, size, read)


def _tar(path: Path, *, compressed: bool) -> Bundle:
    size = path.stat().st_size
    if size > MAX_LOCAL_TAR_BYTES:
        raise BundleFormatError(f"{path}: larger than the {MAX_LOCAL_TAR_BYTES} byte limit for a tar bundle")
    data = path.read_bytes()
    if compressed:
        data = inflate_prefix(data, MAX_LOCAL_TAR_BYTES)
    return read_tar(path.name, data, complete=True)


def _appspec_only(path: Path) -> Bundle:
    text = _read_head(path, MAX_APPSPEC_BYTES).decode("utf-8", errors="replace")
    return Bundle(path.name, {}, {}, path.name, text, complete=False)


def _read_head(path: Path, limit: int) -> bytes:
    with path.open("rb") as handle:
        return handle.read(limit)


def _directory(root: Path) -> Bundle:
    entries: dict[str, Entry] = {}
    complete = True
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(name for name in dirs if name not in SKIPPED_DIRECTORIES)
        relative = Path(folder).relative_to(root).as_posix()
        prefix = "" if relative == "." else f"{relative}/"
        for name in dirs:
            entries[f"{prefix}{name}/"] = Entry(f"{prefix}{name}/")
        for name in sorted(files):
            try:
                mode = os.lstat(Path(folder) / name).st_mode
            except OSError:
                continue
            entries[f"{prefix}{name}"] = Entry(f"{prefix}{name}", mode)
        if len(entries) > MAX_DIRECTORY_ENTRIES:
            complete = False
            break
    appspec_path = root_appspec(entries)
    appspec_text = None
    heads: dict[str, bytes] = {}
    if appspec_path is not None:
        appspec_text = _read_head(root / appspec_path, MAX_APPSPEC_BYTES).decode("utf-8", errors="replace")
        for script in script_paths(appspec_text):
            entry = entries.get(script)
            if entry is not None and entry.mode is not None and stat.S_ISREG(entry.mode):
                heads[script] = _read_head(root / script, HEAD_BYTES)  # a listed regular file: never a link out
    return Bundle(root.name or str(root), with_parents(entries), heads, appspec_path, appspec_text, complete)
