"""A zip archive's central directory and members, read from byte ranges (nothing is extracted).

A zip ends with its end-of-central-directory record (EOCD), which says where the central
directory starts; the directory lists every member with its name, sizes, where its local header
is and, in the external attributes, its Unix mode (high 16 bits, when the archive was made on
Unix). So a remote bundle is read in two steps: its tail (:data:`TAIL_BYTES`, the EOCD and, for
most bundles, the whole directory), then the few members wanted, each from its own range.

Every length and offset read from the archive is checked against the bytes at hand before it is
used: a hostile or truncated archive gives :class:`BundleFormatError`, never an overrun.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from typing import Final

from codedeploy_doctor.bundle.model import BundleFormatError

TAIL_BYTES: Final = 128 * 1024
"""Bytes read from the end of an archive first: the EOCD (22 bytes plus a comment of up to 64 KB) and the directory."""

MAX_MEMBERS: Final = 200_000
"""Members a directory may list; more is refused as hostile."""

LOCAL_HEADER_SLACK: Final = 1024
"""Bytes read past a member's name for its local header's extra field (unknown until read)."""

_EOCD_SIG: Final = b"PK\x05\x06"
_EOCD64_LOCATOR_SIG: Final = b"PK\x06\x07"
_EOCD64_SIG: Final = b"PK\x06\x06"
_CENTRAL_SIG: Final = b"PK\x01\x02"
_LOCAL_SIG: Final = b"PK\x03\x04"
_EOCD_SIZE: Final = 22
_CENTRAL_SIZE: Final = 46
_LOCAL_SIZE: Final = 30
_UNIX_HOST: Final = 3
_STORED: Final = 0
_DEFLATED: Final = 8
_FLAG_UTF8: Final = 0x800
_FLAG_ENCRYPTED: Final = 0x1
_MASK32: Final = 0xFFFFFFFF


@dataclass(frozen=True)
class DirectoryLocation:
    """Where the central directory is in the archive, from its EOCD."""

    start: int
    """Absolute offset of the directory's first byte."""
    size: int
    """Bytes of the directory."""
    members: int
    """Members it lists."""
    base: int
    """Bytes before the archive proper (a self-extracting stub): added to every member offset."""


@dataclass(frozen=True)
class ZipMember:
    """One member as the central directory lists it."""

    path: str
    """Its name inside the archive (``/`` separated; directories end with ``/``)."""
    mode: int | None
    """Its Unix mode (type and permission bits), or None when the archive was not made on Unix."""
    method: int
    """Compression method (0 stored, 8 deflated)."""
    compressed_size: int
    size: int
    header_offset: int
    """Absolute offset of its local header."""
    encrypted: bool

    @property
    def is_dir(self) -> bool:
        """True for a directory entry."""
        return self.path.endswith("/")


def locate_directory(tail: bytes, tail_start: int) -> DirectoryLocation:
    """Find the EOCD in ``tail`` (the archive's last bytes, starting at offset ``tail_start``)."""
    position = _find_eocd(tail)
    _sig, disk, cd_disk, _on_disk, total, cd_size, cd_offset, _comment = struct.unpack_from("<4s4H2LH", tail, position)
    if disk != 0 or cd_disk != 0:
        raise BundleFormatError("a multi-part (split) zip archive: not read")
    eocd_at = tail_start + position
    if _MASK32 in (cd_size, cd_offset) or total == 0xFFFF:
        return _locate_zip64(tail, tail_start, position)
    base = eocd_at - cd_size - cd_offset
    if base < 0 or cd_size > eocd_at:
        raise BundleFormatError("the end-of-central-directory record points outside the archive")
    return DirectoryLocation(start=base + cd_offset, size=cd_size, members=total, base=base)


def _find_eocd(tail: bytes) -> int:
    """The EOCD's position: the last signature whose comment length reaches exactly the end (a comment may hold the signature)."""
    floor = max(0, len(tail) - _EOCD_SIZE - 0xFFFF)
    position = tail.rfind(_EOCD_SIG, floor)
    fallback = -1
    while position >= 0:
        if position + _EOCD_SIZE <= len(tail):
            (comment,) = struct.unpack_from("<H", tail, position + 20)
            if position + _EOCD_SIZE + comment == len(tail):
                return position
            fallback = position if fallback < 0 else fallback
        position = tail.rfind(_EOCD_SIG, floor, position)
    if fallback < 0:
        raise BundleFormatError("not a zip archive: no end-of-central-directory record in its last bytes")
    return fallback  # bytes after the record (padding some tools add): take the last record


