"""Build a :class:`Bundle` from an archive's bytes: a zip read by ranges, a tar or tgz from its first bytes.

``cd-doctor lint`` reads local files through these; the live collector does the same reads as
ranged S3 GETs (``aws.revision``) and hands the bytes to the same functions.
"""

from __future__ import annotations

import io
import tarfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from typing import Final

from codedeploy_doctor.bundle.appspec import parse_appspec
from codedeploy_doctor.bundle.model import (
    APPSPEC_NAMES,
    HEAD_BYTES,
    MAX_APPSPEC_BYTES,
    Bundle,
    BundleFormatError,
    Entry,
    normalise,
    with_parents,
)
from codedeploy_doctor.bundle.zipdir import (
    TAIL_BYTES,
    ZipMember,
    locate_directory,
    member_range,
    parse_directory,
    read_member,
)

MAX_TAR_MEMBERS: Final = 100_000
"""Tar members listed at most."""

MAX_INFLATED_BYTES: Final = 16 * 1024 * 1024
"""A tgz prefix is inflated to at most this many bytes (a decompression bomb stops here)."""

RangeReader = Callable[[int, int], bytes]
"""Reads ``length`` bytes at ``start`` of an archive."""


def zip_entries(members: Iterable[ZipMember]) -> dict[str, Entry]:
    """The bundle entries a zip directory lists (parents implied by paths included)."""
    entries: dict[str, Entry] = {}
    for member in members:
        path = normalise(member.path)
        if path:
            entries[path] = Entry(path, member.mode)
    return with_parents(entries)


def root_appspec(paths: Iterable[str]) -> str | None:
    """The appspec file the agent reads at the bundle's root (appspec.yml first), if any."""
    present = set(paths)
    return next((name for name in APPSPEC_NAMES if name in present), None)


def decode_text(data: bytes) -> str:
    """Bytes of a text file as text (invalid UTF-8 replaced; a leading BOM kept)."""
    return data.decode("utf-8", errors="replace")


def script_paths(appspec_text: str) -> list[str]:
    """Bundle paths of every hook script the AppSpec file names."""
    spec = parse_appspec(appspec_text)
    return list(dict.fromkeys(normalise(script.location) for script in spec.scripts()))


def read_zip(name: str, size: int, read: RangeReader) -> Bundle:
    """Read a zip bundle through ``read``: its directory, its appspec file, then the first KB of each hook script."""
    tail_start = max(0, size - TAIL_BYTES)
    tail = read(tail_start, size - tail_start)
    location = locate_directory(tail, tail_start)
    if location.start >= tail_start:
        directory = tail[location.start - tail_start : location.start - tail_start + location.size]
    else:
        directory = read(location.start, location.size)
    members = parse_directory(directory, location)
    by_path = {normalise(member.path): member for member in members}
    entries = zip_entries(members)
    appspec_path = root_appspec(entries)
    appspec_text: str | None = None
    heads: dict[str, bytes] = {}
    if appspec_path is not None:
        member = by_path[appspec_path]
        appspec_text = decode_text(_member(member, read, MAX_APPSPEC_BYTES))
        for path in script_paths(appspec_text):
            script = by_path.get(path)
            if script is not None and not script.is_dir:
                heads[path] = _member(script, read, HEAD_BYTES)
    return Bundle(name, entries, heads, appspec_path, appspec_text)


def _member(member: ZipMember, read: RangeReader, limit: int) -> bytes:
    start, length = member_range(member, limit)
    return read_member(read(start, length), member, limit)


def inflate_prefix(data: bytes, limit: int = MAX_INFLATED_BYTES) -> bytes:
    """Inflate the first bytes of a gzip stream (a cut stream gives what it holds), at most ``limit`` bytes."""
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, limit)
    except zlib.error as exc:
        raise BundleFormatError(f"not a gzip stream ({exc})") from None


def read_tar(name: str, data: bytes, *, complete: bool, wanted: Callable[[str], bool] | None = None) -> Bundle:
    """List a tar archive from its bytes (all of them, or a prefix when ``complete`` is false) and read its appspec and scripts.

    Members whose header lies past the bytes at hand are not listed; a cut member's content is
    what the bytes hold of it.
    """
    entries: dict[str, Entry] = {}
    contents: dict[str, tuple[int, int]] = {}
    stream = io.BytesIO(data)
    listed_all = False
    try:
        with tarfile.open(fileobj=stream, mode="r:") as archive:
            for count, info in enumerate(archive):
                if count >= MAX_TAR_MEMBERS:
                    break
                path = normalise(info.name) + ("/" if info.isdir() else "")
                if not path or path == "/":
                    continue
                entries[path] = Entry(path, info.mode & 0o7777 | (0o100000 if info.isfile() else 0))
                if info.isfile():
                    contents[path] = (info.offset_data, info.size)
            else:
                listed_all = True
    except (tarfile.TarError, EOFError, OSError) as exc:
        if not entries:
            raise BundleFormatError(f"not a tar archive ({type(exc).__name__})") from None
    entries = with_parents(entries)
    appspec_path = root_appspec(entries)

    def content(path: str, limit: int) -> bytes:
        start, size = contents[path]
        return data[start : start + min(size, limit)]

    appspec_text = decode_text(content(appspec_path, MAX_APPSPEC_BYTES)) if appspec_path else None
    heads: dict[str, bytes] = {}
    if appspec_text is not None:
        for path in script_paths(appspec_text):
            if path in contents and (wanted is None or wanted(path)):
                heads[path] = content(path, HEAD_BYTES)
    return Bundle(name, entries, heads, appspec_path, appspec_text, complete=complete and listed_all)


def bundle_from_parts(
    name: str,
    entries: Mapping[str, Entry],
    heads: Mapping[str, bytes],
    appspec_path: str | None,
    appspec_text: str | None,
    *,
    complete: bool,
) -> Bundle:
    """A bundle from parts read elsewhere (a snapshot's ``evidence.revision``)."""
    return Bundle(name, with_parents(entries), heads, appspec_path, appspec_text, complete)
