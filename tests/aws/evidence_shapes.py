"""Check a snapshot's ``evidence`` (what the forensics collector reads) against the botocore models.

Same rules as ``tests/traffic/traffic_shapes.py``: ISO-8601 timestamps with a zone, enum values the
model lists, nothing null, no unknown key. Sections other collectors write (``autoscaling``,
``revision``) are left to their own checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.traffic.traffic_shapes import validate_object

LISTS = {
    ("ecs", "taskSets"): ("ecs", "TaskSet"),
    ("ecs", "stoppedTasks"): ("ecs", "Task"),
    ("cloudwatch", "alarmHistory"): ("cloudwatch", "AlarmHistoryItem"),
    ("lambda", "functions"): ("lambda", "FunctionConfiguration"),
}
"""Keys that hold a list of one AWS shape."""

MINE = ("ecs", "cloudwatch", "lambda")


def validate_evidence(evidence: Mapping[str, Any]) -> list[str]:
    """Every shape problem in the ``ecs``, ``cloudwatch`` and ``lambda`` parts of an ``evidence`` section."""
    errors: list[str] = []
    for section in MINE:
        body = evidence.get(section)
        if body is None:
            continue
        if not isinstance(body, Mapping):
            errors.append(f"evidence.{section}: not an object")
            continue
        for key, value in body.items():
            path = f"evidence.{section}.{key}"
            if (section, key) in LISTS:
                service, shape = LISTS[(section, key)]
                errors += _each(value, path, lambda item, where, s=service, n=shape: validate_object(item, s, n, where))
            elif (section, key) == ("cloudwatch", "alarms"):
                errors += _each(value, path, _alarm)
            elif (section, key) == ("lambda", "logEvents") and isinstance(value, Mapping):
                for function, events in value.items():
                    where = f"{path}.{function}"
                    errors += _each(events, where, lambda item, w: validate_object(item, "logs", "FilteredLogEvent", w))
            else:
                errors.append(f"{path}: unknown evidence key")
    return errors


def _alarm(alarm: Any, where: str) -> list[str]:
    kind = "CompositeAlarm" if isinstance(alarm, Mapping) and "AlarmRule" in alarm else "MetricAlarm"
    return validate_object(alarm, "cloudwatch", kind, where)


def _each(items: Any, path: str, check: Any) -> list[str]:
    if not isinstance(items, list):
        return [f"{path}: not a list"]
    errors: list[str] = []
    for index, item in enumerate(items):
        errors += check(item, f"{path}[{index}]")
    return errors
