"""The deployment's own facts, read from ``DeploymentInfo``."""

from __future__ import annotations

from codedeploy_doctor.deployment_facts import DEPLOYMENT_ENDED_WELL, DEPLOYMENT_FAILED, describe_revision
from codedeploy_doctor.diagnosis.targets import text_field
from codedeploy_doctor.report import DeploymentSummary, RollbackSummary
from codedeploy_doctor.snapshot import JsonObject, Snapshot
from codedeploy_doctor.timefmt import format_time

FAILED_STATUSES = DEPLOYMENT_FAILED
"""Deployment statuses that mean it failed or was stopped."""

ENDED_WELL = DEPLOYMENT_ENDED_WELL
"""Statuses of a deployment that did not fail, even if some targets did (minimum healthy hosts held)."""


def deployment_summary(snapshot: Snapshot) -> DeploymentSummary:
    """Summarise the deployment, its error and its rollback."""
    info = snapshot.deployment
    style = _object(info, "deploymentStyle")
    error = _object(info, "errorInformation")
    overview_raw = info.get("deploymentOverview")
    overview = (
        {str(k): v for k, v in overview_raw.items() if isinstance(v, int) and not isinstance(v, bool) and v >= 0}
        if isinstance(overview_raw, dict)
        else {}
    )
    messages = info.get("deploymentStatusMessages")
    return DeploymentSummary(
        id=snapshot.deployment_id,
        application=text_field(info, "applicationName"),
        deployment_group=text_field(info, "deploymentGroupName"),
        status=text_field(info, "status"),
        compute_platform=text_field(info, "computePlatform"),
        deployment_type=text_field(style, "deploymentType"),
        deployment_option=text_field(style, "deploymentOption"),
        error_code=text_field(error, "code"),
        error_message=text_field(error, "message"),
        create_time=format_time(info.get("createTime")),
        complete_time=format_time(info.get("completeTime")),
        creator=text_field(info, "creator"),
        rollback=rollback_summary(info, snapshot.rollback_deployment),
        overview=overview,
        status_messages=tuple(m for m in messages if isinstance(m, str)) if isinstance(messages, list) else (),
        revision=describe_revision(info.get("revision")),
    )


def _object(source: JsonObject, key: str) -> JsonObject:
    value = source.get(key)
    return value if isinstance(value, dict) else {}


def rollback_summary(info: JsonObject, rollback: JsonObject | None) -> RollbackSummary | None:
    """The rollback CodeDeploy started for this deployment, if any."""
    rollback_info = info.get("rollbackInfo")
    if not isinstance(rollback_info, dict):
        return None
    rollback_id = text_field(rollback_info, "rollbackDeploymentId")
    message = text_field(rollback_info, "rollbackMessage")
    if not rollback_id and not message:
        return None
    # The recorded rollback deployment counts only if it is the one rollbackInfo names.
    same = rollback is not None and text_field(rollback, "deploymentId") in (None, rollback_id)
    status = text_field(rollback, "status") if rollback is not None and same else None
    return RollbackSummary(deployment_id=rollback_id, status=status, message=message)
