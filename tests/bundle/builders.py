"""Real bundles built in the tests: zips with Unix modes, tars, tgzs."""

from __future__ import annotations

import io
import tarfile
import zipfile
from collections.abc import Mapping
from typing import Union

Content = Union[bytes, str, tuple[Union[bytes, str], int]]
"""A file's content, optionally with its Unix mode (default 0o755 for .sh, else 0o644)."""

APPSPEC = """version: 0.0
os: linux
files:
  - source: app
    destination: /srv/app
hooks:
  ApplicationStart:
    - location: scripts/start.sh
      timeout: 60
      runas: webapp
  ValidateService:
    - location: scripts/check.sh
"""

GOOD_SCRIPT = "#!/bin/bash\nset -e\nsystemctl start app\n"


def _split(name: str, content: Content) -> tuple[bytes, int]:
    if isinstance(content, tuple):
        data, mode = content
    else:
        data, mode = content, 0o755 if name.endswith(".sh") else 0o644
    return (data.encode() if isinstance(data, str) else data), mode


def make_zip(files: Mapping[str, Content], *, unix: bool = True, prefix: bytes = b"", comment: bytes = b"") -> bytes:
    """A zip archive of ``files`` (deflated), with Unix modes in the external attributes unless ``unix`` is false."""
    buffer = io.BytesIO()
    buffer.write(prefix)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.comment = comment
        for name, content in files.items():
            data, mode = _split(name, content)
            info = zipfile.ZipInfo(name, date_time=(2026, 12, 4, 10, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            if unix:
                info.create_system = 3
                info.external_attr = (0o100000 | mode) << 16
            else:
                info.create_system = 0
                info.external_attr = 0
            archive.writestr(info, data)
    return buffer.getvalue()


def make_tar(files: Mapping[str, Content], *, gzip: bool = False) -> bytes:
    """A tar (or tgz) archive of ``files`` with their modes."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz" if gzip else "w") as archive:
        for name, content in files.items():
            data, mode = _split(name, content)
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = mode
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def good_bundle(**overrides: Content) -> dict[str, Content]:
    """A bundle the checks find nothing in; keyword arguments replace or add files (``scripts__start_sh``)."""
    files: dict[str, Content] = {
        "appspec.yml": APPSPEC,
        "scripts/start.sh": GOOD_SCRIPT,
        "scripts/check.sh": "#!/usr/bin/env bash\ncurl -fsS localhost:8080/health\n",
        "app/server.py": "print('hi')\n",
    }
    for key, value in overrides.items():
        files[key.replace("__", "/").replace("_sh", ".sh").replace("_yml", ".yml")] = value
    return files
