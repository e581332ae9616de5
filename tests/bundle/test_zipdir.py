"""The zip directory reader over bytes: modes, offsets, stubs, zip64 fields, and hostile archives."""

from __future__ import annotations

import contextlib
import struct
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codedeploy_doctor.bundle.archive import read_zip
from codedeploy_doctor.bundle.model import BundleFormatError
from codedeploy_doctor.bundle.zipdir import TAIL_BYTES, locate_directory, member_range, parse_directory, read_member
from tests.bundle.builders import good_bundle, make_zip


def _reader(data: bytes, log: list[tuple[int, int]] | None = None):  # type: ignore[no-untyped-def]
    def read(start: int, length: int) -> bytes:
        if log is not None:
            log.append((start, length))
        return data[start : start + length]

    return read


def test_lists_members_with_their_unix_modes() -> None:
    data = make_zip(good_bundle(**{"scripts/plain.sh": ("#!/bin/sh\n", 0o644)}))
    location = locate_directory(data[-TAIL_BYTES:], max(0, len(data) - TAIL_BYTES))
    members = {m.path: m for m in parse_directory(data[location.start : location.start + location.size], location)}
    assert members["scripts/start.sh"].mode is not None and members["scripts/start.sh"].mode & 0o777 == 0o755
    assert members["scripts/plain.sh"].mode is not None and members["scripts/plain.sh"].mode & 0o777 == 0o644
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as reference:
        assert sorted(members) == sorted(reference.namelist())


def test_reads_a_member_from_its_own_range() -> None:
    data = make_zip(good_bundle())
    bundle = read_zip("app.zip", len(data), _reader(data))
    assert bundle.appspec_path == "appspec.yml"
    assert bundle.heads["scripts/start.sh"].startswith(b"#!/bin/bash\n")
    assert bundle.entries["scripts/"].is_dir


def test_a_windows_made_zip_has_no_mode() -> None:
    data = make_zip(good_bundle(), unix=False)
    bundle = read_zip("app.zip", len(data), _reader(data))
    assert bundle.entries["scripts/start.sh"].mode is None
    assert bundle.entries["scripts/start.sh"].executable is None


def test_a_self_extracting_stub_shifts_every_offset() -> None:
    data = make_zip(good_bundle(), prefix=b"#!/bin/sh\nexit 0\n" * 100)
    bundle = read_zip("app.zip", len(data), _reader(data))
    assert bundle.heads["scripts/start.sh"].startswith(b"#!/bin/bash")


def test_a_long_comment_still_finds_the_end_record() -> None:
    data = make_zip(good_bundle(), comment=b"PK\x05\x06 not a record " * 1000)
    bundle = read_zip("app.zip", len(data), _reader(data))
    assert bundle.appspec_path == "appspec.yml"


def test_a_big_directory_is_read_in_one_more_range() -> None:
    files = good_bundle()
    files.update({f"app/static/file-{n:05d}-{'x' * 60}.css": "body{}" for n in range(3000)})
    data = make_zip(files)
    log: list[tuple[int, int]] = []
    bundle = read_zip("app.zip", len(data), _reader(data, log))
    assert len([p for p in bundle.entries if p.startswith("app/static/file-")]) == 3000
    tail_start = len(data) - TAIL_BYTES
    assert log[0] == (tail_start, TAIL_BYTES) and log[1][0] < tail_start  # the tail, then the directory's start


def test_member_range_covers_only_the_head() -> None:
    big = "#!/bin/bash\n" + "echo line\n" * 100_000
    data = make_zip(good_bundle(**{"scripts/start.sh": big}))
    log: list[tuple[int, int]] = []
    bundle = read_zip("app.zip", len(data), _reader(data, log))
    assert len(bundle.heads["scripts/start.sh"]) == 1024
    assert all(length <= TAIL_BYTES for _, length in log)


def test_not_a_zip_is_a_format_error() -> None:
    with pytest.raises(BundleFormatError, match="not a zip"):
        read_zip("x.zip", 10, _reader(b"0123456789"))


def test_a_directory_pointing_outside_the_archive_is_refused() -> None:
    data = bytearray(make_zip(good_bundle()))
    eocd = data.rfind(b"PK\x05\x06")
    struct.pack_into("<L", data, eocd + 16, 0x7FFFFFF0)  # the directory's offset
    with pytest.raises(BundleFormatError):
        read_zip("x.zip", len(data), _reader(bytes(data)))


def test_a_huge_member_count_is_refused() -> None:
    data = bytearray(make_zip(good_bundle()))
    eocd = data.rfind(b"PK\x05\x06")
    struct.pack_into("<H", data, eocd + 10, 0xFFFE)
    with pytest.raises(BundleFormatError):
        read_zip("x.zip", len(data), _reader(bytes(data)))


def test_a_lying_local_header_is_a_format_error() -> None:
    data = make_zip(good_bundle())
    location = locate_directory(data, 0)
    members = parse_directory(data[location.start : location.start + location.size], location)
    start, length = member_range(members[1], 1024)
    with pytest.raises(BundleFormatError):
        read_member(b"XXXX" + data[start + 4 : start + length], members[1], 1024)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4096), st.integers(min_value=0, max_value=4096))
def test_hostile_bytes_never_raise_anything_but_a_format_error(noise: bytes, cut: int) -> None:
    base = make_zip(good_bundle())
    for data in (noise, base[:cut] + noise, noise + base[cut:], base[: len(base) - cut % len(base)]):
        with contextlib.suppress(BundleFormatError):
            read_zip("x.zip", len(data), _reader(data))


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0), st.integers(min_value=0, max_value=255))
def test_flipped_bytes_in_the_directory_never_raise_anything_but_a_format_error(position: int, value: int) -> None:
    data = bytearray(make_zip(good_bundle()))
    location = locate_directory(bytes(data), 0)
    at = location.start + position % (len(data) - location.start)
    data[at] = value
    with contextlib.suppress(BundleFormatError):
        read_zip("x.zip", len(data), _reader(bytes(data)))
