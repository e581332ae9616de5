"""Read the deployed revision a little: ranged ``s3:GetObject`` reads of what the failure needs.

For a zip: its last :data:`~codedeploy_doctor.bundle.zipdir.TAIL_BYTES` (the end record and, for
most bundles, the whole central directory; a bigger directory is one more range), then, in
parallel, the appspec file and the failing hook's script, each from its own range (a few KB).
For a tar or tgz, whose listing is spread through the archive: its first
:data:`REVISION_BUDGET` bytes, and a bigger archive is listed in part (and said to be). Every
read of one diagnosis together stays within :data:`REVISION_BUDGET`. GitHub revisions are not
read (cd-doctor has no GitHub access): the section says so.

The section written is ``evidence.revision`` (docs/snapshot.md): where the bundle is, how much
was read, its listing with modes, the appspec text and the entries read with their first KB.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from concurrent.futures import Future
from typing import Any, Final

from codedeploy_doctor.aws.context import NEVER_A_WARNING, CollectionContext
from codedeploy_doctor.aws.failures import call_error
from codedeploy_doctor.bundle.archive import inflate_prefix, read_tar, root_appspec, zip_entries
from codedeploy_doctor.bundle.model import HEAD_BYTES, MAX_APPSPEC_BYTES, BundleFormatError, normalise
from codedeploy_doctor.bundle.zipdir import TAIL_BYTES, ZipMember, locate_directory, member_range, parse_directory, read_member
from codedeploy_doctor.diagnosis.first_failure import first_failed
from codedeploy_doctor.diagnosis.targets import target_views
from codedeploy_doctor.lifecycle import PREVIOUS_REVISION_EVENTS
from codedeploy_doctor.snapshot import JsonObject

REVISION_BUDGET: Final = 1024 * 1024
"""Bytes of the revision read per diagnosis, all reads together."""

APPSPEC_READ: Final = 64 * 1024
"""Bytes of the appspec file read (longer files are cut: the hooks come first in practice)."""

MAX_LISTING: Final = 2000
"""Entries of the bundle's listing kept in the snapshot."""

BUNDLE_EVENTS: Final = frozenset(
    {
        "DownloadBundle",
        "Install",
        "BeforeInstall",
        "AfterInstall",
        "ApplicationStart",
        "ValidateService",
        "BeforeAllowTraffic",
        "AfterAllowTraffic",
    }
)
"""Events whose failure the deployed bundle can explain (the others run the previous revision's, or none)."""

_CONTENT_RANGE: Final = re.compile(r"bytes (\d+)-(\d+)/(\d+)")


def failing_hook(deployment: JsonObject, targets: Sequence[JsonObject]) -> tuple[str, str | None] | None:
    """(event, script name) of the first failure when the deployed bundle can explain it, else None."""
    if (deployment.get("computePlatform") or "Server") != "Server":
        return None
    style = deployment.get("deploymentStyle") if isinstance(deployment.get("deploymentStyle"), dict) else {}
    first = first_failed(target_views(targets), "Server", (style or {}).get("deploymentType"))
    if first is None or first.lifecycle_event in PREVIOUS_REVISION_EVENTS or first.lifecycle_event not in BUNDLE_EVENTS:
        return None
    return first.lifecycle_event, first.script_name


def collect_revision(ctx: CollectionContext, deployment: JsonObject, targets: Sequence[JsonObject]) -> JsonObject | None:
    """The ``evidence.revision`` section, or None when the failure does not need the bundle."""
    hook = failing_hook(deployment, targets)
    if hook is None:
        return None
    revision = deployment.get("revision") if isinstance(deployment.get("revision"), dict) else {}
    kind = (revision or {}).get("revisionType")
    if kind == "GitHub":
        github = (revision or {}).get("gitHubLocation") or {}
        return {
            "source": f"github:{github.get('repository')}@{github.get('commitId')}",
            "unread": "GitHub revisions are not read (cd-doctor has no GitHub access): run 'cd-doctor lint' on a checkout",
        }
    location = (revision or {}).get("s3Location")
    if kind != "S3" or not isinstance(location, dict) or not location.get("bucket") or not location.get("key"):
        return None
    return _S3Read(ctx, location, hook[1]).run()


