"""The benchmark's own parts: its deployments fit the AWS model, its fakes answer like AWS, its round-trip count."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from benchmarks.timeline import CallSpan, longest_chain
from benchmarks.workload import TARGET_GROUP_ARN, blue_green_workload, failed_count, instances, target_group, target_health
from tests.fakes.traffic_world import TrafficWorld
from tests.shapes import check_consistency, validate_snapshot
from tests.support import offline_factory


@pytest.mark.parametrize(("total", "failed", "rolled_back"), [(10, 1, False), (100, 100, False), (1000, 10, True)])
def test_generated_deployments_fit_the_codedeploy_model(total: int, failed: int, rolled_back: bool) -> None:
    workload = blue_green_workload(total, failed, rolled_back=rolled_back)
    assert validate_snapshot(workload.snapshot) == []
    assert check_consistency(workload.snapshot) == []
    overview = workload.snapshot["deployment"]["deploymentOverview"]
    assert overview["Failed"] == failed and sum(overview.values()) == total


def test_failed_shares() -> None:
    assert [failed_count(1000, share) for share in ("1", "1%", "100%")] == [1, 10, 1000]
    assert failed_count(10, "1%") == 1


def _traffic_world(total: int = 10) -> TrafficWorld:
    workload = blue_green_workload(total, 1)
    return TrafficWorld(
        target_groups=[target_group()],
        target_health={TARGET_GROUP_ARN: target_health(workload)},
        instances={instance["InstanceId"]: instance for instance in instances(workload)},
    )


def test_traffic_world_answers_like_elbv2_and_ec2() -> None:
    world = _traffic_world()
    factory = offline_factory(world.attach)
    elbv2, ec2 = factory.client("elbv2"), factory.client("ec2")
    groups = elbv2.describe_target_groups(Names=["web-prod-tg"])["TargetGroups"]
    assert [group["TargetGroupArn"] for group in groups] == [TARGET_GROUP_ARN]
    health = elbv2.describe_target_health(TargetGroupArn=TARGET_GROUP_ARN)["TargetHealthDescriptions"]
    assert {item["TargetHealth"]["State"] for item in health} == {"healthy"} and len(health) == 5
    green = blue_green_workload(10, 1).green_ids[0]
    asked = elbv2.describe_target_health(TargetGroupArn=TARGET_GROUP_ARN, Targets=[{"Id": green}])
    assert asked["TargetHealthDescriptions"][0]["TargetHealth"]["Reason"] == "Target.NotRegistered"
    reservations = ec2.describe_instances(InstanceIds=[green])["Reservations"]
    assert reservations[0]["Instances"][0]["State"]["Name"] == "running"
    assert world.calls == {"elbv2:DescribeTargetGroups": 1, "elbv2:DescribeTargetHealth": 2, "ec2:DescribeInstances": 1}


@pytest.mark.parametrize(
    ("service", "call", "params", "code"),
    [
        ("elbv2", "describe_target_groups", {"Names": ["nope"]}, "TargetGroupNotFound"),
        ("elbv2", "describe_target_health", {"TargetGroupArn": TARGET_GROUP_ARN + "x"}, "TargetGroupNotFound"),
        ("ec2", "describe_instances", {"InstanceIds": ["i-0123456789abcdef0"]}, "InvalidInstanceID.NotFound"),
        ("ecs", "describe_services", {"cluster": "c", "services": ["s"]}, "UnsupportedOperation"),
    ],
)
def test_traffic_world_errors(service: str, call: str, params: dict[str, object], code: str) -> None:
    client = offline_factory(_traffic_world().attach).client(service)
    with pytest.raises(ClientError) as caught:
        getattr(client, call)(**params)
    assert caught.value.response["Error"]["Code"] == code


def test_traffic_world_validates_its_answers() -> None:
    world = _traffic_world()
    world.target_groups[0]["Port"] = "eighty"  # not an integer: AWS would never send it
    with pytest.raises(AssertionError, match="does not fit"):
        offline_factory(world.attach).client("elbv2").describe_target_groups(Names=["web-prod-tg"])


def test_longest_chain_counts_calls_that_waited_on_calls() -> None:
    spans = [
        CallSpan("a", 0.00, 0.05),
        CallSpan("b", 0.06, 0.11),  # after a
        CallSpan("c", 0.06, 0.12),  # beside b
        CallSpan("d", 0.12, 0.17),  # after b (and c)
        CallSpan("e", 0.07, 0.20),  # after a, overlaps the rest
    ]
    assert longest_chain(spans) == 3
    assert longest_chain([CallSpan(str(n), n, n + 0.5) for n in range(4)]) == 4
    assert longest_chain([]) == 0
