"""The snapshot file: everything collected about one deployment, in AWS's own shapes.

A snapshot is what a live run collected (``--record`` writes it) and all that the diagnosis
reads (``--replay`` feeds it back with no AWS call). AWS objects are kept as the API returns
them, with timestamps as ISO-8601 strings, so a snapshot can be written by hand from
``aws deploy`` output. See ``docs/snapshot.md``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from codedeploy_doctor.errors import BadInputError

SNAPSHOT_FORMAT: Final = "cd-doctor.snapshot/1"
"""The ``format`` value this version reads and writes."""

MAX_SNAPSHOT_BYTES: Final = 256 * 1024 * 1024
"""Snapshot files larger than this are refused before parsing.

A live run's snapshot is a few MB; a recorded 20,000-target deployment with every target failed
and a full 4 KB log tail on each is about 150 MB. Parsed JSON takes about three times its size in
memory, so the bound keeps a hostile or mistaken file under about 1 GB (docs/security.md)."""

JsonObject = dict[str, Any]
"""A JSON object in AWS's response shape."""


INCOMPLETE_ANSWER = "IncompleteAnswer"
"""``CallError.code`` of a call that succeeded but left out part of what was asked (no IAM action to grant)."""


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
    blue_target_ids: tuple[str, ...] = ()
    """Every Blue target id listed (blue/green): the Blue fleet, of which only a sample is read in detail."""
    blue_listed_in_full: bool = False
    """True when ``blue_target_ids`` is the whole Blue fleet (the listing ended without a ``nextToken``)."""

    def to_json(self) -> JsonObject:
        """Return the snapshot representation."""
        data: JsonObject = {
            "strategy": self.strategy,
            "listed": dict(self.listed),
            "fetched": self.fetched,
            "truncated": self.truncated,
        }
        if self.blue_target_ids:
            data["blueTargetIds"] = list(self.blue_target_ids)
            data["blueListedInFull"] = self.blue_listed_in_full
        return data


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
    """Traffic-layer observations by service (docs/snapshot.md, ``traffic``)."""
    evidence: JsonObject = field(default_factory=dict)
    """What was read beyond CodeDeploy and the traffic layer to explain a failure, by source
    (``ecs``, ``cloudwatch``, ``lambda``, ``autoscaling``, ``revision``...), each object in AWS's own
    shape (docs/snapshot.md, ``evidence``)."""
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
        # Something must survive output cleaning (escapes and control characters are removed).
        from codedeploy_doctor.sanitize import clean

        return value if isinstance(value, str) and clean(value).strip() else "unknown"

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
            "evidence": self.evidence,
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


MAX_NESTING: Final = 64
"""JSON nesting a snapshot may have (AWS responses nest about 10 deep); deeper is refused."""


def _require(condition: bool, source: str, reason: str) -> None:
    if not condition:
        raise BadInputError(
            f"{source}: not a cd-doctor snapshot: {reason}", tip="record one with --record, or see docs/snapshot.md"
        )


def _object_or_none(data: Mapping[str, Any], key: str, source: str) -> JsonObject | None:
    value = data.get(key)
    _require(value is None or isinstance(value, dict), source, f"'{key}' must be an object or null")
    return value


def _count(data: Mapping[str, Any], key: str, source: str, default: int) -> int:
    value = data.get(key, default)
    if value is None:
        return default
    whole = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    _require(whole, source, f"'{key}' must be a whole number >= 0")
    return int(value)


