"""Alarm forensics: which of the deployment group's alarms fired, when and why.

Read only when an alarm stopped the deployment (``errorInformation.code`` ``ALARM_ACTIVE``, or a
rollback whose message names an alarm). The alarm names come from the deployment group's
``alarmConfiguration``, so the calls start with the target batch:

- ``cloudwatch:DescribeAlarms`` on those names, metric and composite alarms (one call: up to
  100 names): ``StateValue``, ``StateReason``, ``StateUpdatedTimestamp``, the threshold;
- ``cloudwatch:DescribeAlarmHistory`` per alarm (``HistoryItemType=StateUpdate``, one page),
  from a day before the deployment was created to a few minutes after it ended: ``HistoryData``
  holds each new state's reason with the datapoints and the threshold, and the items before the
  deployment tell whether the alarm was already in ALARM when it started.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Final

from codedeploy_doctor.aws.context import CollectionContext
from codedeploy_doctor.snapshot import JsonObject
from codedeploy_doctor.timefmt import parse_time

MAX_ALARMS: Final = 10
"""Alarms a deployment group can watch (CodeDeploy's limit); more are not read."""

HISTORY_BEFORE: Final = dt.timedelta(days=1)
"""History read before the deployment was created (to know the state it started in)."""

HISTORY_AFTER: Final = dt.timedelta(minutes=10)
"""History read after the deployment ended (CodeDeploy polls alarms every few minutes)."""

HISTORY_ITEMS: Final = 100
"""History items read per alarm (one page)."""

ALARM_TYPES: Final = ["MetricAlarm", "CompositeAlarm"]


@dataclass(frozen=True)
class AlarmReads:
    """The alarm calls in flight."""

    alarms: Future[JsonObject | None]
    history: list[Future[JsonObject | None]]


def stopped_by_alarm(deployment: JsonObject) -> bool:
    """True when an alarm stopped the deployment (or made it roll back)."""
    code = (deployment.get("errorInformation") or {}).get("code")
    rollback = str((deployment.get("rollbackInfo") or {}).get("rollbackMessage") or "")
    return code == "ALARM_ACTIVE" or "alarm" in rollback.casefold()


def alarm_names(group: JsonObject | None) -> list[str]:
    """The deployment group's alarm names, in its order, at most :data:`MAX_ALARMS`."""
    config = (group or {}).get("alarmConfiguration") or {}
    names = [a.get("name") for a in config.get("alarms") or [] if isinstance(a, dict)]
    return list(dict.fromkeys(n for n in names if isinstance(n, str) and n))[:MAX_ALARMS]


def history_window(deployment: JsonObject, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The history window: a day before the deployment was created to shortly after it ended."""
    start = parse_time(deployment.get("createTime")) or parse_time(deployment.get("startTime")) or now
    end = parse_time(deployment.get("completeTime")) or now
    return start - HISTORY_BEFORE, min(end + HISTORY_AFTER, max(now, end))


def start_alarm_reads(ctx: CollectionContext, names: list[str], window: tuple[dt.datetime, dt.datetime]) -> AlarmReads:
    """Start DescribeAlarms and one DescribeAlarmHistory per alarm, all in parallel."""
    alarms = ctx.submit(ctx.try_call, "cloudwatch", "DescribeAlarms", AlarmNames=names, AlarmTypes=ALARM_TYPES)
    history = [
        ctx.submit(
            ctx.try_call,
            "cloudwatch",
            "DescribeAlarmHistory",
            AlarmName=name,
            AlarmTypes=ALARM_TYPES,
            HistoryItemType="StateUpdate",
            StartDate=window[0],
            EndDate=window[1],
            MaxRecords=HISTORY_ITEMS,
        )
        for name in names
    ]
    return AlarmReads(alarms, history)


def finish_alarm_reads(reads: AlarmReads) -> JsonObject:
    """The ``evidence.cloudwatch`` section: alarms (metric then composite) and their history, as read."""
    section: JsonObject = {}
    described = reads.alarms.result()
    if described is not None:
        section["alarms"] = [
            alarm for key in ("MetricAlarms", "CompositeAlarms") for alarm in described.get(key) or [] if isinstance(alarm, dict)
        ]
    answers = [future.result() for future in reads.history]
    if any(answer is not None for answer in answers):
        items = [item for answer in answers for item in (answer or {}).get("AlarmHistoryItems") or [] if isinstance(item, dict)]
        section["alarmHistory"] = sorted(items, key=lambda i: (str(i.get("AlarmName")), str(i.get("Timestamp"))))
    return section
