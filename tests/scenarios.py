"""Scenario helpers shared by the verdict and diagnosis tests (variations of the bundled fixtures)."""

from __future__ import annotations

import json
from typing import Any

from codedeploy_doctor.diagnosis import diagnose
from codedeploy_doctor.report import BlueTraffic
from codedeploy_doctor.snapshot import load_snapshot, snapshot_from_json
from tests.support import FIXTURES


def _report(name: str):  # type: ignore[no-untyped-def]
    return diagnose(load_snapshot(FIXTURES / f"{name}.json"))


WEB_TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-prod-tg/4b8e1d6a3f9c2e70"


API_TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-api-tg/7c1e5a9d3b8f2e64"


def _verdict(data: dict[str, object]) -> BlueTraffic:
    from codedeploy_doctor.traffic import assess_blue_traffic

    return assess_blue_traffic(snapshot_from_json(json.loads(json.dumps(data)), "test"))


def _health(target_id: str, state: str) -> dict[str, object]:
    return {"Target": {"Id": target_id, "Port": 80}, "TargetHealth": {"State": state}}


def _ecs_listener(data: dict[str, Any]) -> dict[str, Any]:
    arn = data["deployment"]["loadBalancerInfo"]["targetGroupPairInfoList"][0]["prodTrafficRoute"]["listenerArns"][0]
    return next(item for item in data["traffic"]["elbv2"]["listeners"] if item["ListenerArn"] == arn)  # type: ignore[no-any-return]


def _forward_to(*weighted: tuple[str, int]) -> list[dict[str, Any]]:
    groups = [{"TargetGroupArn": arn, "Weight": weight} for arn, weight in weighted]
    return [{"Type": "forward", "ForwardConfig": {"TargetGroups": groups}}]


def _two_groups(data: dict[str, Any], second: str, attached: bool = True) -> str:
    first_arn = next(iter(data["traffic"]["elbv2"]["targetHealth"]))
    arn = first_arn.replace(first_arn.split("/")[-2], second)
    data["deployment"]["loadBalancerInfo"]["targetGroupInfoList"].append({"name": second})
    groups = data["traffic"]["elbv2"]["targetGroups"]
    groups.append({**groups[0], "TargetGroupArn": arn, "TargetGroupName": second})
    if not attached:
        groups[-1]["LoadBalancerArns"] = []
    return arn
