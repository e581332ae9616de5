"""Synthetic failed Server blue/green deployments of any size, in AWS's own response shapes.

One deployment of ``total`` targets behind one target group: half of them (rounded down) are
the Blue (original) instances, the rest the Green (replacement) ones. ``failed`` targets failed,
Green ones first: a Green target fails at ValidateService (ScriptFailed, a health check that got
503s); when more targets failed than there are Green ones, Blue targets fail too, at
BeforeBlockTraffic (ScriptFailed, a drain hook). That last case is a synthetic worst case:
CodeDeploy would normally stop before touching Blue. The other Green targets are Skipped and
the other Blue targets Pending, as in ``fixtures/server-bluegreen-validateservice-green.json``.

Traffic: every Blue instance is registered and healthy in the target group (Blue still serves)
and every instance is running in EC2.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from codedeploy_doctor.lifecycle import SERVER_BLUE_TRACK, SERVER_GREEN_TRACK

REGION = "us-east-1"
ACCOUNT = "123456789012"
APPLICATION = "shop-web"
GROUP = "shop-web-prod"
TARGET_GROUP = "web-prod-tg"
TARGET_GROUP_ARN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/{TARGET_GROUP}/6d0ecf831eec9f09"
LOAD_BALANCER_ARN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/web-prod/50dc6c495c0c9188"
VPC = "vpc-0e4f1a2b3c4d5e6f7"
START = dt.datetime(2026, 11, 28, 8, 57, 12, tzinfo=dt.timezone.utc)

GREEN_EVENTS = SERVER_GREEN_TRACK
BLUE_EVENTS = SERVER_BLUE_TRACK

VALIDATE_LOG_TAIL = (
    "[stderr]curl: (22) The requested URL returned error: 503 Service Unavailable\n"
    "[stdout]{ts} validate: attempt 19/20: GET http://localhost:8080/healthz failed (curl exit 22), retrying in 5s\n"
    "[stderr]curl: (22) The requested URL returned error: 503 Service Unavailable\n"
    '[stdout]{{"status":"DOWN","checks":{{"database":{{"status":"DOWN","error":"connect ETIMEDOUT 10.20.3.41:5432"}}}}}}\n'
    "[stderr]{ts} validate: shop-web is not healthy after 20 attempts (100s), failing ValidateService\n"
)
DRAIN_LOG_TAIL = "[stderr]{ts} drain: connection draining did not finish within 300s\n"


@dataclass(frozen=True)
class Workload:
    """One generated deployment: its snapshot JSON and what the traffic layer holds."""

    total: int
    """Targets in the deployment (Blue + Green)."""
    failed: int
    """Targets that failed."""
    snapshot: dict[str, Any]
    """A ``cd-doctor.snapshot/1`` object holding every target (strategy ``all``)."""
    blue_ids: tuple[str, ...]
    """Instance ids of the Blue targets."""
    green_ids: tuple[str, ...]
    """Instance ids of the Green targets."""

    @property
    def deployment_id(self) -> str:
        """The deployment's id."""
        return str(self.snapshot["deployment"]["deploymentId"])


def failed_count(total: int, share: str) -> int:
    """Failed targets for a share spelt ``1``, ``1%`` or ``100%`` (at least 1)."""
    if share.endswith("%"):
        return max(1, round(total * float(share[:-1]) / 100))
    return min(total, int(share))


def deployment_id_for(total: int, failed: int) -> str:
    """A valid, distinct deployment id per (total, failed): ``d-`` and 9 upper-case characters.

    Up to 9,999 targets the id reads the two numbers in decimal; above, ``Z`` and both in base 36.
    """
    if total < 10_000 and failed < 100_000:
        return f"d-{total:04d}{failed:05d}"
    if total >= 36**4 or failed >= 36**4:
        raise ValueError("the benchmark's ids hold at most 1,679,615 targets")
    return f"d-Z{_base36(total, 4)}{_base36(failed, 4)}"


