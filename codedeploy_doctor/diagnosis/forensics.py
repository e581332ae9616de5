"""Read the snapshot's ``evidence`` into lines the catalog can match and the report can show (pure).

Each line names what it is about (the task, the container and its exit code, the alarm, the
hook function), so a cause's evidence reads on its own:

- ``task set ecs-svc/1 task 0f1e stopped (TaskFailedToStart): CannotPullContainerError: ...``
- ``container web of task 0f1e exited with code 137: OutOfMemoryError: Container killed ...``
- ``Green target group orders-green: target 10.0.1.7:8080 unhealthy: Target.ResponseCodeMismatch ...``
- ``alarm orders-5xx went to ALARM at 2026-11-29T10:07:00Z, during the deployment: Threshold Crossed ...``
- ``hook function validate-orders log: Task timed out after 3.00 seconds``

The texts inside are AWS's own (untrusted): the renderers clean and redact them like any other.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, Final

from codedeploy_doctor.diagnosis.hook_functions import appspec_text, failed_hook, function_name, hook_functions
from codedeploy_doctor.report import LifecycleEventFailure
from codedeploy_doctor.snapshot import JsonObject, Snapshot
from codedeploy_doctor.timefmt import format_time, parse_time

MAX_TASK_LINES: Final = 8
"""Distinct stopped-task and container lines kept (identical ones are counted, not repeated)."""
MAX_SERVICE_EVENTS: Final = 5
"""Service events of the deployment's window kept, newest first."""
MAX_LOG_LINES: Final = 8
"""Hook log lines kept: the errors, else the last lines."""
TEXT_CHARS: Final = 400
"""AWS texts inside a line are cut to this length."""

ALARM_POLL: Final = dt.timedelta(minutes=10)
"""An alarm state change this soon after the deployment ended still counts as during it (CodeDeploy polls alarms)."""

STOPPED_TASKS_KEPT: Final = dt.timedelta(hours=1)
"""ECS shows a stopped task for about an hour after it stopped."""

_STEADY: Final = re.compile(r"has reached a steady state|deployment \S+ completed", re.IGNORECASE)
_TIMED_OUT: Final = re.compile(r"task timed out after", re.IGNORECASE)
_LOG_ERROR: Final = re.compile(
    r"error|exception|traceback|task timed out|status: timeout|accessdenied|not authorized|failed|failure|denied",
    re.IGNORECASE,
)


def _part(evidence: JsonObject, key: str) -> JsonObject:
    value = evidence.get(key)
    return value if isinstance(value, dict) else {}


def _objects(value: Any) -> list[JsonObject]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _text(value: Any) -> str:
    text = " ".join(str(value or "").split())
    return text if len(text) <= TEXT_CHARS else text[: TEXT_CHARS - 1] + "…"


def _iso(moment: dt.datetime | None) -> str:
    return format_time(moment.isoformat()) or "?" if moment is not None else "?"


def _short_id(arn: Any) -> str:
    return str(arn or "?").rsplit("/", 1)[-1]


def forensic_lines(snapshot: Snapshot, failure: LifecycleEventFailure | None) -> tuple[str, ...]:
    """Every evidence line about this deployment's failure, ECS first, then alarms, then the hook function."""
    lines = [*ecs_lines(snapshot), *target_health_lines(snapshot), *alarm_lines(snapshot), *hook_lines(snapshot, failure)]
    return tuple(dict.fromkeys(lines))


# --- ECS -----------------------------------------------------------------------------------------


def replacement_task_set_ids(snapshot: Snapshot) -> set[str]:
    """Ids of the deployment's replacement (Green) task sets: ``externalId`` is the deployment id, or the target says Green."""
    ids: set[str] = set()
    for task_set in _objects(_part(snapshot.evidence, "ecs").get("taskSets")):
        if task_set.get("externalId") == snapshot.deployment_id and isinstance(task_set.get("id"), str):
            ids.add(task_set["id"])
    for target in snapshot.targets:
        body = target.get("ecsTarget")
        for info in _objects(body.get("taskSetsInfo")) if isinstance(body, dict) else []:
            if info.get("taskSetLabel") == "Green" and isinstance(info.get("identifer"), str):
                ids.add(info["identifer"])
    return ids


