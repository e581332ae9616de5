"""A snapshot's ``evidence`` served back as ECS, CloudWatch, Lambda and Logs answers (a ``wire.Backend`` part).

What the forensics collector reads, answered from what a snapshot recorded, the way AWS answers:

- ecs DescribeTaskSets of a service (all its task sets, or those asked for), ListTasks with
  ``desiredStatus=STOPPED`` (the stopped tasks of the cluster's service, 100 a page, ``nextToken``
  beyond), DescribeTasks (at most 100 tasks a call, ``failures`` for unknown ones);
- cloudwatch DescribeAlarms by name (metric and composite alarms apart), DescribeAlarmHistory of
  one alarm within ``StartDate``/``EndDate``, newest first, ``MaxRecords`` a page;
- lambda GetFunctionConfiguration (``ResourceNotFoundException`` for an unknown function);
- logs FilterLogEvents on ``/aws/lambda/<function>`` within ``startTime``/``endTime``
  (``ResourceNotFoundException`` when no such log group was recorded).

Responses are validated against the botocore output shapes by the wire fake that encodes them.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from typing import Any

from tests.fakes.codedeploy_world import FakeAwsError

TASKS_PER_CALL = 100
SERVED = frozenset(
    {
        ("ecs", "DescribeTaskSets"),
        ("ecs", "ListTasks"),
        ("ecs", "DescribeTasks"),
        ("cloudwatch", "DescribeAlarms"),
        ("cloudwatch", "DescribeAlarmHistory"),
        ("lambda", "GetFunctionConfiguration"),
        ("logs", "FilterLogEvents"),
    }
)
"""(service, operation) pairs this world answers; logs FilterLogEvents only for /aws/lambda/ groups."""


def _time(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return None


class EvidenceWorld:
    """The evidence of one snapshot, as the services it came from would answer."""

    def __init__(self, snapshot: Mapping[str, Any]) -> None:
        evidence = copy.deepcopy(dict(snapshot.get("evidence") or {}))
        ecs = evidence.get("ecs") or {}
        self.task_sets: list[dict[str, Any]] = list(ecs.get("taskSets") or [])
        self.stopped_tasks: list[dict[str, Any]] = list(ecs.get("stoppedTasks") or [])
        cloudwatch = evidence.get("cloudwatch") or {}
        self.alarms: list[dict[str, Any]] = list(cloudwatch.get("alarms") or [])
        self.history: list[dict[str, Any]] = list(cloudwatch.get("alarmHistory") or [])
        lambda_part = evidence.get("lambda") or {}
        self.functions: list[dict[str, Any]] = list(lambda_part.get("functions") or [])
        self.log_events: dict[str, list[dict[str, Any]]] = dict(lambda_part.get("logEvents") or {})

    def serves(self, service: str, operation: str, params: Mapping[str, Any]) -> bool:
        """Whether this world answers the call (FilterLogEvents: only hook function log groups)."""
        if (service, operation) == ("logs", "FilterLogEvents"):
            return str(params.get("logGroupName", "")).startswith("/aws/lambda/")
        return (service, operation) in SERVED

    def handle(self, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Serve one call."""
        result: dict[str, Any] = getattr(self, f"_{service}_{operation}")(params)
        return result

    # --- ECS -------------------------------------------------------------------------------------

    def _ecs_DescribeTaskSets(self, params: dict[str, Any]) -> dict[str, Any]:
        service = params["service"]
        mine = [
            t for t in self.task_sets if str(t.get("serviceArn", "")).endswith(f"/{service}") or t.get("serviceArn") == service
        ]
        wanted = params.get("taskSets")
        if wanted:
            found = [t for t in mine if t.get("id") in wanted or t.get("taskSetArn") in wanted]
            missing = [w for w in wanted if w not in {t.get("id") for t in found} | {t.get("taskSetArn") for t in found}]
            return {"taskSets": found, "failures": [{"arn": arn, "reason": "MISSING"} for arn in missing]}
        return {"taskSets": mine, "failures": []}

    def _ecs_ListTasks(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("desiredStatus") != "STOPPED":
            return {"taskArns": []}
        service = params.get("serviceName")
        tasks = [t for t in self.stopped_tasks if not service or t.get("group") == f"service:{service}"]
        start = int(params.get("nextToken") or 0)
        size = min(int(params.get("maxResults") or TASKS_PER_CALL), TASKS_PER_CALL)
        page = tasks[start : start + size]
        response: dict[str, Any] = {"taskArns": [t["taskArn"] for t in page]}
        if start + size < len(tasks):
            response["nextToken"] = str(start + size)
        return response

    def _ecs_DescribeTasks(self, params: dict[str, Any]) -> dict[str, Any]:
        wanted = params["tasks"]
        if len(wanted) > TASKS_PER_CALL:
            raise FakeAwsError("InvalidParameterException", "Tasks cannot be longer than 100.")
        by_arn = {t["taskArn"]: t for t in self.stopped_tasks}
        found = [by_arn[arn] for arn in wanted if arn in by_arn]
        failures = [{"arn": arn, "reason": "MISSING"} for arn in wanted if arn not in by_arn]
        return {"tasks": found, "failures": failures}

    # --- CloudWatch -------------------------------------------------------------------------------

    def _cloudwatch_DescribeAlarms(self, params: dict[str, Any]) -> dict[str, Any]:
        names = set(params.get("AlarmNames") or [])
        types = params.get("AlarmTypes") or ["MetricAlarm"]
        chosen = [a for a in self.alarms if not names or a.get("AlarmName") in names]
        return {
            "MetricAlarms": [a for a in chosen if "AlarmRule" not in a] if "MetricAlarm" in types else [],
            "CompositeAlarms": [a for a in chosen if "AlarmRule" in a] if "CompositeAlarm" in types else [],
        }

    def _cloudwatch_DescribeAlarmHistory(self, params: dict[str, Any]) -> dict[str, Any]:
        start, end = _time(params.get("StartDate")), _time(params.get("EndDate"))
        kind = params.get("HistoryItemType")
        items = []
        for item in self.history:
            moment = _time(item.get("Timestamp"))
            if params.get("AlarmName") and item.get("AlarmName") != params["AlarmName"]:
                continue
            if kind and item.get("HistoryItemType") != kind:
                continue
            if moment is None or (start and moment < start) or (end and moment > end):
                continue
            items.append(item)
        items.sort(key=lambda i: str(i.get("Timestamp")), reverse=True)
        return {"AlarmHistoryItems": items[: int(params.get("MaxRecords") or 100)]}

    # --- Lambda and Logs ----------------------------------------------------------------------------

    def _lambda_GetFunctionConfiguration(self, params: dict[str, Any]) -> dict[str, Any]:
        wanted = params["FunctionName"]
        for function in self.functions:
            if wanted in (function.get("FunctionName"), function.get("FunctionArn")):
                return dict(function)
        raise FakeAwsError(
            "ResourceNotFoundException", f"Function not found: arn:aws:lambda:us-east-1:123456789012:function:{wanted}", 404
        )

    def _logs_FilterLogEvents(self, params: dict[str, Any]) -> dict[str, Any]:
        name = str(params["logGroupName"]).removeprefix("/aws/lambda/")
        if name not in self.log_events:
            raise FakeAwsError("ResourceNotFoundException", "The specified log group does not exist.")
        start, end = int(params.get("startTime") or 0), int(params.get("endTime") or 2**62)
        events = [e for e in self.log_events[name] if start <= int(e.get("timestamp") or 0) <= end]
        return {"events": events[: int(params.get("limit") or 10000)], "searchedLogStreams": []}
