"""Server blue/green verdicts: every target group a path, Green not read in detail, EC2 states, rollbacks."""

from __future__ import annotations

import json

import pytest

from codedeploy_doctor.diagnosis import diagnose
from codedeploy_doctor.snapshot import snapshot_from_json
from tests.scenarios import API_TG, WEB_TG, _health, _report, _two_groups, _verdict
from tests.support import load_fixture_json


def test_unhealthy_green_is_a_failed_check_once_blue_is_out() -> None:
    checks = _report("traffic-server-bg-deregistered-green-unhealthy").blue_traffic.checks
    green = next(check for check in checks if "Green instance" in check.detail)
    assert not green.ok
    serving = _report("server-bluegreen-validateservice-green").blue_traffic
    assert serving.verdict == "serving"
    green = next(check for check in serving.checks if "Green instance" in check.detail)
    assert green.ok, "Blue still serves: an unhealthy Green is what the failure is about, not a production problem"


def test_a_green_instance_not_read_in_detail_but_taking_traffic_is_seen() -> None:
    data = load_fixture_json("traffic-server-bg-untouched-blue")
    blue = [t["instanceTarget"]["targetId"] for t in data["targets"] if t["instanceTarget"]["instanceLabel"] == "Blue"]
    # What a live run collects: the failed Green target and the Blue listing, read in full.
    data["collection"] = {
        "strategy": "filtered",
        "listed": {"Failed": 1, "Blue": 2},
        "fetched": 3,
        "blueTargetIds": blue,
        "blueListedInFull": True,
    }
    data["traffic"]["elbv2"]["targetHealth"][WEB_TG].append(_health("i-0aaaaaaaaaaaaaaa1", "healthy"))
    result = _verdict(data)
    assert result.verdict == "partial"
    assert "Green also receives production traffic" in result.summary
    green = next(env for env in result.environments if env.label == "Green")
    assert "i-0aaaaaaaaaaaaaaa1" in {m.id for m in green.members}
    # Without knowing the whole Blue fleet, an unlisted registered instance could be Blue: no guess.
    data["collection"]["blueListedInFull"] = False
    assert _verdict(data).verdict == "serving"


def test_blue_serves_fully_only_if_it_serves_in_every_target_group() -> None:
    data = load_fixture_json("traffic-server-bg-untouched-blue")
    data["deployment"]["loadBalancerInfo"]["targetGroupInfoList"].append({"name": "web-api-tg"})
    groups = data["traffic"]["elbv2"]["targetGroups"]
    groups.append({**groups[0], "TargetGroupArn": API_TG, "TargetGroupName": "web-api-tg"})
    data["traffic"]["elbv2"]["targetHealth"][API_TG] = [_health("i-0d83c6a1e5f2b9740", "unhealthy")]
    result = _verdict(data)
    assert result.verdict == "partial"
    assert "2/2 in web-prod-tg, 0/2 in web-api-tg" in result.summary


def test_an_unread_rollback_leaves_deregistered_blue_unknown() -> None:
    data = load_fixture_json("traffic-server-bg-lb-unreadable")
    for target in data["targets"]:
        body = target["instanceTarget"]
        if body["instanceLabel"] == "Blue":
            for event in body["lifecycleEvents"]:
                if event["lifecycleEventName"] == "BlockTraffic":
                    event.update(status="Succeeded", startTime="2026-11-29T09:05:00Z", endTime="2026-11-29T09:05:10Z")
    data["deployment"]["rollbackInfo"] = {"rollbackDeploymentId": "d-RB0000002"}
    data.pop("rollbackDeployment", None)
    result = _verdict(data)
    assert (result.verdict, result.basis) == ("unknown", "codedeploy-only")
    assert "status was not read" in result.summary


def test_blue_is_gone_once_a_terminating_deployment_succeeded() -> None:
    data = load_fixture_json("traffic-server-bg-termination-wait")
    data["deployment"]["status"] = "Succeeded"
    result = _verdict(data)
    assert result.blue_termination is not None
    assert result.blue_termination.startswith("Blue instances were terminated when the deployment completed")


def test_a_target_group_attached_to_no_load_balancer_is_no_production_path() -> None:
    data = load_fixture_json("traffic-server-bg-untouched-blue")
    data["deployment"]["loadBalancerInfo"]["targetGroupInfoList"].append({"name": "web-spare-tg"})
    groups = data["traffic"]["elbv2"]["targetGroups"]
    spare = API_TG.replace("web-api-tg", "web-spare-tg")
    groups.append({**groups[0], "TargetGroupArn": spare, "TargetGroupName": "web-spare-tg"})
    groups[-1]["LoadBalancerArns"] = []
    data["traffic"]["elbv2"]["targetHealth"][groups[-1]["TargetGroupArn"]] = []
    result = _verdict(data)
    assert result.verdict == "serving", result.summary


