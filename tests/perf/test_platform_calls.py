"""Calls and dependent round trips per platform, and what overlaps what: counted, never timed.

The round-trip tests run at 100 ms a call (well above the CPU jitter of a loaded machine) with
every client made beforehand, so a call that did not wait for another overlaps it
(``benchmarks/timeline.py``); the figures are the ones docs/performance.md reports.
"""

from __future__ import annotations

from collections import Counter

import pytest

from benchmarks import live
from benchmarks.timeline import CallTimeline
from codedeploy_doctor.aws.appspec import function_name, lambda_aliases
from codedeploy_doctor.aws.collect import BATCH_LIMIT, DETAIL_LIMIT, Collector
from codedeploy_doctor.aws.traffic import collect_traffic
from codedeploy_doctor.ids import DeploymentId
from codedeploy_doctor.snapshot import Snapshot
from tests.support import offline_factory

SERVICES = ("codedeploy", "elbv2", "ec2", "ecs", "lambda")


def _collect(workload: live.LiveWorkload, *, latency: float = 0.0) -> tuple[Snapshot, Counter[str], CallTimeline]:
    codedeploy, traffic = workload.serve(latency)
    timeline = CallTimeline()
    factory = offline_factory(timeline.attach, codedeploy.attach, traffic.attach)
    for service in SERVICES:
        factory.client(service)
    snapshot = Collector(factory, traffic=collect_traffic).collect(DeploymentId(workload.snapshot["deployment"]["deploymentId"]))
    assert not snapshot.errors, snapshot.errors
    return snapshot, Counter(factory.calls), timeline


def test_lambda_reads_the_alias_beside_the_listing_from_the_appspec() -> None:
    snapshot, calls, timeline = _collect(live.lambda_function(), latency=0.1)
    assert calls == {
        "codedeploy:GetDeployment": 1,
        "codedeploy:GetDeploymentGroup": 1,
        "codedeploy:ListDeploymentTargets": 1,
        "codedeploy:BatchGetDeploymentTargets": 1,
        "lambda:GetAlias": 1,  # once: the targets name the same alias, it is not read again
    }
    assert timeline.waves() == [
        ["codedeploy:GetDeployment"],
        ["codedeploy:GetDeploymentGroup", "codedeploy:ListDeploymentTargets", "lambda:GetAlias"],
        ["codedeploy:BatchGetDeploymentTargets"],
    ]
    assert snapshot.traffic["lambda"]["aliases"][0]["Name"] == "live"


def test_ecs_is_10_calls_in_3_dependent_round_trips() -> None:
    _, calls, timeline = _collect(live.ecs_service(10), latency=0.1)
    assert sum(calls.values()) == 10
    assert timeline.round_trips() == 3, timeline.waves()


@pytest.mark.parametrize("load_balancer", [True, False])
def test_in_place_reads_the_bounded_failed_targets(load_balancer: bool) -> None:
    workload = live.server_in_place(1000, load_balancer=load_balancer)
    snapshot, calls, _ = _collect(workload)
    assert calls["codedeploy:BatchGetDeploymentTargets"] == DETAIL_LIMIT // BATCH_LIMIT
    assert len(snapshot.targets) == DETAIL_LIMIT
    assert sum(calls.values()) == workload.minimum


def test_the_first_pages_are_read_in_detail_while_later_pages_are_listed() -> None:
    """5,000 failed: 3 pages of failed ids; the batches of page 1 go out beside page 2, not after page 3."""
    _, calls, timeline = _collect(live.server_blue_green(5000, 5000), latency=0.1)
    assert calls["codedeploy:BatchGetDeploymentTargets"] == DETAIL_LIMIT // BATCH_LIMIT  # no call added
    spans = sorted(timeline.spans, key=lambda span: span.start)
    listings = [span for span in spans if span.call == "codedeploy:ListDeploymentTargets"]
    batches = [span for span in spans if span.call == "codedeploy:BatchGetDeploymentTargets"]
    last_listing_end = max(span.end for span in listings)
    assert sum(1 for span in batches if span.start < last_listing_end) >= 2 * (100 // BATCH_LIMIT)


def test_a_small_blue_green_failure_still_sends_one_batch_filled_with_blue() -> None:
    snapshot, calls, timeline = _collect(live.server_blue_green(1000, 3), latency=0.1)
    assert calls["codedeploy:BatchGetDeploymentTargets"] == 1 and sum(calls.values()) == 8
    assert len(snapshot.targets) == BATCH_LIMIT
    assert timeline.round_trips() == 3, timeline.waves()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"Resources":[{"f":{"Type":"AWS::Lambda::Function","Properties":{"Name":"api","Alias":"live"}}}]}', [("api", "live")]),
        (
            "version: 0.0\nResources:\n  - f:\n      Type: AWS::Lambda::Function\n      Properties:\n"
            '        Name: "api"\n        Alias: live\n        CurrentVersion: "1"\n',
            [("api", "live")],
        ),
        (
            "Resources:\n  - a:\n      Properties:\n        Name: one\n        Alias: live\n  - b:\n      Properties:\n"
            "        Name: two\n        Alias: live\n",
            [],
        ),  # two YAML resources: not read, the targets say
        ("not an appspec", []),
    ],
)
def test_lambda_aliases_from_an_inline_appspec(content: str, expected: list[tuple[str, str]]) -> None:
    deployment = {"revision": {"revisionType": "AppSpecContent", "appSpecContent": {"content": content}}}
    assert lambda_aliases(deployment) == expected


def test_an_s3_revision_names_no_alias() -> None:
    assert lambda_aliases({"revision": {"revisionType": "S3", "s3Location": {"bucket": "b", "key": "k"}}}) == []
    assert function_name("arn:aws:lambda:us-east-1:123456789012:function:api:live") == "api"
