"""Snapshots of every replay situation at any size, built from the project's fixtures in milliseconds.

Each situation takes one fixture (``fixtures/*.json``) as its template and repeats its targets
until the snapshot holds ``total`` of them, each with its own id, and scales the traffic layer
with them (one EC2 instance and one target-health entry per instance, one alias per function,
one registered task per ECS target). The deployment overview is recounted, so the snapshot is
consistent (``tests/shapes.check_consistency``). Objects that do not vary (the succeeded events,
the target group) are shared between targets rather than copied: the file written is the same,
and a 20,000-target snapshot builds in well under a second.

Situations (``SITUATIONS``):

- ``inplace-no-lb``: Server in-place without a load balancer, every target failed at
  ApplicationStart (ScriptTimedOut), every instance described by EC2 (a hand-written or
  recorded file may hold them all);
- ``inplace-lb``: Server in-place behind one target group: half the targets failed
  (unhealthy in the target group), half succeeded (healthy); the deployment config is read;
- ``bluegreen``: Server blue/green (``benchmarks/workload.py``): every Green target failed
  at ValidateService, Blue pending; target health lists every instance (Blue healthy, Green
  unhealthy) and EC2 describes every instance;
- ``ecs``: ECS blue/green with task sets (``ecs-half-shifted``): every target failed at
  AllowTraffic, each target's tasks registered in the Blue and Green target groups;
- ``lambda``: Lambda canary (``lambda-canary-weighted``): every function failed at
  AllowTraffic, one alias per function;
- ``distinct-tails``: ``inplace-no-lb`` where every failure has its own 2 KB log tail (nothing
  two targets share, so no cache helps);
- ``agent-log``: ``inplace-no-lb`` with a 1 MB agent log (``extraLogs``, no target named)
  mixing this deployment's lines with another deployment's and older ones.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
from collections import Counter
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from benchmarks import workload

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

SITUATIONS = ("inplace-no-lb", "inplace-lb", "bluegreen", "ecs", "lambda", "distinct-tails", "agent-log")
"""Every replay situation, in the order the benchmark prints them."""

TAIL_BYTES = 2048
"""Size of each distinct log tail in ``distinct-tails``."""

AGENT_LOG_BYTES = 1024 * 1024
"""Size of the agent log in ``agent-log``."""

_ID_CODES = {name: "ABCDEFG"[index] for index, name in enumerate(SITUATIONS)}


@cache
def _fixture(name: str) -> dict[str, Any]:
    return dict(json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8")))


def _template(name: str) -> dict[str, Any]:
    return copy.deepcopy(_fixture(name))


def deployment_id(situation: str, total: int) -> str:
    """A valid deployment id distinct per (situation, size): ``d-`` and 9 upper-case characters."""
    if not 0 < total < 36**8:
        raise ValueError(f"cannot name a deployment of {total} targets")
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    code, number = "", total
    while number:
        number, rest = divmod(number, 36)
        code = digits[rest] + code
    return f"d-{_ID_CODES[situation]}{code.rjust(8, '0')}"


def instance_id(number: int, label: str = "") -> str:
    """An EC2 instance id (``i-`` and 17 hex digits), distinct per number and label."""
    prefix = {"": "c", "Green": "a", "Blue": "b"}[label]
    return f"i-{prefix}{number:016x}"


def _body_key(target: dict[str, Any]) -> str:
    return next(key for key in target if key != "deploymentTargetType")


def _status_of(target: dict[str, Any]) -> str:
    return str(target[_body_key(target)]["status"])


def _renamed(target: dict[str, Any], deployment: str, target_id: str, arn: str) -> dict[str, Any]:
    """A copy of ``target`` (its body copied one level, events shared) with another id."""
    key = _body_key(target)
    body = dict(target[key])
    body.update(deploymentId=deployment, targetId=target_id, targetArn=arn)
    return {"deploymentTargetType": target["deploymentTargetType"], key: body}


def _overview(targets: list[dict[str, Any]]) -> dict[str, int]:
    counts = Counter(_status_of(target) for target in targets)
    return {status: counts.get(status, 0) for status in ("Pending", "InProgress", "Succeeded", "Failed", "Skipped", "Ready")}


def _finish(snapshot: dict[str, Any], situation: str, total: int, targets: list[dict[str, Any]]) -> dict[str, Any]:
    new_id = deployment_id(situation, total)
    snapshot["deployment"]["deploymentId"] = new_id
    snapshot["deployment"]["deploymentOverview"] = _overview(targets)
    group = snapshot.get("deploymentGroup")
    if isinstance(group, dict) and isinstance(group.get("lastAttemptedDeployment"), dict):
        group["lastAttemptedDeployment"]["deploymentId"] = new_id
    snapshot["targets"] = targets
    return snapshot


def _ec2_instance(number: int, target_id: str, state: str = "running") -> dict[str, Any]:
    codes = {"running": 16, "stopped": 80}
    return {
        "InstanceId": target_id,
        "ImageId": "ami-0c55b159cbfafe1f0",
        "InstanceType": "m7g.large",
        "LaunchTime": "2026-11-25T08:00:00.000000Z",
        "State": {"Code": codes[state], "Name": state},
        "PrivateIpAddress": f"10.{20 + number // 62500}.{number // 250 % 250}.{number % 250 + 4}",
        "SubnetId": "subnet-0a1b2c3d4e5f60718",
        "VpcId": workload.VPC,
        "IamInstanceProfile": {
            "Arn": f"arn:aws:iam::{workload.ACCOUNT}:instance-profile/shop-web",
            "Id": "AIPAEXAMPLE0000000001",
        },
        "Tags": [{"Key": "aws:autoscaling:groupName", "Value": "shop-web-prod-asg"}],
    }


def _health(target_id: str, state: str, port: int = 8080) -> dict[str, Any]:
    health: dict[str, Any] = {"State": state}
    if state == "unhealthy":
        health.update(Reason="Target.FailedHealthChecks", Description="Health checks failed")
    return {"Target": {"Id": target_id, "Port": port}, "HealthCheckPort": str(port), "TargetHealth": health}


def _instance_arn(target_id: str) -> str:
    return f"arn:aws:ec2:{workload.REGION}:{workload.ACCOUNT}:instance/{target_id}"


# -- the situations -------------------------------------------------------------------------


def inplace_no_lb(total: int, situation: str = "inplace-no-lb") -> dict[str, Any]:
    """Server in-place, no load balancer, every target failed, every instance described."""
    snapshot = _template("traffic-server-inplace-no-load-balancer")
    failed = next(t for t in snapshot["targets"] if _status_of(t) == "Failed")
    new_id = deployment_id(situation, total)
    ids = [instance_id(n) for n in range(total)]
    targets = [_renamed(failed, new_id, target_id, _instance_arn(target_id)) for target_id in ids]
    snapshot["traffic"] = {"ec2": {"instances": [_ec2_instance(n, target_id) for n, target_id in enumerate(ids)]}}
    return _finish(snapshot, situation, total, targets)


def inplace_lb(total: int) -> dict[str, Any]:
    """Server in-place behind a target group: half failed (unhealthy), half succeeded (healthy)."""
    situation = "inplace-lb"
    snapshot = _template("traffic-server-inplace-capacity")
    failed = next(t for t in snapshot["targets"] if _status_of(t) == "Failed")
    succeeded = _succeeded_like(failed)
    new_id = deployment_id(situation, total)
    ids = [instance_id(n) for n in range(total)]
    targets = [
        _renamed(failed if n % 2 == 0 else succeeded, new_id, target_id, _instance_arn(target_id))
        for n, target_id in enumerate(ids)
    ]
    elbv2 = snapshot["traffic"]["elbv2"]
    (arn,) = elbv2["targetHealth"]
    elbv2["targetHealth"] = {
        arn: [_health(target_id, "unhealthy" if n % 2 == 0 else "healthy") for n, target_id in enumerate(ids)]
    }
    snapshot["traffic"]["ec2"] = {"instances": [_ec2_instance(n, target_id) for n, target_id in enumerate(ids)]}
    return _finish(snapshot, situation, total, targets)


def _succeeded_like(failed: dict[str, Any]) -> dict[str, Any]:
    key = _body_key(failed)
    body = dict(failed[key])
    events = []
    for event in body["lifecycleEvents"]:
        event = dict(event)
        if event["status"] != "Succeeded":
            event.update(
                status="Succeeded",
                startTime=event.get("startTime") or body["lastUpdatedAt"],
                endTime=event.get("endTime") or body["lastUpdatedAt"],
                diagnostics={"errorCode": "Success", "scriptName": "", "message": "Succeeded", "logTail": ""},
            )
        events.append(event)
    body.update(status="Succeeded", lifecycleEvents=events)
    return {"deploymentTargetType": failed["deploymentTargetType"], key: body}


def bluegreen(total: int) -> dict[str, Any]:
    """Server blue/green: Green failed, Blue pending; target health and EC2 hold every instance."""
    situation = "bluegreen"
    made = workload.blue_green_workload(total, total - total // 2)
    snapshot = made.snapshot
    for target in snapshot["targets"]:
        target["instanceTarget"]["deploymentId"] = deployment_id(situation, total)
    health = [_health(i, "healthy") for i in made.blue_ids] + [_health(i, "unhealthy") for i in made.green_ids]
    ids = [*made.blue_ids, *made.green_ids]
    snapshot["traffic"] = {
        "elbv2": {"targetGroups": [workload.target_group()], "targetHealth": {workload.TARGET_GROUP_ARN: health}},
        "ec2": {"instances": [_ec2_instance(n, target_id) for n, target_id in enumerate(sorted(ids))]},
    }
    return _finish(snapshot, situation, total, snapshot["targets"])


def ecs(total: int) -> dict[str, Any]:
    """ECS blue/green with task sets: every target failed at AllowTraffic, its tasks registered in both groups."""
    situation = "ecs"
    snapshot = _template("ecs-half-shifted")
    (template,) = snapshot["targets"]
    body = template["ecsTarget"]
    cluster, service = body["targetId"].split(":")
    new_id = deployment_id(situation, total)
    targets = [template]
    template["ecsTarget"]["deploymentId"] = new_id
    for n in range(1, total):
        name = f"{service}-{n:05d}"
        arn = body["targetArn"].replace(f"/{service}", f"/{name}")
        targets.append(_renamed(template, new_id, f"{cluster}:{name}", arn))
    elbv2 = snapshot["traffic"]["elbv2"]
    elbv2["targetHealth"] = {
        arn: [_health(f"10.{n // 62500}.{n // 250 % 250}.{n % 250 + 4}", "healthy") for n in range(total)]
        for arn in elbv2["targetHealth"]
    }
    return _finish(snapshot, situation, total, targets)


def lambda_functions(total: int) -> dict[str, Any]:
    """Lambda canary: every function failed at AllowTraffic, one alias per function."""
    situation = "lambda"
    snapshot = _template("lambda-canary-weighted")
    (template,) = snapshot["targets"]
    body = template["lambdaTarget"]
    function = body["targetId"]
    (alias,) = snapshot["traffic"]["lambda"]["aliases"]
    new_id = deployment_id(situation, total)
    targets = [template]
    aliases = [alias]
    template["lambdaTarget"]["deploymentId"] = new_id
    for n in range(1, total):
        name = f"{function}-{n:05d}"
        arn = body["targetArn"].replace(f":function:{function}:", f":function:{name}:")
        target = _renamed(template, new_id, name, arn)
        target["lambdaTarget"]["lambdaFunctionInfo"] = {**body["lambdaFunctionInfo"], "functionName": name}
        targets.append(target)
        aliases.append({**alias, "AliasArn": alias["AliasArn"].replace(f":function:{function}:", f":function:{name}:")})
    snapshot["traffic"]["lambda"] = {"aliases": aliases}
    return _finish(snapshot, situation, total, targets)


_WORDS = (
    *("worker", "queue", "connect", "retry", "timeout", "broker", "consumer", "heartbeat", "shard", "offset"),
    *("partition", "lag", "cache", "warmup", "config", "reload", "socket", "listen", "bind", "port"),
    *("handshake", "tls", "cert", "pool", "lease", "token"),
)


def distinct_tails(total: int, *, seed: int = 7) -> dict[str, Any]:
    """In-place, every failure with its own 2 KB log tail."""
    snapshot = inplace_no_lb(total, "distinct-tails")
    rng = random.Random(seed)
    for number, target in enumerate(snapshot["targets"]):
        body = target["instanceTarget"]
        events = list(body["lifecycleEvents"])
        index = next(i for i, event in enumerate(events) if event["status"] == "Failed")
        event = dict(events[index])
        event["diagnostics"] = {**event["diagnostics"], "logTail": _tail(rng, number)}
        events[index] = event
        body["lifecycleEvents"] = events
    return snapshot


def _tail(rng: random.Random, number: int) -> str:
    lines: list[str] = []
    size = 0
    while size < TAIL_BYTES:
        words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(6, 14)))
        line = f"[stdout]2026-11-29 11:20:{size % 60:02d} worker-{number}: {words} id={rng.getrandbits(48):012x}"
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines)[:TAIL_BYTES] + "\n"


def agent_log(total: int) -> dict[str, Any]:
    """In-place, every target failed, with a 1 MB agent log naming this deployment and others."""
    snapshot = inplace_no_lb(total, "agent-log")
    ours = snapshot["deployment"]["deploymentId"]
    start = dt.datetime.fromisoformat(snapshot["deployment"]["createTime"].replace("Z", "+00:00"))
    lines: list[str] = []
    size = 0
    number = 0
    while size < AGENT_LOG_BYTES:
        # Three weeks of history, then this deployment's lines: most lines are old or another deployment's.
        moment = start - dt.timedelta(days=21) + dt.timedelta(seconds=number * 30)
        if moment > start:
            moment = start + dt.timedelta(seconds=number % 40)
        deployment = ours if number % 3 == 0 else "d-OTHER0001"
        line = (
            f"{moment:%Y-%m-%d %H:%M:%S} INFO  [codedeploy-agent(3036)]: [Aws::CodeDeployCommand::Client] "
            f"poll_host_command: deployment {deployment} lifecycle event ApplicationStart, attempt {number}"
        )
        lines.append(line)
        size += len(line) + 1
        number += 1
    snapshot["extraLogs"] = [{"source": "agent-log:codedeploy-agent.log", "lines": lines}]
    return snapshot


BUILDERS: dict[str, Callable[[int], dict[str, Any]]] = {
    "inplace-no-lb": inplace_no_lb,
    "inplace-lb": inplace_lb,
    "bluegreen": bluegreen,
    "ecs": ecs,
    "lambda": lambda_functions,
    "distinct-tails": distinct_tails,
    "agent-log": agent_log,
}


def build(situation: str, total: int) -> dict[str, Any]:
    """The snapshot of ``situation`` holding ``total`` targets."""
    if total < 2:
        raise ValueError("a situation needs at least 2 targets")
    return BUILDERS[situation](total)


def write(situation: str, total: int, path: Path) -> Path:
    """Write the snapshot of ``situation`` at ``total`` targets to ``path`` (compact JSON)."""
    path.write_text(json.dumps(build(situation, total), separators=(",", ":")), encoding="utf-8")
    return path
