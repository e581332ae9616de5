"""What the forensics reads cost: calls per platform and at most one dependent round trip more (counted, never timed).

Each call answers after a fixed latency (a fault that sleeps and lets the call through), so calls
sent together overlap and the timeline's longest chain counts the round trips the collector waited
for, as in ``test_call_counts``. The figures are the ones docs/snapshot.md gives.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import pytest

from benchmarks.timeline import CallTimeline
from codedeploy_doctor.aws.collect import Collector
from codedeploy_doctor.aws.forensics import collect_evidence
from codedeploy_doctor.aws.traffic import collect_traffic
from codedeploy_doctor.ids import DeploymentId
from tests.fakes.wire import Attempt, WireFake
from tests.reliability.world import SnapshotAccount
from tests.support import load_fixture_json, offline_factory

LATENCY = 0.05
SERVICES = ("codedeploy", "elbv2", "ec2", "ecs", "lambda", "logs", "cloudwatch")

FORENSIC_CALLS = {
    "ecs-install-image-pull-failed": Counter({"ecs:DescribeTaskSets": 1, "ecs:ListTasks": 1, "ecs:DescribeTasks": 1}),
    "lambda-alarm-fired-during-deployment": Counter({"cloudwatch:DescribeAlarms": 1, "cloudwatch:DescribeAlarmHistory": 1}),
    "lambda-hook-function-timed-out": Counter({"lambda:GetFunctionConfiguration": 1, "logs:FilterLogEvents": 1}),
}
"""Calls a failure adds, per platform (one service, one alarm, one hook function)."""

EXTRA_ROUND_TRIPS = {
    "ecs-install-image-pull-failed": 1,  # DescribeTasks after ListTasks, which runs beside the target batch
    "lambda-alarm-fired-during-deployment": 0,  # beside the target batch
    "lambda-hook-function-timed-out": 1,  # after the target batch (GetAlias no longer waits for it)
}


def _slow(_attempt: Attempt) -> Any:
    time.sleep(LATENCY)
    return None


def _run(name: str, *, forensics: bool) -> CallTimeline:
    timeline = CallTimeline()
    fake = WireFake(SnapshotAccount(load_fixture_json(name)).handle, faults=[_slow])
    factory = offline_factory(timeline.attach, fake.attach)
    for service in SERVICES:
        factory.client(service)  # made beforehand: the timeline holds only calls waiting on calls
    collector = Collector(factory, traffic=collect_traffic, evidence=collect_evidence if forensics else None)
    collector.collect(DeploymentId(load_fixture_json(name)["deployment"]["deploymentId"]))
    return timeline


@pytest.mark.parametrize("name", sorted(FORENSIC_CALLS))
def test_forensics_calls_and_round_trips_per_platform(name: str) -> None:
    without = _run(name, forensics=False)
    with_forensics = _run(name, forensics=True)
    assert with_forensics.calls - without.calls == FORENSIC_CALLS[name]
    extra = with_forensics.round_trips() - without.round_trips()
    assert extra <= EXTRA_ROUND_TRIPS[name], (without.waves(), with_forensics.waves())
