"""Which Lambda function runs an ECS or Lambda lifecycle hook, and which hook failed (pure).

An ECS or Lambda AppSpec lists its hooks as ``- BeforeAllowTraffic: "function-name"`` (YAML)
or ``{"BeforeAllowTraffic": "function-name"}`` (JSON); GetDeployment returns the AppSpec text in
``revision.appSpecContent.content`` (or ``revision.string.content``). Both spellings are read
with one pattern, so no YAML parser is needed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from codedeploy_doctor.snapshot import JsonObject
from codedeploy_doctor.timefmt import parse_time

HOOK_EVENTS: Final = ("BeforeInstall", "AfterInstall", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AfterAllowTraffic")
"""ECS and Lambda events that run a hook function."""

_HOOK: Final = re.compile(
    r"""["']?\b(?P<event>""" + "|".join(HOOK_EVENTS) + r""")\b["']?\s*:\s*["']?(?P<function>[A-Za-z0-9_:.\-]{1,170})"""
)
_ARN_FUNCTION: Final = re.compile(r"arn:aws[a-z-]*:lambda:[^:]+:\d+:function:(?P<name>[A-Za-z0-9_-]+)")

MAX_APPSPEC_CHARS: Final = 65536
"""Only the first 64 KB of an AppSpec are read (a real one is a few hundred bytes)."""


@dataclass(frozen=True)
class HookFailure:
    """A hook event that failed (or never ended) on an ECS or Lambda target."""

    event: str
    """The lifecycle event (BeforeAllowTraffic...)."""
    status: str
    """Its status (Failed, InProgress, Pending...)."""
    start: dt.datetime | None
    end: dt.datetime | None


def appspec_text(deployment: JsonObject) -> str | None:
    """The AppSpec text GetDeployment returned for an AppSpecContent (or String) revision."""
    revision = deployment.get("revision")
    if not isinstance(revision, dict):
        return None
    for key in ("appSpecContent", "string"):
        part = revision.get(key)
        if isinstance(part, dict) and isinstance(part.get("content"), str):
            return str(part["content"])[:MAX_APPSPEC_CHARS]
    return None


def hook_functions(text: str | None) -> dict[str, str]:
    """Event -> function reference (name, name:alias or ARN) of every hook the AppSpec lists."""
    found: dict[str, str] = {}
    for match in _HOOK.finditer(text or ""):
        found.setdefault(match["event"], match["function"].rstrip(",."))
    return found


def function_name(reference: str) -> str:
    """The bare function name of a name, ``name:alias`` or ARN (its log group is /aws/lambda/<name>)."""
    arn = _ARN_FUNCTION.match(reference)
    if arn:
        return arn["name"]
    return reference.split(":", 1)[0]


def failed_hook(targets: Sequence[JsonObject]) -> HookFailure | None:
    """The first hook event of an ECS or Lambda target that did not succeed (Skipped ones never ran)."""
    for target in targets:
        body = target.get("ecsTarget") or target.get("lambdaTarget")
        if not isinstance(body, dict):
            continue
        for event in body.get("lifecycleEvents") or []:
            if not isinstance(event, dict) or event.get("status") in ("Succeeded", "Skipped", None):
                continue
            name = event.get("lifecycleEventName")
            if name in HOOK_EVENTS and event.get("status") != "Pending":
                start, end = parse_time(event.get("startTime")), parse_time(event.get("endTime"))
                return HookFailure(str(name), str(event["status"]), start, end)
            break
    return None
