"""The Blue verdict over every traffic fixture: verdict, basis, and the evidence it names."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from codedeploy_doctor.report import BlueTraffic, Environment
from codedeploy_doctor.snapshot import load_snapshot, snapshot_from_json
from codedeploy_doctor.traffic import assess_blue_traffic
from tests.traffic import fixture_builder
from tests.traffic.traffic_shapes import validate_object, validate_traffic

FIXTURES = fixture_builder.FIXTURES

EXPECTED = {
    "traffic-server-bg-untouched-blue": ("serving", "traffic-layer"),
    "traffic-server-bg-deregistered-green-unhealthy": ("not-serving", "traffic-layer"),
    "traffic-server-bg-rolled-back": ("serving", "traffic-layer"),
    "traffic-server-bg-blue-terminated": ("not-serving", "traffic-layer"),
    "traffic-server-bg-lb-unreadable": ("serving", "codedeploy-only"),
    "traffic-server-bg-termination-wait": ("not-applicable", "traffic-layer"),
    "traffic-server-classic-elb": ("serving", "traffic-layer"),
    "traffic-server-inplace-capacity": ("partial", "traffic-layer"),
    "traffic-server-inplace-no-load-balancer": ("partial", "codedeploy-only"),
    "ecs-untouched": ("serving", "traffic-layer"),
    "ecs-half-shifted": ("partial", "traffic-layer"),
    "ecs-not-code-deploy-controller": ("serving", "traffic-layer"),
    "lambda-canary-weighted": ("partial", "traffic-layer"),
    "lambda-fully-shifted-after-allow-failed": ("not-serving", "traffic-layer"),
}
"""Fixture -> (verdict, basis). The exit code (README, exit codes) follows from these."""


def verdict_of(name: str) -> BlueTraffic:
    return assess_blue_traffic(load_snapshot(FIXTURES / f"{name}.json"))


def environment(result: BlueTraffic, label: str) -> Environment:
    return next(env for env in result.environments if env.label == label)


def sources(result: BlueTraffic, ok: bool | None = None) -> list[str]:
    return [check.source for check in result.checks if ok is None or check.ok is ok]


def test_every_scenario_has_an_expectation() -> None:
    assert set(EXPECTED) == set(fixture_builder.SCENARIOS)
    assert len(EXPECTED) >= 12


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_verdict_and_basis(name: str) -> None:
    result = verdict_of(name)
    assert (result.verdict, result.basis) == EXPECTED[name], result.summary
    assert result.summary and "\n" not in result.summary
    assert result.checks, "a verdict always names the checks it rests on"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_file_matches_its_builder(name: str) -> None:
    """Fixtures are generated: edit ``fixture_builder.py`` and run it, never the file alone."""
    on_disk = (FIXTURES / f"{name}.json").read_text(encoding="utf-8")
    assert on_disk == fixture_builder.render(fixture_builder.SCENARIOS[name]()), "run: python -m tests.traffic.fixture_builder"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_traffic_section_matches_botocore_models(name: str) -> None:
    data = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    assert validate_traffic(data["traffic"]) == []


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.stem)
def test_every_fixture_gets_a_verdict(path: Path) -> None:
    """Fixtures of other engineers (no traffic section at all) must be judged too, never crash."""
    result = assess_blue_traffic(load_snapshot(path))
    assert result.verdict in ("serving", "partial", "not-serving", "unknown", "not-applicable")
    if not json.loads(path.read_text(encoding="utf-8")).get("traffic"):
        assert result.basis == "codedeploy-only"


def test_untouched_blue_names_health_and_instances() -> None:
    result = verdict_of("traffic-server-bg-untouched-blue")
    assert "2/2 Blue instances healthy in web-prod-tg" in result.summary
    assert "elbv2:DescribeTargetHealth" in sources(result, ok=True)
    assert "ec2:DescribeInstances" in sources(result, ok=True)
    blue = environment(result, "Blue")
    assert [m.health for m in blue.members] == ["healthy", "healthy"]
    assert blue.traffic_share == 100.0
    assert environment(result, "Green").traffic_share == 0.0
    assert result.blue_termination is not None and "failed deployment" in result.blue_termination


def test_deregistered_blue_and_unhealthy_green() -> None:
    result = verdict_of("traffic-server-bg-deregistered-green-unhealthy")
    assert "deregistered at BlockTraffic" in result.summary
    assert "Green 0/2 healthy" in result.summary
    green = environment(result, "Green")
    assert {m.health for m in green.members} == {"unhealthy"}
    assert {m.health for m in environment(result, "Blue").members} == {"not registered"}


def test_rolled_back_reports_what_the_rollback_restored() -> None:
    result = verdict_of("traffic-server-bg-rolled-back")
    rollback = next(check for check in result.checks if check.source == "codedeploy:rollback")
    assert rollback.ok
    assert "d-6TNB3K9EF Succeeded" in rollback.detail
    assert "shop-web-5.2.4.zip" in rollback.detail


def test_terminated_blue_is_confirmed_by_ec2() -> None:
    result = verdict_of("traffic-server-bg-blue-terminated")
    # One instance EC2 still lists as terminated, one it no longer knows: said as they are.
    assert "(EC2: 1 not found, 1 terminated)" in result.summary
    ec2 = next(check for check in result.checks if check.source == "ec2:DescribeInstances")
    assert not ec2.ok
    assert "not found" in ec2.detail and "terminated" in ec2.detail
    assert sorted(m.health or "" for m in environment(result, "Blue").members) == ["not found", "terminated"]
    # EC2 was asked about Blue only: Green ids absent from the answer are not called terminated.
    assert {m.health for m in environment(result, "Green").members} == {"not registered"}


def test_unreadable_load_balancer_names_the_missing_permission() -> None:
    result = verdict_of("traffic-server-bg-lb-unreadable")
    failed = [check for check in result.checks if not check.ok]
    assert any(
        check.source == "elbv2:DescribeTargetHealth" and "grant elasticloadbalancing:DescribeTargetHealth" in check.detail
        for check in failed
    )
    assert "not confirmed" in result.summary
    assert environment(result, "Blue").traffic_share is None


def test_termination_wait_is_measured_from_the_snapshot_time() -> None:
    result = verdict_of("traffic-server-bg-termination-wait")
    assert result.summary.startswith("traffic moved to Green as planned")
    assert result.blue_termination is not None
    assert "2026-11-29T10:09:31Z" in result.blue_termination
    assert "35 min after this snapshot" in result.blue_termination


def test_classic_elb_reads_instance_health() -> None:
    result = verdict_of("traffic-server-classic-elb")
    assert "elb:DescribeInstanceHealth" in sources(result)
    assert {m.health for m in environment(result, "Green").members} == {"OutOfService"}
    # A failed deployment: KEEP_ALIVE (like TERMINATE) applies only after success; nothing was deregistered.
    assert result.blue_termination is not None and "KEEP_ALIVE applies only after success" in result.blue_termination
    assert "deregistered" not in result.blue_termination


def test_in_place_capacity_against_minimum_healthy_hosts() -> None:
    result = verdict_of("traffic-server-inplace-capacity")
    assert "2/4 instances in service" in result.summary
    assert "2 taken out at BlockTraffic and not put back" in result.summary
    config = next(check for check in result.checks if check.source == "codedeploy:GetDeploymentConfig")
    assert config.ok
    assert "minimum healthy hosts 2" in config.detail and "FLEET_PERCENT 50" in config.detail
    fleet = environment(result, "Blue")
    out = [m for m in fleet.members if m.health == "not registered"]
    assert len(out) == 2 and all(m.detail and "taken out at BlockTraffic" in m.detail for m in out)


def test_in_place_without_load_balancer_with_an_application_left_stopped_is_partial() -> None:
    """No Blue to check, but the original version stopped on 1 of 3 instances: capacity is lost (page-worthy)."""
    result = verdict_of("traffic-server-inplace-no-load-balancer")
    assert "stopped on 1 of 3 instances" in result.summary and "capacity down to 2/3" in result.summary
    assert result.checks[0].detail.endswith("i-0a7c3e1f9d5b2c846")


def test_in_place_without_load_balancer_with_nothing_stopped_is_not_applicable() -> None:
    data = copy.deepcopy(fixture_builder.in_place_no_load_balancer())
    for target in data["targets"]:
        for event in target["instanceTarget"]["lifecycleEvents"]:
            if event["lifecycleEventName"] == "ApplicationStop" and event["status"] == "Succeeded":
                event["status"] = "Failed"  # the stop itself failed: the old version still runs
    result = assess_blue_traffic(snapshot_from_json(data))
    assert result.verdict == "not-applicable" and "no instance was left with its application stopped" in result.summary


def test_ecs_half_shifted_reads_listener_weights() -> None:
    result = verdict_of("ecs-half-shifted")
    assert "50% to Blue" in result.summary and "50% to Green" in result.summary
    assert environment(result, "Blue").traffic_share == 50.0
    blue = environment(result, "Blue").members[0]
    assert blue.id == fixture_builder.BLUE_TASK_SET and blue.health == "PRIMARY"
    assert any("test listener :8080 forwards 100% to orders-tg-green" in c.detail for c in result.checks)


def test_ecs_untouched() -> None:
    result = verdict_of("ecs-untouched")
    assert "100% to Blue" in result.summary
    services = next(check for check in result.checks if check.source == "ecs:DescribeServices")
    assert services.ok and "CODE_DEPLOY" in services.detail


def test_ecs_service_not_under_codedeploy_says_so_first() -> None:
    result = verdict_of("ecs-not-code-deploy-controller")
    assert result.summary.startswith("ECS service orders-api is not under CodeDeploy (deploymentController ECS")
    controller = next(check for check in result.checks if check.source == "ecs:DescribeServices")
    assert not controller.ok


def test_lambda_weighted_alias() -> None:
    result = verdict_of("lambda-canary-weighted")
    assert "90% to version 7 (Blue)" in result.summary
    assert environment(result, "Blue").traffic_share == pytest.approx(90.0)
    assert environment(result, "Green").traffic_share == pytest.approx(10.0)
    assert result.blue_termination is None


def test_lambda_fully_shifted() -> None:
    result = verdict_of("lambda-fully-shifted-after-allow-failed")
    assert "0% to version 7" in result.summary
    alias = next(check for check in result.checks if check.source == "lambda:GetAlias")
    assert not alias.ok


def test_validator_can_fail() -> None:
    """Near miss: the traffic shape check reports a misspelt key, a bad enum and an epoch timestamp."""
    bad = {"Target": {"Id": "i-1"}, "TargetHealth": {"State": "Healthy"}, "HealthCheckPorts": "80"}
    errors = validate_object(bad, "elbv2", "TargetHealthDescription", "x")
    assert any("Healthy" in e for e in errors) and any("HealthCheckPorts" in e for e in errors)
    instance = {"InstanceId": "i-1", "LaunchTime": 1764321243}
    assert any("LaunchTime" in e for e in validate_object(instance, "ec2", "Instance", "y"))
    assert validate_traffic({"elbv2": {"targetGroup": []}}) == ["traffic.elbv2.targetGroup: unknown traffic key"]
