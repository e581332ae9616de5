"""A uniform view of deployment targets, whatever their platform."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from codedeploy_doctor.sanitize import readable
from codedeploy_doctor.snapshot import JsonObject

TARGET_KEYS = {
    "InstanceTarget": "instanceTarget",
    "ECSTarget": "ecsTarget",
    "LambdaTarget": "lambdaTarget",
    "CloudFormationTarget": "cloudFormationTarget",
}
"""``deploymentTargetType`` value to the key holding the target's details."""


@dataclass(frozen=True)
class TargetView:
    """One deployment target: its id, label, status and lifecycle events."""

    target_id: str
    """Instance id, ``cluster:service``, ``function:alias``..."""
    target_type: str | None
    """``InstanceTarget``, ``ECSTarget``, ``LambdaTarget``, ``CloudFormationTarget``."""
    label: str | None
    """Blue or Green for Server blue/green instances."""
    status: str | None
    """Target status."""
    events: tuple[JsonObject, ...]
    """Lifecycle events as the API returns them."""
    raw: JsonObject
    """The target's detail object."""


def target_view(target: JsonObject) -> TargetView | None:
    """Return a view of a ``DeploymentTarget``, or None when it carries no detail object."""
    target_type = target.get("deploymentTargetType")
    key = TARGET_KEYS.get(str(target_type))
    detail: Any = target.get(key) if key else None
    if not isinstance(detail, dict):
        # Unknown target types (AWS adds them): take the first detail object present.
        detail = next((value for value in target.values() if isinstance(value, dict) and "targetId" in value), None)
        if detail is None:
            return None
    events = detail.get("lifecycleEvents")
    return TargetView(
        target_id=text_field(detail, "targetId") or "unknown",
        target_type=str(target_type) if target_type else None,
        label=detail.get("instanceLabel") if isinstance(detail.get("instanceLabel"), str) else None,
        status=detail.get("status") if isinstance(detail.get("status"), str) else None,
        events=tuple(event for event in events if isinstance(event, dict)) if isinstance(events, list) else (),
        raw=detail,
    )


def target_views(targets: Iterable[JsonObject]) -> list[TargetView]:
    """Views of every target that has details, sorted by target id."""
    views = [view for view in (target_view(target) for target in targets) if view is not None]
    return sorted(views, key=lambda view: view.target_id)


def diagnostics_of(event: JsonObject) -> JsonObject:
    """The event's diagnostics object, or an empty one."""
    value = event.get("diagnostics")
    return value if isinstance(value, dict) else {}


def text_field(source: JsonObject, key: str) -> str | None:
    """A string field, or None when absent, of another type, or without readable text."""
    value = source.get(key)
    return value if isinstance(value, str) and readable(value) else None


def labels(views: Sequence[TargetView]) -> set[str]:
    """The labels present among targets."""
    return {view.label for view in views if view.label}


def foreign_target_ids(targets: Iterable[JsonObject], deployment_id: str) -> list[str]:
    """Ids of targets that name another deployment (``deploymentId``): they are no part of this one."""
    foreign: list[str] = []
    for target in targets:
        view = target_view(target)
        if view is None:
            continue
        named = text_field(view.raw, "deploymentId")
        if named is not None and named != deployment_id:
            foreign.append(view.target_id)
    return foreign


def without_foreign(targets: Sequence[JsonObject], deployment_id: str) -> list[JsonObject]:
    """``targets`` without those that name another deployment."""
    return [
        target
        for target in targets
        if text_field((view.raw if (view := target_view(target)) else {}), "deploymentId") in (None, deployment_id)
    ]