def _nesting_within(data: Any, limit: int) -> bool:
    """Return True when ``data`` nests at most ``limit`` levels (checked without recursion)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return False
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return True


GET_DEPLOYMENT_WRAPPER: Final = "deploymentInfo"
"""The key ``aws deploy get-deployment`` (and the API) wraps the deployment in."""

WRAPPER_TIP: Final = (
    "this is the {'deploymentInfo': {...}} answer of 'aws deploy get-deployment': "
    "put the object inside 'deploymentInfo' under 'deployment' (see docs/snapshot.md)"
)


def deployment_problem(deployment: Any, name: str = "'deployment'") -> str | None:
    """Say why ``deployment`` is not a ``DeploymentInfo`` a diagnosis can rest on, or None when it is.

    The one rule for a snapshot's ``deployment`` and for a live GetDeployment answer: an object
    with a ``deploymentId`` and a ``status`` that are non-empty strings. An empty object, a
    wrapper, or a proxy's page parsed as JSON must never read as a deployment that did not fail.
    """
    if not isinstance(deployment, dict):
        return f"{name} is missing or not an object"
    missing = [
        key for key in ("deploymentId", "status") if not isinstance(deployment.get(key), str) or not _visible(deployment[key])
    ]
    if missing:
        return f"{name} has no {' and no '.join(repr(key) for key in missing)}"
    return None


def _visible(text: str) -> bool:
    from codedeploy_doctor.sanitize import clean

    return bool(clean(text).strip())


def _check_deployment(deployment: Any, source: str) -> None:
    problem = deployment_problem(deployment)
    if problem is None:
        return
    wrapped = isinstance(deployment, dict) and isinstance(deployment.get(GET_DEPLOYMENT_WRAPPER), dict)
    tip = WRAPPER_TIP if wrapped else "record one with --record, or see docs/snapshot.md"
    raise BadInputError(f"{source}: not a cd-doctor snapshot: {problem}", tip=tip)


def snapshot_from_json(data: Any, source: str = "snapshot") -> Snapshot:
    """Validate a parsed snapshot file and return it, or raise :class:`BadInputError`.

    Only ``format``, ``deployment`` and ``targets`` are required (docs/snapshot.md); every other
    documented key may be absent or null, but when present must have its documented type. The
    AWS objects inside are taken as they are: the diagnosis tolerates any shape within them.
    """
    _require(isinstance(data, dict), source, "the top level must be a JSON object")
    fmt = data.get("format")
    if fmt is None and isinstance(data.get(GET_DEPLOYMENT_WRAPPER), dict):
        raise BadInputError(f"{source}: not a cd-doctor snapshot: no 'format'", tip=WRAPPER_TIP)
    _require(fmt == SNAPSHOT_FORMAT, source, f"'format' is {_short(fmt)}, expected {SNAPSHOT_FORMAT!r}")
    _require(_nesting_within(data, MAX_NESTING), source, f"JSON nested deeper than {MAX_NESTING} levels")
    deployment = data.get("deployment")
    _require(isinstance(deployment, dict), source, "'deployment' is missing or not an object")
    targets = data.get("targets")
    _require(isinstance(targets, list), source, "'targets' is missing or not a list")
    _require(all(isinstance(target, dict) for target in targets), source, "every item of 'targets' must be an object")
    _check_deployment(deployment, source)
    traffic = data.get("traffic") or {}
    _require(isinstance(traffic, dict), source, "'traffic' must be an object")
    evidence = data.get("evidence") or {}
    _require(isinstance(evidence, dict), source, "'evidence' must be an object")
    _require(all(isinstance(part, dict) for part in evidence.values()), source, "every value of 'evidence' must be an object")
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
    collection = _collection(data.get("collection"), len(targets), source)
    extra_logs = data.get("extraLogs") or []
    _require(isinstance(extra_logs, list), source, "'extraLogs' must be a list")
    _require(all(isinstance(log, dict) for log in extra_logs), source, "every item of 'extraLogs' must be an object")
    region = data.get("region")
    _require(region is None or isinstance(region, str), source, "'region' must be a string or null")
    recorded_at = data.get("recordedAt")
    _require(recorded_at is None or isinstance(recorded_at, str), source, "'recordedAt' must be a string or null")
    return Snapshot(
        deployment=deployment,
        targets=targets,
        deployment_group=_object_or_none(data, "deploymentGroup", source),
        rollback_deployment=_object_or_none(data, "rollbackDeployment", source),
        traffic=traffic,
        evidence=evidence,
        errors=tuple(errors),
        region=region,
        recorded_at=recorded_at,
        collection=collection,
        extra_logs=tuple(extra_logs),
        api_calls=_count(data, "apiCalls", source, 0),
    )


def _collection(raw: Any, target_count: int, source: str) -> Collection | None:
    if raw is None:
        return None
    _require(isinstance(raw, dict), source, "'collection' must be an object or null")
    listed = raw.get("listed") or {}
    _require(isinstance(listed, dict), source, "'collection.listed' must be an object")
    strategy = raw.get("strategy", "all")
    _require(isinstance(strategy, str), source, "'collection.strategy' must be a string")
    truncated = raw.get("truncated", False)
    _require(isinstance(truncated, bool), source, "'collection.truncated' must be true or false")
    blue_ids = raw.get("blueTargetIds") or []
    _require(
        isinstance(blue_ids, list) and all(isinstance(i, str) for i in blue_ids),
        source,
        "'collection.blueTargetIds' must be a list of strings",
    )
    in_full = raw.get("blueListedInFull", False)
    _require(isinstance(in_full, bool), source, "'collection.blueListedInFull' must be true or false")
    return Collection(
        strategy=strategy,
        listed={str(k): v for k, v in listed.items() if isinstance(v, int) and not isinstance(v, bool)},
        fetched=_count(raw, "fetched", f"{source} (collection)", target_count),
        truncated=truncated,
        blue_target_ids=tuple(blue_ids),
        blue_listed_in_full=in_full,
    )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


class _DuplicateKey(ValueError):
    """A JSON object names the same key twice: which value is meant is anyone's guess."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):  # rare: only then look for the key to name
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise _DuplicateKey(f"key {_short(key)} appears twice in one object")
            seen.add(key)
    return obj


