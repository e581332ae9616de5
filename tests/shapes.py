"""Check snapshot objects against the CodeDeploy shapes of the installed botocore model.

A snapshot keeps every AWS object in the exact shape the API returns it (docs/snapshot.md), so a
hand-written fixture that drifts from the model (a misspelt key, an enum value AWS never sends,
an epoch number where the API gives a timestamp) would test a world that does not exist. These
helpers report every such difference as one line naming the path to the offending value.

botocore's ``ParamValidator`` checks types, unknown keys and lengths, but it accepts any string
for an enum and any epoch number or parseable string for a timestamp, and it is meant for
request parameters. So before handing a value to it we walk the shape ourselves:

- timestamps must be ISO-8601 strings with a time zone (as ``snapshot.to_jsonable`` writes
  them); they are converted to ``datetime`` for the validator;
- strings with an ``enum`` in the model must be one of its values;
- ``null`` is reported: botocore never returns a member whose value is null, it leaves it out.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any

import botocore.session
from botocore.model import ListShape, MapShape, ServiceModel, Shape, StringShape, StructureShape
from botocore.validate import ParamValidator

SERVICE_NAME = "codedeploy"
"""The botocore service whose model the snapshot shapes come from."""

_ISO_8601 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})")
"""An ISO-8601 date-time with seconds and an explicit zone, optionally with a fraction."""

_PLACEHOLDER_TIME = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
"""Stands in for a bad timestamp already reported, so the validator does not report it again."""


@functools.cache
def service_model() -> ServiceModel:
    """The CodeDeploy service model of the installed botocore."""
    return botocore.session.get_session().get_service_model(SERVICE_NAME)


def shape(name: str) -> Shape:
    """A named shape of the CodeDeploy model, e.g. ``DeploymentInfo``."""
    return service_model().shape_for(name)


def parse_timestamp(value: str) -> dt.datetime | None:
    """Return ``value`` as an aware datetime, or None when it is not ISO-8601 with a zone."""
    if not _ISO_8601.fullmatch(value):
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _prepare(value: Any, value_shape: Shape, path: str, errors: list[str]) -> Any:
    """Copy ``value`` for the validator: timestamps become datetimes; enum and null problems are reported."""
    if value is None:
        errors.append(f"{path}: null, but AWS leaves out members that have no value (remove the key)")
        return None
    if value_shape.type_name == "timestamp":
        if not isinstance(value, str):
            errors.append(
                f"{path}: timestamp must be an ISO-8601 string such as '2026-11-28T09:14:03.120000Z', "
                f"got {type(value).__name__} {value!r}"
            )
            return _PLACEHOLDER_TIME
        parsed = parse_timestamp(value)
        if parsed is None:
            errors.append(f"{path}: {value!r} is not an ISO-8601 date-time with a time zone")
            return _PLACEHOLDER_TIME
        return parsed
    if isinstance(value_shape, StringShape) and isinstance(value, str):
        allowed = value_shape.enum or []
        if allowed and value not in allowed:
            errors.append(f"{path}: {value!r} is not a valid {value_shape.name}, expected one of: {', '.join(allowed)}")
        return value
    if isinstance(value_shape, StructureShape) and isinstance(value, Mapping):
        members = value_shape.members
        prepared: dict[str, Any] = {}
        for key, item in value.items():
            if key in members:
                item_value = _prepare(item, members[key], f"{path}.{key}", errors)
                if item_value is not None:
                    prepared[key] = item_value
            else:
                prepared[key] = item  # the validator reports the unknown key
        return prepared
    if isinstance(value_shape, ListShape) and isinstance(value, list):
        member_shape = value_shape.member
        return [_prepare(item, member_shape, f"{path}[{index}]", errors) for index, item in enumerate(value)]
    if isinstance(value_shape, MapShape) and isinstance(value, Mapping):
        return {key: _prepare(item, value_shape.value, f"{path}.{key}", errors) for key, item in value.items()}
    return value  # scalars and wrong container types: the validator reports type errors


def validate_shape(value: Any, shape_name: str, path: str) -> list[str]:
    """Every difference between ``value`` and the model's ``shape_name``, one line each."""
    target_shape = shape(shape_name)
    errors: list[str] = []
    prepared = _prepare(value, target_shape, path, errors)
    if prepared is None:
        return errors
    report = ParamValidator().validate(prepared, target_shape)
    if report.has_errors():
        for line in report.generate_report().splitlines():
            line = line.strip()
            if line and not line.startswith("Parameter validation failed"):
                errors.append(f"{path}: {line}")
    return errors


def validate_deployment(deployment: Any, path: str = "deployment") -> list[str]:
    """Check a ``DeploymentInfo`` as GetDeployment returns it."""
    return validate_shape(deployment, "DeploymentInfo", path)


def validate_deployment_group(group: Any, path: str = "deploymentGroup") -> list[str]:
    """Check a ``DeploymentGroupInfo`` as GetDeploymentGroup returns it."""
    return validate_shape(group, "DeploymentGroupInfo", path)


def validate_target(target: Any, path: str = "target") -> list[str]:
    """Check a ``DeploymentTarget`` as BatchGetDeploymentTargets returns it."""
    return validate_shape(target, "DeploymentTarget", path)


