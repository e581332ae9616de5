"""ECS verdicts: routes that differ, rules unread, Blue taken from the listener, services outside CodeDeploy."""

from __future__ import annotations

import pytest

from tests.scenarios import _ecs_listener, _forward_to, _verdict
from tests.support import load_fixture_json


def test_ecs_rules_denied_beside_a_default_to_blue_confirm_nothing() -> None:
    data = load_fixture_json("ecs-untouched")
    data["errors"] = [{"service": "elbv2", "operation": "DescribeRules", "code": "AccessDenied", "message": "no"}]
    result = _verdict(data)
    assert result.basis == "codedeploy-only"


def test_ecs_routes_that_differ_get_no_made_up_percentage() -> None:
    data = load_fixture_json("ecs-untouched")
    pair = data["deployment"]["loadBalancerInfo"]["targetGroupPairInfoList"][0]
    arn = pair["prodTrafficRoute"]["listenerArns"][0]
    listener = next(item for item in data["traffic"]["elbv2"]["listeners"] if item["ListenerArn"] == arn)
    blue_arn = listener["DefaultActions"][0]["ForwardConfig"]["TargetGroups"][0]["TargetGroupArn"]
    green_name = next(g["name"] for g in pair["targetGroups"] if g["name"] not in blue_arn)
    green_arn = blue_arn.replace(blue_arn.split("/")[-2], green_name)

    def forward(target_group: str) -> list[dict[str, object]]:
        return [{"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": target_group, "Weight": 1}]}}]

    listener["DefaultActions"] = forward(blue_arn)
    rule_actions = forward(green_arn)
    data["traffic"]["elbv2"]["rules"] = {
        arn: [{"RuleArn": arn + "/r10", "Priority": "10", "Conditions": [], "Actions": rule_actions, "IsDefault": False}]
    }
    result = _verdict(data)
    assert (result.verdict, result.basis) == ("partial", "traffic-layer")
    assert "production routes differ" in result.summary and "50%" not in result.summary
    assert all(env.traffic_share is None for env in result.environments)


def test_listeners_that_disagree_get_no_averaged_percentage() -> None:
    data = load_fixture_json("ecs-half-shifted")
    pair = data["deployment"]["loadBalancerInfo"]["targetGroupPairInfoList"][0]
    listeners = data["traffic"]["elbv2"]["listeners"]
    # The test listener becomes a second production listener sending everything to Green.
    pair["prodTrafficRoute"]["listenerArns"].append(listeners[1]["ListenerArn"])
    default = listeners[0]["DefaultActions"][0]["ForwardConfig"]["TargetGroups"]
    default[0]["Weight"], default[1]["Weight"] = 1, 0
    result = _verdict(data)
    assert result.verdict == "partial"
    assert "production routes differ" in result.summary and "50%" not in result.summary


def test_ecs_names_no_blue_from_the_listener_when_targets_could_not_be_listed() -> None:
    data = load_fixture_json("ecs-half-shifted")
    data["targets"] = []
    data["deployment"].pop("deploymentOverview", None)
    weights = data["traffic"]["elbv2"]["listeners"][0]["DefaultActions"][0]["ForwardConfig"]["TargetGroups"]
    weights[0]["Weight"], weights[1]["Weight"] = 0, 1
    denied = {"service": "codedeploy", "operation": "ListDeploymentTargets", "code": "AccessDeniedException", "message": "x"}
    data["errors"] = [denied]
    result = _verdict(data)
    assert result.basis == "codedeploy-only" and "Blue taken as" not in " ".join(c.detail for c in result.checks)


