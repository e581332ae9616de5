"""Keep only the log lines that belong to this deployment: its time window, not another deployment."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from codedeploy_doctor.snapshot import JsonObject
from codedeploy_doctor.timefmt import LATEST, parse_time, shift

MARGIN = dt.timedelta(minutes=10)
"""Lines this long before the deployment started or after it ended still count."""

# Agent log: "2026-11-28 09:14:03 ERROR [codedeploy-agent(3036)]: ..."; deployments log:
# "[2026-11-28 09:14:03.123] [d-XXXXXXXXX][stderr]..."; ISO forms too.
_LEADING_TIME = re.compile(r"^\[?(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)\]?")
_DEPLOYMENT_ID = re.compile(r"\bd-[A-Z0-9]{9}\b")


def deployment_window(deployment: JsonObject) -> tuple[dt.datetime, dt.datetime] | None:
    """From creation to completion (or open-ended), widened by :data:`MARGIN`; None without times."""
    start = parse_time(deployment.get("createTime")) or parse_time(deployment.get("startTime"))
    if start is None:
        return None
    end = parse_time(deployment.get("completeTime")) or LATEST
    return shift(start, -MARGIN), shift(end, MARGIN)


def _line_time(line: str) -> dt.datetime | None:
    match = _LEADING_TIME.match(line)
    if not match:
        return None
    # Agent logs are written in the instance's local time, usually UTC; treat naive times as UTC.
    return parse_time(match.group(1).replace(" ", "T").replace(",", "."))


def lines_for_deployment(
    lines: Sequence[str], deployment_id: str, window: tuple[dt.datetime, dt.datetime] | None
) -> tuple[str, ...]:
    """Drop lines naming another deployment, and timestamped lines (and their continuations) outside the window.

    Lines without any timestamp are kept when no line has one (a bare copy of script output).
    """
    return filter_lines(lines, deployment_id, window)[0]


def filter_lines(
    lines: Sequence[str], deployment_id: str, window: tuple[dt.datetime, dt.datetime] | None, *, inside: bool = True
) -> tuple[tuple[str, ...], bool]:
    """:func:`lines_for_deployment` of a piece of a longer log: also take and give the window state.

    ``inside`` tells whether the line before the piece was inside the window (its untimestamped
    first lines continue that line); the state after the piece's last line is returned with the
    lines kept, so pieces filtered one after another give what filtering them joined gives.
    """
    kept: list[str] = []
    for line in lines:
        moment = _line_time(line)
        if moment is not None and window is not None:
            inside = window[0] <= moment <= window[1]
        if not inside:
            continue
        if "d-" in line and any(found != deployment_id for found in _DEPLOYMENT_ID.findall(line)):
            continue
        kept.append(line)
    return tuple(kept), inside
