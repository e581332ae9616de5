"""The parts of an error a pattern pulls out (named groups), cleaned for a report sentence.

A record's pattern may name what it captures, ``(?P<action>...)``; its ``details`` sentences use
them as ``{action}``. Values are untrusted text: they are cut short and stripped of quotes and
trailing punctuation. One value is derived rather than captured: ``who`` says whose credentials
were denied, read from a captured ``principal`` (an ARN or a role name).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

MAX_CAPTURE_CHARS: Final = 160
"""A captured value longer than this is cut (with an ellipsis)."""

_INSTANCE_SESSION: Final = re.compile(r":assumed-role/([^/\s]{1,128})/i-[0-9a-f]{8,17}\b")
_ASSUMED_ROLE: Final = re.compile(r":assumed-role/([^/\s]{1,128})/")
_SERVICE_ROLE: Final = re.compile(r"codedeploy", re.IGNORECASE)
_CALLER_ROLE: Final = re.compile(
    r"codepipeline|codebuild|github|gitlab|jenkins|bitbucket|circleci|pipeline|deployer|\bci\b", re.IGNORECASE
)
_TRIM: Final = " \t\"'`.,;:()[]{}<>"


def describe_principal(principal: str) -> str | None:
    """Say whose credentials an ARN or name is: the instance profile, the service role or the caller."""
    instance = _INSTANCE_SESSION.search(principal)
    if instance:
        return f"the instance profile's role {instance.group(1)} (the agent and hook scripts use it)"
    role = _ASSUMED_ROLE.search(principal)
    name = role.group(1) if role else principal
    if _SERVICE_ROLE.search(name):
        return f"the CodeDeploy service role {name}" if role else "the CodeDeploy service role"
    if _CALLER_ROLE.search(name):
        return f"the caller {name} (a pipeline or CI role)"
    if ":user/" in principal:
        return "an IAM user (the caller, or an on-premises instance's user)"
    if ":root" in principal:
        return "the account's root user"
    return None


def clean_captures(raw: Mapping[str, str]) -> dict[str, str]:
    """Cut and trim captured values; add ``who`` when a ``principal`` was captured and is recognised."""
    cleaned: dict[str, str] = {}
    for name, value in raw.items():
        # A backtick would open a code span in rendered prose: captured text is never code.
        text = " ".join(value.replace("`", "'").split()).strip(_TRIM)
        if len(text) > MAX_CAPTURE_CHARS:
            text = text[: MAX_CAPTURE_CHARS - 1] + "…"
        if text:
            cleaned[name] = text
    principal = cleaned.get("principal")
    if principal and "who" not in cleaned:
        who = describe_principal(principal)
        if who:
            cleaned["who"] = who
    return cleaned
