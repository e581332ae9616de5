"""The verdict's rules one by one, on variations of the traffic fixtures."""

from __future__ import annotations

import ast
import copy
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from codedeploy_doctor.report import BlueTraffic
from codedeploy_doctor.snapshot import snapshot_from_json
from codedeploy_doctor.traffic import assess_blue_traffic
from codedeploy_doctor.traffic.ecs import forward_shares
from codedeploy_doctor.traffic.facts import TrafficView, minimum_healthy_hosts
from codedeploy_doctor.traffic.lambda_alias import version_share
from tests.traffic import fixture_builder as fb

Json = dict[str, Any]
TRAFFIC_PACKAGE = Path(__file__).resolve().parents[2] / "codedeploy_doctor" / "traffic"


def judge(name: str, change: Callable[[Json], None] | None = None) -> BlueTraffic:
    data = copy.deepcopy(fb.SCENARIOS[name]())
    if change is not None:
        change(data)
    return assess_blue_traffic(snapshot_from_json(json.loads(json.dumps(data))))


def health_list(data: Json) -> list[Json]:
    target_health: Json = data["traffic"]["elbv2"]["targetHealth"]
    return next(iter(target_health.values()))  # type: ignore[no-any-return]


def body(target: Json) -> Json:
    return next(value for key, value in target.items() if key != "deploymentTargetType")  # type: ignore[no-any-return]


# --- purity -------------------------------------------------------------------------------------


def test_traffic_package_imports_no_aws_code() -> None:
    for path in TRAFFIC_PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                assert not name.startswith(("boto3", "botocore", "codedeploy_doctor.aws")), f"{path.name} imports {name}"


