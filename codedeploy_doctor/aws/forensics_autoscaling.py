"""Auto Scaling beside a failed deployment: what scaled during it, its lifecycle hooks, suspended processes.

Started as soon as the deployment group is read (it names the Auto Scaling groups), in parallel
with the target reads: ``DescribeAutoScalingGroups`` (every group in one call:
``SuspendedProcesses``, ``Instances``), and per group ``DescribeLifecycleHooks`` and
``DescribeScalingActivities`` (newest first, pages until the deployment's start, at most
:data:`MAX_ACTIVITY_PAGES`). The section is ``evidence.autoscaling`` {groups, lifecycleHooks,
activities}, each item as Auto Scaling returns it; activities are kept from
:data:`WINDOW_MARGIN` before the deployment started.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import Future
from typing import Final

from codedeploy_doctor.aws.context import CollectionContext, chunks
from codedeploy_doctor.snapshot import JsonObject
from codedeploy_doctor.timefmt import parse_time

MAX_ACTIVITY_PAGES: Final = 3
"""DescribeScalingActivities pages read per group (100 activities a page), newest first."""

WINDOW_MARGIN: Final = dt.timedelta(minutes=15)
"""Activities this long before the deployment started are kept too (a scale-in that began just before)."""

GROUPS_PER_CALL: Final = 50
"""Auto Scaling group names sent per DescribeAutoScalingGroups call."""

Finish = Callable[[], JsonObject]


def autoscaling_names(deployment: JsonObject, group: JsonObject | None) -> list[str]:
    """Auto Scaling groups of the deployment group, and those a blue/green deployment copies."""
    names: list[str] = []
    sources = [(group or {}).get("autoScalingGroups"), ((deployment.get("targetInstances") or {}).get("autoScalingGroups"))]
    for source in sources:
        for item in source if isinstance(source, list) else []:
            name = item.get("name") if isinstance(item, dict) else item
            if isinstance(name, str) and name and name not in names:
                names.append(name)
    return names


def start_autoscaling(ctx: CollectionContext, deployment: JsonObject, names: list[str]) -> Finish:
    """Start the Auto Scaling reads; the returned function waits for them and gives the section."""
    start = parse_time(deployment.get("createTime"))
    since = start - WINDOW_MARGIN if start else None
    groups = [
        ctx.submit(ctx.try_call, "autoscaling", "DescribeAutoScalingGroups", AutoScalingGroupNames=chunk)
        for chunk in chunks(names, GROUPS_PER_CALL)
    ]
    hooks = [ctx.submit(ctx.try_call, "autoscaling", "DescribeLifecycleHooks", AutoScalingGroupName=name) for name in names]
    activities = [ctx.submit(_activities, ctx, name, since) for name in names]

    def finish() -> JsonObject:
        section: JsonObject = {}
        answers = [future.result() for future in groups]
        if any(answer is not None for answer in answers):
            section["groups"] = [g for answer in answers if answer for g in answer.get("AutoScalingGroups") or []]
        hook_answers = [future.result() for future in hooks]
        if any(answer is not None for answer in hook_answers):
            section["lifecycleHooks"] = [h for answer in hook_answers if answer for h in answer.get("LifecycleHooks") or []]
        read = [future.result() for future in activities]
        if any(items is not None for items in read):
            section["activities"] = [item for items in read if items for item in items]
        return section

    return finish


def _activities(ctx: CollectionContext, name: str, since: dt.datetime | None) -> list[JsonObject] | None:
    """The group's activities since ``since`` (newest first), a few pages at most; None when the call failed."""
    kept: list[JsonObject] = []
    token: str | None = None
    for _ in range(MAX_ACTIVITY_PAGES):
        params: dict[str, object] = {"AutoScalingGroupName": name, "MaxRecords": 100}
        if token:
            params["NextToken"] = token
        answer = ctx.try_call("autoscaling", "DescribeScalingActivities", **params)
        if answer is None:
            return kept or None
        for activity in answer.get("Activities") or []:
            moment = parse_time(activity.get("StartTime"))
            if since is not None and moment is not None and moment < since:
                return kept  # older than the window: the rest of the pages are older still
            kept.append(activity)
        token = answer.get("NextToken")
        if not token:
            break
    return kept


def waiting(future: Future[JsonObject | None]) -> JsonObject | None:
    """A future's value, or None when it failed (the collector reports core failures itself)."""
    try:
        return future.result()
    except Exception:  # noqa: BLE001 - a failed group read only means nothing to check here
        return None
