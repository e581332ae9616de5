"""ECS replacement task set forensics: the service's task sets and its stopped tasks.

A failed (or stuck) ECS blue/green deployment usually failed because the replacement (Green) task
set's tasks never ran: ECS stopped them, and ``stoppedReason`` says why. Two calls start as soon
as the service is known (with the target batch, not after it):

- ``ecs:DescribeTaskSets`` on the service (every task set: ``externalId`` is the CodeDeploy
  deployment id, ``stabilityStatus`` and the counts say how far it got);
- ``ecs:ListTasks`` with ``serviceName`` and ``desiredStatus=STOPPED`` (one page, 100 tasks): a
  task set's tasks belong to the service, and each names its task set in ``startedBy``; so the
  replacement task set's tasks are picked out on our side and no call waits for the task set id.

Then, once the targets say the failure is at or before AllowTraffic, one ``ecs:DescribeTasks``
(at most 100 tasks a call) reads ``stopCode``, ``stoppedReason`` and each container's
``exitCode``, ``reason`` and ``healthStatus``. ECS keeps stopped tasks about an hour.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Final

from codedeploy_doctor.aws.context import NEVER_A_WARNING, CollectionContext
from codedeploy_doctor.aws.failures import call_error
from codedeploy_doctor.lifecycle import ECS_ORDER
from codedeploy_doctor.snapshot import JsonObject, to_jsonable

TASKS_PER_CALL: Final = 100
"""ListTasks pages and DescribeTasks batches hold at most 100 tasks."""

_BEFORE_PRODUCTION: Final = frozenset(ECS_ORDER[: ECS_ORDER.index("AllowTraffic") + 1])
"""ECS events at or before AllowTraffic: a failure there is the replacement task set's."""


@dataclass(frozen=True)
class EcsReads:
    """The two calls started for one service, not yet answered."""

    cluster: str
    service: str
    task_sets: Future[JsonObject | None]
    stopped: Future[JsonObject | None]


def ecs_service(group: JsonObject | None, target_ids: Sequence[str]) -> tuple[str, str] | None:
    """The deployment's ECS (cluster, service): from the deployment group, else from a ``cluster:service`` target id."""
    for item in (group or {}).get("ecsServices") or []:
        if isinstance(item, dict) and isinstance(item.get("clusterName"), str) and isinstance(item.get("serviceName"), str):
            return item["clusterName"], item["serviceName"]
    for target_id in target_ids:
        if target_id.count(":") == 1:
            cluster, service = target_id.split(":")
            return cluster, service
    return None


def start_ecs_reads(ctx: CollectionContext, cluster: str, service: str) -> EcsReads:
    """Start DescribeTaskSets and ListTasks (stopped) for one service, in parallel."""
    task_sets = ctx.submit(_describe_task_sets, ctx, cluster, service)
    stopped = ctx.submit(
        ctx.try_call,
        "ecs",
        "ListTasks",
        cluster=cluster,
        serviceName=service,
        desiredStatus="STOPPED",
        maxResults=TASKS_PER_CALL,
    )
    return EcsReads(cluster, service, task_sets, stopped)


def _describe_task_sets(ctx: CollectionContext, cluster: str, service: str) -> JsonObject | None:
    """DescribeTaskSets of one service, a failure recorded as ``ctx.try_call`` records it.

    Called on the client: the operation's ``service`` parameter would clash with ``try_call``'s own.
    """
    try:
        client = ctx.factory.client("ecs")
        return dict(to_jsonable(client.describe_task_sets(cluster=cluster, service=service)))
    except NEVER_A_WARNING:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of a non-core call degrades to a warning
        ctx.record(call_error("ecs", "DescribeTaskSets", exc))
        return None


def failure_before_production(targets: Sequence[JsonObject]) -> bool:
    """True unless the ECS target's first unsuccessful event is after AllowTraffic (no target read: True)."""
    for target in targets:
        body = target.get("ecsTarget")
        if not isinstance(body, dict):
            continue
        for event in body.get("lifecycleEvents") or []:
            if isinstance(event, dict) and event.get("status") != "Succeeded":
                return event.get("lifecycleEventName") in _BEFORE_PRODUCTION
    return True


def finish_ecs_reads(ctx: CollectionContext, reads: EcsReads, *, describe: bool) -> JsonObject:
    """The ``evidence.ecs`` section: task sets and (when ``describe``) the stopped tasks; only what was read."""
    section: JsonObject = {}
    task_sets = reads.task_sets.result()
    if task_sets is not None:
        section["taskSets"] = [t for t in task_sets.get("taskSets") or [] if isinstance(t, dict)]
    listed = reads.stopped.result()
    if listed is None or not describe:
        return section
    arns = [arn for arn in listed.get("taskArns") or [] if isinstance(arn, str)][:TASKS_PER_CALL]
    if not arns:
        section["stoppedTasks"] = []
        return section
    described = ctx.try_call("ecs", "DescribeTasks", cluster=reads.cluster, tasks=arns)
    if described is not None:
        tasks: list[Any] = [t for t in described.get("tasks") or [] if isinstance(t, dict)]
        section["stoppedTasks"] = sorted(tasks, key=lambda t: str(t.get("taskArn", "")))
    return section