def test_importing_the_verdict_loads_no_boto3() -> None:
    code = (
        "import sys, codedeploy_doctor.traffic; print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=TRAFFIC_PACKAGE.parents[1])
    assert out.stdout.strip() == "[]"


# --- Server blue/green --------------------------------------------------------------------------


def test_target_group_attached_to_no_load_balancer_serves_nothing() -> None:
    def detach(data: Json) -> None:
        data["traffic"]["elbv2"]["targetGroups"][0]["LoadBalancerArns"] = []

    result = judge("traffic-server-bg-untouched-blue", detach)
    assert (result.verdict, result.basis) == ("not-serving", "traffic-layer")
    assert any("attached to no load balancer" in c.detail and not c.ok for c in result.checks)


def test_one_blue_unhealthy_is_partial() -> None:
    def sicken(data: Json) -> None:
        health_list(data)[0]["TargetHealth"] = {
            "State": "unhealthy",
            "Reason": "Target.Timeout",
            "Description": "Request timed out",
        }

    result = judge("traffic-server-bg-untouched-blue", sicken)
    assert result.verdict == "partial"
    assert "1/2 Blue instances healthy" in result.summary


def test_health_checks_disabled_still_receive_traffic() -> None:
    def disable(data: Json) -> None:
        for item in health_list(data):
            item["TargetHealth"] = {"State": "unavailable", "Reason": "Target.HealthCheckDisabled"}

    assert judge("traffic-server-bg-untouched-blue", disable).verdict == "serving"


def test_no_traffic_section_rests_on_codedeploy() -> None:
    def drop(data: Json) -> None:
        data["traffic"] = {}

    result = judge("traffic-server-bg-untouched-blue", drop)
    assert (result.verdict, result.basis) == ("serving", "codedeploy-only")
    result = judge("traffic-server-bg-deregistered-green-unhealthy", drop)
    assert (result.verdict, result.basis) == ("not-serving", "codedeploy-only")
    result = judge("traffic-server-bg-rolled-back", drop)
    assert (result.verdict, result.basis) == ("serving", "codedeploy-only")
    assert "rollback d-6TNB3K9EF succeeded" in result.summary


def test_block_traffic_in_progress_is_unknown_without_the_load_balancer() -> None:
    def blocking(data: Json) -> None:
        data["traffic"] = {}
        for target in data["targets"]:
            events = body(target)["lifecycleEvents"]
            if body(target).get("instanceLabel") == "Blue":
                events[0] |= {"status": "Succeeded", "startTime": "2026-11-29T09:10:00Z", "endTime": "2026-11-29T09:10:02Z"}
                events[1] |= {"status": "InProgress", "startTime": "2026-11-29T09:10:03Z"}

    result = judge("traffic-server-bg-untouched-blue", blocking)
    assert (result.verdict, result.basis) == ("unknown", "codedeploy-only")


def test_all_blue_gone_from_ec2_is_confirmed_even_without_target_health() -> None:
    def gone(data: Json) -> None:
        del data["traffic"]["elbv2"]

    result = judge("traffic-server-bg-blue-terminated", gone)
    assert (result.verdict, result.basis) == ("not-serving", "traffic-layer")
    assert "none of the 2 Blue instances is running (EC2: 1 not found, 1 terminated)" in result.summary


def test_reservations_are_read_like_flat_instances() -> None:
    def nest(data: Json) -> None:
        instances = data["traffic"]["ec2"]["instances"]
        data["traffic"]["ec2"]["instances"] = [
            {"ReservationId": "r-0a1b2c3d4e5f60718", "OwnerId": fb.ACCOUNT, "Instances": instances}
        ]

    result = judge("traffic-server-bg-untouched-blue", nest)
    assert any(c.source == "ec2:DescribeInstances" and c.detail == "2/2 Blue instances running" for c in result.checks)


def test_blue_targets_missing_from_snapshot_fall_back_to_registered_instances() -> None:
    def only_green(data: Json) -> None:
        data["targets"] = [t for t in data["targets"] if body(t).get("instanceLabel") == "Green"]

    result = judge("traffic-server-bg-untouched-blue", only_green)
    assert (result.verdict, result.basis) == ("serving", "traffic-layer")
    assert len(result.environments[0].members) == 2


def test_succeeded_blue_green_is_not_applicable() -> None:
    def succeed(data: Json) -> None:
        data["deployment"]["status"] = "Succeeded"
        data["deployment"]["instanceTerminationWaitTimeStarted"] = False

    result = judge("traffic-server-bg-termination-wait", succeed)
    assert result.verdict == "not-applicable"


def test_in_progress_blue_green_before_traffic_moves_is_judged() -> None:
    def in_progress(data: Json) -> None:
        data["deployment"]["status"] = "InProgress"

    result = judge("traffic-server-bg-untouched-blue", in_progress)
    assert result.verdict == "serving"
    assert result.blue_termination is not None and "will be terminated 60 min after traffic moves" in result.blue_termination


@pytest.mark.parametrize(
    ("recorded", "expected"),
    [
        ("2026-11-29T10:09:31Z", "0 min before this snapshot"),
        ("2026-11-29T11:00:00Z", "50 min before this snapshot, expect them gone"),
    ],
)
def test_termination_is_relative_to_recorded_at(recorded: str, expected: str) -> None:
    def when(data: Json) -> None:
        data["recordedAt"] = recorded

    result = judge("traffic-server-bg-termination-wait", when)
    assert result.blue_termination is not None and expected in result.blue_termination


def test_termination_without_recorded_at_gives_the_time_only() -> None:
    def no_time(data: Json) -> None:
        del data["recordedAt"]

    result = judge("traffic-server-bg-termination-wait", no_time)
    assert result.blue_termination is not None
    assert result.blue_termination.endswith("at 2026-11-29T09:09:31Z")


# --- Server in-place ----------------------------------------------------------------------------


def test_capacity_below_minimum_healthy_hosts() -> None:
    def sicken(data: Json) -> None:
        health_list(data)[0]["TargetHealth"] = {"State": "unhealthy", "Reason": "Target.ResponseCodeMismatch"}

    result = judge("traffic-server-inplace-capacity", sicken)
    assert result.verdict == "partial"
    assert "below the minimum of 2 healthy" in result.summary
    config = next(c for c in result.checks if c.source == "codedeploy:GetDeploymentConfig")
    assert not config.ok


def test_no_instance_in_service_is_not_serving() -> None:
    def empty(data: Json) -> None:
        data["traffic"]["elbv2"]["targetHealth"] = {k: [] for k in data["traffic"]["elbv2"]["targetHealth"]}

    assert judge("traffic-server-inplace-capacity", empty).verdict == "not-serving"


def test_in_place_without_traffic_data_estimates_from_events_and_built_in_config() -> None:
    def drop(data: Json) -> None:
        data["traffic"] = {}

    result = judge("traffic-server-inplace-capacity", drop)
    assert (result.verdict, result.basis) == ("partial", "codedeploy-only")
    config = next(c for c in result.checks if c.source == "codedeploy:GetDeploymentConfig")
    assert "CodeDeployDefault.HalfAtATime (built-in)" in config.detail


def test_in_place_config_call_failure_is_named() -> None:
    def denied(data: Json) -> None:
        del data["traffic"]["deploymentConfig"]
        data["deployment"]["deploymentConfigName"] = "shop-api-custom"
        data["errors"] = [
            {"service": "codedeploy", "operation": "GetDeploymentConfig", "code": "AccessDeniedException", "message": "no"}
        ]

    result = judge("traffic-server-inplace-capacity", denied)
    assert any("grant codedeploy:GetDeploymentConfig" in c.detail for c in result.checks)
    assert result.basis == "traffic-layer"


@pytest.mark.parametrize(
    ("config", "name", "fleet", "expected"),
    [
        ({"minimumHealthyHosts": {"type": "HOST_COUNT", "value": 3}}, None, 5, 3),
        ({"minimumHealthyHosts": {"type": "FLEET_PERCENT", "value": 40}}, None, 9, 4),
        ({"minimumHealthyHosts": {"type": "MOST_CONCURRENCY", "value": 1}}, None, 4, 3),
        (None, "CodeDeployDefault.AllAtOnce", 6, 0),
        (None, "my-config", 6, None),
    ],
)
def test_minimum_healthy_hosts(config: Json | None, name: str | None, fleet: int, expected: int | None) -> None:
    found = minimum_healthy_hosts(config, name, fleet)
    assert (found[0] if found else None) == expected


# --- ECS ----------------------------------------------------------------------------------------


def test_ecs_listener_unreadable_falls_back_to_codedeploy_weights() -> None:
    def deny(data: Json) -> None:
        del data["traffic"]["elbv2"]["listeners"]
        data["errors"] = [{"service": "elbv2", "operation": "DescribeListeners", "code": "AccessDenied", "message": "denied"}]

    result = judge("ecs-half-shifted", deny)
    assert (result.verdict, result.basis) == ("partial", "codedeploy-only")
    assert any("grant elasticloadbalancing:DescribeListeners" in c.detail for c in result.checks)
    assert result.environments[0].traffic_share == 50.0


def test_ecs_blue_target_group_without_healthy_targets_is_not_serving() -> None:
    def sicken(data: Json) -> None:
        blue = fb.target_group_arn(*fb.ECS_TG_BLUE)
        for item in data["traffic"]["elbv2"]["targetHealth"][blue]:
            item["TargetHealth"] = {"State": "unhealthy", "Reason": "Target.FailedHealthChecks"}

    result = judge("ecs-untouched", sicken)
    assert (result.verdict, result.basis) == ("not-serving", "traffic-layer")
    assert "no healthy target" in result.summary


def test_ecs_routing_through_a_listener_rule() -> None:
    def via_rule(data: Json) -> None:
        listener = data["traffic"]["elbv2"]["listeners"][0]
        blue, green = fb.target_group_arn(*fb.ECS_TG_BLUE), fb.target_group_arn(*fb.ECS_TG_GREEN)
        listener["DefaultActions"] = [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}]
        rule_arn = listener["ListenerArn"].replace(":listener/", ":listener-rule/") + "/5c7e9a1b3d2f4e68"
        data["traffic"]["elbv2"]["rules"] = {
            listener["ListenerArn"]: [
                {
                    "RuleArn": rule_arn,
                    "Priority": "10",
                    "Conditions": [{"Field": "path-pattern", "Values": ["/orders/*"]}],
                    "Actions": [fb.forward([(blue, 80), (green, 20)])],
                    "IsDefault": False,
                }
            ]
        }

    result = judge("ecs-half-shifted", via_rule)
    assert result.verdict == "partial"
    assert "80% to Blue" in result.summary
    assert any("via rule 10" in c.detail for c in result.checks)


