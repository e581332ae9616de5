"""Builds the traffic fixtures (``fixtures/traffic-*.json``, ``ecs-*.json``, ``lambda-*.json``).

Each fixture is a full snapshot in botocore shapes, written from the pieces below so that ARNs,
ids and times agree across the deployment, its targets and the traffic section. Edit a scenario
here, then regenerate and review the diff:

    python -m tests.traffic.fixture_builder

``test_fixture_files_match_builder`` fails when a file and its builder drift apart.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from codedeploy_doctor.lifecycle import (
    ECS_ORDER,
    LAMBDA_ORDER,
    SERVER_BLUE_TRACK,
    SERVER_GREEN_TRACK,
    SERVER_IN_PLACE_ORDER,
    SERVER_ORDER,
)

FIXTURES = Path(__file__).resolve().parent.parent.parent / "fixtures"
ACCOUNT = "123456789012"
REGION = "us-east-1"
VPC = "vpc-0a41c7e2d9b3f5618"
SUBNETS = ["subnet-0c1f3a5e7b9d2e4f6", "subnet-07e9b1d3f5a7c2e4b"]
ZONES = ["us-east-1a", "us-east-1b"]
SECURITY_GROUP = "sg-0b3d5f7a9c1e2d4f6"
ALB_ARN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/shop-web-prod/8c1e4a7d2f5b9e30"
ECS_ALB_ARN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/orders-prod/3f7a1c9e5b2d8e41"

Json = dict[str, Any]


def at(base: dt.datetime, seconds: float) -> str:
    """ISO-8601 the way boto3 times look once serialized: microseconds and ``Z``."""
    return (base + dt.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- CodeDeploy pieces -------------------------------------------------------------------------

SERVER_GREEN = SERVER_GREEN_TRACK
SERVER_BLUE = SERVER_BLUE_TRACK
SERVER_IN_PLACE_LB = SERVER_ORDER
SERVER_IN_PLACE = SERVER_IN_PLACE_ORDER
ECS_EVENTS = ECS_ORDER
LAMBDA_EVENTS = LAMBDA_ORDER


def track(
    names: Sequence[str],
    start: dt.datetime,
    *,
    fail_at: str | None = None,
    diagnostics: Json | None = None,
    pending_from: str | None = None,
    skipped_from: str | None = None,
    step: float = 7.0,
) -> tuple[list[Json], dt.datetime]:
    """Lifecycle events in order: Succeeded, then one Failed (then Skipped), or Pending from some event."""
    events: list[Json] = []
    clock = 0.0
    state = "run"
    for name in names:
        if name == pending_from:
            state = "pending"
        if name == skipped_from:
            state = "skipped"
        if state == "pending":
            events.append({"lifecycleEventName": name, "status": "Pending"})
            continue
        if state == "skipped":
            events.append({"lifecycleEventName": name, "status": "Skipped"})
            continue
        event: Json = {"lifecycleEventName": name, "startTime": at(start, clock), "endTime": at(start, clock + step - 1.3)}
        if name == fail_at:
            event["diagnostics"] = diagnostics or {"errorCode": "UnknownError", "message": "failed"}
            event["status"] = "Failed"
            state = "skipped"
        else:
            event["diagnostics"] = {"errorCode": "Success", "scriptName": "", "message": "Succeeded", "logTail": ""}
            event["status"] = "Succeeded"
        events.append(event)
        clock += step
    return events, start + dt.timedelta(seconds=clock)


def instance_target(
    deployment_id: str, instance_id: str, label: str | None, status: str, events: list[Json], updated: str
) -> Json:
    """A DeploymentTarget of type InstanceTarget."""
    body: Json = {
        "deploymentId": deployment_id,
        "targetId": instance_id,
        "targetArn": f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/{instance_id}",
        "status": status,
        "lastUpdatedAt": updated,
        "lifecycleEvents": events,
    }
    if label:
        body["instanceLabel"] = label
    return {"deploymentTargetType": "InstanceTarget", "instanceTarget": body}


def s3_revision(version: str) -> Json:
    """An S3 RevisionLocation of the shop-web bundle."""
    return {
        "revisionType": "S3",
        "s3Location": {
            "bucket": f"acme-deploy-artifacts-{ACCOUNT}-{REGION}",
            "key": f"shop-web/shop-web-{version}.zip",
            "bundleType": "zip",
            "eTag": "5e9a1c3d7f2b4e6a8c0d1f3b5a7c9e2d" if version < "5.3" else "d41c8e2f7a9b3c5d1e6f0a8b2c4d6e8f",
        },
    }


def appspec_revision(content: str, sha256: str) -> Json:
    """An AppSpecContent RevisionLocation (ECS and Lambda)."""
    return {"revisionType": "AppSpecContent", "appSpecContent": {"content": content, "sha256": sha256}}


def overview(**counts: int) -> Json:
    """A deploymentOverview with every status present."""
    return {status: counts.get(status, 0) for status in ("Pending", "InProgress", "Succeeded", "Failed", "Skipped", "Ready")}


def deployment(
    *,
    deployment_id: str,
    application: str,
    group: str,
    platform: str,
    deployment_type: str,
    option: str,
    status: str,
    config: str,
    created: dt.datetime,
    completed: dt.datetime | None,
    counts: Json,
    revision: Json,
    previous: Json | None = None,
    error: tuple[str, str] | None = None,
    load_balancer_info: Json | None = None,
    blue_green: Json | None = None,
    termination_started: bool | None = None,
    rollback: Json | None = None,
    auto_rollback: bool = False,
    creator: str = "user",
    description: str | None = None,
) -> Json:
    """A DeploymentInfo as GetDeployment returns it."""
    info: Json = {
        "applicationName": application,
        "deploymentGroupName": group,
        "deploymentConfigName": config,
        "deploymentId": deployment_id,
    }
    if previous is not None:
        info["previousRevision"] = previous
    info["revision"] = revision
    info["status"] = status
    if error is not None:
        info["errorInformation"] = {"code": error[0], "message": error[1]}
    info["createTime"] = at(created, 0)
    info["startTime"] = at(created, 1.7)
    if completed is not None:
        info["completeTime"] = at(completed, 0)
    info["deploymentOverview"] = counts
    if description:
        info["description"] = description
    info["creator"] = creator
    info["ignoreApplicationStopFailures"] = False
    info["autoRollbackConfiguration"] = (
        {"enabled": True, "events": ["DEPLOYMENT_FAILURE"]} if auto_rollback else {"enabled": False}
    )
    info["updateOutdatedInstancesOnly"] = False
    if rollback is not None:
        info["rollbackInfo"] = rollback
    info["deploymentStyle"] = {"deploymentType": deployment_type, "deploymentOption": option}
    if termination_started is not None:
        info["instanceTerminationWaitTimeStarted"] = termination_started
    if blue_green is not None:
        info["blueGreenDeploymentConfiguration"] = blue_green
    if load_balancer_info is not None:
        info["loadBalancerInfo"] = load_balancer_info
    if platform == "Server":
        info["fileExistsBehavior"] = "DISALLOW"
    info["deploymentStatusMessages"] = []
    info["computePlatform"] = platform
    return info


def deployment_group(info: Json, group_id: str, *, ecs_service: tuple[str, str] | None = None, asg: str | None = None) -> Json:
    """The DeploymentGroupInfo matching a deployment."""
    group: Json = {
        "applicationName": info["applicationName"],
        "deploymentGroupId": group_id,
        "deploymentGroupName": info["deploymentGroupName"],
        "deploymentConfigName": info["deploymentConfigName"],
    }
    if info["computePlatform"] == "Server":
        group["ec2TagFilters"] = [] if asg else [{"Key": "app", "Value": info["applicationName"], "Type": "KEY_AND_VALUE"}]
        group["onPremisesInstanceTagFilters"] = []
        group["autoScalingGroups"] = (
            [{"name": asg, "hook": f"CodeDeploy-managed-automatic-launch-deployment-hook-{info['deploymentGroupName']}"}]
            if asg
            else []
        )
    group["serviceRoleArn"] = f"arn:aws:iam::{ACCOUNT}:role/CodeDeployServiceRole"
    group["targetRevision"] = info["revision"]
    group["triggerConfigurations"] = []
    group["alarmConfiguration"] = {"enabled": False, "ignorePollAlarmFailure": False, "alarms": []}
    group["autoRollbackConfiguration"] = info["autoRollbackConfiguration"]
    group["deploymentStyle"] = info["deploymentStyle"]
    if info["computePlatform"] == "Server":
        group["outdatedInstancesStrategy"] = "UPDATE"
    if "blueGreenDeploymentConfiguration" in info:
        group["blueGreenDeploymentConfiguration"] = info["blueGreenDeploymentConfiguration"]
    if "loadBalancerInfo" in info:
        group["loadBalancerInfo"] = info["loadBalancerInfo"]
    group["lastAttemptedDeployment"] = {
        "deploymentId": info["deploymentId"],
        "status": info["status"],
        "endTime": info.get("completeTime", info["createTime"]),
        "createTime": info["createTime"],
    }
    if ecs_service is not None:
        group["ecsServices"] = [{"serviceName": ecs_service[1], "clusterName": ecs_service[0]}]
    group["computePlatform"] = info["computePlatform"]
    return group


def bg_config(wait: int, *, action: str = "TERMINATE", provisioning: str | None = "COPY_AUTO_SCALING_GROUP") -> Json:
    """A blueGreenDeploymentConfiguration."""
    config: Json = {
        "terminateBlueInstancesOnDeploymentSuccess": {"action": action, "terminationWaitTimeInMinutes": wait},
        "deploymentReadyOption": {"actionOnTimeout": "CONTINUE_DEPLOYMENT", "waitTimeInMinutes": 0},
    }
    if provisioning:
        config["greenFleetProvisioningOption"] = {"action": provisioning}
    return config


def snapshot(
    recorded: dt.datetime,
    info: Json,
    group: Json | None,
    targets: list[Json],
    traffic: Json,
    *,
    errors: Sequence[Json] = (),
    rollback: Json | None = None,
) -> Json:
    """A whole snapshot file."""
    return {
        "format": "cd-doctor.snapshot/1",
        "region": REGION,
        "recordedAt": at(recorded, 0),
        "deployment": info,
        "deploymentGroup": group,
        "targets": targets,
        "rollbackDeployment": rollback,
        "traffic": traffic,
        "errors": list(errors),
    }


# --- traffic-layer pieces ----------------------------------------------------------------------


def target_group_arn(name: str, suffix: str) -> str:
    """A target group ARN."""
    return f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/{name}/{suffix}"


def target_group(name: str, suffix: str, load_balancers: Sequence[str], *, target_type: str = "instance", port: int = 80) -> Json:
    """A TargetGroup as DescribeTargetGroups returns it."""
    return {
        "TargetGroupArn": target_group_arn(name, suffix),
        "TargetGroupName": name,
        "Protocol": "HTTP",
        "Port": port,
        "VpcId": VPC,
        "HealthCheckProtocol": "HTTP",
        "HealthCheckPort": "traffic-port",
        "HealthCheckEnabled": True,
        "HealthCheckIntervalSeconds": 15,
        "HealthCheckTimeoutSeconds": 5,
        "HealthyThresholdCount": 3,
        "UnhealthyThresholdCount": 2,
        "HealthCheckPath": "/health",
        "Matcher": {"HttpCode": "200"},
        "LoadBalancerArns": list(load_balancers),
        "TargetType": target_type,
        "ProtocolVersion": "HTTP1",
        "IpAddressType": "ipv4",
    }


_REASONS = {
    "unhealthy": ("Target.ResponseCodeMismatch", "Health checks failed with these codes: [502]"),
    "initial": ("Elb.InitialHealthChecking", "Initial health checks in progress"),
    "draining": ("Target.DeregistrationInProgress", "Target deregistration is in progress"),
    "unused": ("Target.NotRegistered", "Target is not registered to the target group"),
}


def health(target_id: str, state: str, *, zone: int = 0, port: int = 80) -> Json:
    """A TargetHealthDescription."""
    target_health: Json = {"State": state}
    if state in _REASONS:
        target_health["Reason"], target_health["Description"] = _REASONS[state]
    return {
        "Target": {"Id": target_id, "Port": port, "AvailabilityZone": ZONES[zone % 2]},
        "HealthCheckPort": str(port),
        "TargetHealth": target_health,
    }


def classic_health(instance_id: str, in_service: bool) -> Json:
    """A Classic Load Balancer InstanceState."""
    if in_service:
        return {"InstanceId": instance_id, "State": "InService", "ReasonCode": "N/A", "Description": "N/A"}
    return {
        "InstanceId": instance_id,
        "State": "OutOfService",
        "ReasonCode": "Instance",
        "Description": "Instance has failed at least the UnhealthyThreshold number of health checks consecutively.",
    }


def ec2_instance(
    instance_id: str, index: int, state: str, launched: dt.datetime, *, asg: str | None = None, ip: str = "10.0.1.10"
) -> Json:
    """An Instance as DescribeInstances returns it (flat, out of its reservation)."""
    codes = {"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48, "stopping": 64, "stopped": 80}
    instance: Json = {
        "Architecture": "x86_64",
        "ClientToken": f"fleet-{index:04d}-{instance_id[-6:]}",
        "EbsOptimized": True,
        "EnaSupport": True,
        "Hypervisor": "xen",
        "RootDeviceName": "/dev/xvda",
        "RootDeviceType": "ebs",
        "VirtualizationType": "hvm",
        "InstanceId": instance_id,
        "ImageId": "ami-0c2f4a6e8b1d3f5a7",
        "State": {"Code": codes[state], "Name": state},
        "PrivateDnsName": "" if state == "terminated" else f"ip-{ip.replace('.', '-')}.ec2.internal",
        "PublicDnsName": "",
        "StateTransitionReason": "",
        "AmiLaunchIndex": 0,
        "ProductCodes": [],
        "InstanceType": "m6i.large",
        "LaunchTime": at(launched, 0),
        "Placement": {"AvailabilityZone": ZONES[index % 2], "GroupName": "", "Tenancy": "default"},
        "Monitoring": {"State": "disabled"},
    }
    if state != "terminated":
        instance.update({"SubnetId": SUBNETS[index % 2], "VpcId": VPC, "PrivateIpAddress": ip})
        instance["SecurityGroups"] = [{"GroupId": SECURITY_GROUP, "GroupName": "shop-web-prod"}]
    else:
        instance["StateTransitionReason"] = "Service initiated (2026-11-29 08:41:07 GMT)"
        instance["StateReason"] = {
            "Code": "Client.UserInitiatedShutdown",
            "Message": "Client.UserInitiatedShutdown: User initiated shutdown",
        }
    if asg:
        instance["Tags"] = [{"Key": "aws:autoscaling:groupName", "Value": asg}, {"Key": "Name", "Value": "shop-web-prod"}]
    return instance


def forward(weights: Sequence[tuple[str, int]]) -> Json:
    """A forward action as DescribeListeners returns it (single or weighted)."""
    action: Json = {"Type": "forward"}
    if len(weights) == 1:
        action["TargetGroupArn"] = weights[0][0]
    action["ForwardConfig"] = {
        "TargetGroups": [{"TargetGroupArn": arn, "Weight": weight} for arn, weight in weights],
        "TargetGroupStickinessConfig": {"Enabled": False},
    }
    return action


def listener(arn: str, port: int, action: Json) -> Json:
    """A Listener as DescribeListeners returns it."""
    return {
        "ListenerArn": arn,
        "LoadBalancerArn": ECS_ALB_ARN,
        "Port": port,
        "Protocol": "HTTP",
        "DefaultActions": [action],
    }


# --- the scenarios -----------------------------------------------------------------------------

SHOP_TG = ("web-prod-tg", "4b8e1d6a3f9c2e70")
BLUE_IDS = ["i-0b5e2a8d4c1f7e936", "i-06d1f9a3c7e2b5408"]
GREEN_IDS = ["i-0d83c6a1e5f2b9740", "i-02f6e9b4d8a1c3e57"]
SHOP_ASG = "shop-web-prod-asg"
GREEN_ASG = "CodeDeploy_shop-web-prod_d-7KQ2M9XTB"
SHOP_LB = {"targetGroupInfoList": [{"name": SHOP_TG[0]}]}
VALIDATE_FAILED = {
    "errorCode": "ScriptFailed",
    "scriptName": "scripts/validate_service.sh",
    "message": "Script at specified location: scripts/validate_service.sh failed with exit code 7",
    "logTail": "[stdout]Checking http://localhost:8080/health\n"
    "[stderr]curl: (7) Failed to connect to localhost port 8080: Connection refused\n",
}
HEALTH_CONSTRAINTS = (
    "HEALTH_CONSTRAINTS",
    "The overall deployment failed because too many individual instances failed deployment, too few healthy instances are "
    "available for deployment, or some instances in your deployment group are experiencing problems.",
)


def _blue_pending(deployment_id: str, updated: str) -> list[Json]:
    return [
        instance_target(
            deployment_id,
            i,
            "Blue",
            "Pending",
            track(SERVER_BLUE, dt.datetime(2026, 1, 1), pending_from="BeforeBlockTraffic")[0],
            updated,
        )
        for i in BLUE_IDS
    ]


def _green_failed_validate(deployment_id: str, start: dt.datetime) -> tuple[list[Json], dt.datetime]:
    """Green: the first instance fails ValidateService, the second is skipped after installing."""
    failed, end = track(SERVER_GREEN, start, fail_at="ValidateService", diagnostics=VALIDATE_FAILED)
    skipped_events, _ = track(SERVER_GREEN, start + dt.timedelta(seconds=3), skipped_from="BeforeAllowTraffic")
    return [
        instance_target(deployment_id, GREEN_IDS[0], "Green", "Failed", failed, at(end, 1)),
        instance_target(deployment_id, GREEN_IDS[1], "Green", "Skipped", skipped_events, at(end, 1.2)),
    ], end


def _server_bg_failed_at_validate(deployment_id: str, created: dt.datetime) -> tuple[Json, list[Json], dt.datetime]:
    green, end = _green_failed_validate(deployment_id, created + dt.timedelta(minutes=4))
    targets = _blue_pending(deployment_id, at(created, 3)) + green
    info = deployment(
        deployment_id=deployment_id,
        application="shop-web",
        group="shop-web-prod",
        platform="Server",
        deployment_type="BLUE_GREEN",
        option="WITH_TRAFFIC_CONTROL",
        status="Failed",
        config="CodeDeployDefault.OneAtATime",
        created=created,
        completed=end + dt.timedelta(seconds=4),
        counts=overview(Pending=2, Failed=1, Skipped=1),
        revision=s3_revision("5.3.0"),
        previous=s3_revision("5.2.4"),
        error=HEALTH_CONSTRAINTS,
        load_balancer_info=SHOP_LB,
        blue_green=bg_config(60),
        termination_started=False,
        description="shop-web 5.3.0: checkout redesign",
    )
    return info, targets, end


def _shop_traffic(health_items: list[Json], instances: list[Json] | None) -> Json:
    traffic: Json = {
        "elbv2": {
            "targetGroups": [target_group(*SHOP_TG, [ALB_ARN])],
            "targetHealth": {target_group_arn(*SHOP_TG): health_items},
        }
    }
    if instances is not None:
        traffic["ec2"] = {"instances": instances}
    return traffic


def _running(ids: Sequence[str], launched: dt.datetime, asg: str = SHOP_ASG) -> list[Json]:
    return [ec2_instance(i, n, "running", launched, asg=asg, ip=f"10.0.{n + 1}.{21 + n}") for n, i in enumerate(ids)]


def untouched_blue() -> Json:
    """Green failed ValidateService before AllowTraffic; Blue registered and healthy."""
    created = dt.datetime(2026, 11, 29, 8, 57, 12, 431000)
    info, targets, end = _server_bg_failed_at_validate("d-7KQ2M9XTB", created)
    traffic = _shop_traffic(
        [health(i, "healthy", zone=n) for n, i in enumerate(BLUE_IDS)], _running(BLUE_IDS, dt.datetime(2026, 11, 2, 14, 3))
    )
    return snapshot(
        end + dt.timedelta(minutes=6),
        info,
        deployment_group(info, "b2e47d1c-5a93-4f08-8c6e-31d9a7f5e2b4", asg=SHOP_ASG),
        targets,
        traffic,
    )


def lb_unreadable() -> Json:
    """The same failure, but DescribeTargetHealth was denied: the verdict rests on CodeDeploy alone."""
    created = dt.datetime(2026, 11, 29, 8, 57, 12, 431000)
    info, targets, end = _server_bg_failed_at_validate("d-7KQ2M9XTB", created)
    traffic = _shop_traffic([], _running(BLUE_IDS, dt.datetime(2026, 11, 2, 14, 3)))
    del traffic["elbv2"]["targetHealth"]
    error = {
        "service": "elbv2",
        "operation": "DescribeTargetHealth",
        "code": "AccessDenied",
        "message": f"User: arn:aws:sts::{ACCOUNT}:assumed-role/oncall-readonly/alice is not authorized to perform: "
        "elasticloadbalancing:DescribeTargetHealth because no identity-based policy allows the "
        "elasticloadbalancing:DescribeTargetHealth action",
    }
    group = deployment_group(info, "b2e47d1c-5a93-4f08-8c6e-31d9a7f5e2b4", asg=SHOP_ASG)
    return snapshot(end + dt.timedelta(minutes=6), info, group, targets, traffic, errors=[error])


def blue_terminated() -> Json:
    """Green failed ValidateService while the original ASG was scaled in: Blue instances are gone."""
    created = dt.datetime(2026, 11, 29, 8, 12, 5, 118000)
    info, targets, end = _server_bg_failed_at_validate("d-3RW8J1NDV", created)
    # EC2 still shows the first one (terminated minutes ago) and has forgotten the second.
    instances = [ec2_instance(BLUE_IDS[0], 0, "terminated", dt.datetime(2026, 11, 2, 14, 3), asg=SHOP_ASG)]
    traffic = _shop_traffic([], instances)
    group = deployment_group(info, "b2e47d1c-5a93-4f08-8c6e-31d9a7f5e2b4", asg=SHOP_ASG)
    return snapshot(end + dt.timedelta(minutes=64), info, group, targets, traffic)


def _green_succeeded(deployment_id: str, start: dt.datetime) -> tuple[list[Json], dt.datetime]:
    targets: list[Json] = []
    end = start
    for n, instance_id in enumerate(GREEN_IDS):
        events, end = track(SERVER_GREEN, start + dt.timedelta(seconds=75 * n))
        targets.append(instance_target(deployment_id, instance_id, "Green", "Succeeded", events, at(end, 1)))
    return targets, end


def deregistered_green_unhealthy() -> Json:
    """Traffic moved to Green, Blue was deregistered, AfterBlockTraffic failed, and Green is now unhealthy."""
    deployment_id = "d-9FZC4T7LQ"
    created = dt.datetime(2026, 11, 29, 7, 40, 2, 903000)
    green, green_end = _green_succeeded(deployment_id, created + dt.timedelta(minutes=5))
    after_block_failed = {
        "errorCode": "ScriptFailed",
        "scriptName": "scripts/drain_sessions.sh",
        "message": "Script at specified location: scripts/drain_sessions.sh run as user root failed with exit code 1",
        "logTail": "[stderr]redis-cli: Could not connect to Redis at sessions.internal:6379: Connection refused\n",
    }
    first, end = track(
        SERVER_BLUE, green_end + dt.timedelta(seconds=20), fail_at="AfterBlockTraffic", diagnostics=after_block_failed
    )
    second, _ = track(SERVER_BLUE, green_end + dt.timedelta(seconds=21))
    blue = [
        instance_target(deployment_id, BLUE_IDS[0], "Blue", "Failed", first, at(end, 1)),
        instance_target(deployment_id, BLUE_IDS[1], "Blue", "Succeeded", second, at(end, 1.4)),
    ]
    info = deployment(
        deployment_id=deployment_id,
        application="shop-web",
        group="shop-web-prod",
        platform="Server",
        deployment_type="BLUE_GREEN",
        option="WITH_TRAFFIC_CONTROL",
        status="Failed",
        config="CodeDeployDefault.OneAtATime",
        created=created,
        completed=end + dt.timedelta(seconds=3),
        counts=overview(Succeeded=3, Failed=1),
        revision=s3_revision("5.3.1"),
        previous=s3_revision("5.2.4"),
        error=HEALTH_CONSTRAINTS,
        load_balancer_info=SHOP_LB,
        blue_green=bg_config(60),
        termination_started=False,
    )
    health_items = [health(i, "unhealthy", zone=n) for n, i in enumerate(GREEN_IDS)]
    instances = _running(BLUE_IDS, dt.datetime(2026, 11, 2, 14, 3))
    traffic = _shop_traffic(health_items, instances)
    group = deployment_group(info, "b2e47d1c-5a93-4f08-8c6e-31d9a7f5e2b4", asg=SHOP_ASG)
    return snapshot(end + dt.timedelta(minutes=9), info, group, blue + green, traffic)


def rolled_back() -> Json:
    """Green failed AfterAllowTraffic; the automatic rollback succeeded and Blue serves alone again."""
    deployment_id = "d-2MDX8Q5HW"
    rollback_id = "d-6TNB3K9EF"
    created = dt.datetime(2026, 11, 29, 6, 15, 40, 227000)
    smoke_failed = {
        "errorCode": "ScriptFailed",
        "scriptName": "scripts/smoke_test.sh",
        "message": "Script at specified location: scripts/smoke_test.sh failed with exit code 22",
        "logTail": "[stderr]curl: (22) The requested URL returned error: 500\n",
    }
    first, end = track(SERVER_GREEN, created + dt.timedelta(minutes=4), fail_at="AfterAllowTraffic", diagnostics=smoke_failed)
    second, _ = track(SERVER_GREEN, created + dt.timedelta(minutes=4, seconds=2), skipped_from="AfterAllowTraffic")
    targets = [
        *_blue_pending(deployment_id, at(created, 3)),
        instance_target(deployment_id, GREEN_IDS[0], "Green", "Failed", first, at(end, 1)),
        instance_target(deployment_id, GREEN_IDS[1], "Green", "Skipped", second, at(end, 1.1)),
    ]
    common: Json = {
        "application": "shop-web",
        "group": "shop-web-prod",
        "platform": "Server",
        "deployment_type": "BLUE_GREEN",
        "option": "WITH_TRAFFIC_CONTROL",
        "config": "CodeDeployDefault.OneAtATime",
        "load_balancer_info": SHOP_LB,
        "blue_green": bg_config(60),
        "termination_started": False,
        "auto_rollback": True,
    }
    info = deployment(
        deployment_id=deployment_id,
        status="Failed",
        created=created,
        completed=end + dt.timedelta(seconds=5),
        counts=overview(Pending=2, Failed=1, Skipped=1),
        revision=s3_revision("5.3.2"),
        previous=s3_revision("5.2.4"),
        error=HEALTH_CONSTRAINTS,
        rollback={
            "rollbackDeploymentId": rollback_id,
            "rollbackMessage": f"Automatic rollback triggered: deployment {deployment_id} failed; rolled back by {rollback_id}",
        },
        **common,
    )
    rollback = deployment(
        deployment_id=rollback_id,
        status="Succeeded",
        created=end + dt.timedelta(seconds=8),
        completed=end + dt.timedelta(minutes=3, seconds=41),
        counts=overview(Succeeded=2),
        revision=s3_revision("5.2.4"),
        rollback={"rollbackTriggeringDeploymentId": deployment_id, "rollbackMessage": f"Rollback of deployment {deployment_id}"},
        creator="codeDeployRollback",
        **common,
    )
    traffic = _shop_traffic(
        [health(i, "healthy", zone=n) for n, i in enumerate(BLUE_IDS)], _running(BLUE_IDS, dt.datetime(2026, 11, 2, 14, 3))
    )
    group = deployment_group(info, "b2e47d1c-5a93-4f08-8c6e-31d9a7f5e2b4", asg=SHOP_ASG)
    return snapshot(end + dt.timedelta(minutes=12), info, group, targets, traffic, rollback=rollback)


def termination_wait() -> Json:
    """Traffic moved, every target succeeded, the 60-minute termination wait runs: Blue goes 35 minutes after the snapshot.

    During that wait the deployment is still InProgress (ContinueDeployment TERMINATION_WAIT ends it early).
    """
    deployment_id = "d-5PLV7C2RA"
    created = dt.datetime(2026, 11, 29, 9, 2, 31, 14000)
    green, green_end = _green_succeeded(deployment_id, created + dt.timedelta(minutes=4))
    blue: list[Json] = []
    end = green_end
    for n, instance_id in enumerate(BLUE_IDS):
        events, end = track(SERVER_BLUE, green_end + dt.timedelta(seconds=15 + n))
        blue.append(instance_target(deployment_id, instance_id, "Blue", "Succeeded", events, at(end, 1)))
    info = deployment(
        deployment_id=deployment_id,
        application="shop-web",
        group="shop-web-prod",
        platform="Server",
        deployment_type="BLUE_GREEN",
        option="WITH_TRAFFIC_CONTROL",
        status="InProgress",
        config="CodeDeployDefault.OneAtATime",
        created=created,
        completed=None,
        counts=overview(Succeeded=4),
        revision=s3_revision("5.3.3"),
        previous=s3_revision("5.2.4"),
        load_balancer_info=SHOP_LB,
        blue_green=bg_config(60),
        termination_started=True,
    )
    traffic = _shop_traffic([health(i, "healthy", zone=n) for n, i in enumerate(GREEN_IDS)], None)
    group = deployment_group(info, "b2e47d1c-5a93-4f08-8c6e-31d9a7f5e2b4", asg=GREEN_ASG)
    recorded = end + dt.timedelta(minutes=25)
    return snapshot(recorded, info, group, blue + green, traffic)


def classic_elb() -> Json:
    """Classic Load Balancer: Green never passed the ELB health check at AllowTraffic; Blue stays InService."""
    deployment_id = "d-8HJS2V6YC"
    created = dt.datetime(2026, 11, 29, 5, 48, 9, 560000)
    allow_failed = {
        "errorCode": "UnknownError",
        "scriptName": "",
        "message": "The instance failed to pass the Elastic Load Balancing health checks in the allowed time.",
        "logTail": "",
    }
    targets = _blue_pending(deployment_id, at(created, 3))
    end = created
    for n, instance_id in enumerate(GREEN_IDS):
        events, end = track(
            SERVER_GREEN, created + dt.timedelta(minutes=4, seconds=2 * n), fail_at="AllowTraffic", diagnostics=allow_failed
        )
        targets.append(instance_target(deployment_id, instance_id, "Green", "Failed", events, at(end, 1)))
    info = deployment(
        deployment_id=deployment_id,
        application="shop-legacy",
        group="shop-legacy-prod",
        platform="Server",
        deployment_type="BLUE_GREEN",
        option="WITH_TRAFFIC_CONTROL",
        status="Failed",
        config="CodeDeployDefault.AllAtOnce",
        created=created,
        completed=end + dt.timedelta(seconds=4),
        counts=overview(Pending=2, Failed=2),
        revision=s3_revision("5.3.0"),
        previous=s3_revision("5.2.4"),
        error=HEALTH_CONSTRAINTS,
        load_balancer_info={"elbInfoList": [{"name": "shop-legacy-prod"}]},
        blue_green=bg_config(30, action="KEEP_ALIVE"),
        termination_started=False,
    )
    states = [classic_health(i, True) for i in BLUE_IDS] + [classic_health(i, False) for i in GREEN_IDS]
    traffic = {
        "elb": {"instanceHealth": {"shop-legacy-prod": states}},
        "ec2": {"instances": _running(BLUE_IDS, dt.datetime(2026, 10, 30, 9, 11))},
    }
    group = deployment_group(info, "71c3e9a5-0d2f-4b86-9e1a-4c7f2b5d8e03", asg="shop-legacy-prod-asg")
    return snapshot(end + dt.timedelta(minutes=3), info, group, targets, traffic)


INPLACE_IDS = ["i-0a7c3e1f9d5b2c846", "i-0f2b8d4a6c1e9f357", "i-03e5a9c7d1f4b6e28", "i-0c6d2f8b4a9e1c573"]


def in_place_capacity() -> Json:
    """In-place behind an ALB, HalfAtATime: two instances left out of the target group after failing."""
    deployment_id = "d-4VGN6E8PU"
    created = dt.datetime(2026, 11, 29, 10, 5, 44, 871000)
    start_failed = {
        "errorCode": "ScriptFailed",
        "scriptName": "scripts/start_server.sh",
        "message": "Script at specified location: scripts/start_server.sh failed with exit code 1",
        "logTail": "[stderr]Error: Cannot find module '/opt/shop-api/dist/server.js'\n",
    }
    targets: list[Json] = []
    end = created
    for n, instance_id in enumerate(INPLACE_IDS[:2]):
        events, end = track(
            SERVER_IN_PLACE_LB, created + dt.timedelta(seconds=4 + n), fail_at="ApplicationStart", diagnostics=start_failed
        )
        targets.append(instance_target(deployment_id, instance_id, None, "Failed", events, at(end, 1)))
    for n, instance_id in enumerate(INPLACE_IDS[2:]):
        events, _ = track(SERVER_IN_PLACE_LB, created, skipped_from="BeforeBlockTraffic")
        targets.append(instance_target(deployment_id, instance_id, None, "Skipped", events, at(end, 2 + n)))
    api_tg = ("shop-api-tg", "9d2b6f1e4a8c3e57")
    info = deployment(
        deployment_id=deployment_id,
        application="shop-api",
        group="shop-api-prod",
        platform="Server",
        deployment_type="IN_PLACE",
        option="WITH_TRAFFIC_CONTROL",
        status="Failed",
        config="CodeDeployDefault.HalfAtATime",
        created=created,
        completed=end + dt.timedelta(seconds=3),
        counts=overview(Failed=2, Skipped=2),
        revision=s3_revision("5.3.0"),
        previous=s3_revision("5.2.4"),
        error=HEALTH_CONSTRAINTS,
        load_balancer_info={"targetGroupInfoList": [{"name": api_tg[0]}]},
    )
    health_items = [health(i, "healthy", zone=n, port=8080) for n, i in enumerate(INPLACE_IDS[2:])]
    traffic = {
        "elbv2": {
            "targetGroups": [target_group(*api_tg, [ALB_ARN], port=8080)],
            "targetHealth": {target_group_arn(*api_tg): health_items},
        },
        "deploymentConfig": {
            "deploymentConfigId": "c8a5e3f1-2b7d-4e96-a0c4-6f1d9b3e7a25",
            "deploymentConfigName": "CodeDeployDefault.HalfAtATime",
            "minimumHealthyHosts": {"type": "FLEET_PERCENT", "value": 50},
            "createTime": "2014-10-06T00:00:00Z",
            "computePlatform": "Server",
        },
    }
    group = deployment_group(info, "5e0a2c7f-9b41-4d3e-86f2-a1c9e4b7d053")
    return snapshot(end + dt.timedelta(minutes=4), info, group, targets, traffic)


def in_place_no_load_balancer() -> Json:
    """In-place without a load balancer: one instance left with its application stopped."""
    deployment_id = "d-1XKT5W3GM"
    created = dt.datetime(2026, 11, 29, 11, 20, 3, 402000)
    start_failed = {
        "errorCode": "ScriptTimedOut",
        "scriptName": "scripts/start_worker.sh",
        "message": "Script at specified location: scripts/start_worker.sh failed to complete in 300 seconds",
        "logTail": "[stdout]Waiting for queue connection...\n",
    }
    events, end = track(SERVER_IN_PLACE, created + dt.timedelta(seconds=5), fail_at="ApplicationStart", diagnostics=start_failed)
    targets = [instance_target(deployment_id, INPLACE_IDS[0], None, "Failed", events, at(end, 1))]
    for n, instance_id in enumerate(INPLACE_IDS[1:3]):
        skipped, _ = track(SERVER_IN_PLACE, created, skipped_from="ApplicationStop")
        targets.append(instance_target(deployment_id, instance_id, None, "Skipped", skipped, at(end, 2 + n)))
    info = deployment(
        deployment_id=deployment_id,
        application="shop-worker",
        group="shop-worker-prod",
        platform="Server",
        deployment_type="IN_PLACE",
        option="WITHOUT_TRAFFIC_CONTROL",
        status="Failed",
        config="CodeDeployDefault.OneAtATime",
        created=created,
        completed=end + dt.timedelta(seconds=2),
        counts=overview(Failed=1, Skipped=2),
        revision=s3_revision("5.3.0"),
        previous=s3_revision("5.2.4"),
        error=HEALTH_CONSTRAINTS,
    )
    group = deployment_group(info, "0d6f3b9e-7c12-4a58-b3e9-2f8a1c6d4e70")
    return snapshot(end + dt.timedelta(minutes=2), info, group, targets, {})


# --- ECS ---------------------------------------------------------------------------------------

ECS_CLUSTER = "orders-prod"
ECS_SERVICE = "orders-api"
ECS_TG_BLUE = ("orders-tg-blue", "1e5a9c3f7b2d6e48")
ECS_TG_GREEN = ("orders-tg-green", "6c2e8a4f1b9d3e75")
PROD_LISTENER = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:listener/app/orders-prod/3f7a1c9e5b2d8e41/9b4d2f6a8c1e3b57"
TEST_LISTENER = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:listener/app/orders-prod/3f7a1c9e5b2d8e41/2a6c8e1f4b7d9c30"
BLUE_TASK_SET = "ecs-svc/2758196840351167201"
GREEN_TASK_SET = "ecs-svc/6413827095518302884"
ECS_LB_INFO = {
    "targetGroupPairInfoList": [
        {
            "targetGroups": [{"name": ECS_TG_BLUE[0]}, {"name": ECS_TG_GREEN[0]}],
            "prodTrafficRoute": {"listenerArns": [PROD_LISTENER]},
            "testTrafficRoute": {"listenerArns": [TEST_LISTENER]},
        }
    ]
}
ECS_APPSPEC = (
    '{"version":0.0,"Resources":[{"TargetService":{"Type":"AWS::ECS::Service","Properties":{"TaskDefinition":'
    f'"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/orders-api:42","LoadBalancerInfo":{{"ContainerName":"orders-api",'
    '"ContainerPort":8080}}}}}]}'
)


def _ecs_info(
    deployment_id: str, status: str, created: dt.datetime, completed: dt.datetime, error: tuple[str, str], config: str
) -> Json:
    return deployment(
        deployment_id=deployment_id,
        application="orders-api",
        group="orders-api-prod",
        platform="ECS",
        deployment_type="BLUE_GREEN",
        option="WITH_TRAFFIC_CONTROL",
        status=status,
        config=config,
        created=created,
        completed=completed,
        counts=overview(Failed=1),
        revision=appspec_revision(ECS_APPSPEC, "6f1c9e3a5d7b2f48e0a6c2d4f8b1e3a5c7d9f0b2e4a6c8d1f3b5e7a9c0d2f4b6"),
        error=error,
        load_balancer_info=ECS_LB_INFO,
        blue_green=bg_config(5, provisioning=None),
    )


def _task_set_info(identifier: str, label: str, status: str, weight: float, running: int, tg: str) -> Json:
    return {
        "identifer": identifier,
        "desiredCount": 3,
        "pendingCount": 0,
        "runningCount": running,
        "status": status,
        "trafficWeight": weight,
        "targetGroup": {"name": tg},
        "taskSetLabel": label,
    }


def _ecs_target(deployment_id: str, events: list[Json], updated: str, task_sets: list[Json]) -> Json:
    body: Json = {
        "deploymentId": deployment_id,
        "targetId": f"{ECS_CLUSTER}:{ECS_SERVICE}",
        "targetArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/{ECS_CLUSTER}/{ECS_SERVICE}",
        "lastUpdatedAt": updated,
        "lifecycleEvents": events,
        "status": "Failed",
    }
    if task_sets:
        body["taskSetsInfo"] = task_sets
    return {"deploymentTargetType": "ECSTarget", "ecsTarget": body}


def _network() -> Json:
    return {"awsvpcConfiguration": {"subnets": SUBNETS, "securityGroups": [SECURITY_GROUP], "assignPublicIp": "DISABLED"}}


def _task_set(identifier: str, status: str, revision: int, tg: tuple[str, str], running: int, created: dt.datetime) -> Json:
    service_arn = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/{ECS_CLUSTER}/{ECS_SERVICE}"
    return {
        "id": identifier,
        "taskSetArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-set/{ECS_CLUSTER}/{ECS_SERVICE}/{identifier}",
        "serviceArn": service_arn,
        "clusterArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{ECS_CLUSTER}",
        "startedBy": "CodeDeploy",
        "status": status,
        "taskDefinition": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/orders-api:{revision}",
        "computedDesiredCount": 3,
        "pendingCount": 0,
        "runningCount": running,
        "createdAt": at(created, 0),
        "updatedAt": at(created, 95),
        "launchType": "FARGATE",
        "platformVersion": "1.4.0",
        "platformFamily": "Linux",
        "networkConfiguration": _network(),
        "loadBalancers": [{"targetGroupArn": target_group_arn(*tg), "containerName": "orders-api", "containerPort": 8080}],
        "serviceRegistries": [],
        "scale": {"value": 100.0, "unit": "PERCENT"},
        "stabilityStatus": "STEADY_STATE",
        "stabilityStatusAt": at(created, 120),
    }


def _ecs_service(controller: str, task_sets: list[Json], created: dt.datetime, deployments: list[Json] | None = None) -> Json:
    service: Json = {
        "serviceArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/{ECS_CLUSTER}/{ECS_SERVICE}",
        "serviceName": ECS_SERVICE,
        "clusterArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{ECS_CLUSTER}",
        "loadBalancers": [
            {"targetGroupArn": target_group_arn(*ECS_TG_BLUE), "containerName": "orders-api", "containerPort": 8080}
        ],
        "serviceRegistries": [],
        "status": "ACTIVE",
        "desiredCount": 3,
        "runningCount": 3,
        "pendingCount": 0,
        "launchType": "FARGATE",
        "platformVersion": "LATEST",
        "platformFamily": "Linux",
        "taskDefinition": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/orders-api:41",
        "deploymentConfiguration": {"maximumPercent": 200, "minimumHealthyPercent": 100},
        "roleArn": f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
        "events": [],
        "createdAt": at(created, 0),
        "placementConstraints": [],
        "placementStrategy": [],
        "networkConfiguration": _network(),
        "healthCheckGracePeriodSeconds": 60,
        "schedulingStrategy": "REPLICA",
        "deploymentController": {"type": controller},
        "createdBy": f"arn:aws:iam::{ACCOUNT}:role/platform-deployer",
        "enableECSManagedTags": True,
        "propagateTags": "NONE",
        "enableExecuteCommand": False,
    }
    if task_sets:
        service["taskSets"] = task_sets
    if deployments is not None:
        service["deployments"] = deployments
    return service


def _ecs_traffic(prod: Json, test: Json, blue_health: list[Json], green_health: list[Json] | None, service: Json) -> Json:
    target_health = {target_group_arn(*ECS_TG_BLUE): blue_health}
    if green_health is not None:
        target_health[target_group_arn(*ECS_TG_GREEN)] = green_health
    return {
        "elbv2": {
            "targetGroups": [
                target_group(*ECS_TG_BLUE, [ECS_ALB_ARN], target_type="ip", port=8080),
                target_group(*ECS_TG_GREEN, [ECS_ALB_ARN], target_type="ip", port=8080),
            ],
            "targetHealth": target_health,
            "listeners": [listener(PROD_LISTENER, 80, prod), listener(TEST_LISTENER, 8080, test)],
        },
        "ecs": {"services": [service]},
    }


def _ips(prefix: str) -> list[Json]:
    return [health(f"10.0.{n + 1}.{prefix}{n}", "healthy", zone=n, port=8080) for n in range(3)]


HOOK_FAILED = {
    "errorCode": "ScriptFailed",
    "scriptName": "",
    "message": "The deployment failed because the lifecycle hook CodeDeployHook_orders-validate reported status Failed.",
    "logTail": "",
}


def ecs_untouched() -> Json:
    """ECS failed at the AfterInstall hook: production still forwards 100% to Blue."""
    deployment_id = "d-6QBA1R4ZS"
    created = dt.datetime(2026, 11, 29, 9, 41, 17, 305000)
    events, end = track(ECS_EVENTS, created + dt.timedelta(seconds=3), fail_at="AfterInstall", diagnostics=HOOK_FAILED, step=40)
    task_sets = [
        _task_set_info(BLUE_TASK_SET, "Blue", "PRIMARY", 100.0, 3, ECS_TG_BLUE[0]),
        _task_set_info(GREEN_TASK_SET, "Green", "ACTIVE", 0.0, 3, ECS_TG_GREEN[0]),
    ]
    info = _ecs_info(
        deployment_id,
        "Failed",
        created,
        end + dt.timedelta(seconds=30),
        ("HOOK_EXECUTION_FAILURE", "Lifecycle hook CodeDeployHook_orders-validate failed for event AfterInstall."),
        "CodeDeployDefault.ECSAllAtOnce",
    )
    service = _ecs_service(
        "CODE_DEPLOY",
        [
            _task_set(BLUE_TASK_SET, "PRIMARY", 41, ECS_TG_BLUE, 3, dt.datetime(2026, 11, 20, 16, 2)),
            _task_set(GREEN_TASK_SET, "ACTIVE", 42, ECS_TG_GREEN, 3, created + dt.timedelta(seconds=45)),
        ],
        dt.datetime(2026, 9, 1, 12),
    )
    blue_arn, green_arn = target_group_arn(*ECS_TG_BLUE), target_group_arn(*ECS_TG_GREEN)
    traffic = _ecs_traffic(forward([(blue_arn, 1)]), forward([(blue_arn, 1)]), _ips("1"), _ips("5"), service)
    del green_arn
    group = deployment_group(info, "3a9d7f1c-6e24-4b58-9f0d-8c2e5a1b7d46", ecs_service=(ECS_CLUSTER, ECS_SERVICE))
    return snapshot(
        end + dt.timedelta(minutes=3), info, group, [_ecs_target(deployment_id, events, at(end, 2), task_sets)], traffic
    )


def ecs_half_shifted() -> Json:
    """ECS linear shift stopped by an alarm at 50%: the listener splits production 50/50."""
    deployment_id = "d-0EUW7H2KC"
    created = dt.datetime(2026, 11, 29, 13, 2, 50, 640000)
    alarm = {
        "errorCode": "UnknownError",
        "scriptName": "",
        "message": "The deployment was stopped because the alarm orders-api-5xx-rate was in the ALARM state.",
        "logTail": "",
    }
    events, end = track(ECS_EVENTS, created + dt.timedelta(seconds=3), fail_at="AllowTraffic", diagnostics=alarm, step=60)
    task_sets = [
        _task_set_info(BLUE_TASK_SET, "Blue", "PRIMARY", 50.0, 3, ECS_TG_BLUE[0]),
        _task_set_info(GREEN_TASK_SET, "Green", "ACTIVE", 50.0, 3, ECS_TG_GREEN[0]),
    ]
    info = _ecs_info(
        deployment_id,
        "Failed",
        created,
        end + dt.timedelta(seconds=10),
        ("ALARM_ACTIVE", "One or more alarms have been activated according to the Amazon CloudWatch metrics you selected."),
        "CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
    )
    service = _ecs_service(
        "CODE_DEPLOY",
        [
            _task_set(BLUE_TASK_SET, "PRIMARY", 41, ECS_TG_BLUE, 3, dt.datetime(2026, 11, 20, 16, 2)),
            _task_set(GREEN_TASK_SET, "ACTIVE", 42, ECS_TG_GREEN, 3, created + dt.timedelta(seconds=45)),
        ],
        dt.datetime(2026, 9, 1, 12),
    )
    blue_arn, green_arn = target_group_arn(*ECS_TG_BLUE), target_group_arn(*ECS_TG_GREEN)
    traffic = _ecs_traffic(forward([(blue_arn, 50), (green_arn, 50)]), forward([(green_arn, 1)]), _ips("1"), _ips("5"), service)
    group = deployment_group(info, "3a9d7f1c-6e24-4b58-9f0d-8c2e5a1b7d46", ecs_service=(ECS_CLUSTER, ECS_SERVICE))
    return snapshot(
        end + dt.timedelta(minutes=2), info, group, [_ecs_target(deployment_id, events, at(end, 2), task_sets)], traffic
    )


def ecs_not_code_deploy() -> Json:
    """The ECS service uses the ECS deployment controller: CodeDeploy could not start, production is unchanged."""
    deployment_id = "d-8NYF3P6JD"
    created = dt.datetime(2026, 11, 29, 14, 30, 8, 12000)
    events, _ = track(ECS_EVENTS, created, skipped_from="BeforeInstall")
    end = created + dt.timedelta(seconds=6)
    info = _ecs_info(
        deployment_id,
        "Failed",
        created,
        end,
        (
            "INVALID_ECS_SERVICE",
            "Deployment failed because the Amazon ECS service orders-api in cluster orders-prod does not use the "
            "CODE_DEPLOY deployment controller.",
        ),
        "CodeDeployDefault.ECSAllAtOnce",
    )
    primary = {
        "id": "ecs-svc/5318027946631150482",
        "status": "PRIMARY",
        "taskDefinition": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/orders-api:41",
        "desiredCount": 3,
        "pendingCount": 0,
        "runningCount": 3,
        "failedTasks": 0,
        "createdAt": "2026-11-20T16:02:00.000000Z",
        "updatedAt": "2026-11-20T16:05:12.000000Z",
        "launchType": "FARGATE",
        "platformVersion": "1.4.0",
        "platformFamily": "Linux",
        "networkConfiguration": _network(),
        "rolloutState": "COMPLETED",
        "rolloutStateReason": "ECS deployment ecs-svc/5318027946631150482 completed.",
    }
    service = _ecs_service("ECS", [], dt.datetime(2026, 9, 1, 12), deployments=[primary])
    blue_arn = target_group_arn(*ECS_TG_BLUE)
    traffic = _ecs_traffic(forward([(blue_arn, 1)]), forward([(blue_arn, 1)]), _ips("1"), [], service)
    group = deployment_group(info, "3a9d7f1c-6e24-4b58-9f0d-8c2e5a1b7d46", ecs_service=(ECS_CLUSTER, ECS_SERVICE))
    return snapshot(end + dt.timedelta(minutes=1), info, group, [_ecs_target(deployment_id, events, at(end, 0), [])], traffic)


# --- Lambda ------------------------------------------------------------------------------------

FUNCTION = "checkout-api"
ALIAS = "live"
LAMBDA_APPSPEC = (
    '{"version":0.0,"Resources":[{"checkout":{"Type":"AWS::Lambda::Function","Properties":{"Name":"checkout-api",'
    '"Alias":"live","CurrentVersion":"7","TargetVersion":"8"}}}]}'
)


def _lambda_snapshot(
    deployment_id: str,
    created: dt.datetime,
    events: list[Json],
    end: dt.datetime,
    weight: float,
    alias: Json,
    error: tuple[str, str],
    config: str,
) -> Json:
    info = deployment(
        deployment_id=deployment_id,
        application="checkout",
        group="checkout-prod",
        platform="Lambda",
        deployment_type="BLUE_GREEN",
        option="WITH_TRAFFIC_CONTROL",
        status="Failed",
        config=config,
        created=created,
        completed=end + dt.timedelta(seconds=2),
        counts=overview(Failed=1),
        revision=appspec_revision(LAMBDA_APPSPEC, "2c4e6a8f0b1d3f5a7c9e2b4d6f8a0c1e3b5d7f9a2c4e6b8d0f1a3c5e7b9d2f4a"),
        error=error,
    )
    target = {
        "deploymentTargetType": "LambdaTarget",
        "lambdaTarget": {
            "deploymentId": deployment_id,
            "targetId": FUNCTION,
            "targetArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{FUNCTION}:{ALIAS}",
            "status": "Failed",
            "lastUpdatedAt": at(end, 1),
            "lifecycleEvents": events,
            "lambdaFunctionInfo": {
                "functionName": FUNCTION,
                "functionAlias": ALIAS,
                "currentVersion": "7",
                "targetVersion": "8",
                "targetVersionWeight": weight,
            },
        },
    }
    group = deployment_group(info, "e4b1d7a3-8c5f-4e29-b6d0-1a3c9f7e2b58")
    return snapshot(end + dt.timedelta(minutes=2), info, group, [target], {"lambda": {"aliases": [alias]}})


def _alias(version: str, weights: dict[str, float] | None) -> Json:
    alias: Json = {
        "AliasArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{FUNCTION}:{ALIAS}",
        "Name": ALIAS,
        "FunctionVersion": version,
        "Description": "production traffic",
    }
    if weights:
        alias["RoutingConfig"] = {"AdditionalVersionWeights": weights}
    alias["RevisionId"] = "8d3f1b7e-5a2c-4e96-b0d4-7c1e9a3f5b28"
    return alias


def lambda_weighted() -> Json:
    """Canary 10% stopped by an alarm with rollback off: the alias still sends 10% to version 8."""
    created = dt.datetime(2026, 11, 29, 15, 10, 2, 77000)
    alarm = {
        "errorCode": "UnknownError",
        "scriptName": "",
        "message": "The deployment was stopped because the alarm checkout-api-errors was in the ALARM state.",
        "logTail": "",
    }
    events, end = track(LAMBDA_EVENTS, created + dt.timedelta(seconds=2), fail_at="AllowTraffic", diagnostics=alarm, step=150)
    return _lambda_snapshot(
        "d-3CJD9L5VQ",
        created,
        events,
        end,
        0.1,
        _alias("7", {"8": 0.1}),
        ("ALARM_ACTIVE", "One or more alarms have been activated according to the Amazon CloudWatch metrics you selected."),
        "CodeDeployDefault.LambdaCanary10Percent5Minutes",
    )


def lambda_fully_shifted() -> Json:
    """All traffic moved to version 8, then the AfterAllowTraffic hook failed; no rollback."""
    created = dt.datetime(2026, 11, 29, 16, 44, 31, 509000)
    hook = {
        "errorCode": "ScriptFailed",
        "scriptName": "",
        "message": "The deployment failed because the AfterAllowTraffic hook checkout-api-smoke reported status Failed.",
        "logTail": "",
    }
    events, end = track(LAMBDA_EVENTS, created + dt.timedelta(seconds=2), fail_at="AfterAllowTraffic", diagnostics=hook, step=20)
    return _lambda_snapshot(
        "d-7GHM2S8XN",
        created,
        events,
        end,
        1.0,
        _alias("8", None),
        ("HOOK_EXECUTION_FAILURE", "Lifecycle hook checkout-api-smoke failed for event AfterAllowTraffic."),
        "CodeDeployDefault.LambdaAllAtOnce",
    )


SCENARIOS: dict[str, Callable[[], Json]] = {
    "traffic-server-bg-untouched-blue": untouched_blue,
    "traffic-server-bg-deregistered-green-unhealthy": deregistered_green_unhealthy,
    "traffic-server-bg-rolled-back": rolled_back,
    "traffic-server-bg-blue-terminated": blue_terminated,
    "traffic-server-bg-lb-unreadable": lb_unreadable,
    "traffic-server-bg-termination-wait": termination_wait,
    "traffic-server-classic-elb": classic_elb,
    "traffic-server-inplace-capacity": in_place_capacity,
    "traffic-server-inplace-no-load-balancer": in_place_no_load_balancer,
    "ecs-untouched": ecs_untouched,
    "ecs-half-shifted": ecs_half_shifted,
    "ecs-not-code-deploy-controller": ecs_not_code_deploy,
    "lambda-canary-weighted": lambda_weighted,
    "lambda-fully-shifted-after-allow-failed": lambda_fully_shifted,
}
"""Fixture name -> builder."""


def render(data: Json) -> str:
    """The file text: the same layout ``dump_snapshot`` writes."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    """Write every scenario to ``fixtures/``."""
    for name, build in SCENARIOS.items():
        (FIXTURES / f"{name}.json").write_text(render(build()), encoding="utf-8")
        print(f"wrote fixtures/{name}.json")


if __name__ == "__main__":
    main()
