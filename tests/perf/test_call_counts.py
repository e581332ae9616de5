"""How many AWS calls, and how many sequential round trips, a diagnosis costs: counted, never timed.

The figures asserted here are the ones docs/performance.md reports; a change that adds a call or
a round trip shows up as a failing test, to be justified and the docs updated with it. Timings
are left to ``benchmarks/bench.py``: machines are too noisy to assert them.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any

import pytest

from benchmarks.bench import worlds
from benchmarks.naive import collect_naive
from benchmarks.timeline import CallTimeline
from benchmarks.workload import Workload, blue_green_workload
from codedeploy_doctor.aws.collect import BATCH_LIMIT, DETAIL_LIMIT, Collector
from codedeploy_doctor.aws.traffic import collect_traffic
from codedeploy_doctor.diagnosis import diagnose
from codedeploy_doctor.ids import DeploymentId
from codedeploy_doctor.snapshot import Snapshot
from tests.fakes.codedeploy_world import CodeDeployWorld, FakeAwsError
from tests.support import offline_factory

PAGE_SIZE = 100
"""The benchmark's ListDeploymentTargets page size."""

SMALL_FAILURE_CALLS = Counter(
    {
        "codedeploy:GetDeployment": 1,
        "codedeploy:GetDeploymentGroup": 1,
        "codedeploy:ListDeploymentTargets": 2,  # Failed, and one page of Blue
        "codedeploy:BatchGetDeploymentTargets": 1,  # the failed targets, the batch filled up with Blue
        "elbv2:DescribeTargetGroups": 1,
        "elbv2:DescribeTargetHealth": 1,
        "ec2:DescribeInstances": 1,
    }
)
"""A failed blue/green deployment with up to 25 failed targets, whatever its size: 8 calls."""


@dataclasses.dataclass
class Run:
    """One collection over the fakes: what it collected and the calls it made."""

    snapshot: Snapshot
    calls: Counter[str]
    timeline: CallTimeline
    batch_sizes: list[int]


def _collect(workload: Workload, *, latency: float = 0.0, traffic: bool = True, warm: bool = False) -> Run:
    codedeploy, traffic_world = worlds(workload, latency, PAGE_SIZE)
    batch_sizes: list[int] = []

    def record_batch(operation: str, params: dict[str, Any]) -> FakeAwsError | None:
        if operation == "BatchGetDeploymentTargets":
            batch_sizes.append(len(params.get("targetIds") or []))
        return None

    codedeploy.faults.append(record_batch)
    timeline = CallTimeline()
    factory = offline_factory(timeline.attach, codedeploy.attach, traffic_world.attach)
    if warm:
        # Clients made beforehand: the timeline then holds only calls waiting on calls, not client set-up.
        for service in ("codedeploy", "elbv2", "ec2"):
            factory.client(service)
    collector = Collector(factory, traffic=collect_traffic if traffic else None)
    snapshot = collector.collect(DeploymentId(workload.deployment_id))
    assert snapshot.api_calls == factory.total_calls == sum(timeline.calls.values())
    return Run(snapshot=snapshot, calls=Counter(factory.calls), timeline=timeline, batch_sizes=batch_sizes)


@pytest.mark.parametrize(("total", "failed"), [(10, 1), (1000, 3), (1000, 25), (5000, 1)])
def test_a_small_failure_costs_8_calls_at_any_size(total: int, failed: int) -> None:
    run = _collect(blue_green_workload(total, failed))
    assert run.calls == SMALL_FAILURE_CALLS
    assert run.snapshot.traffic.get("elbv2", {}).get("targetHealth"), "traffic checks are part of the 8 calls"
    assert not run.snapshot.errors


def test_1000_targets_3_failed_is_3_dependent_round_trips() -> None:
    # 50 ms a call and every client made beforehand: a call that did not wait for another one
    # overlaps it, so the longest chain counts the round trips the collector waited for.
    run = _collect(blue_green_workload(1000, 3), latency=0.05, warm=True)
    assert run.timeline.round_trips() == 3, run.timeline.waves()
    assert run.timeline.waves() == [
        ["codedeploy:GetDeployment"],
        [
            "codedeploy:GetDeploymentGroup",
            "codedeploy:ListDeploymentTargets",
            "codedeploy:ListDeploymentTargets",
            "elbv2:DescribeTargetGroups",
        ],
        ["codedeploy:BatchGetDeploymentTargets", "ec2:DescribeInstances", "elbv2:DescribeTargetHealth"],
    ]


def test_a_rollback_costs_one_more_call_in_the_same_round_trips() -> None:
    # With automatic rollback the rolled-back deployment is read beside the deployment group:
    # 9 calls, so goal (a)'s 8 holds only for deployments that were not rolled back.
    run = _collect(blue_green_workload(1000, 3, rolled_back=True), latency=0.05, warm=True)
    assert run.calls == SMALL_FAILURE_CALLS + Counter({"codedeploy:GetDeployment": 1})
    assert run.snapshot.rollback_deployment is not None
    assert run.timeline.round_trips() == 3, run.timeline.waves()


