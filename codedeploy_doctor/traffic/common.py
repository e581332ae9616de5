"""Small pieces every platform rule shares: verdicts from counts and shares, failure checks, rollback."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from codedeploy_doctor.call_warnings import warning_for
from codedeploy_doctor.deployment_facts import DEPLOYMENT_RUNNING, describe_revision
from codedeploy_doctor.report import TrafficCheck
from codedeploy_doctor.snapshot import Snapshot
from codedeploy_doctor.traffic.facts import Facts, Target, as_list, as_object, as_str, failed_calls

LIFECYCLE_SOURCE = "codedeploy:lifecycle-events"
"""Check source for inferences from CodeDeploy's lifecycle events."""

ROLLBACK_SOURCE = "codedeploy:rollback"
"""Check source for the rollback deployment's status."""


def percent(share: float) -> str:
    """``50%``, ``12.5%``: a share without noise digits (``?%`` for a non-finite number)."""
    if not math.isfinite(share):
        return "?%"
    rounded = round(share, 1)
    return f"{int(rounded)}%" if rounded == int(rounded) else f"{rounded}%"


def failure_checks(snapshot: Snapshot, service: str, operations: Iterable[str]) -> list[TrafficCheck]:
    """Return one failed check per recorded failure of the named calls (AccessDenied, throttling...)."""
    return [
        TrafficCheck(source=f"{error.service}:{error.operation}", ok=False, detail=warning_for(error))
        for error in failed_calls(snapshot, service, operations)
    ]


@dataclass(frozen=True)
class Rollback:
    """The rollback CodeDeploy started for this deployment."""

    deployment_id: str
    """Id of the rollback deployment."""
    status: str | None
    """Its status, or None when it could not be read."""
    restored: str | None
    """The revision it redeploys (the last successful one), when known."""

    @property
    def succeeded(self) -> bool:
        """True when the rollback finished and the original revision is back."""
        return self.status == "Succeeded"

    @property
    def running(self) -> bool:
        """True while the rollback is still under way."""
        return self.status in DEPLOYMENT_RUNNING


def read_rollback(facts: Facts) -> Rollback | None:
    """Return the rollback named by ``rollbackInfo.rollbackDeploymentId``, if any."""
    info = as_object(facts.deployment.get("rollbackInfo"))
    rollback_id = as_str(info.get("rollbackDeploymentId"))
    if rollback_id is None:
        return None
    rollback = as_object(facts.snapshot.rollback_deployment)
    if rollback.get("deploymentId") not in (None, rollback_id):
        rollback = {}
    restored = describe_revision(rollback.get("revision")) or describe_revision(facts.deployment.get("previousRevision"))
    return Rollback(deployment_id=rollback_id, status=as_str(rollback.get("status")), restored=restored)


def _no_rollback_check(facts: Facts, *, blue_safe: bool) -> TrafficCheck | None:
    """After a failure with no rollback, say why none came: traffic stays where the failure left it.

    Failed as a check only when Blue is not safe: then nothing will put production back by itself.
    """
    if not facts.failed:
        return None
    config = as_object(facts.deployment.get("autoRollbackConfiguration")) or as_object(
        facts.group.get("autoRollbackConfiguration")
    )
    events = {str(event) for event in as_list(config.get("events"))}
    # A failed deployment rolls back on DEPLOYMENT_FAILURE; a stopped one on a stop by request or alarm.
    code = as_str(as_object(facts.deployment.get("errorInformation")).get("code"))
    if facts.status != "Stopped":
        wanted = {"DEPLOYMENT_FAILURE"}
    elif code == "ALARM_ACTIVE":
        wanted = {"DEPLOYMENT_STOP_ON_ALARM"}
    elif code == "MANUAL_STOP":
        wanted = {"DEPLOYMENT_STOP_ON_REQUEST"}
    else:
        wanted = {"DEPLOYMENT_STOP_ON_REQUEST", "DEPLOYMENT_STOP_ON_ALARM"}
    if config.get("enabled") is True and events & wanted:
        detail = (
            "no rollback: automatic rollback is enabled for this, yet CodeDeploy started none "
            "(there may be no earlier successful revision); traffic stays where the failure left it"
        )
    elif config.get("enabled") is True:
        detail = f"no rollback: automatic rollback is not set for a {str(facts.status).lower()} deployment; traffic stays put"
    elif config:
        detail = "no rollback: automatic rollback on failure is disabled; traffic stays where the failure left it"
    else:
        return None  # the configuration is not in the snapshot: nothing to say
    return TrafficCheck(source=ROLLBACK_SOURCE, ok=blue_safe, detail=detail)


def rollback_check(facts: Facts, *, blue_safe: bool = True) -> TrafficCheck | None:
    """Return the check reporting the rollback's status and what it restored (or why there is none)."""
    rollback = read_rollback(facts)
    if rollback is None:
        triggering = as_str(as_object(facts.deployment.get("rollbackInfo")).get("rollbackTriggeringDeploymentId"))
        if triggering is None:
            return _no_rollback_check(facts, blue_safe=blue_safe)
        return TrafficCheck(
            source=ROLLBACK_SOURCE,
            ok=True,
            detail=f"this deployment is the rollback of {triggering}: it redeploys the last good revision",
        )
    what = f"redeploys {rollback.restored}" if rollback.restored else "redeploys the last successful revision"
    if rollback.status is None:
        return TrafficCheck(
            source=ROLLBACK_SOURCE,
            ok=False,
            detail=f"rollback {rollback.deployment_id} was started ({what}); its status was not read",
        )
    ok = rollback.succeeded
    return TrafficCheck(source=ROLLBACK_SOURCE, ok=ok, detail=f"rollback {rollback.deployment_id} {rollback.status}: it {what}")


class TargetReadings:
    """What every platform's evidence says of its one deployment target (mixed into the evidence records)."""

    target: Target | None

    @property
    def target_read(self) -> bool:
        """True when the target is in the snapshot."""
        return self.target is not None

    @property
    def allow_traffic(self) -> str | None:
        """AllowTraffic's status."""
        return self.target.event_status("AllowTraffic") if self.target else None