def _locate_zip64(tail: bytes, tail_start: int, eocd: int) -> DirectoryLocation:
    locator = eocd - 20
    if locator < 0 or tail[locator : locator + 4] != _EOCD64_LOCATOR_SIG:
        raise BundleFormatError("a zip64 archive whose zip64 locator is missing")
    (record_offset,) = struct.unpack_from("<Q", tail, locator + 8)
    # The zip64 EOCD sits right before the locator; find it there (offsets may be shifted by a stub).
    record = locator - 56
    if record < 0 or tail[record : record + 4] != _EOCD64_SIG:
        raise BundleFormatError("a zip64 archive whose zip64 end record is not in its last bytes")
    total, cd_size, cd_offset = struct.unpack_from("<3Q", tail, record + 32)
    base = tail_start + record - record_offset
    start = base + cd_offset
    if base < 0 or start < 0 or start + cd_size > tail_start + record:
        raise BundleFormatError("the zip64 end record points outside the archive")
    return DirectoryLocation(start=start, size=cd_size, members=total, base=base)


def parse_directory(data: bytes, location: DirectoryLocation) -> list[ZipMember]:
    """Parse the central directory (``data`` is exactly its bytes)."""
    if location.members > MAX_MEMBERS:
        raise BundleFormatError(f"the archive lists {location.members} members, more than the {MAX_MEMBERS} read")
    members: list[ZipMember] = []
    at = 0
    for _ in range(location.members):
        if at + _CENTRAL_SIZE > len(data) or data[at : at + 4] != _CENTRAL_SIG:
            raise BundleFormatError(f"the central directory is cut or corrupt after {len(members)} members")
        fields = struct.unpack_from("<4s2B5H3L5H2L", data, at)
        (_sig, _version, host, _needed, flags, method, _time, _date, _crc, csize, size, name_len, extra_len, comment_len) = (
            fields[:14]
        )
        external, offset = fields[16], fields[17]
        end = at + _CENTRAL_SIZE + name_len + extra_len + comment_len
        if end > len(data):
            raise BundleFormatError("a central directory entry runs past the directory's end")
        raw_name = data[at + _CENTRAL_SIZE : at + _CENTRAL_SIZE + name_len]
        extra = data[at + _CENTRAL_SIZE + name_len : at + _CENTRAL_SIZE + name_len + extra_len]
        size, csize, offset = _zip64_sizes(extra, size, csize, offset)
        name = raw_name.decode("utf-8", errors="replace") if flags & _FLAG_UTF8 else raw_name.decode("cp437")
        mode = (external >> 16) & 0xFFFF if host == _UNIX_HOST and external >> 16 else None
        members.append(
            ZipMember(
                path=name.replace("\\", "/"),
                mode=mode,
                method=method,
                compressed_size=csize,
                size=size,
                header_offset=location.base + offset,
                encrypted=bool(flags & _FLAG_ENCRYPTED),
            )
        )
        at = end
    return members


def _zip64_sizes(extra: bytes, size: int, csize: int, offset: int) -> tuple[int, int, int]:
    """Replace 0xFFFFFFFF sizes and offset with the zip64 extra field's values, in its order."""
    if _MASK32 not in (size, csize, offset):
        return size, csize, offset
    at = 0
    while at + 4 <= len(extra):
        tag, length = struct.unpack_from("<2H", extra, at)
        body = extra[at + 4 : at + 4 + length]
        if tag == 1:
            values = [struct.unpack_from("<Q", body, i)[0] for i in range(0, len(body) - 7, 8)]
            if size == _MASK32 and values:
                size = values.pop(0)
            if csize == _MASK32 and values:
                csize = values.pop(0)
            if offset == _MASK32 and values:
                offset = values.pop(0)
            break
        at += 4 + length
    return size, csize, offset


def member_range(member: ZipMember, limit: int) -> tuple[int, int]:
    """The (start, length) to read for the first ``limit`` compressed bytes of a member, local header included."""
    length = _LOCAL_SIZE + len(member.path.encode("utf-8")) + LOCAL_HEADER_SLACK + min(member.compressed_size, limit)
    return member.header_offset, length


def read_member(data: bytes, member: ZipMember, limit: int) -> bytes:
    """The first ``limit`` bytes of a member's content, from ``data`` read at its local header."""
    if member.encrypted:
        raise BundleFormatError(f"{member.path} is encrypted")
    if len(data) < _LOCAL_SIZE or data[:4] != _LOCAL_SIG:
        raise BundleFormatError(f"{member.path}: no local header where the directory says it is")
    name_len, extra_len = struct.unpack_from("<2H", data, 26)
    start = _LOCAL_SIZE + name_len + extra_len
    if start > len(data):
        raise BundleFormatError(f"{member.path}: its local header runs past the bytes read")
    body = data[start : start + member.compressed_size]
    if member.method == _STORED:
        return body[:limit]
    if member.method == _DEFLATED:
        try:
            return zlib.decompressobj(-15).decompress(body, limit)
        except zlib.error as exc:
            raise BundleFormatError(f"{member.path}: its compressed data is corrupt ({exc})") from None
    raise BundleFormatError(f"{member.path}: compression method {member.method} is not read (only stored and deflated)")
