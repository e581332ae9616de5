"""Collect the snapshot's ``evidence``: why it failed, beyond what CodeDeploy says.

The collector runs :func:`collect_evidence` in its own thread beside the traffic checks. Reads
happen only when the failure needs them, and each starts as soon as what it needs is known:

- an ECS deployment that failed or was stopped: DescribeTaskSets and ListTasks (stopped) once
  the deployment group (or the target listing) names the service, beside the target batch;
  DescribeTasks once the targets show the failure at or before AllowTraffic. A deployment still
  running whose event at or before AllowTraffic has been in progress for :data:`STUCK_AFTER` is
  read the same way, after the targets;
- an alarm stop: DescribeAlarms and DescribeAlarmHistory once the group names the alarms;
- a failed (or unanswered) ECS or Lambda hook: FilterLogEvents and GetFunctionConfiguration
  on its function, once the targets say which hook.

So a failure adds at most one round trip after the target batch. Every call goes through
``ctx.try_call``: a failure is a warning naming the IAM action, and the report goes on. The
section is docs/snapshot.md ``evidence``: ``ecs``, ``cloudwatch``, ``lambda``; a key is present
only when its call succeeded.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import Future
from typing import Final, TypeVar

from codedeploy_doctor.aws.context import CollectionContext
from codedeploy_doctor.aws.forensics_alarms import (
    alarm_names,
    finish_alarm_reads,
    history_window,
    start_alarm_reads,
    stopped_by_alarm,
)
from codedeploy_doctor.aws.forensics_ecs import (
    EcsReads,
    ecs_service,
    failure_before_production,
    finish_ecs_reads,
    start_ecs_reads,
)
from codedeploy_doctor.aws.forensics_hooks import collect_hook_function
from codedeploy_doctor.diagnosis.hook_functions import appspec_text, failed_hook, hook_functions
from codedeploy_doctor.snapshot import JsonObject
from codedeploy_doctor.timefmt import parse_time

T = TypeVar("T")

ENDED_BADLY: Final = frozenset({"Failed", "Stopped"})
RUNNING: Final = frozenset({"InProgress", "Ready", "Baking"})

STUCK_AFTER: Final = dt.timedelta(minutes=10)
"""A running ECS deployment whose Install (or a later event before production) has run this long is stuck."""


def _outcome(future: Future[T]) -> T | None:
    try:
        return future.result()
    except Exception:  # noqa: BLE001 - the main thread reports a failed core call itself
        return None


def collect_evidence(
    ctx: CollectionContext,
    deployment: JsonObject,
    group: Future[JsonObject | None],
    listing: Future[dict[str, list[str]]],
    targets: Future[list[JsonObject]],
    *,
    now: dt.datetime | None = None,
) -> JsonObject:
    """Return the snapshot's ``evidence`` section for ``deployment``; never raises for a failed call."""
    now = now or dt.datetime.now(dt.timezone.utc)
    platform = deployment.get("computePlatform") or "Server"
    status = deployment.get("status")
    evidence: JsonObject = {}
    if status not in ENDED_BADLY and status not in RUNNING:
        return evidence
    ecs_reads = None
    alarm_reads = None
    if platform == "ECS" or stopped_by_alarm(deployment):
        group_value = _outcome(group)
        if platform == "ECS" and status in ENDED_BADLY:
            ecs_reads = _start_ecs(ctx, group_value, listing)
        names = alarm_names(group_value) if stopped_by_alarm(deployment) else []
        if names:
            alarm_reads = start_alarm_reads(ctx, names, history_window(deployment, now))
    read_targets: list[JsonObject] = _outcome(targets) or []
    if platform == "ECS" and status in RUNNING and _stuck(read_targets, now):
        ecs_reads = _start_ecs(ctx, _outcome(group), listing)
    hook = failed_hook(read_targets) if platform in ("ECS", "Lambda") else None
    reference = hook_functions(appspec_text(deployment)).get(hook.event) if hook else None
    hook_future = ctx.submit(collect_hook_function, ctx, reference, hook, now) if hook and reference else None
    if ecs_reads is not None:
        ecs = finish_ecs_reads(ctx, ecs_reads, describe=failure_before_production(read_targets))
        if ecs:
            evidence["ecs"] = ecs
    if alarm_reads is not None:
        alarms = finish_alarm_reads(alarm_reads)
        if alarms:
            evidence["cloudwatch"] = alarms
    if hook_future is not None:
        functions = hook_future.result()
        if functions:
            evidence["lambda"] = functions
    return evidence


def _start_ecs(ctx: CollectionContext, group: JsonObject | None, listing: Future[dict[str, list[str]]]) -> EcsReads | None:
    ids: list[str] = []
    if not (group or {}).get("ecsServices"):
        ids = [i for values in (_outcome(listing) or {}).values() for i in values]
    service = ecs_service(group, ids)
    return start_ecs_reads(ctx, *service) if service else None


def _stuck(targets: list[JsonObject], now: dt.datetime) -> bool:
    """An event at or before AllowTraffic has been in progress for :data:`STUCK_AFTER` or longer."""
    for target in targets:
        body = target.get("ecsTarget")
        for event in (body or {}).get("lifecycleEvents") or [] if isinstance(body, dict) else []:
            if isinstance(event, dict) and event.get("status") == "InProgress":
                started = parse_time(event.get("startTime"))
                early = failure_before_production([{"ecsTarget": {"lifecycleEvents": [event]}}])
                return early and started is not None and now - started >= STUCK_AFTER
    return False