def test_ecs_unlabelled_task_sets_take_the_first_as_blue() -> None:
    def unlabel(data: Json) -> None:
        for info in body(data["targets"][0])["taskSetsInfo"]:
            del info["taskSetLabel"]

    result = judge("ecs-half-shifted", unlabel)
    assert result.verdict == "partial"
    assert any("took the first as Blue" in c.detail for c in result.checks)


def test_ecs_blue_task_set_gone_is_shown() -> None:
    def gone(data: Json) -> None:
        service = data["traffic"]["ecs"]["services"][0]
        service["taskSets"] = [ts for ts in service["taskSets"] if ts["id"] != fb.BLUE_TASK_SET]

    result = judge("ecs-untouched", gone)
    assert result.environments[0].members[0].health == "gone"
    assert any(c.source == "ecs:DescribeServices" and not c.ok and "no longer exists" in c.detail for c in result.checks)


@pytest.mark.parametrize(
    ("actions", "expected"),
    [
        ([{"Type": "forward", "TargetGroupArn": fb.target_group_arn("a", "1")}], {"a": 100.0}),
        ([fb.forward([(fb.target_group_arn("a", "1"), 3), (fb.target_group_arn("b", "2"), 1)])], {"a": 75.0, "b": 25.0}),
        ([{"Type": "redirect", "RedirectConfig": {"StatusCode": "HTTP_301"}}], None),
        ([fb.forward([(fb.target_group_arn("a", "1"), 0), (fb.target_group_arn("b", "2"), 0)])], {"a": 0.0, "b": 0.0}),
    ],
)
def test_forward_shares(actions: list[Json], expected: dict[str, float] | None) -> None:
    assert forward_shares(actions) == expected


