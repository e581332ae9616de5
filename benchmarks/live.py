"""Live workloads: cd-doctor's collector, diagnosis and report over fake AWS with latency, per platform.

Each workload is a snapshot served as an account (``benchmarks/accounts.py``; Server blue/green
uses ``benchmarks/workload.py`` and the fakes of ``bench.worlds``). One run makes a fresh
``ClientFactory`` (a fresh boto3 session, as a CLI run does), collects with the real
``Collector`` and traffic collector, diagnoses and renders the text report. The timeline
(``benchmarks/timeline.py``) gives the round trips of the timed run; a second run with every
client made beforehand gives the dependent round trips (only calls that waited on calls).

Each workload also states the *minimum* number of calls that gives the same answers (the same
report: verdict, exit code, causes, groups, log locations), worked out from what each call
contributes (docs/performance.md, "The floor"), so the table shows how far the tool is from it.
"""

from __future__ import annotations

import json
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import scaled
from benchmarks.accounts import account
from benchmarks.timeline import CallTimeline
from benchmarks.workload import blue_green_workload
from codedeploy_doctor.aws.clients import ClientFactory
from codedeploy_doctor.aws.collect import BATCH_LIMIT, DETAIL_LIMIT, Collector
from codedeploy_doctor.aws.traffic import collect_traffic
from codedeploy_doctor.diagnosis import diagnose
from codedeploy_doctor.ids import DeploymentId
from codedeploy_doctor.render import OutputFormat, RenderOptions, renderer_for
from codedeploy_doctor.report import exit_code_for
from tests.support import offline_factory

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

PAGE_SIZE = 100
"""Ids per ListDeploymentTargets page in the fake (AWS does not document its page size)."""


