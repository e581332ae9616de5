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

from dataclasses import dataclass, replace

from codedeploy_doctor.report import BlueTraffic, TrafficCheck
from codedeploy_doctor.snapshot import Snapshot
from codedeploy_doctor.traffic.common import LIFECYCLE_SOURCE, rollback_check
from codedeploy_doctor.traffic.ecs import ECS_RULES, assess_ecs
from codedeploy_doctor.traffic.facts import Facts, read_facts
from codedeploy_doctor.traffic.in_place import IN_PLACE_RULES, NO_LOAD_BALANCER_RULES, assess_in_place
from codedeploy_doctor.traffic.lambda_alias import LAMBDA_RULES, assess_lambda
from codedeploy_doctor.traffic.rules import Rule, RuleTable, VerdictBy, always
from codedeploy_doctor.traffic.server import BLUE_GREEN_RULES, assess_blue_green
from codedeploy_doctor.traffic.termination import blue_termination

__all__ = ["RULE_TABLES", "assess_blue_traffic", "rule_by_id"]


@dataclass(frozen=True)
class Judged:
    """A deployment and the verdict its platform's table gave it, for the rules every platform shares."""

    facts: Facts
    """The deployment-level facts."""
    platform: BlueTraffic | None
    """The platform's verdict (None: the platform is not understood)."""


def _retired_as_planned(facts: Facts) -> bool:
    """Tell whether a blue/green deployment that did not fail has moved production on purpose.

    That is once it succeeded, while it bakes (ECS, Lambda), and during the termination wait
    (the deployment is still in progress then, with traffic already on Green).
    """
    blue_green = facts.deployment_type == "BLUE_GREEN" or facts.platform in ("ECS", "Lambda")
    if not blue_green or facts.failed:
        return False
    return facts.status in ("Succeeded", "Baking") or facts.deployment.get("instanceTerminationWaitTimeStarted") is True


def _platform(judged: Judged) -> BlueTraffic:
    assert judged.platform is not None
    return judged.platform


DEPLOYMENT_RULES: RuleTable[Judged] = RuleTable(
    "Every platform",
    "Before and after the platform's own table: a platform cd-doctor does not understand, and a blue/green "
    "deployment that moved production to Green on purpose.",
    (
        Rule(
            "deployment.platform-not-understood",
            "the compute platform is not Server, ECS or Lambda",
            "unknown",
            "codedeploy-only",
            lambda j: j.platform is None,
            lambda j: f"no traffic rule for compute platform {j.facts.platform}",
        ),
        Rule(
            "deployment.retired-as-planned",
            "a blue/green deployment succeeded, bakes, or waits to terminate Blue: traffic moved to Green on purpose",
            "not-applicable",
            "codedeploy-only",
            lambda j: _retired_as_planned(j.facts),
            lambda j: f"traffic moved to Green as planned; {_platform(j).summary}",
            example="traffic-server-bg-termination-wait",
            keeps_basis=True,
        ),
        Rule(
            "deployment.by-platform",
            "otherwise: the platform's table decides (its rule is the one reported)",
            VerdictBy("the platform table's", lambda j: _platform(j).verdict),
            "codedeploy-only",
            always,
            lambda j: _platform(j).summary,
            keeps_basis=True,
        ),
    ),
)
"""The rules every platform shares; ``deployment.by-platform`` hands over to the platform's own table."""

RULE_TABLES: tuple[RuleTable[object], ...] = (  # type: ignore[assignment]
    DEPLOYMENT_RULES,
    BLUE_GREEN_RULES,
    IN_PLACE_RULES,
    NO_LOAD_BALANCER_RULES,
    ECS_RULES,
    LAMBDA_RULES,
)
"""Every verdict table, in the order docs/verdicts.md lists them."""


def rule_by_id(rule_id: str) -> Rule[object] | None:
    """The rule with ``rule_id``, from any table."""
    return next((rule for table in RULE_TABLES for rule in table.rules if rule.id == rule_id), None)


def _by_platform(facts: Facts) -> BlueTraffic | None:
    if facts.platform == "ECS":
        return assess_ecs(facts)
    if facts.platform == "Lambda":
        return assess_lambda(facts)
    if facts.platform == "Server":
        return assess_blue_green(facts) if facts.deployment_type == "BLUE_GREEN" else assess_in_place(facts)
    return None


def assess_blue_traffic(snapshot: Snapshot) -> BlueTraffic:
    """Whether Blue still serves production traffic, with the checks and the Blue/Green view behind it."""
    facts = read_facts(snapshot)
    judged = Judged(facts, _by_platform(facts))
    rule = DEPLOYMENT_RULES.first_match(judged)
    if judged.platform is None:
        detail = f"compute platform {facts.platform} is not understood"
        result = BlueTraffic(
            verdict="unknown",
            summary=rule.summary(judged),
            basis="codedeploy-only",
            checks=(TrafficCheck(source=LIFECYCLE_SOURCE, ok=False, detail=detail),),
            rule=rule.id,
        )
    else:
        result = judged.platform
    rollback = rollback_check(facts, blue_safe=result.confirmed_safe)
    if rollback is not None:
        result = replace(result, checks=(*result.checks, rollback))
    if rule.id == "deployment.retired-as-planned":
        result = replace(result, verdict="not-applicable", summary=rule.summary(judged), rule=rule.id)
    return replace(result, blue_termination=blue_termination(facts))