# --- Lambda -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("weight", "share"), [(0.1, 90.0), (10.0, 90.0), (1.0, 0.0), (0.0, 100.0)])
def test_lambda_codedeploy_weight_as_fraction_or_percent(weight: float, share: float) -> None:
    def drop_alias(data: Json) -> None:
        data["traffic"] = {}
        body(data["targets"][0])["lambdaFunctionInfo"]["targetVersionWeight"] = weight

    result = judge("lambda-canary-weighted", drop_alias)
    assert result.basis == "codedeploy-only"
    assert result.environments[0].traffic_share == pytest.approx(share)


@pytest.mark.parametrize(
    ("alias", "version", "share"),
    [
        ({"FunctionVersion": "7"}, "7", 100.0),
        ({"FunctionVersion": "7", "RoutingConfig": {"AdditionalVersionWeights": {"8": 0.25}}}, "7", 75.0),
        ({"FunctionVersion": "7", "RoutingConfig": {"AdditionalVersionWeights": {"8": 0.25}}}, "8", 25.0),
        ({"FunctionVersion": "8", "RoutingConfig": {"AdditionalVersionWeights": {"7": 0.05}}}, "7", 5.0),
        ({"FunctionVersion": "8"}, "7", 0.0),
    ],
)
def test_version_share(alias: Json, version: str, share: float) -> None:
    assert version_share(alias, version) == pytest.approx(share)


# --- anything else ------------------------------------------------------------------------------


def test_unknown_platform_is_unknown() -> None:
    def other(data: Json) -> None:
        data["deployment"]["computePlatform"] = "Quantum"

    result = judge("lambda-canary-weighted", other)
    assert (result.verdict, result.basis) == ("unknown", "codedeploy-only")


def test_traffic_view_treats_absent_as_not_read() -> None:
    view = TrafficView({"elbv2": {"targetGroups": []}})
    assert view.target_groups() == []
    assert view.target_health("arn") is None
    assert view.instances() is None
    assert view.aliases() is None
    assert not TrafficView({}).has_any


def test_blue_and_green_both_registered_is_a_split() -> None:
    def both(data: Json) -> None:
        health_list(data).extend(fb.health(i, "healthy", zone=n) for n, i in enumerate(fb.GREEN_IDS))

    result = judge("traffic-server-bg-untouched-blue", both)
    assert (result.verdict, result.basis) == ("partial", "traffic-layer")
    assert "Green also receives production traffic" in result.summary
    assert result.environments[0].traffic_share == 50.0


# --- ECS: every route of the production listener, and what is not known ---------------------------

TG_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/orders-tg-{}/{}"
BLUE_TG = TG_ARN.format("blue", "1e5a9c3f7b2d6e48")
GREEN_TG = TG_ARN.format("green", "6c2e8a4f1b9d3e75")


def _prod_listener(data: Json) -> Json:
    arn = data["deployment"]["loadBalancerInfo"]["targetGroupPairInfoList"][0]["prodTrafficRoute"]["listenerArns"][0]
    return next(listener for listener in data["traffic"]["elbv2"]["listeners"] if listener["ListenerArn"] == arn)  # type: ignore[no-any-return]


def _forward(arn: str) -> list[Json]:
    return [{"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": arn, "Weight": 1}]}}]


def _rule(data: Json, priority: str, actions: list[Json]) -> Json:
    listener = _prod_listener(data)["ListenerArn"]
    return {
        "RuleArn": f"{listener.replace(':listener/', ':listener-rule/')}/{priority}",
        "Priority": priority,
        "Conditions": [{"Field": "path-pattern", "Values": [f"/p{priority}/*"]}],
        "Actions": actions,
        "IsDefault": False,
    }