def replacement_stopped_tasks(snapshot: Snapshot) -> list[JsonObject] | None:
    """The replacement task set's stopped tasks as read (None: not read); every stopped task when no task set is known."""
    ecs = _part(snapshot.evidence, "ecs")
    if "stoppedTasks" not in ecs:
        return None
    tasks = _objects(ecs.get("stoppedTasks"))
    wanted = replacement_task_set_ids(snapshot)
    return [task for task in tasks if task.get("startedBy") in wanted] if wanted else tasks


def ecs_lines(snapshot: Snapshot) -> list[str]:
    """The replacement task set's state, its stopped tasks and containers, and the service's events."""
    lines: list[str] = []
    wanted = replacement_task_set_ids(snapshot)
    for task_set in _objects(_part(snapshot.evidence, "ecs").get("taskSets")):
        if task_set.get("id") in wanted:
            lines.append(
                f"replacement task set {task_set.get('id')} ({_short_id(task_set.get('taskDefinition'))}) is "
                f"{task_set.get('stabilityStatus', 'of unknown stability')}: {task_set.get('runningCount', '?')} of "
                f"{task_set.get('computedDesiredCount', '?')} tasks running, {task_set.get('pendingCount', '?')} pending"
            )
    counted: Counter[str] = Counter()
    for task in replacement_stopped_tasks(snapshot) or []:
        for line in _task_lines(task):
            counted[line] += 1
    for line, count in list(counted.items())[:MAX_TASK_LINES]:
        lines.append(line if count == 1 else f"{line} ({count} tasks alike)")
    lines.extend(_service_event_lines(snapshot))
    return lines


def _task_lines(task: JsonObject) -> list[str]:
    task_set = task.get("startedBy") or "?"
    lines = []
    reason = task.get("stoppedReason")
    if reason or task.get("stopCode"):
        lines.append(f"task set {task_set} task stopped ({task.get('stopCode', 'no stopCode')}): {_text(reason)}")
    for container in _objects(task.get("containers")):
        name = container.get("name", "?")
        exit_code = container.get("exitCode")
        own = container.get("reason")
        why = f": {_text(own)}" if own else ""
        if isinstance(exit_code, int) and exit_code != 0:
            lines.append(f"container {name} exited with code {exit_code}{why}")
        elif why and own != reason:  # the task's own reason already says it
            lines.append(f"container {name} stopped{why}")
        if container.get("healthStatus") == "UNHEALTHY":
            lines.append(f"container {name} health status UNHEALTHY (its container health check failed)")
    return lines


def _deployment_window(snapshot: Snapshot) -> tuple[dt.datetime | None, dt.datetime | None]:
    deployment = snapshot.deployment
    start = parse_time(deployment.get("createTime")) or parse_time(deployment.get("startTime"))
    end = parse_time(deployment.get("completeTime")) or parse_time(snapshot.recorded_at)
    return start, end


def _service_event_lines(snapshot: Snapshot) -> list[str]:
    services = _objects(_part(snapshot.traffic, "ecs").get("services"))
    start, end = _deployment_window(snapshot)
    if not services or start is None or not snapshot.evidence.get("ecs"):
        return []
    found: list[tuple[dt.datetime, str]] = []
    for service in services:
        for event in _objects(service.get("events")):
            moment = parse_time(event.get("createdAt"))
            message = str(event.get("message") or "")
            if moment is None or moment < start or (end is not None and moment > end) or _STEADY.search(message):
                continue
            found.append((moment, f"ECS service event at {_iso(moment)}: {_text(message)}"))
    found.sort(reverse=True)
    return list(dict.fromkeys(line for _, line in found))[:MAX_SERVICE_EVENTS]


