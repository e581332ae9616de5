"""Server in-place verdicts: capacity, the weakest group, unread failed instances, stopped applications."""

from __future__ import annotations

from tests.scenarios import _health, _report, _verdict
from tests.support import load_fixture_json


def test_lost_in_place_capacity_pages_while_the_deployment_still_runs() -> None:
    report = _report("server-inprogress-with-failed-target")
    assert report.deployment.status == "InProgress" and report.deployment_failed
    assert report.blue_traffic.verdict == "partial"
    # One left stopped by the failure, one more between ApplicationStop and ApplicationStart right now.
    assert "stopped on 1 of 4 instances" in report.blue_traffic.summary
    assert report.blue_traffic.summary.startswith("capacity down to 2/4:")
    assert "1 more stopped mid-deployment" in report.blue_traffic.summary


def test_a_successful_rollback_restarted_the_stopped_in_place_instances() -> None:
    data = load_fixture_json("server-inplace-downloadbundle-unknownerror")
    before = _verdict(data)
    assert before.verdict in ("partial", "not-serving")
    data["deployment"]["rollbackInfo"] = {"rollbackDeploymentId": "d-RB0000001"}
    data["rollbackDeployment"] = {"deploymentId": "d-RB0000001", "status": "Succeeded"}
    after = _verdict(data)
    assert after.verdict == "not-applicable"
    assert "rollback d-RB0000001 succeeded" in after.summary
    assert all(member.health != "application stopped" for member in after.environments[0].members)


def test_in_place_capacity_names_the_weakest_group() -> None:
    data = load_fixture_json("traffic-server-inplace-capacity")
    base = _verdict(data)
    tg_arn = next(iter(data["traffic"]["elbv2"]["targetHealth"]))
    admin = tg_arn.replace(tg_arn.split("/")[-2], "shop-admin-tg")
    data["deployment"]["loadBalancerInfo"]["targetGroupInfoList"].append({"name": "shop-admin-tg"})
    groups = data["traffic"]["elbv2"]["targetGroups"]
    groups.append({**groups[0], "TargetGroupArn": admin, "TargetGroupName": "shop-admin-tg"})
    registered = data["traffic"]["elbv2"]["targetHealth"][tg_arn]
    data["traffic"]["elbv2"]["targetHealth"][admin] = [_health(str(item["Target"]["Id"]), "unhealthy") for item in registered]
    result = _verdict(data)
    assert base.verdict != "not-serving"
    assert "in shop-admin-tg (the weakest;" in result.summary
    # Capacity is the weakest production path's: a path that routes to nothing is an outage of it.
    assert (result.verdict, result.basis) == ("not-serving", "traffic-layer")


def test_unread_failed_instances_lower_in_place_capacity_behind_a_load_balancer() -> None:
    data = load_fixture_json("traffic-server-inplace-capacity")
    data["traffic"]["elbv2"].pop("targetHealth")
    data["errors"] = [{"service": "elbv2", "operation": "DescribeTargetHealth", "code": "AccessDenied", "message": "no"}]
    assert _verdict(data).summary.startswith("capacity down to ~2/4 instances in service")
    data["deployment"]["deploymentOverview"]["Failed"] += 3  # 7 instances, 3 failed ones not read
    after = _verdict(data)
    assert after.summary.startswith("capacity down to ~2-5/7 instances in service: 3 failed instances were not read in detail")
    assert "; may be below the minimum of 4 healthy" in after.summary  # 2 to 5 in service against 4
    minimum = next(c for c in after.checks if c.source == "codedeploy:GetDeploymentConfig")
    assert minimum.detail.startswith("2-5 of 7 instances in service") and not minimum.ok