def test_1000_targets_3_failed_reads_the_failed_targets_and_a_blue_sample() -> None:
    workload = blue_green_workload(1000, 3)
    run = _collect(workload)
    labels = Counter((t["instanceTarget"]["instanceLabel"], t["instanceTarget"]["status"]) for t in run.snapshot.targets)
    assert labels == {("Green", "Failed"): 3, ("Blue", "Pending"): BATCH_LIMIT - 3}
    assert run.batch_sizes == [BATCH_LIMIT]
    assert run.snapshot.collection is not None and not run.snapshot.collection.truncated
    assert dict(run.snapshot.collection.listed) == {"Failed": 3, "Blue": PAGE_SIZE}


def test_5000_all_failed_is_bounded_and_says_so() -> None:
    run = _collect(blue_green_workload(5000, 5000))
    failed_pages = -(-DETAIL_LIMIT // PAGE_SIZE)  # the Failed listing stops once it holds DETAIL_LIMIT ids
    assert run.calls == {
        "codedeploy:GetDeployment": 1,
        "codedeploy:GetDeploymentGroup": 1,
        "codedeploy:ListDeploymentTargets": failed_pages + 1,  # 3 pages of Failed, 1 of Blue
        "codedeploy:BatchGetDeploymentTargets": DETAIL_LIMIT // BATCH_LIMIT,  # 10
        "elbv2:DescribeTargetGroups": 1,
        "elbv2:DescribeTargetHealth": 1,
        "ec2:DescribeInstances": 1,
    }
    assert sum(run.calls.values()) == 19
    assert len(run.snapshot.targets) == DETAIL_LIMIT
    assert run.batch_sizes == [BATCH_LIMIT] * (DETAIL_LIMIT // BATCH_LIMIT)
    assert run.snapshot.collection is not None and run.snapshot.collection.truncated
    # The diagnosis of what was collected (the Blue verdict aside: this test is about collection).
    report = diagnose(dataclasses.replace(run.snapshot, traffic={}))
    assert any(f"read {DETAIL_LIMIT} of 5000 failed targets in detail" in warning for warning in report.warnings), report.warnings


def test_batch_get_never_gets_more_than_25_ids() -> None:
    for total, failed in ((100, 26), (1000, 10), (1000, 1000)):
        run = _collect(blue_green_workload(total, failed), traffic=False)
        assert run.batch_sizes and max(run.batch_sizes) <= BATCH_LIMIT


@pytest.mark.parametrize("total", [100, 1000])
def test_the_naive_baseline_reads_every_target(total: int) -> None:
    workload = blue_green_workload(total, max(1, total // 100))
    codedeploy = CodeDeployWorld.from_snapshots([workload.snapshot], page_size=PAGE_SIZE)
    factory = offline_factory(codedeploy.attach)
    snapshot = collect_naive(factory, workload.deployment_id)
    assert len(snapshot.targets) == total
    assert factory.calls == {
        "codedeploy:GetDeployment": 1,
        "codedeploy:ListDeploymentTargets": -(-total // PAGE_SIZE),
        "codedeploy:BatchGetDeploymentTargets": -(-total // BATCH_LIMIT),
    }


@pytest.mark.parametrize("failed", [1, 25, 40])
def test_blue_is_counted_over_every_listed_blue_instance_not_the_sample_read(failed: int) -> None:
    """80 targets, 40 Blue of which 16 unhealthy: the verdict must say 24/40, however few Blue were read in detail."""
    workload = blue_green_workload(80, failed)
    codedeploy, traffic_world = worlds(workload, 0.0, PAGE_SIZE)
    (arn,) = traffic_world.target_health
    for description in traffic_world.target_health[arn][:16]:
        description["TargetHealth"] = {"State": "unhealthy", "Reason": "Target.FailedHealthChecks"}
    factory = offline_factory(codedeploy.attach, traffic_world.attach)
    snapshot = Collector(factory, traffic=collect_traffic).collect(DeploymentId(workload.deployment_id))
    report = diagnose(snapshot)
    assert (report.blue_traffic.verdict, report.blue_traffic.basis) == ("partial", "traffic-layer")
    assert "24/40 Blue instances healthy" in report.blue_traffic.summary
    blue = next(env for env in report.blue_traffic.environments if env.label == "Blue")
    assert len(blue.members) == 40


@pytest.mark.parametrize(("targets", "in_full"), [(80, True), (1000, False)])
def test_the_snapshot_says_whether_the_blue_listing_is_the_whole_fleet(targets: int, in_full: bool) -> None:
    """40 Blue ids fit one page; 500 do not: then an unlisted registered instance may be Blue, and no one guesses."""
    workload = blue_green_workload(targets, 1)
    codedeploy, traffic_world = worlds(workload, 0.0, PAGE_SIZE)
    factory = offline_factory(codedeploy.attach, traffic_world.attach)
    snapshot = Collector(factory, traffic=collect_traffic).collect(DeploymentId(workload.deployment_id))
    assert snapshot.collection is not None
    assert snapshot.collection.blue_listed_in_full is in_full
    assert snapshot.to_json()["collection"]["blueListedInFull"] is in_full
    assert diagnose(snapshot).blue_traffic.verdict == "serving"
