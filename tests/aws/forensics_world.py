"""A failed EC2 deployment as a snapshot dict, for the forensics tests: one failing instance, its event, the revision."""

from __future__ import annotations

import copy
from typing import Any

DEPLOYMENT_ID = "d-F0RENS1C5"
APPLICATION = "shop-web"
GROUP = "shop-web-prod"
CODEDEPLOY_HOOK = "CodeDeploy-managed-automatic-launch-deployment-hook-shop-web-prod-1a2b3c4d"
CREATED = "2026-12-04T10:00:00Z"
COMPLETED = "2026-12-04T10:20:00Z"

_EVENTS = ("ApplicationStop", "DownloadBundle", "BeforeInstall", "Install", "AfterInstall", "ApplicationStart", "ValidateService")


def _event(name: str, status: str, start: str, end: str, **diagnostics: str) -> dict[str, Any]:
    event: dict[str, Any] = {"lifecycleEventName": name, "status": status}
    if status in ("Succeeded", "Failed"):
        event["diagnostics"] = {"errorCode": "Success", "scriptName": "", "message": "Succeeded", "logTail": ""} | diagnostics
    if status not in ("Pending", "Skipped"):
        event |= {"startTime": start, "endTime": end}
    return event


def target(
    instance_id: str,
    *,
    failed: str = "ApplicationStart",
    status: str = "Failed",
    error_code: str = "ScriptFailed",
    script: str = "scripts/start.sh",
    message: str | None = None,
    log_tail: str = "",
    ran: tuple[str, str] = ("2026-12-04T10:05:00Z", "2026-12-04T10:05:03Z"),
) -> dict[str, Any]:
    """An instance target that succeeded up to ``failed``, which has ``status``; the rest are Skipped."""
    events = []
    reached = False
    for name in _EVENTS:
        if name == failed:
            reached = True
            if status == "Failed":
                text = message or f"Script at specified location: {script} failed with exit code 2"
                events.append(
                    _event(name, "Failed", *ran, errorCode=error_code, scriptName=script, message=text, logTail=log_tail)
                )
            else:
                events.append(_event(name, status, *ran))
        elif reached:
            events.append(_event(name, "Skipped" if status == "Failed" else "Pending", "", ""))
        else:
            events.append(_event(name, "Succeeded", "2026-12-04T10:01:00Z", "2026-12-04T10:01:05Z"))
    arn = f"arn:aws:ec2:us-east-1:123456789012:instance/{instance_id}"
    if not instance_id.startswith("i-"):
        arn = f"arn:aws:codedeploy:us-east-1:123456789012:instance/{instance_id}"
    return {
        "deploymentTargetType": "InstanceTarget",
        "instanceTarget": {
            "deploymentId": DEPLOYMENT_ID,
            "targetId": instance_id,
            "targetArn": arn,
            "status": "Failed" if status == "Failed" else "InProgress",
            "lastUpdatedAt": COMPLETED,
            "lifecycleEvents": events,
        },
    }


def s3_revision(bucket: str, key: str, bundle_type: str = "zip", **extra: str) -> dict[str, Any]:
    """An S3 revision."""
    return {"revisionType": "S3", "s3Location": {"bucket": bucket, "key": key, "bundleType": bundle_type, **extra}}


def snapshot(
    targets: list[dict[str, Any]],
    *,
    revision: dict[str, Any],
    asgs: list[str] = (),  # type: ignore[assignment]
    hook: str = CODEDEPLOY_HOOK,
) -> dict[str, Any]:
    """The snapshot of a failed in-place deployment without a load balancer."""
    style = {"deploymentType": "IN_PLACE", "deploymentOption": "WITHOUT_TRAFFIC_CONTROL"}
    failed = sum(1 for t in targets if t["instanceTarget"]["status"] == "Failed")
    deployment = {
        "applicationName": APPLICATION,
        "deploymentGroupName": GROUP,
        "deploymentConfigName": "CodeDeployDefault.AllAtOnce",
        "deploymentId": DEPLOYMENT_ID,
        "revision": copy.deepcopy(revision),
        "status": "Failed",
        "errorInformation": {
            "code": "HEALTH_CONSTRAINTS",
            "message": "The overall deployment failed because too many individual instances failed deployment, too few "
            "healthy instances are available for deployment, or some instances in your deployment group are "
            "experiencing problems.",
        },
        "createTime": CREATED,
        "startTime": CREATED,
        "completeTime": COMPLETED,
        "deploymentOverview": {
            "Pending": 0,
            "InProgress": len(targets) - failed,
            "Succeeded": 0,
            "Failed": failed,
            "Skipped": 0,
            "Ready": 0,
        },
        "creator": "user",
        "deploymentStyle": style,
        "computePlatform": "Server",
    }
    group = {
        "applicationName": APPLICATION,
        "deploymentGroupId": "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
        "deploymentGroupName": GROUP,
        "deploymentConfigName": "CodeDeployDefault.AllAtOnce",
        "autoScalingGroups": [{"name": name, "hook": hook} for name in asgs],
        "serviceRoleArn": "arn:aws:iam::123456789012:role/CodeDeployServiceRole",
        "deploymentStyle": style,
        "computePlatform": "Server",
    }
    return {"format": "cd-doctor.snapshot/1", "deployment": deployment, "deploymentGroup": group, "targets": targets}