def target_health_lines(snapshot: Snapshot) -> list[str]:
    """Unhealthy targets of the replacement task set's target group, with its health check beside the container port."""
    if (snapshot.deployment.get("computePlatform") or "") != "ECS":
        return []
    green_groups, container = _green_target_groups(snapshot)
    elbv2 = _part(snapshot.traffic, "elbv2")
    health = elbv2.get("targetHealth") if isinstance(elbv2.get("targetHealth"), dict) else {}
    lines: list[str] = []
    for group in _objects(elbv2.get("targetGroups")):
        arn, name = group.get("TargetGroupArn"), group.get("TargetGroupName")
        # Only strings name a group: anything else in a hand-edited snapshot names none.
        if not ((isinstance(name, str) and name in green_groups) or (isinstance(arn, str) and arn in green_groups)):
            continue
        check = _health_check(group)
        container_port = container.get("containerPort")
        container_name = container.get("containerName", "?")
        declared = str(group.get("HealthCheckPort") or "")
        if isinstance(container_port, int) and declared.isdigit() and int(declared) != container_port:
            lines.append(
                f"Green target group {name}: health check port {declared} differs from container {container_name} "
                f"port {container_port}"
            )
        for description in _objects(health.get(arn) if isinstance(health, dict) and isinstance(arn, str) else None):
            state = description.get("TargetHealth") or {}
            if not isinstance(state, dict) or state.get("State") not in ("unhealthy", "unavailable"):
                continue
            target = description.get("Target") or {}
            where = f"{target.get('Id', '?')}:{target.get('Port', '?')}" if isinstance(target, dict) else "?"
            lines.append(
                f"Green target group {name}: target {where} {state.get('State')}: {state.get('Reason', 'no reason')} "
                f"({_text(state.get('Description'))}); health check {check}; container "
                f"{container_name} port {container_port if container_port is not None else '?'}"
            )
    return lines[:MAX_TASK_LINES]


def _health_check(group: JsonObject) -> str:
    matcher = group.get("Matcher") or {}
    codes = matcher.get("HttpCode") or matcher.get("GrpcCode") if isinstance(matcher, dict) else None
    parts = [str(group.get("HealthCheckProtocol", "?")), str(group.get("HealthCheckPath") or "")]
    parts.append(f"on port {group.get('HealthCheckPort', 'traffic-port')}")
    return " ".join(part for part in parts if part) + (f" expecting {codes}" if codes else "")


def _green_target_groups(snapshot: Snapshot) -> tuple[set[str], JsonObject]:
    """Names and ARNs of the replacement task set's target groups, and its container name and port."""
    groups: set[str] = set()
    container: JsonObject = {}
    wanted = replacement_task_set_ids(snapshot)
    for task_set in _objects(_part(snapshot.evidence, "ecs").get("taskSets")):
        if task_set.get("id") in wanted:
            for balancer in _objects(task_set.get("loadBalancers")):
                if isinstance(balancer.get("targetGroupArn"), str):
                    groups.add(balancer["targetGroupArn"])
                container = container or balancer
    for target in snapshot.targets:
        body = target.get("ecsTarget")
        for info in _objects(body.get("taskSetsInfo")) if isinstance(body, dict) else []:
            group = info.get("targetGroup")
            if info.get("taskSetLabel") == "Green" and isinstance(group, dict) and isinstance(group.get("name"), str):
                groups.add(group["name"])
    if not container:
        for service in _objects(_part(snapshot.traffic, "ecs").get("services")):
            for balancer in _objects(service.get("loadBalancers")):
                container = container or balancer
    return groups, container


# --- alarms --------------------------------------------------------------------------------------


