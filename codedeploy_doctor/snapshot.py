"""The snapshot file: everything collected about one deployment, in AWS's own shapes.

A snapshot is what a live run collected (``--record`` writes it) and all that the diagnosis
reads (``--replay`` feeds it back with no AWS call). AWS objects are kept as the API returns
them, with timestamps as ISO-8601 strings, so a snapshot can be written by hand from
``aws deploy`` output. See CONTRACTS §3 and ``docs/snapshot.md``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from codedeploy_doctor.errors import BadInputError

SNAPSHOT_FORMAT: Final = "cd-doctor.snapshot/1"
"""The ``format`` value this version reads and writes."""

MAX_SNAPSHOT_BYTES: Final = 256 * 1024 * 1024
"""Snapshot files larger than this are refused before parsing."""

JsonObject = dict[str, Any]
"""A JSON object in AWS's response shape."""


@dataclass(frozen=True)
class CallError:
    """An AWS call that failed while collecting; replayed as the same warning."""

    service: str
    """Short service name: ``codedeploy``, ``elbv2``, ``ec2``, ``ecs``, ``lambda``, ``logs``..."""
    operation: str
    """API operation name, e.g. ``DescribeTargetHealth``."""
    code: str
    """AWS error code (``AccessDenied``, ``ThrottlingException``...) or a local one."""
    message: str
    """The error message as AWS gave it."""

    def to_json(self) -> JsonObject:
        """Return the snapshot representation."""
        return {"service": self.service, "operation": self.operation, "code": self.code, "message": self.message}


@dataclass(frozen=True)
class Collection:
    """How the targets in the snapshot were chosen (absent in hand-written snapshots)."""

    strategy: str = "all"
    """``all`` (every target present) or ``filtered`` (failed/blue/pending targets only)."""
    listed: Mapping[str, int] = field(default_factory=dict)
    """Target ids listed per filter, e.g. ``{"Failed": 3, "Blue": 10}``."""
    fetched: int = 0
    """Targets fetched in detail."""
    truncated: bool = False
    """True when more targets matched than were fetched in detail (bounded work)."""

    def to_json(self) -> JsonObject:
        """Return the snapshot representation."""
        return {"strategy": self.strategy, "listed": dict(self.listed), "fetched": self.fetched, "truncated": self.truncated}


@dataclass(frozen=True)
class Snapshot:
    """Everything known about one deployment: the only input of the diagnosis."""

    deployment: JsonObject
    """``DeploymentInfo`` as GetDeployment returns it."""
    targets: Sequence[JsonObject]
    """``DeploymentTarget`` objects as BatchGetDeploymentTargets returns them."""
    deployment_group: JsonObject | None = None
    """``DeploymentGroupInfo`` as GetDeploymentGroup returns it, when it could be read."""
    rollback_deployment: JsonObject | None = None
    """The rollback deployment's ``DeploymentInfo`` when ``rollbackInfo`` names one."""
    traffic: JsonObject = field(default_factory=dict)
    """Traffic-layer observations by service (CONTRACTS §3 ``traffic``)."""
    errors: Sequence[CallError] = ()
    """Calls that failed while collecting."""
    region: str | None = None
    """Region the deployment lives in."""
    recorded_at: str | None = None
    """When the snapshot was taken (ISO-8601, UTC)."""
    collection: Collection | None = None
    """How targets were chosen, for reports on partial data."""
    extra_logs: Sequence[JsonObject] = ()
    """Extra log sources: ``{"source": ..., "lines": [...]}`` (agent logs, CloudWatch Logs)."""
    api_calls: int = 0
    """AWS calls a live run made to collect this snapshot (0 for hand-written ones)."""

    @property
    def deployment_id(self) -> str:
        """The deployment id, or ``"unknown"`` in a malformed hand-written file."""
        value = self.deployment.get("deploymentId")
        return value if isinstance(value, str) else "unknown"

    def to_json(self) -> JsonObject:
        """Return the snapshot file's JSON object."""
        data: JsonObject = {
            "format": SNAPSHOT_FORMAT,
            "region": self.region,
            "recordedAt": self.recorded_at,
            "deployment": self.deployment,
            "deploymentGroup": self.deployment_group,
            "targets": list(self.targets),
            "rollbackDeployment": self.rollback_deployment,
            "traffic": self.traffic,
            "errors": [error.to_json() for error in self.errors],
            "apiCalls": self.api_calls,
        }
        if self.collection is not None:
            data["collection"] = self.collection.to_json()
        if self.extra_logs:
            data["extraLogs"] = list(self.extra_logs)
        return data