def test_ecs_target_without_task_sets_takes_blue_from_the_listener() -> None:
    data = load_fixture_json("ecs-half-shifted")
    for target in data["targets"]:
        target["ecsTarget"]["taskSetsInfo"] = []
        for event in target["ecsTarget"]["lifecycleEvents"]:
            if event["lifecycleEventName"] in ("AllowTraffic", "AfterAllowTraffic"):
                event["status"] = "Pending"  # failed before traffic could move
                event.pop("startTime", None)
                event.pop("endTime", None)
    weights = data["traffic"]["elbv2"]["listeners"][0]["DefaultActions"][0]["ForwardConfig"]["TargetGroups"]
    weights[0]["Weight"], weights[1]["Weight"] = 1, 0
    result = _verdict(data)
    assert (result.verdict, result.basis) == ("serving", "traffic-layer")
    assert any("the ECS target names no task set: Blue taken as orders-tg-blue" in c.detail for c in result.checks)


@pytest.mark.parametrize("sets", ["green-only", "none-after-allow-traffic"])
def test_ecs_never_takes_a_green_target_group_for_blue(sets: str) -> None:
    data = load_fixture_json("ecs-half-shifted")
    for target in data["targets"]:
        infos = target["ecsTarget"]["taskSetsInfo"]
        green = [info for info in infos if info.get("taskSetLabel") == "Green"]
        target["ecsTarget"]["taskSetsInfo"] = green if sets == "green-only" else []
    weights = data["traffic"]["elbv2"]["listeners"][0]["DefaultActions"][0]["ForwardConfig"]["TargetGroups"]
    weights[0]["Weight"], weights[1]["Weight"] = 0, 1
    result = _verdict(data)
    assert "Blue taken as" not in " ".join(c.detail for c in result.checks)
    assert not (result.verdict == "serving" and result.basis == "traffic-layer")


def test_ecs_listener_back_on_blue_with_health_unread_is_not_called_not_serving() -> None:
    data = load_fixture_json("ecs-half-shifted")
    listener = _ecs_listener(data)
    blue_arn = listener["DefaultActions"][0]["ForwardConfig"]["TargetGroups"][0]["TargetGroupArn"]
    listener["DefaultActions"] = _forward_to((blue_arn, 1))
    data["traffic"]["elbv2"]["rules"] = {listener["ListenerArn"]: []}
    data["traffic"]["elbv2"]["targetHealth"] = {}
    data["errors"] = [{"service": "elbv2", "operation": "DescribeTargetHealth", "code": "AccessDenied", "message": "no"}]
    result = _verdict(data)
    assert (result.verdict, result.basis) == ("serving", "codedeploy-only")
    assert "Blue's target health was not read" in result.summary


def test_ecs_a_route_to_a_third_target_group_does_not_weaken_blues_share() -> None:
    data = load_fixture_json("ecs-half-shifted")
    listener = _ecs_listener(data)
    blue_arn = listener["DefaultActions"][0]["ForwardConfig"]["TargetGroups"][0]["TargetGroupArn"]
    legacy = blue_arn.replace(blue_arn.split("/")[-2], "orders-legacy")
    listener["DefaultActions"] = _forward_to((blue_arn, 1))
    rule = {"RuleArn": "r", "Priority": "10", "Conditions": [], "Actions": _forward_to((blue_arn, 1), (legacy, 1))}
    data["traffic"]["elbv2"]["rules"] = {listener["ListenerArn"]: [{**rule, "IsDefault": False}]}
    result = _verdict(data)
    assert result.verdict == "serving", result.summary


def test_a_service_outside_codedeploy_forwarding_outside_the_pair_is_not_confirmed_down() -> None:
    data = load_fixture_json("ecs-not-code-deploy-controller")
    listener = _ecs_listener(data)
    arn = listener["DefaultActions"][0]["ForwardConfig"]["TargetGroups"][0]["TargetGroupArn"]
    listener["DefaultActions"] = _forward_to((arn.replace(arn.split("/")[-2], "orders-legacy"), 1))
    data["traffic"]["elbv2"]["rules"] = {listener["ListenerArn"]: []}  # read: the listener's routes are all known
    result = _verdict(data)
    assert "forwards to no target group" not in result.summary
    assert result.basis == "codedeploy-only"