def _history_state(item: JsonObject) -> tuple[str | None, str | None, str, str]:
    """(old state, new state, new state's reason with its datapoints, old state's reason) of one StateUpdate item."""
    try:
        raw: Any = json.loads(str(item.get("HistoryData") or "{}"))
    except ValueError:
        raw = {}
    data: JsonObject = raw if isinstance(raw, dict) else {}
    old: JsonObject = data["oldState"] if isinstance(data.get("oldState"), dict) else {}
    new: JsonObject = data["newState"] if isinstance(data.get("newState"), dict) else {}
    reason = str(new.get("stateReason") or item.get("HistorySummary") or "")
    facts: JsonObject = new["stateReasonData"] if isinstance(new.get("stateReasonData"), dict) else {}
    extra = []
    if "threshold" in facts:
        extra.append(f"threshold {facts['threshold']}")
    if isinstance(facts.get("recentDatapoints"), list):
        extra.append(f"datapoints {facts['recentDatapoints']}")
    if extra:
        reason = f"({', '.join(extra)}) {reason}"
    return old.get("stateValue"), new.get("stateValue"), reason, str(old.get("stateReason") or "")


def alarm_lines(snapshot: Snapshot) -> list[str]:
    """Per alarm read: already in ALARM before the deployment started, or went to ALARM during it."""
    cloudwatch = _part(snapshot.evidence, "cloudwatch")
    alarms = _objects(cloudwatch.get("alarms"))
    history = _objects(cloudwatch.get("alarmHistory"))
    start, end = _deployment_window(snapshot)
    lines: list[str] = []
    for alarm in alarms:
        name = alarm.get("AlarmName")
        items = sorted(
            ((parse_time(i.get("Timestamp")), i) for i in history if i.get("AlarmName") == name),
            key=lambda pair: pair[0] or dt.datetime.min.replace(tzinfo=dt.timezone.utc),
        )
        lines.extend(_one_alarm(alarm, [(t, i) for t, i in items if t is not None], start, end))
    return lines


def _one_alarm(
    alarm: JsonObject, items: Sequence[tuple[dt.datetime, JsonObject]], start: dt.datetime | None, end: dt.datetime | None
) -> list[str]:
    name = alarm.get("AlarmName", "?")
    kind = "composite alarm" if "AlarmRule" in alarm else "alarm"
    before = [(t, i) for t, i in items if start is not None and t < start]
    late = end + ALARM_POLL if end is not None else None
    during = [(t, i) for t, i in items if start is not None and t >= start and (late is None or t <= late)]
    lines: list[str] = []
    state_before: tuple[dt.datetime | None, str | None, str] | None = None
    if before:
        moment, item = before[-1]
        _, new, reason, _ = _history_state(item)
        state_before = (moment, new, reason)
    elif during:
        old, _, _, old_reason = _history_state(during[0][1])
        state_before = (None, old, old_reason)
    else:
        # No history read: the alarm's own state and when it last changed.
        updated = parse_time(alarm.get("StateUpdatedTimestamp"))
        if start is not None and updated is not None and updated < start:
            state_before = (updated, str(alarm.get("StateValue")), str(alarm.get("StateReason") or ""))
        elif (
            start is not None and updated is not None and alarm.get("StateValue") == "ALARM" and (late is None or updated <= late)
        ):
            reason = _text(alarm.get("StateReason"))
            lines.append(f"{kind} {name} went to ALARM at {_iso(updated)}, during the deployment: {reason}")
    if state_before is not None and state_before[1] == "ALARM":
        since = f" (since {_iso(state_before[0])})" if state_before[0] else ""
        lines.append(f"{kind} {name} was already in ALARM before the deployment started{since}: {_text(state_before[2])}")
    for moment, item in during:
        _, new, reason, _ = _history_state(item)
        if new == "ALARM":
            lines.append(f"{kind} {name} went to ALARM at {_iso(moment)}, during the deployment: {_text(reason)}")
    if not lines and alarm.get("StateValue") == "ALARM" and not items:
        since = format_time(alarm.get("StateUpdatedTimestamp")) or "an unknown time"
        lines.append(f"{kind} {name} is in ALARM since {since}: {_text(alarm.get('StateReason'))}")
    return lines


