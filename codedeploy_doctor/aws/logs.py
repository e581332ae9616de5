"""Extra evidence from CloudWatch Logs, where a team ships the agent's logs (``--log-group``).

The agent does not ship its logs itself; teams that do usually name each stream after the
instance (AWS's CodeDeploy CloudWatch setup uses ``{instance_id}-codedeploy-agent-...``). So
for each failed instance (a few at most) one FilterLogEvents call reads the streams whose name
starts with the instance id, within the failed target's lifecycle window. Read-only, bounded,
and a failure is a warning, never a lost report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from codedeploy_doctor.aws.context import CollectionContext
from codedeploy_doctor.snapshot import JsonObject
from codedeploy_doctor.timefmt import parse_time, shift

MAX_INSTANCES = 3
"""Failed instances whose logs are read."""

EVENTS_PER_INSTANCE = 500
"""Log events read per instance (one page)."""

MARGIN = dt.timedelta(minutes=2)
"""Read this much before the first event and after the last one."""


def _window(target: JsonObject) -> tuple[int, int] | None:
    body = target.get("instanceTarget")
    if not isinstance(body, dict):
        return None
    moments = [
        moment
        for event in body.get("lifecycleEvents") or []
        if isinstance(event, dict)
        for moment in (parse_time(event.get("startTime")), parse_time(event.get("endTime")))
        if moment is not None
    ]
    if not moments:
        return None
    start, end = shift(min(moments), -MARGIN), shift(max(moments), MARGIN)
    return int(start.timestamp() * 1000), int(end.timestamp() * 1000)


def failed_instances(targets: Sequence[JsonObject], limit: int = MAX_INSTANCES) -> list[JsonObject]:
    """The first few failed instance targets, by target id."""
    failed = [
        target
        for target in targets
        if isinstance(target.get("instanceTarget"), dict) and target["instanceTarget"].get("status") == "Failed"
    ]
    return sorted(failed, key=lambda t: str(t["instanceTarget"].get("targetId")))[:limit]


def collect_log_lines(ctx: CollectionContext, log_group: str, targets: Sequence[JsonObject]) -> list[JsonObject]:
    """Read each failed instance's log lines from ``log_group``; one call per instance, in parallel."""
    jobs = []
    for target in failed_instances(targets):
        window = _window(target)
        instance_id = str(target["instanceTarget"].get("targetId"))
        if window is None:
            continue
        params = {
            "logGroupName": log_group,
            "logStreamNamePrefix": instance_id,
            "startTime": window[0],
            "endTime": window[1],
            "limit": EVENTS_PER_INSTANCE,
        }
        jobs.append((instance_id, ctx.submit(ctx.try_call, "logs", "FilterLogEvents", **params)))
    logs: list[JsonObject] = []
    for instance_id, future in jobs:
        response = future.result()
        # Filter on our side too: the prefix is the contract, whatever the service applied.
        events = [
            event
            for event in (response or {}).get("events") or []
            if isinstance(event, dict) and str(event.get("logStreamName", "")).startswith(instance_id)
        ]
        lines = [str(event.get("message", "")).rstrip("\n") for event in events]
        if lines:
            streams = sorted({str(event.get("logStreamName")) for event in events})
            logs.append({"source": f"cloudwatch:{log_group}/{','.join(streams)}", "targetId": instance_id, "lines": lines})
    return logs