def _rules(data: Json, *rules: Json) -> None:
    arn = _prod_listener(data)["ListenerArn"]
    data["traffic"]["elbv2"]["rules"] = {arn: list(rules)}


def test_ecs_a_rule_to_green_beside_a_default_to_blue_is_partial() -> None:
    def change(data: Json) -> None:
        _prod_listener(data)["DefaultActions"] = _forward(BLUE_TG)
        _rules(data, _rule(data, "10", _forward(GREEN_TG)))

    result = judge("ecs-half-shifted", change)
    assert (result.verdict, result.basis) == ("partial", "traffic-layer")
    listener = next(c for c in result.checks if c.source == "elbv2:DescribeListeners" and "production" in c.detail)
    assert "via default action" in listener.detail and "via rule 10" in listener.detail


def test_ecs_every_forwarding_rule_counts_not_only_the_first() -> None:
    def change(data: Json) -> None:
        _prod_listener(data)["DefaultActions"] = [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}]
        _rules(data, _rule(data, "5", _forward(BLUE_TG)), _rule(data, "10", _forward(GREEN_TG)))

    assert judge("ecs-half-shifted", change).verdict == "partial"


def test_ecs_rules_that_could_not_be_read_confirm_nothing() -> None:
    def change(data: Json) -> None:
        _prod_listener(data)["DefaultActions"] = [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}]
        data["errors"] = [{"service": "elbv2", "operation": "DescribeRules", "code": "AccessDenied", "message": "denied"}]

    result = judge("ecs-half-shifted", change)
    assert result.basis == "codedeploy-only"
    assert any(not c.ok and c.source.startswith("elbv2:DescribeRules") for c in result.checks)


def test_ecs_a_listener_that_sends_blue_nothing_needs_no_health_to_say_so() -> None:
    def change(data: Json) -> None:
        _prod_listener(data)["DefaultActions"] = _forward(GREEN_TG)
        data["traffic"]["elbv2"]["targetHealth"] = {}
        data["errors"] = [{"service": "elbv2", "operation": "DescribeTargetHealth", "code": "AccessDenied", "message": "x"}]

    result = judge("ecs-half-shifted", change)
    assert (result.verdict, result.basis) == ("not-serving", "traffic-layer")
    assert "0% to Blue" in result.summary


def test_ecs_task_sets_without_a_controller_field_are_still_codedeploys() -> None:
    def change(data: Json) -> None:
        for service in data["traffic"]["ecs"]["services"]:
            service.pop("deploymentController", None)

    result = judge("ecs-half-shifted", change)
    assert "not under CodeDeploy" not in result.summary
    assert (result.verdict, result.basis) == ("partial", "traffic-layer")


# --- nothing read confirms nothing (issue 12), big numbers (issue 15) ------------------------------


@pytest.mark.parametrize("how", ["empty", "denied"])
def test_in_place_with_no_target_read_is_unknown_not_fine(how: str) -> None:
    def lose_targets(data: Json) -> None:
        data["targets"] = []
        if how == "denied":
            data["errors"] = [
                {
                    "service": "codedeploy",
                    "operation": "BatchGetDeploymentTargets",
                    "code": "AccessDeniedException",
                    "message": "",
                }
            ]

    result = judge("traffic-server-inplace-no-load-balancer", lose_targets)
    assert result.verdict == "unknown"
    assert "no instance was left" not in result.summary
    assert not any("no instance was left" in check.detail for check in result.checks)


def test_a_succeeded_target_is_never_application_stopped() -> None:
    def succeed_stopped(data: Json) -> None:
        target = body(data["targets"][0])
        target["status"] = "Succeeded"
        for event in target["lifecycleEvents"]:
            if event["lifecycleEventName"] == "ApplicationStart":
                event["status"] = "Skipped"

    result = judge("traffic-server-inplace-no-load-balancer", succeed_stopped)
    assert result.verdict == "not-applicable"
    assert all(member.health is None for member in result.environments[0].members)


def test_a_huge_termination_wait_does_not_overflow() -> None:
    def forever(data: Json) -> None:
        data["deployment"]["blueGreenDeploymentConfiguration"]["terminateBlueInstancesOnDeploymentSuccess"][
            "terminationWaitTimeInMinutes"
        ] = 10**12

    result = judge("traffic-server-bg-termination-wait", forever)
    assert result.blue_termination is not None and "termination wait began at" in result.blue_termination