# --- hook functions ------------------------------------------------------------------------------


def hook_lines(snapshot: Snapshot, failure: LifecycleEventFailure | None) -> list[str]:
    """The failed hook's function: its log's errors (or silence), its configuration, and how the event ended."""
    hook = failed_hook(snapshot.targets)
    if hook is None or (failure is not None and failure.lifecycle_event != hook.event):
        return []
    reference = hook_functions(appspec_text(snapshot.deployment)).get(hook.event)
    if reference is None:
        return []
    name = function_name(reference)
    lambda_part = _part(snapshot.evidence, "lambda")
    lines: list[str] = []
    logs = lambda_part.get("logEvents")
    events = logs.get(name) if isinstance(logs, dict) else None
    if isinstance(events, list):
        messages = [str(e.get("message") or "").strip() for e in _objects(events)]
        errors = [m for m in messages if _LOG_ERROR.search(m)]
        chosen = (errors or messages)[-MAX_LOG_LINES:]
        timeout = next((f.get("Timeout") for f in _objects(lambda_part.get("functions")) if f.get("FunctionName") == name), None)
        for message in (m for m in chosen if m):
            limit = f" (its configured timeout is {timeout} s)" if timeout and _TIMED_OUT.search(message) else ""
            lines.append(f"hook function {name} log: {_text(message)}{limit}")
        if not messages:
            lines.append(f"hook function {name} wrote no log line during {hook.event}: it was probably never invoked")
    for function in _objects(lambda_part.get("functions")):
        if function.get("FunctionName") == name or function.get("FunctionArn") == reference:
            lines.append(_function_line(name, function))
    for error in snapshot.errors:
        if error.operation == "GetFunctionConfiguration" and error.code == "ResourceNotFoundException":
            lines.append(f"hook function {name} does not exist in this Region ({_text(error.message)})")
    lines.extend(_duration_line(name, hook.event, hook.start, hook.end))
    return lines


def _function_line(name: str, function: JsonObject) -> str:
    state = function.get("State", "Active")
    line = f"hook function {name}: timeout {function.get('Timeout', '?')} s, state {state}, role {function.get('Role', '?')}"
    if state in ("Failed", "Inactive") or function.get("LastUpdateStatus") == "Failed":
        line += f": it cannot be invoked ({_text(function.get('StateReason') or function.get('LastUpdateStatusReason'))})"
    return line


def _duration_line(name: str, event: str, start: dt.datetime | None, end: dt.datetime | None) -> Iterable[str]:
    if start is None or end is None:
        return []
    seconds = (end - start).total_seconds()
    if seconds >= 55 * 60:
        return [f"the {event} event ended after {seconds / 60:.0f} min: hook function {name} never reported a status"]
    return [f"the {event} event ended after {seconds:.0f} s: hook function {name} answered (or could not be invoked)"]


# --- notes ---------------------------------------------------------------------------------------


def forensic_notes(snapshot: Snapshot) -> tuple[str, ...]:
    """Notes about evidence that could not be had: ECS forgets stopped tasks about an hour after they stop."""
    tasks = replacement_stopped_tasks(snapshot)
    if tasks is None or tasks:
        return ()
    ended = parse_time(snapshot.deployment.get("completeTime"))
    recorded = parse_time(snapshot.recorded_at)
    if ended is None or recorded is None or recorded - ended <= STOPPED_TASKS_KEPT:
        return ()
    return (
        "no stopped task of the replacement task set was found: ECS keeps stopped tasks for about an hour, and this "
        f"deployment ended {_iso(ended)}, over an hour before it was read. Run cd-doctor with --record in the CI "
        "job at the moment the deployment fails, so the stopped tasks' reasons are kept.",
    )
