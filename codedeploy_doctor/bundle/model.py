"""What is known of one revision bundle: its listing, what was read of it, and the findings about it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

Severity = Literal["error", "warning"]
"""``error``: the deployment fails (or the appspec is refused); ``warning``: it may fail, or fails on some hosts."""

HEAD_BYTES: Final = 1024
"""Bytes of each script kept (in the snapshot and for the checks): its first KB."""

APPSPEC_NAMES: Final = ("appspec.yml", "appspec.yaml")
"""Names the agent looks for at the bundle's root, in its order."""

MAX_APPSPEC_BYTES: Final = 256 * 1024
"""An appspec longer than this is not read."""


class BundleFormatError(ValueError):
    """The archive cannot be read (corrupt, hostile, or a kind that is not read); the message says why."""


@dataclass(frozen=True)
class Entry:
    """One file or directory of a bundle."""

    path: str
    """Relative to the bundle's root, ``/`` separated, without a leading ``./``; directories end with ``/``."""
    mode: int | None = None
    """Unix mode (type and permission bits) when the archive keeps one."""

    @property
    def is_dir(self) -> bool:
        """True for a directory."""
        return self.path.endswith("/")

    @property
    def executable(self) -> bool | None:
        """Whether any execute bit is set; None when the mode is unknown."""
        return None if self.mode is None else bool(self.mode & 0o111)


@dataclass(frozen=True)
class Bundle:
    """A bundle as far as it was read: every name listed, and the first KB of the files read."""

    name: str
    """How to name it in findings (``app.zip``, ``s3://bucket/key``, a directory)."""
    entries: Mapping[str, Entry]
    """Listed entries by path (directories implied by file paths are added)."""
    heads: Mapping[str, bytes] = field(default_factory=dict)
    """First bytes of the files read, by path."""
    appspec_path: str | None = None
    """Which appspec file was read (None: none found)."""
    appspec_text: str | None = None
    """Its text."""
    complete: bool = True
    """False when the listing may lack entries (a partial read): absence then proves nothing."""

    def has_file(self, path: str) -> bool:
        """True when ``path`` names a file of the bundle."""
        return path in self.entries and not self.entries[path].is_dir

    def has_path(self, path: str) -> bool:
        """True when ``path`` names a file or a directory of the bundle."""
        stripped = path.rstrip("/")
        return not stripped or stripped in self.entries or f"{stripped}/" in self.entries


def normalise(path: str) -> str:
    """A member name as a bundle-relative path: ``/`` separators, no leading ``./`` or ``/``."""
    path = path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path.lstrip("/")


def with_parents(paths: Mapping[str, Entry]) -> dict[str, Entry]:
    """The entries plus every parent directory their paths imply."""
    entries = dict(paths)
    for path in list(paths):
        parts = path.rstrip("/").split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            parent = "/".join(parts[:depth]) + "/"
            entries.setdefault(parent, Entry(parent))
    return entries


@dataclass(frozen=True)
class Finding:
    """One thing wrong (or risky) in a bundle, with where it was seen."""

    check: str
    """Stable id of the check (``script-missing``, ``script-crlf``...)."""
    severity: Severity
    file: str
    """The file it was seen in (``appspec.yml``, ``scripts/start.sh``)."""
    line: int | None
    """1-based line in that file, when known."""
    message: str
    cause: str | None = None
    """The catalog cause it points at, when one does."""

    def where(self) -> str:
        """``file:line`` (or the file alone)."""
        return f"{self.file}:{self.line}" if self.line else self.file

    def to_json(self) -> dict[str, object]:
        """The JSON shape ``cd-doctor lint --format json`` prints."""
        return {
            "check": self.check,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "message": self.message,
            "cause": self.cause,
        }