def _base36(number: int, width: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    text = ""
    while number:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
    return text.rjust(width, "0")


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _instance_id(label: str, number: int) -> str:
    # i- and 17 hex digits; Green ids sort before Blue ids, as the fake lists in id order.
    return f"i-{'a' if label == 'Green' else 'b'}{number:016x}"


def _event(
    name: str, status: str, start: dt.datetime | None, end: dt.datetime | None, diagnostics: dict[str, str] | None
) -> dict[str, Any]:
    event: dict[str, Any] = {"lifecycleEventName": name, "status": status}
    if diagnostics is not None:
        event["diagnostics"] = diagnostics
    if start is not None:
        event["startTime"] = _iso(start)
    if end is not None:
        event["endTime"] = _iso(end)
    return event


_SUCCESS = {"errorCode": "Success", "scriptName": "", "message": "Succeeded", "logTail": ""}


def _green_target(deployment_id: str, instance_id: str, failed_at: dt.datetime | None) -> dict[str, Any]:
    events: list[dict[str, Any]] = []
    if failed_at is None:
        events = [_event(name, "Skipped", None, START + dt.timedelta(minutes=8), None) for name in GREEN_EVENTS]
        status, updated = "Skipped", START + dt.timedelta(minutes=8)
    else:
        moment = failed_at - dt.timedelta(minutes=3)
        for name in GREEN_EVENTS:
            if name == "ValidateService":
                ts = _iso(failed_at)
                diagnostics = {
                    "errorCode": "ScriptFailed",
                    "scriptName": "scripts/validate_service.sh",
                    "message": "Script at specified location: scripts/validate_service.sh failed with exit code 1",
                    "logTail": VALIDATE_LOG_TAIL.format(ts=ts),
                }
                events.append(_event(name, "Failed", moment, failed_at, diagnostics))
            elif name in ("BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic"):
                events.append(_event(name, "Skipped", None, failed_at, None))
            else:
                events.append(_event(name, "Succeeded", moment, moment + dt.timedelta(seconds=10), dict(_SUCCESS)))
                moment += dt.timedelta(seconds=11)
        status, updated = "Failed", failed_at
    return _instance_target(deployment_id, instance_id, "Green", status, updated, events)


def _blue_target(deployment_id: str, instance_id: str, failed_at: dt.datetime | None) -> dict[str, Any]:
    if failed_at is None:
        events = [_event(name, "Pending", None, None, None) for name in BLUE_EVENTS]
        status, updated = "Pending", START + dt.timedelta(seconds=3)
    else:
        diagnostics = {
            "errorCode": "ScriptFailed",
            "scriptName": "scripts/drain.sh",
            "message": "Script at specified location: scripts/drain.sh failed with exit code 2",
            "logTail": DRAIN_LOG_TAIL.format(ts=_iso(failed_at)),
        }
        events = [
            _event("BeforeBlockTraffic", "Failed", failed_at - dt.timedelta(minutes=5), failed_at, diagnostics),
            _event("BlockTraffic", "Skipped", None, failed_at, None),
            _event("AfterBlockTraffic", "Skipped", None, failed_at, None),
        ]
        status, updated = "Failed", failed_at
    return _instance_target(deployment_id, instance_id, "Blue", status, updated, events)


def _instance_target(
    deployment_id: str, instance_id: str, label: str, status: str, updated: dt.datetime, events: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "deploymentTargetType": "InstanceTarget",
        "instanceTarget": {
            "deploymentId": deployment_id,
            "targetId": instance_id,
            "targetArn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/{instance_id}",
            "status": status,
            "lastUpdatedAt": _iso(updated),
            "lifecycleEvents": events,
            "instanceLabel": label,
        },
    }


def _deployment(deployment_id: str, overview: dict[str, int]) -> dict[str, Any]:
    return {
        "applicationName": APPLICATION,
        "deploymentGroupName": GROUP,
        "deploymentConfigName": "CodeDeployDefault.OneAtATime",
        "deploymentId": deployment_id,
        "revision": {
            "revisionType": "S3",
            "s3Location": {"bucket": "acme-deploy-artifacts", "key": "shop-web/shop-web-5.3.0.zip", "bundleType": "zip"},
        },
        "status": "Failed",
        "errorInformation": {
            "code": "HEALTH_CONSTRAINTS",
            "message": "The overall deployment failed because too many individual instances failed deployment, too few "
            "healthy instances are available for deployment, or some instances in your deployment group are "
            "experiencing problems.",
        },
        "createTime": _iso(START),
        "startTime": _iso(START + dt.timedelta(seconds=2)),
        "completeTime": _iso(START + dt.timedelta(hours=3)),
        "deploymentOverview": overview,
        "creator": "user",
        "ignoreApplicationStopFailures": False,
        "autoRollbackConfiguration": {"enabled": False},
        "updateOutdatedInstancesOnly": False,
        "deploymentStyle": {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
        "blueGreenDeploymentConfiguration": _blue_green_configuration(),
        "loadBalancerInfo": {"targetGroupInfoList": [{"name": TARGET_GROUP}]},
        "fileExistsBehavior": "DISALLOW",
        "deploymentStatusMessages": [],
        "computePlatform": "Server",
    }


def _blue_green_configuration() -> dict[str, Any]:
    return {
        "terminateBlueInstancesOnDeploymentSuccess": {"action": "TERMINATE", "terminationWaitTimeInMinutes": 60},
        "deploymentReadyOption": {"actionOnTimeout": "CONTINUE_DEPLOYMENT", "waitTimeInMinutes": 0},
        "greenFleetProvisioningOption": {"action": "COPY_AUTO_SCALING_GROUP"},
    }


def _deployment_group(deployment_id: str) -> dict[str, Any]:
    return {
        "applicationName": APPLICATION,
        "deploymentGroupId": "b2e47d1c-5a93-4f08-8c6e-31d9a7f5e2b4",
        "deploymentGroupName": GROUP,
        "deploymentConfigName": "CodeDeployDefault.OneAtATime",
        "autoScalingGroups": [{"name": "shop-web-prod-asg", "hook": "CodeDeploy-managed-automatic-launch-deployment-hook"}],
        "serviceRoleArn": f"arn:aws:iam::{ACCOUNT}:role/CodeDeployServiceRole",
        "alarmConfiguration": {"enabled": False, "ignorePollAlarmFailure": False, "alarms": []},
        "autoRollbackConfiguration": {"enabled": False},
        "deploymentStyle": {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
        "blueGreenDeploymentConfiguration": _blue_green_configuration(),
        "loadBalancerInfo": {"targetGroupInfoList": [{"name": TARGET_GROUP}]},
        "lastAttemptedDeployment": {
            "deploymentId": deployment_id,
            "status": "Failed",
            "endTime": _iso(START + dt.timedelta(hours=3)),
            "createTime": _iso(START),
        },
        "computePlatform": "Server",
    }


def blue_green_workload(total: int, failed: int, *, rolled_back: bool = False) -> Workload:
    """A failed Server blue/green deployment of ``total`` targets, ``failed`` of them failed.

    With ``rolled_back`` CodeDeploy started a rollback deployment (automatic rollback on
    failure), which GetDeployment names in ``rollbackInfo``.
    """
    if total < 2 or not 0 < failed <= total:
        raise ValueError(f"need at least 2 targets and 1..{total} failed, got {total} and {failed}")
    deployment_id = deployment_id_for(total, failed)
    blue_count = total // 2
    green_ids = tuple(_instance_id("Green", n) for n in range(total - blue_count))
    blue_ids = tuple(_instance_id("Blue", n) for n in range(blue_count))
    targets: list[dict[str, Any]] = []
    overview = {"Pending": 0, "InProgress": 0, "Succeeded": 0, "Failed": 0, "Skipped": 0, "Ready": 0}
    failing = 0

    def failure_time() -> dt.datetime | None:
        # Distinct end times one second apart: the first failure is the first failed Green target.
        nonlocal failing
        if failing >= failed:
            return None
        failing += 1
        return START + dt.timedelta(minutes=6, seconds=failing)

    for instance_id in green_ids:
        targets.append(_green_target(deployment_id, instance_id, failure_time()))
    for instance_id in blue_ids:
        targets.append(_blue_target(deployment_id, instance_id, failure_time()))
    for target in targets:
        overview[target["instanceTarget"]["status"]] += 1
    deployment = _deployment(deployment_id, overview)
    rollback = _rollback(deployment) if rolled_back else None
    snapshot = {
        "format": "cd-doctor.snapshot/1",
        "region": REGION,
        "recordedAt": _iso(START + dt.timedelta(hours=3, minutes=5)),
        "deployment": deployment,
        "deploymentGroup": _deployment_group(deployment_id),
        "targets": targets,
        "rollbackDeployment": rollback,
        "traffic": {},
        "errors": [],
    }
    return Workload(total=total, failed=failed, snapshot=snapshot, blue_ids=blue_ids, green_ids=green_ids)


def _rollback(deployment: dict[str, Any]) -> dict[str, Any]:
    """Point ``deployment`` at a succeeded rollback deployment and return that one."""
    rollback_id = "d-R" + deployment["deploymentId"][3:]
    deployment["autoRollbackConfiguration"] = {"enabled": True, "events": ["DEPLOYMENT_FAILURE"]}
    deployment["rollbackInfo"] = {
        "rollbackDeploymentId": rollback_id,
        "rollbackMessage": f"Automatic rollback triggered: {rollback_id} was created.",
    }
    rollback = {
        key: value
        for key, value in deployment.items()
        if key not in ("errorInformation", "rollbackInfo", "deploymentOverview", "completeTime")
    }
    rollback.update(
        {
            "deploymentId": rollback_id,
            "status": "Succeeded",
            "creator": "codeDeployRollback",
            "createTime": deployment["completeTime"],
            "completeTime": _iso(START + dt.timedelta(hours=3, minutes=4)),
            "rollbackInfo": {"rollbackTriggeringDeploymentId": deployment["deploymentId"]},
            "deploymentOverview": {"Pending": 0, "InProgress": 0, "Succeeded": 0, "Failed": 0, "Skipped": 0, "Ready": 0},
        }
    )
    return rollback


def target_group() -> dict[str, Any]:
    """The deployment's target group, as DescribeTargetGroups returns it."""
    return {
        "TargetGroupArn": TARGET_GROUP_ARN,
        "TargetGroupName": TARGET_GROUP,
        "Protocol": "HTTP",
        "Port": 8080,
        "VpcId": VPC,
        "HealthCheckProtocol": "HTTP",
        "HealthCheckPort": "traffic-port",
        "HealthCheckEnabled": True,
        "HealthCheckIntervalSeconds": 15,
        "HealthCheckTimeoutSeconds": 5,
        "HealthyThresholdCount": 3,
        "UnhealthyThresholdCount": 3,
        "HealthCheckPath": "/healthz",
        "Matcher": {"HttpCode": "200"},
        "LoadBalancerArns": [LOAD_BALANCER_ARN],
        "TargetType": "instance",
        "ProtocolVersion": "HTTP1",
        "IpAddressType": "ipv4",
    }


def target_health(workload: Workload) -> list[dict[str, Any]]:
    """DescribeTargetHealth of the target group: every Blue instance healthy, no Green registered."""
    return [
        {
            "Target": {"Id": instance_id, "Port": 8080},
            "HealthCheckPort": "8080",
            "TargetHealth": {"State": "healthy"},
        }
        for instance_id in workload.blue_ids
    ]


def instances(workload: Workload) -> list[dict[str, Any]]:
    """Every instance of the deployment, running, as DescribeInstances returns them (timestamps as datetimes)."""
    launched = START - dt.timedelta(days=3)
    found = []
    for number, instance_id in enumerate((*workload.blue_ids, *workload.green_ids)):
        found.append(
            {
                "InstanceId": instance_id,
                "ImageId": "ami-0c55b159cbfafe1f0",
                "InstanceType": "m7g.large",
                "LaunchTime": launched,
                "State": {"Code": 16, "Name": "running"},
                "PrivateIpAddress": f"10.20.{number // 250 % 250}.{number % 250 + 4}",
                "SubnetId": "subnet-0a1b2c3d4e5f60718",
                "VpcId": VPC,
                "IamInstanceProfile": {"Arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/shop-web", "Id": "AIPAEXAMPLE0000000001"},
                "Tags": [{"Key": "aws:autoscaling:groupName", "Value": "shop-web-prod-asg"}],
            }
        )
    return found
