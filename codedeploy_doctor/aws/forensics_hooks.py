"""Hook function forensics: the failed ECS or Lambda hook's function, its log and its configuration.

Read only when a hook event failed or never ended, once the targets say which one. The function
comes from the AppSpec that GetDeployment returned (``revision.appSpecContent``); two calls then
run in parallel:

- ``logs:FilterLogEvents`` on ``/aws/lambda/<function>`` over the event's window (one page of
  :data:`LOG_EVENTS` events): what the function printed, its errors, Lambda's own
  ``Task timed out`` and ``REPORT`` lines;
- ``lambda:GetFunctionConfiguration``: ``Timeout``, ``Role``, ``State`` (a function that does not
  exist answers ``ResourceNotFoundException``, which the report keeps as a warning and a fact).

CloudTrail (``PutLifecycleEventHookExecutionStatus`` calls) is not read: it is throttled to about
two calls a second, and the function's log and the event's duration already tell a hook that
reported Failed from one that never reported.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from codedeploy_doctor.aws.context import CollectionContext
from codedeploy_doctor.diagnosis.hook_functions import HookFailure, function_name
from codedeploy_doctor.snapshot import JsonObject

LOG_EVENTS: Final = 200
"""Log events read from the hook function's log group (one page)."""

MARGIN: Final = dt.timedelta(minutes=1)
"""Read this much before the event started and after it ended."""


def collect_hook_function(ctx: CollectionContext, reference: str, failure: HookFailure, now: dt.datetime) -> JsonObject:
    """The ``evidence.lambda`` section for one hook function: its configuration and its log events, as read."""
    name = function_name(reference)
    start = (failure.start or now) - MARGIN
    end = (failure.end or now) + MARGIN
    logs = ctx.submit(
        ctx.try_call,
        "logs",
        "FilterLogEvents",
        logGroupName=f"/aws/lambda/{name}",
        startTime=int(start.timestamp() * 1000),
        endTime=int(end.timestamp() * 1000),
        limit=LOG_EVENTS,
    )
    config = ctx.submit(ctx.try_call, "lambda", "GetFunctionConfiguration", FunctionName=reference)
    section: JsonObject = {}
    configuration = config.result()
    if configuration is not None:
        section["functions"] = [configuration]
    events = logs.result()
    if events is not None:
        section["logEvents"] = {name: [e for e in events.get("events") or [] if isinstance(e, dict)]}
    return section