def test_a_failure_without_rollback_says_traffic_stays_put() -> None:
    report = _report("lambda-fully-shifted-after-allow-failed")
    rollback = next(check for check in report.blue_traffic.checks if check.source == "codedeploy:rollback")
    assert "automatic rollback on failure is disabled" in rollback.detail and not rollback.ok
    safe = _report("server-bluegreen-validateservice-green").blue_traffic
    (no_rollback,) = [check for check in safe.checks if check.source == "codedeploy:rollback"]
    assert no_rollback.ok, "Blue confirmed serving: no rollback is needed"


@pytest.mark.parametrize(
    ("status", "events", "said"),
    [
        ("Failed", ["DEPLOYMENT_FAILURE"], "automatic rollback is enabled for this, yet CodeDeploy started none"),
        ("Stopped", ["DEPLOYMENT_STOP_ON_REQUEST"], "automatic rollback is enabled for this, yet CodeDeploy started none"),
        ("Stopped", ["DEPLOYMENT_STOP_ON_ALARM"], "automatic rollback is not set for a stopped deployment"),
        ("Stopped", ["DEPLOYMENT_FAILURE"], "automatic rollback is not set for a stopped deployment"),
    ],
)
def test_why_no_rollback_came(status: str, events: list[str], said: str) -> None:
    data = load_fixture_json("traffic-server-bg-untouched-blue")
    data["deployment"]["status"] = status
    if status == "Stopped":
        data["deployment"]["errorInformation"] = {"code": "MANUAL_STOP", "message": "The deployment was stopped by a user."}
    data["deployment"]["autoRollbackConfiguration"] = {"enabled": True, "events": events}
    rollback = next(check for check in _verdict(data).checks if check.source == "codedeploy:rollback")
    assert said in rollback.detail


def test_a_rollback_deployment_of_another_id_gives_no_status() -> None:
    data = load_fixture_json("server-stopped-with-rollback")
    data["rollbackDeployment"]["deploymentId"] = "d-ZZZZZZZZZ"
    report = diagnose(snapshot_from_json(json.loads(json.dumps(data)), "test"))
    assert report.deployment.rollback is not None and report.deployment.rollback.status is None


def test_equal_counts_of_different_blue_instances_per_group_are_partial() -> None:
    data = load_fixture_json("traffic-server-bg-untouched-blue")
    first_arn = next(iter(data["traffic"]["elbv2"]["targetHealth"]))
    b1, b2 = (str(h["Target"]["Id"]) for h in data["traffic"]["elbv2"]["targetHealth"][first_arn])
    data["traffic"]["elbv2"]["targetHealth"][first_arn] = [_health(b1, "healthy"), _health(b2, "draining")]
    second = _two_groups(data, "web-b-tg")
    data["traffic"]["elbv2"]["targetHealth"][second] = [_health(b1, "unhealthy"), _health(b2, "healthy")]
    result = _verdict(data)
    assert result.verdict == "partial"
    assert "1/2 in web-prod-tg, 1/2 in web-b-tg" in result.summary


def test_an_unattached_group_is_named_nowhere_in_blue_green_counts() -> None:
    data = load_fixture_json("traffic-server-bg-untouched-blue")
    spare = _two_groups(data, "web-spare-tg", attached=False)
    data["traffic"]["elbv2"]["targetHealth"][spare] = [_health("i-0d83c6a1e5f2b9740", "healthy")]
    result = _verdict(data)
    assert result.verdict == "serving"
    assert "web-spare-tg" not in result.summary
    assert all("web-spare-tg" not in c.detail for c in result.checks if c.source == "elbv2:DescribeTargetHealth")


def test_inferred_blue_counts_green_that_took_traffic_and_blue_gone_from_ec2() -> None:
    data = load_fixture_json("traffic-server-bg-lb-unreadable")
    for target in data["targets"]:
        body = target["instanceTarget"]
        if body["instanceLabel"] == "Green":
            for event in body["lifecycleEvents"]:
                if event["lifecycleEventName"] == "AllowTraffic":
                    event.update(status="Succeeded", startTime="2026-11-29T09:01:00Z", endTime="2026-11-29T09:01:05Z")
    result = _verdict(data)
    assert (result.verdict, result.basis) == ("partial", "codedeploy-only")
    assert "Blue was never blocked" in result.summary


def test_inferred_blue_with_an_instance_terminated_is_not_serving_in_full() -> None:
    data = load_fixture_json("traffic-server-bg-lb-unreadable")
    blue = [t["instanceTarget"]["targetId"] for t in data["targets"] if t["instanceTarget"]["instanceLabel"] == "Blue"]
    data["traffic"].setdefault("ec2", {})["instances"] = [
        {"InstanceId": blue[0], "State": {"Code": 48, "Name": "terminated"}},
        {"InstanceId": blue[1], "State": {"Code": 16, "Name": "running"}},
    ]
    result = _verdict(data)
    assert (result.verdict, result.basis) == ("partial", "codedeploy-only")
    assert "EC2: 1 terminated of 2" in result.summary