def validate_snapshot(data: Mapping[str, Any]) -> list[str]:
    """Check every AWS object of a parsed snapshot file against the CodeDeploy model."""
    errors: list[str] = []
    errors += validate_deployment(data.get("deployment"), "deployment")
    if data.get("deploymentGroup") is not None:
        errors += validate_deployment_group(data["deploymentGroup"], "deploymentGroup")
    targets = data.get("targets")
    if isinstance(targets, list):
        for index, target in enumerate(targets):
            errors += validate_target(target, f"targets[{index}]")
    else:
        errors.append(f"targets: expected a list, got {type(targets).__name__}")
    if data.get("rollbackDeployment") is not None:
        errors += validate_deployment(data["rollbackDeployment"], "rollbackDeployment")
    return errors


_TARGET_KINDS = {
    "InstanceTarget": "instanceTarget",
    "LambdaTarget": "lambdaTarget",
    "ECSTarget": "ecsTarget",
    "CloudFormationTarget": "cloudFormationTarget",
}
"""``deploymentTargetType`` value -> the member that holds the target."""


def target_body(target: Mapping[str, Any]) -> Mapping[str, Any]:
    """The inner target object (``instanceTarget``, ``ecsTarget``...) named by ``deploymentTargetType``."""
    member = _TARGET_KINDS.get(str(target.get("deploymentTargetType")), "")
    body = target.get(member)
    return body if isinstance(body, Mapping) else {}


def _time(value: Any) -> dt.datetime | None:
    return parse_timestamp(value) if isinstance(value, str) else None


def check_consistency(data: Mapping[str, Any]) -> list[str]:
    """Facts a real snapshot never contradicts, beyond the shapes: ids, counts, event times.

    - every target belongs to the deployment, and one target id appears once;
    - an event's end is not before its start; a Failed event carries diagnostics whose
      errorCode is not Success; logTail is at most 4 KB (the API's documented limit);
    - when the snapshot holds every target (no ``collection``, or strategy ``all``), the
      ``deploymentOverview`` counts of a Server deployment equal the targets' statuses;
    - a ``rollbackDeployment`` is the one ``rollbackInfo`` names, and points back to it.
    """
    errors: list[str] = []
    deployment = data.get("deployment") or {}
    deployment_id = deployment.get("deploymentId")
    targets: Sequence[Mapping[str, Any]] = [t for t in data.get("targets") or [] if isinstance(t, Mapping)]
    seen: set[str] = set()
    statuses: dict[str, int] = {}
    for index, target in enumerate(targets):
        body = target_body(target)
        where = f"targets[{index}]"
        if not body:
            errors.append(f"{where}: no target object for deploymentTargetType {target.get('deploymentTargetType')!r}")
            continue
        if body.get("deploymentId") != deployment_id:
            errors.append(f"{where}: deploymentId {body.get('deploymentId')!r} is not the deployment's {deployment_id!r}")
        target_id = body.get("targetId")
        if target_id in seen:
            errors.append(f"{where}: target {target_id!r} appears twice")
        seen.add(str(target_id))
        status = body.get("status")
        if isinstance(status, str):
            statuses[status] = statuses.get(status, 0) + 1
        for event_index, event in enumerate(body.get("lifecycleEvents") or []):
            event_where = f"{where}.lifecycleEvents[{event_index}] ({event.get('lifecycleEventName')})"
            start, end = _time(event.get("startTime")), _time(event.get("endTime"))
            if start and end and end < start:
                errors.append(f"{event_where}: endTime is before startTime")
            diagnostics = event.get("diagnostics") or {}
            if event.get("status") == "Failed" and diagnostics.get("errorCode") in (None, "Success"):
                errors.append(f"{event_where}: Failed without a failure errorCode in diagnostics")
            if len(diagnostics.get("logTail") or "") > 4096:
                errors.append(f"{event_where}: logTail is longer than the 4 KB the API returns")
    collection = data.get("collection") or {}
    complete = collection.get("strategy", "all") == "all"
    overview = deployment.get("deploymentOverview")
    if complete and isinstance(overview, Mapping) and deployment.get("computePlatform", "Server") == "Server" and targets:
        for status in ("Pending", "InProgress", "Succeeded", "Failed", "Skipped", "Ready"):
            if overview.get(status, 0) != statuses.get(status, 0):
                errors.append(
                    f"deployment.deploymentOverview.{status} is {overview.get(status, 0)}, "
                    f"but {statuses.get(status, 0)} target(s) have that status"
                )
    rollback = data.get("rollbackDeployment")
    if isinstance(rollback, Mapping):
        named = (deployment.get("rollbackInfo") or {}).get("rollbackDeploymentId")
        if rollback.get("deploymentId") != named:
            errors.append(f"rollbackDeployment.deploymentId {rollback.get('deploymentId')!r} is not rollbackInfo's {named!r}")
        back = (rollback.get("rollbackInfo") or {}).get("rollbackTriggeringDeploymentId")
        if back != deployment_id:
            errors.append(f"rollbackDeployment.rollbackInfo.rollbackTriggeringDeploymentId {back!r} is not {deployment_id!r}")
    return errors
