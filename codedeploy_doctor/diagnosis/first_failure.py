"""The first failure of a deployment, by the rule in docs/report.schema.json (firstFailure)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from codedeploy_doctor.diagnosis.targets import TargetView, diagnostics_of, text_field
from codedeploy_doctor.lifecycle import event_rank
from codedeploy_doctor.report import LifecycleEventFailure
from codedeploy_doctor.snapshot import JsonObject
from codedeploy_doctor.timefmt import format_time, parse_time

NOT_SUCCEEDED = ("Failed", "Pending", "InProgress", "Unknown", "Skipped", "Ready")
"""Event statuses that mean the event did not succeed (Ready only appears for Blue targets)."""

_NEVER = dt.datetime.max.replace(tzinfo=dt.timezone.utc)


def event_failure(view: TargetView, event: JsonObject) -> LifecycleEventFailure:
    """Describe one event of one target as a failure record."""
    diagnostics = diagnostics_of(event)
    error_code = text_field(diagnostics, "errorCode")
    return LifecycleEventFailure(
        target_id=view.target_id,
        target_label=view.label,
        target_type=view.target_type,
        lifecycle_event=text_field(event, "lifecycleEventName") or "unknown",
        status=text_field(event, "status") or "Unknown",
        error_code=None if error_code == "Success" else error_code,
        script_name=text_field(diagnostics, "scriptName"),
        message=text_field(diagnostics, "message"),
        log_tail=text_field(diagnostics, "logTail"),
        start_time=format_time(event.get("startTime")),
        end_time=format_time(event.get("endTime")),
    )


def failed_events(views: Sequence[TargetView]) -> list[tuple[TargetView, JsonObject]]:
    """Every Failed event of every target."""
    return [(view, event) for view in views for event in view.events if event.get("status") == "Failed"]


def _moment(event: JsonObject) -> dt.datetime:
    # Strings of different precision do not sort in time order ("41Z" > "41.5Z"): parse them.
    return parse_time(event.get("endTime")) or parse_time(event.get("startTime")) or _NEVER


def first_failed(
    views: Sequence[TargetView], platform: str | None, deployment_type: str | None = None
) -> LifecycleEventFailure | None:
    """The Failed event with the earliest end (or start); ties by lifecycle order, then target id."""
    candidates = failed_events(views)
    if not candidates:
        return None

    def key(pair: tuple[TargetView, JsonObject]) -> tuple[dt.datetime, int, str]:
        view, event = pair
        return (
            _moment(event),
            event_rank(platform, text_field(event, "lifecycleEventName") or "", deployment_type),
            view.target_id,
        )

    view, event = min(candidates, key=key)
    return event_failure(view, event)


def first_not_succeeded(
    views: Sequence[TargetView], platform: str | None, deployment_type: str | None = None
) -> LifecycleEventFailure | None:
    """With no Failed event: the first event in lifecycle order that did not succeed, then the smaller target id.

    In a Server blue/green deployment the order is Green's track then Blue's, so Blue's events
    (which wait, by design, until Green takes traffic) come after any stuck Green event.
    """
    best: tuple[tuple[int, str], TargetView, JsonObject] | None = None
    for view in views:
        for event in view.events:
            if text_field(event, "status") not in NOT_SUCCEEDED:
                continue
            rank = event_rank(platform, text_field(event, "lifecycleEventName") or "", deployment_type)
            if best is None or (rank, view.target_id) < best[0]:
                best = ((rank, view.target_id), view, event)
    return event_failure(best[1], best[2]) if best else None