def to_jsonable(value: Any) -> Any:
    """Convert a boto3 response to JSON types: datetimes become ISO-8601 strings."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(value, Mapping):
        return {str(key): to_jsonable(item) for key, item in value.items() if key != "ResponseMetadata"}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(item) for item in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value


def _require(condition: bool, source: str, reason: str) -> None:
    if not condition:
        raise BadInputError(f"{source}: not a cd-doctor snapshot: {reason}", tip="record one with --record, or see docs/snapshot.md")


def _object_or_none(data: Mapping[str, Any], key: str, source: str) -> JsonObject | None:
    value = data.get(key)
    _require(value is None or isinstance(value, dict), source, f"'{key}' must be an object or null")
    return value


def snapshot_from_json(data: Any, source: str = "snapshot") -> Snapshot:
    """Validate a parsed snapshot file and return it, or raise :class:`BadInputError`."""
    _require(isinstance(data, dict), source, "the top level must be a JSON object")
    fmt = data.get("format")
    _require(fmt == SNAPSHOT_FORMAT, source, f"'format' is {fmt!r}, expected {SNAPSHOT_FORMAT!r}")
    deployment = data.get("deployment")
    _require(isinstance(deployment, dict), source, "'deployment' is missing or not an object")
    targets = data.get("targets")
    _require(isinstance(targets, list), source, "'targets' is missing or not a list")
    _require(all(isinstance(target, dict) for target in targets), source, "every item of 'targets' must be an object")
    traffic = data.get("traffic") or {}
    _require(isinstance(traffic, dict), source, "'traffic' must be an object")
    errors_raw = data.get("errors") or []
    _require(isinstance(errors_raw, list), source, "'errors' must be a list")
    errors: list[CallError] = []
    for item in errors_raw:
        _require(isinstance(item, dict), source, "every item of 'errors' must be an object")
        errors.append(
            CallError(
                service=str(item.get("service", "unknown")),
                operation=str(item.get("operation", "unknown")),
                code=str(item.get("code", "Unknown")),
                message=str(item.get("message", "")),
            )
        )
    collection_raw = data.get("collection")
    collection = None
    if isinstance(collection_raw, dict):
        listed = collection_raw.get("listed") or {}
        collection = Collection(
            strategy=str(collection_raw.get("strategy", "all")),
            listed={str(k): int(v) for k, v in listed.items() if isinstance(v, int)} if isinstance(listed, dict) else {},
            fetched=int(collection_raw.get("fetched", len(targets)) or 0),
            truncated=bool(collection_raw.get("truncated", False)),
        )
    extra_logs = data.get("extraLogs") or []
    _require(isinstance(extra_logs, list), source, "'extraLogs' must be a list")
    api_calls = data.get("apiCalls", 0)
    return Snapshot(
        deployment=deployment,
        targets=targets,
        deployment_group=_object_or_none(data, "deploymentGroup", source),
        rollback_deployment=_object_or_none(data, "rollbackDeployment", source),
        traffic=traffic,
        errors=tuple(errors),
        region=data.get("region") if isinstance(data.get("region"), str) else None,
        recorded_at=data.get("recordedAt") if isinstance(data.get("recordedAt"), str) else None,
        collection=collection,
        extra_logs=tuple(log for log in extra_logs if isinstance(log, dict)),
        api_calls=api_calls if isinstance(api_calls, int) else 0,
    )


def load_snapshot(path: Path) -> Snapshot:
    """Read and validate a snapshot file; every problem is a one-line :class:`BadInputError`."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise BadInputError(f"cannot read snapshot {path}: {exc.strerror or exc}") from exc
    if size > MAX_SNAPSHOT_BYTES:
        raise BadInputError(f"{path}: snapshot is {size} bytes, larger than the {MAX_SNAPSHOT_BYTES} byte limit")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInputError(f"cannot read snapshot {path}: {exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInputError(f"{path}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
    return snapshot_from_json(data, source=str(path))


def dump_snapshot(snapshot: Snapshot) -> str:
    """Serialize a snapshot as stable, human-diffable JSON."""
    return json.dumps(snapshot.to_json(), indent=2, ensure_ascii=False) + "\n"