def _pages(ids: int) -> int:
    return max(1, -(-ids // PAGE_SIZE))


def _batches(ids: int) -> int:
    return -(-ids // BATCH_LIMIT)


@dataclass(frozen=True)
class LiveWorkload:
    """One deployment to diagnose live."""

    platform: str
    """Server blue/green, Server in-place (LB), Server in-place, ECS, Lambda."""
    targets: int
    """Targets in the deployment (for ECS: tasks registered behind the service)."""
    failed: int
    snapshot: dict[str, Any]
    minimum: int
    """Fewest calls giving the same report."""
    minimum_why: str
    """What the minimum is made of."""
    serve: Callable[[float], tuple[Any, Any]] = field(compare=False, repr=False, default=lambda latency: (None, None))


def _from_snapshot(snapshot: dict[str, Any]) -> Callable[[float], tuple[Any, Any]]:
    return lambda latency: account(snapshot, latency=latency, page_size=PAGE_SIZE)


def server_blue_green(total: int, failed: int) -> LiveWorkload:
    """A failed Server blue/green deployment; Blue registered and healthy, every instance running."""
    from benchmarks.bench import worlds

    made = blue_green_workload(total, failed)
    read = min(failed, DETAIL_LIMIT)
    blue_fill = 25 if read == 0 else (-read) % BATCH_LIMIT
    listing = _pages(read) + 1
    batches = _batches(read + blue_fill)
    minimum = 1 + 1 + listing + batches + 3
    why = (
        f"GetDeployment; GetDeploymentGroup (group id of the scripts.log path); {listing} ListDeploymentTargets "
        f"({_pages(read)} of Failed, 1 of Blue); {batches} BatchGet; DescribeTargetGroups (the ARN); "
        "DescribeTargetHealth; DescribeInstances (Blue stopped or terminated)"
    )
    return LiveWorkload(
        "Server blue/green", total, failed, made.snapshot, minimum, why, lambda latency: worlds(made, latency, PAGE_SIZE)
    )


def server_in_place(total: int, *, load_balancer: bool) -> LiveWorkload:
    """Server in-place, with a target group (half failed) or without one (all failed)."""
    snapshot = scaled.inplace_lb(total) if load_balancer else scaled.inplace_no_lb(total)
    failed = sum(1 for t in snapshot["targets"] if t["instanceTarget"]["status"] == "Failed")
    read = min(failed, DETAIL_LIMIT)
    listing, batches = _pages(read), _batches(read)
    if load_balancer:
        minimum = 1 + 1 + listing + batches + 1 + 3
        why = (
            f"GetDeployment; GetDeploymentGroup; {listing} ListDeploymentTargets; {batches} BatchGet; "
            "DescribeInstances (failing instances' state and profile); DescribeTargetGroups, DescribeTargetHealth, "
            "GetDeploymentConfig (minimum healthy hosts)"
        )
        platform = "Server in-place, target group"
    else:
        minimum = 1 + 1 + listing + batches + 1
        why = f"GetDeployment; GetDeploymentGroup; {listing} ListDeploymentTargets; {batches} BatchGet; DescribeInstances"
        platform = "Server in-place, no load balancer"
    return LiveWorkload(platform, total, failed, snapshot, minimum, why, _from_snapshot(snapshot))


def ecs_service(tasks: int) -> LiveWorkload:
    """The ECS fixture (one service, task sets half shifted) with ``tasks`` tasks in each target group."""
    snapshot = json.loads((FIXTURES / "ecs-half-shifted.json").read_text(encoding="utf-8"))
    elbv2 = snapshot["traffic"]["elbv2"]
    elbv2["targetHealth"] = {
        arn: [
            {
                "Target": {"Id": f"10.{n // 62500}.{n // 250 % 250}.{n % 250 + 4}", "Port": 8080},
                "HealthCheckPort": "8080",
                "TargetHealth": {"State": "healthy"},
            }
            for n in range(tasks)
        ]
        for arn in elbv2["targetHealth"]
    }
    pairs = snapshot["deployment"]["loadBalancerInfo"]["targetGroupPairInfoList"]
    rules = len({arn for pair in pairs for arn in pair["prodTrafficRoute"]["listenerArns"]})
    minimum = 1 + 1 + 1 + 1 + 1 + 2 + 1 + rules
    why = (
        "GetDeployment; ListDeploymentTargets; BatchGet; DescribeTargetGroups; DescribeListeners; "
        f"DescribeTargetHealth x2; DescribeServices; DescribeRules x{rules} (every production listener's rules: "
        "one may send production to Green); GetDeploymentGroup changes nothing "
        "changes nothing in the report when GetDeployment names the target groups and listeners: 1 above the floor, "
        "in round trip 2"
    )
    return LiveWorkload("ECS", tasks, 1, snapshot, minimum, why, _from_snapshot(snapshot))


def lambda_function() -> LiveWorkload:
    """The Lambda canary fixture: one function, its alias still weighted."""
    snapshot = json.loads((FIXTURES / "lambda-canary-weighted.json").read_text(encoding="utf-8"))
    why = (
        "GetDeployment; ListDeploymentTargets; BatchGet; GetAlias (GetDeploymentGroup changes nothing in the "
        "report: 1 above the floor, in round trip 2)"
    )
    return LiveWorkload("Lambda", 1, 1, snapshot, 4, why, _from_snapshot(snapshot))


@dataclass
class LiveResult:
    """One live run (the median of the timed runs) with its dependent round trips and memory."""

    platform: str
    targets: int
    failed: int
    calls: int
    calls_by_operation: dict[str, int]
    round_trips: int
    dependent_round_trips: int
    waves: list[list[str]]
    wall_s: float
    peak_mib: float
    read_in_detail: int
    exit_code: str
    verdict: str
    minimum: int
    minimum_why: str


def _run(workload: LiveWorkload, latency: float, *, warm: bool, memory: bool) -> tuple[Any, ...]:
    codedeploy, traffic = workload.serve(latency)
    timeline = CallTimeline()
    hooks = [timeline.attach, codedeploy.attach, traffic.attach]
    factory: ClientFactory | None = None
    if warm:
        factory = offline_factory(*hooks)
        for service in ("codedeploy", "elbv2", "ec2", "ecs", "lambda", "elb"):
            factory.client(service)
    if memory:
        tracemalloc.start()
    started = time.perf_counter()
    factory = factory or offline_factory(*hooks)
    snapshot = Collector(factory, traffic=collect_traffic).collect(DeploymentId(workload.snapshot["deployment"]["deploymentId"]))
    report = diagnose(snapshot)
    renderer_for(OutputFormat.TEXT)(report, RenderOptions(color=False, width=100))
    wall = time.perf_counter() - started
    peak = 0.0
    if memory:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return factory, timeline, snapshot, report, wall, peak


def run_live(workload: LiveWorkload, latency: float, *, repeat: int) -> LiveResult:
    """Timed runs (median), a dependency probe with clients made beforehand, and a memory run at 0 ms."""
    runs = sorted((_run(workload, latency, warm=False, memory=False) for _ in range(repeat)), key=lambda run: run[4])
    factory, timeline, snapshot, report, wall, _ = runs[len(runs) // 2]
    _, probe, _, _, _, _ = _run(workload, latency, warm=True, memory=False)
    peak = _run(workload, 0.0, warm=False, memory=True)[5]
    return LiveResult(
        platform=workload.platform,
        targets=workload.targets,
        failed=workload.failed,
        calls=factory.total_calls,
        calls_by_operation=dict(sorted(factory.calls.items())),
        round_trips=timeline.round_trips(),
        dependent_round_trips=probe.round_trips(),
        waves=probe.waves(),
        wall_s=wall,
        peak_mib=peak,
        read_in_detail=len(snapshot.targets),
        exit_code=exit_code_for(report).name,
        verdict=report.blue_traffic.verdict,
        minimum=workload.minimum,
        minimum_why=workload.minimum_why,
    )


def workloads(quick: bool) -> list[LiveWorkload]:
    """The live workloads to run."""
    if quick:
        blue_green = [(10, 1), (1000, 10), (20000, 20), (20000, 20000)]
        in_place = [1000]
        tasks = [10000]
    else:
        blue_green = [(10, 1), (1000, 1), (1000, 10), (1000, 1000), (5000, 50), (10000, 1), (10000, 100), (20000, 20)]
        blue_green += [(20000, 200), (20000, 20000)]
        in_place = [1000, 20000]
        tasks = [10, 10000]
    chosen = [server_blue_green(total, failed) for total, failed in blue_green]
    chosen += [server_in_place(total, load_balancer=True) for total in in_place]
    chosen += [server_in_place(total, load_balancer=False) for total in in_place]
    chosen += [ecs_service(count) for count in tasks]
    chosen.append(lambda_function())
    return chosen