def test_in_place_capacity_ignores_a_target_group_attached_to_no_load_balancer() -> None:
    data = load_fixture_json("traffic-server-inplace-capacity")
    before = _verdict(data)
    tg_arn = next(iter(data["traffic"]["elbv2"]["targetHealth"]))
    spare = tg_arn.replace(tg_arn.split("/")[-2], "shop-spare-tg")
    data["deployment"]["loadBalancerInfo"]["targetGroupInfoList"].append({"name": "shop-spare-tg"})
    groups = data["traffic"]["elbv2"]["targetGroups"]
    groups.append({**groups[0], "TargetGroupArn": spare, "TargetGroupName": "shop-spare-tg", "LoadBalancerArns": []})
    data["traffic"]["elbv2"]["targetHealth"][spare] = []
    after = _verdict(data)
    assert (after.verdict, after.basis) == (before.verdict, before.basis)
    assert "shop-spare-tg (the weakest" not in after.summary


def test_an_unattached_target_group_does_not_grow_the_in_place_fleet() -> None:
    data = load_fixture_json("traffic-server-inplace-capacity")
    before = _verdict(data)
    tg_arn = next(iter(data["traffic"]["elbv2"]["targetHealth"]))
    spare = tg_arn.replace(tg_arn.split("/")[-2], "spare-tg")
    data["deployment"]["loadBalancerInfo"]["targetGroupInfoList"].append({"name": "spare-tg"})
    groups = data["traffic"]["elbv2"]["targetGroups"]
    groups.append({**groups[0], "TargetGroupArn": spare, "TargetGroupName": "spare-tg", "LoadBalancerArns": []})
    data["traffic"]["elbv2"]["targetHealth"][spare] = [_health(f"i-0spare{n}", "healthy") for n in range(3)]
    after = _verdict(data)
    assert after.summary.split(";")[0] == before.summary.split(";")[0], after.summary
    assert (after.verdict, after.basis) == (before.verdict, before.basis)


def test_in_place_with_no_attached_target_group_says_so() -> None:
    data = load_fixture_json("traffic-server-inplace-capacity")
    for group in data["traffic"]["elbv2"]["targetGroups"]:
        group["LoadBalancerArns"] = []
    result = _verdict(data)
    assert (result.verdict, result.basis) == ("not-serving", "traffic-layer")
    assert result.summary.startswith("capacity down to 0: no production target group is attached")


def test_in_place_member_shares_never_add_up_past_100() -> None:
    data = load_fixture_json("traffic-server-inplace-capacity")
    tg_arn = next(iter(data["traffic"]["elbv2"]["targetHealth"]))
    admin = tg_arn.replace(tg_arn.split("/")[-2], "shop-admin-tg")
    data["deployment"]["loadBalancerInfo"]["targetGroupInfoList"].append({"name": "shop-admin-tg"})
    groups = data["traffic"]["elbv2"]["targetGroups"]
    groups.append({**groups[0], "TargetGroupArn": admin, "TargetGroupName": "shop-admin-tg"})
    registered = [str(item["Target"]["Id"]) for item in data["traffic"]["elbv2"]["targetHealth"][tg_arn]]
    data["traffic"]["elbv2"]["targetHealth"][admin] = [_health(registered[0], "healthy")]
    members = _verdict(data).environments[0].members
    assert sum(m.traffic_share or 0.0 for m in members) <= 100.0 + 1e-9


def test_a_capacity_range_shows_no_single_traffic_share() -> None:
    data = load_fixture_json("traffic-server-inplace-capacity")
    data["traffic"]["elbv2"].pop("targetHealth")
    data["errors"] = [{"service": "elbv2", "operation": "DescribeTargetHealth", "code": "AccessDenied", "message": "no"}]
    data["deployment"]["deploymentOverview"]["Failed"] += 3
    environment = _verdict(data).environments[0]
    assert environment.traffic_share is None and environment.summary == "original fleet: 2-5/7 in service"


def test_capacity_wording_keeps_both_mid_deployment_and_unread_instances() -> None:
    data = load_fixture_json("server-inprogress-with-failed-target")
    data["deployment"]["deploymentOverview"]["Failed"] += 1
    summary = _verdict(data).summary
    assert "1 more stopped mid-deployment; 1 more failed instances were not read in detail" in summary