class _S3Read:
    """One bundle's ranged reads, within the budget."""

    def __init__(self, ctx: CollectionContext, location: JsonObject, script: str | None) -> None:
        self.ctx = ctx
        self.location = location
        self.script = normalise(script) if script else None
        self.bytes_read = 0
        self.size: int | None = None
        self.section: JsonObject = {
            "source": f"s3://{location['bucket']}/{location['key']}",
            "bundleType": location.get("bundleType"),
        }

    def run(self) -> JsonObject:
        kind = str(self.location.get("bundleType") or "zip").lower()
        try:
            if kind == "zip":
                self._zip()
            elif kind in ("tar", "tgz"):
                self._tar(compressed=kind == "tgz")
            else:
                self.section["unread"] = f"a {kind} revision is an AppSpec file, not a bundle: nothing else to read"
        except BundleFormatError as exc:
            self.section["unread"] = f"the bundle could not be read: {exc}"
        except _Unread as exc:
            self.section["unread"] = str(exc)
        self.section["bytesRead"] = self.bytes_read
        if self.size is not None:
            self.section["size"] = self.size
        return self.section

    # --- reads ------------------------------------------------------------------------------

    def _params(self, byte_range: str) -> dict[str, Any]:
        params: dict[str, Any] = {"Bucket": self.location["bucket"], "Key": self.location["key"], "Range": byte_range}
        if self.location.get("version"):
            params["VersionId"] = self.location["version"]
        if self.location.get("eTag"):
            params["IfMatch"] = self.location["eTag"]  # the object deployed, not one written since
        return params

    def _get(self, byte_range: str, limit: int) -> tuple[bytes, int]:
        """Body (at most ``limit`` bytes) and the object's total size; a failed read raises :class:`_Unread`."""
        if self.bytes_read + limit > REVISION_BUDGET:
            raise _Unread(f"the read would pass the {REVISION_BUDGET} byte budget")
        try:
            response = self.ctx.call("s3", "GetObject", **self._params(byte_range))
            body = response["Body"].read(limit)
        except NEVER_A_WARNING:
            raise
        except Exception as exc:  # noqa: BLE001 - a denied or failed read is a warning, never fatal
            self.ctx.record(call_error("s3", "GetObject", exc))
            raise _Unread(f"s3:GetObject failed ({call_error('s3', 'GetObject', exc).code})") from None
        self.bytes_read += len(body)
        found = _CONTENT_RANGE.fullmatch(str(response.get("ContentRange") or ""))
        total = int(found.group(3)) if found else int(response.get("ContentLength") or len(body))
        self.size = total
        return body, total

    def _get_span(self, start: int, length: int) -> bytes:
        return self._get(f"bytes={start}-{start + max(length, 1) - 1}", length)[0]

    # --- zip --------------------------------------------------------------------------------

    def _zip(self) -> None:
        tail, total = self._get(f"bytes=-{TAIL_BYTES}", TAIL_BYTES)
        tail_start = total - len(tail)
        location = locate_directory(tail, tail_start)
        if location.start >= tail_start:
            directory = tail[location.start - tail_start : location.start - tail_start + location.size]
        else:
            directory = self._get_span(location.start, location.size)  # a big directory: one more range
        members = parse_directory(directory, location)
        by_path = {normalise(member.path): member for member in members}
        entries = zip_entries(members)
        self._listing(entries)
        appspec = root_appspec(entries)
        wanted: dict[str, int] = {}
        if appspec:
            self.section["appspecPath"] = appspec
            wanted[appspec] = APPSPEC_READ
        if self.script and self.script in by_path and not by_path[self.script].is_dir:
            wanted[self.script] = HEAD_BYTES
        contents = self._members({path: (by_path[path], limit) for path, limit in wanted.items()}, tail, tail_start)
        if appspec and appspec in contents:
            self.section["appspec"] = contents.pop(appspec)[:MAX_APPSPEC_BYTES].decode("utf-8", errors="replace")
        self.section["entries"] = [
            {"path": path, "mode": entries[path].mode, "head": data[:HEAD_BYTES].decode("utf-8", errors="replace")}
            for path, data in contents.items()
        ]

    def _members(self, wanted: dict[str, tuple[ZipMember, int]], tail: bytes, tail_start: int) -> dict[str, bytes]:
        """Each wanted member's first bytes: from the tail when it lies there, else from its own range, in parallel."""
        spans = {path: member_range(member, limit) for path, (member, limit) in wanted.items()}
        futures: dict[str, Future[bytes]] = {}
        raw: dict[str, bytes] = {}
        for path, (start, length) in spans.items():
            if start >= tail_start:
                raw[path] = tail[start - tail_start : start - tail_start + length]
            else:
                futures[path] = self.ctx.submit(self._get_span, start, length)
        for path, future in futures.items():
            try:
                raw[path] = future.result()
            except _Unread as exc:
                self.section["unread"] = f"{path}: {exc}"
        contents: dict[str, bytes] = {}
        for path, data in raw.items():
            member, limit = wanted[path]
            try:
                contents[path] = read_member(data, member, limit)
            except BundleFormatError as exc:
                self.section["unread"] = str(exc)
        return contents

    # --- tar and tgz ------------------------------------------------------------------------

    def _tar(self, *, compressed: bool) -> None:
        data, total = self._get(f"bytes=0-{REVISION_BUDGET - self.bytes_read - 1}", REVISION_BUDGET - self.bytes_read)
        whole = len(data) >= total
        if compressed:
            data = inflate_prefix(data)
        bundle = read_tar(str(self.section["source"]), data, complete=whole)
        if not whole:
            kind = "tgz" if compressed else "tar"
            self.section["unread"] = (
                f"a {kind} bundle of {total} bytes: only its first {len(data) if not compressed else self.bytes_read} bytes "
                "were read, so files not listed may still be in it"
            )
        self._listing(dict(bundle.entries), complete=bundle.complete)
        if bundle.appspec_path:
            self.section["appspecPath"] = bundle.appspec_path
            self.section["appspec"] = bundle.appspec_text
        self.section["entries"] = [
            {"path": path, "mode": bundle.entries[path].mode, "head": head.decode("utf-8", errors="replace")}
            for path, head in bundle.heads.items()
        ]

    def _listing(self, entries: dict[str, Any], *, complete: bool = True) -> None:
        files = sorted(path for path in entries)
        self.section["listing"] = [{"path": path, "mode": entries[path].mode} for path in files[:MAX_LISTING]]
        self.section["listingComplete"] = complete and len(files) <= MAX_LISTING


class _Unread(Exception):
    """A read that could not be made (denied, failed, over the budget): the reason goes in the section."""
