"""When Blue is terminated: ``terminateBlueInstancesOnDeploymentSuccess`` against the snapshot's own time.

The termination wait starts once traffic has moved and the last lifecycle event has ended, so
its start is taken as the latest ``endTime`` of any event. Times are computed against the
snapshot's ``recordedAt``, never the wall clock, so a replay says the same thing.
"""

from __future__ import annotations

import datetime as dt

from codedeploy_doctor.timefmt import format_utc as format_time
from codedeploy_doctor.traffic.facts import Facts, as_number, as_object, as_str, latest_event_end


def _minutes(count: int) -> str:
    if count < 120:
        return f"{count} min"
    hours, minutes = divmod(count, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def blue_termination(facts: Facts) -> str | None:
    """One line on when Blue is (or was) terminated, or None when that does not apply."""
    if facts.deployment_type != "BLUE_GREEN" or facts.platform not in ("Server", "ECS"):
        return None
    option = as_object(facts.blue_green_configuration.get("terminateBlueInstancesOnDeploymentSuccess"))
    if not option:
        return None
    server = facts.platform == "Server"
    what = "Blue instances" if server else "the original (Blue) task set"
    verb, them = ("are", "them") if server else ("is", "it")
    action = as_str(option.get("action")) or "TERMINATE"
    if facts.failed:
        # Neither TERMINATE nor KEEP_ALIVE applies: both happen only after a successful deployment.
        state = "as they are" if server else "as it is"
        return f"CodeDeploy leaves {what} {state} after a failed deployment ({action} applies only after success)"
    if action == "KEEP_ALIVE":
        return f"{what} {verb} kept alive after the deployment (KEEP_ALIVE): deregistered but running until you terminate {them}"
    wait = int(as_number(option.get("terminationWaitTimeInMinutes")) or 0)
    if facts.succeeded:
        # A blue/green deployment stays InProgress through the termination wait: once it has
        # Succeeded, the wait is over (or was skipped) and Blue is gone.
        were = "were" if server else "was"
        return (
            f"{what} {were} terminated when the deployment completed "
            f"(TERMINATE, after a {_minutes(wait)} wait or when it was skipped)"
        )
    if facts.deployment.get("instanceTerminationWaitTimeStarted") is True:
        started = latest_event_end(facts.targets)
        if started is None:
            return f"the {_minutes(wait)} termination wait has started: {what} {verb} terminated when it ends"
        try:
            due = started + dt.timedelta(minutes=wait)
        except OverflowError:  # a wait past the calendar's end: there is no time to name
            return f"the {_minutes(wait)} termination wait began at {format_time(started)}: {what} {verb} terminated when it ends"
        text = f"{what} {verb} terminated at {format_time(due)}, {_minutes(wait)} after the wait began at {format_time(started)}"
        now = facts.recorded_at
        if now is None:
            return text
        delta = round((due - now).total_seconds() / 60)
        if delta > 0:
            return f"{text}: {_minutes(delta)} after this snapshot"
        return f"{text}: {_minutes(-delta)} before this snapshot, expect {them} gone"
    return f"{what} will be terminated {_minutes(wait)} after traffic moves to Green and the deployment completes"