def parse_snapshot_text(raw: bytes, source: str) -> Snapshot:
    """Decode and validate a snapshot file's bytes; every problem is a one-line :class:`BadInputError`.

    UTF-8 only, JSON without NaN, Infinity or a key given twice in one object, nested at most
    :data:`MAX_NESTING` levels, and of the shape docs/snapshot.md gives.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInputError(f"{source}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})") from exc
    try:
        data = json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise BadInputError(f"{source}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
    except ValueError as exc:
        raise BadInputError(f"{source}: invalid JSON: {exc}") from exc
    except RecursionError as exc:
        raise BadInputError(f"{source}: not a cd-doctor snapshot: JSON nested too deeply") from exc
    return snapshot_from_json(data, source=source)


def load_snapshot(path: Path) -> Snapshot:
    """Read and validate a snapshot file (``-``: standard input); every problem is a one-line :class:`BadInputError`.

    The file must be a regular file (a FIFO or a device is refused, never waited on or read
    without end) of at most :data:`MAX_SNAPSHOT_BYTES`; then :func:`parse_snapshot_text`.
    """
    from codedeploy_doctor.files import read_bounded

    raw = read_bounded(path, limit=MAX_SNAPSHOT_BYTES, what="snapshot", stdin_ok=True)
    return parse_snapshot_text(raw, "standard input" if str(path) == "-" else str(path))


def dump_snapshot(snapshot: Snapshot) -> str:
    """Serialize a snapshot as stable, human-diffable JSON (always encodable as UTF-8).

    A lone surrogate (from a badly decoded AWS string or a surrogate escape in a replayed file)
    cannot be written as UTF-8: it is kept as its JSON escape, so the file replays the same.
    """
    text = json.dumps(snapshot.to_json(), indent=2, ensure_ascii=False) + "\n"
    return _LONE_SURROGATE.sub(lambda found: f"\\u{ord(found[0]):04x}", text)


_LONE_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def with_private_keys_masked(snapshot: Snapshot) -> Snapshot:
    """Mask private key blocks in every log text of ``snapshot`` as whole texts, before anything splits them into lines.

    A key block spans lines (and its BEGIN line is often cut off a log tail): masked line by line,
    its body lines would look like any base64. This pass runs once over each log tail, message
    and extra log source, so the diagnosis, its evidence lines and every format see the masked
    text. Objects without a key are returned as they are (no copy).
    """
    from codedeploy_doctor.sanitize import mask_private_keys, mask_private_keys_in_lines

    def event_texts(event: Any) -> Any:
        diagnostics = event.get("diagnostics") if isinstance(event, dict) else None
        if not isinstance(diagnostics, dict):
            return event
        changed = {
            key: mask_private_keys(text)
            for key in ("logTail", "message")
            if isinstance(text := diagnostics.get(key), str) and "PRIVATE KEY" in text
        }
        return {**event, "diagnostics": {**diagnostics, **changed}} if changed else event

    def target_texts(target: JsonObject) -> JsonObject:
        changed: JsonObject = {}
        for kind, body in target.items():
            events = body.get("lifecycleEvents") if isinstance(body, dict) else None
            if isinstance(events, list):
                masked = [event_texts(event) for event in events]
                if any(new is not old for new, old in zip(masked, events, strict=True)):
                    changed[kind] = {**body, "lifecycleEvents": masked}
        return {**target, **changed} if changed else target

    def log_lines(log: JsonObject) -> JsonObject:
        lines = log.get("lines")
        if (
            isinstance(lines, list)
            and all(isinstance(line, str) for line in lines)
            and any("PRIVATE KEY" in line for line in lines)
        ):
            return {**log, "lines": mask_private_keys_in_lines(lines)}
        return log

    targets = [target_texts(target) for target in snapshot.targets]
    extra_logs = tuple(log_lines(log) for log in snapshot.extra_logs)
    unchanged = all(new is old for new, old in zip(targets, snapshot.targets, strict=True)) and all(
        new is old for new, old in zip(extra_logs, snapshot.extra_logs, strict=True)
    )
    return snapshot if unchanged else dataclasses.replace(snapshot, targets=tuple(targets), extra_logs=extra_logs)
