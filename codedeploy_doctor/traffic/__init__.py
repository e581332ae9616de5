"""Is the original (Blue) environment still serving production? A pure verdict over a snapshot.

``assess_blue_traffic(snapshot)`` reads CodeDeploy's own data (deployment type, target labels,
lifecycle events, rollback, termination settings) and the traffic layer the collector recorded
(target health, listeners, EC2 instances, ECS services, Lambda aliases), and says which of the
two the verdict rests on: ``traffic-layer`` when the load balancer, ECS or Lambda confirmed it,
``codedeploy-only`` when a traffic call failed or was never recorded and the verdict is inferred
from lifecycle events. The exit code rule (README, exit codes) depends on that basis, so a verdict
only claims ``traffic-layer`` when every read it needs is in the snapshot.

A deployment that did not fail still gets a verdict: in progress, it is judged like a failed
one; a blue/green deployment that succeeded, bakes, or waits to terminate Blue is
``not-applicable`` (Blue was retired as planned), while an in-place one reports its capacity.

This package does no I/O and imports nothing from ``codedeploy_doctor.aws`` nor boto3.
"""

from __future__ import annotations

from dataclasses import replace

from codedeploy_doctor.report import BlueTraffic, TrafficCheck
from codedeploy_doctor.snapshot import Snapshot
from codedeploy_doctor.traffic.common import LIFECYCLE_SOURCE, rollback_check
from codedeploy_doctor.traffic.ecs import assess_ecs
from codedeploy_doctor.traffic.facts import Facts, read_facts
from codedeploy_doctor.traffic.lambda_alias import assess_lambda
from codedeploy_doctor.traffic.server import assess_server
from codedeploy_doctor.traffic.termination import blue_termination

__all__ = ["assess_blue_traffic"]


def _by_platform(facts: Facts) -> BlueTraffic:
    if facts.platform == "ECS":
        return assess_ecs(facts)
    if facts.platform == "Lambda":
        return assess_lambda(facts)
    if facts.platform == "Server":
        return assess_server(facts)
    return BlueTraffic(
        verdict="unknown",
        summary=f"no traffic rule for compute platform {facts.platform}",
        basis="codedeploy-only",
        checks=(TrafficCheck(source=LIFECYCLE_SOURCE, ok=False, detail=f"compute platform {facts.platform} is not understood"),),
    )


def _retired_as_planned(facts: Facts) -> bool:
    """Tell whether a blue/green deployment that did not fail has moved production on purpose.

    That is once it succeeded, while it bakes (ECS, Lambda), and during the termination wait
    (the deployment is still in progress then, with traffic already on Green).
    """
    blue_green = facts.deployment_type == "BLUE_GREEN" or facts.platform in ("ECS", "Lambda")
    if not blue_green or facts.failed:
        return False
    return facts.status in ("Succeeded", "Baking") or facts.deployment.get("instanceTerminationWaitTimeStarted") is True


def assess_blue_traffic(snapshot: Snapshot) -> BlueTraffic:
    """Whether Blue still serves production traffic, with the checks and the Blue/Green view behind it."""
    facts = read_facts(snapshot)
    result = _by_platform(facts)
    rollback = rollback_check(facts, blue_safe=result.confirmed_safe)
    if rollback is not None:
        result = replace(result, checks=(*result.checks, rollback))
    if _retired_as_planned(facts):
        result = replace(result, verdict="not-applicable", summary=f"traffic moved to Green as planned; {result.summary}")
    return replace(result, blue_termination=blue_termination(facts))
