"""What target groups and Classic Load Balancers say about the targets registered with them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

from codedeploy_doctor.report import TrafficCheck
from codedeploy_doctor.snapshot import Snapshot
from codedeploy_doctor.traffic.common import failure_checks
from codedeploy_doctor.traffic.facts import TrafficView, as_list, as_object, as_str, plural

TARGET_HEALTH_SOURCE = "elbv2:DescribeTargetHealth"
"""Check source for ELBv2 target health."""

TARGET_GROUPS_SOURCE = "elbv2:DescribeTargetGroups"
"""Check source for ELBv2 target group attachment."""

INSTANCE_HEALTH_SOURCE = "elb:DescribeInstanceHealth"
"""Check source for Classic Load Balancer instance health."""


@dataclass(frozen=True)
class RegisteredTarget:
    """One target as a load balancer reports it."""

    state: str
    """``healthy``, ``unhealthy``, ``draining``... (ELBv2) or ``InService``/``OutOfService`` (Classic)."""
    reason: str | None = None
    """``TargetHealth.Reason`` or Classic ``ReasonCode``."""


@dataclass(frozen=True)
class LoadBalancerState:
    """One production target group or Classic Load Balancer, as read."""

    name: str
    """Target group or load balancer name."""
    source: str
    """The call that read its health."""
    attached: bool
    """False when a target group is attached to no load balancer (it then receives no traffic)."""
    targets: Mapping[str, RegisteredTarget] = field(default_factory=dict)
    """Registered targets by id."""

    @cached_property
    def serving(self) -> frozenset[str]:
        """Ids of targets that receive traffic: healthy (or unchecked) in an attached group.

        Cached: it is asked once per member, and rebuilding it each time made large fleets quadratic.
        """
        if not self.attached:
            return frozenset()
        return frozenset(target_id for target_id, target in self.targets.items() if _receives_traffic(target))

    def state_of(self, target_id: str) -> str:
        """Return the target's state, or ``not registered``."""
        target = self.targets.get(target_id)
        if target is None:
            return "not registered"
        return f"{target.state} ({target.reason})" if target.reason and target.state != "healthy" else target.state


def _receives_traffic(target: RegisteredTarget) -> bool:
    if target.state in ("healthy", "InService"):
        return True
    # With health checks disabled ELBv2 reports "unavailable" yet routes to every target.
    return target.state == "unavailable" and target.reason == "Target.HealthCheckDisabled"


@dataclass(frozen=True)
class LoadBalancerReading:
    """Every production load balancer of a Server deployment, and what could not be read."""

    states: tuple[LoadBalancerState, ...]
    """The load balancers and target groups that were read."""
    problems: tuple[TrafficCheck, ...]
    """Failed checks for those that could not be read."""
    checks: tuple[TrafficCheck, ...] = ()
    """Checks about attachment (a target group attached to no load balancer)."""

    @property
    def complete(self) -> bool:
        """True when every production load balancer was read."""
        return bool(self.states) and not self.problems

    @property
    def names(self) -> str:
        """``tg-a, tg-b`` for summaries."""
        return ", ".join(state.name for state in self.states) or "the load balancer"

    def paths(self) -> LoadBalancerReading:
        """The same reading without target groups attached to no load balancer: they route nothing.

        Their own check (in ``checks``) still says so; capacity, names and health count the rest.
        """
        return replace(self, states=tuple(state for state in self.states if state.attached))

    def serving(self, target_id: str) -> bool:
        """Tell whether the target receives traffic from at least one production load balancer."""
        return any(target_id in state.serving for state in self.states)

    def registered_ids(self) -> set[str]:
        """Every target id registered anywhere."""
        return {target_id for state in self.states for target_id in state.targets}

    def state_of(self, target_id: str) -> str:
        """One word for a member's health: its state in the first load balancer that knows it."""
        if self.serving(target_id):
            return "healthy"
        for state in self.states:
            if target_id in state.targets:
                return state.targets[target_id].state
        return "not registered"

    def detail_of(self, target_id: str) -> str:
        """Per load balancer state, e.g. ``tg-prod: unhealthy (Target.Timeout)``."""
        return "; ".join(f"{state.name}: {state.state_of(target_id)}" for state in self.states)


def read_target_group(view: TrafficView, snapshot: Snapshot, name: str) -> tuple[LoadBalancerState | None, list[TrafficCheck]]:
    """Read one ELBv2 target group's attachment and health; failed checks when it cannot be read."""
    group = view.target_group(name)
    arn = view.target_group_arn(name)
    health = view.target_health(arn)
    if health is None:
        problems = failure_checks(snapshot, "elbv2", ["DescribeTargetGroups", "DescribeTargetHealth"])
        if not problems:
            problems = [
                TrafficCheck(
                    source=TARGET_HEALTH_SOURCE, ok=False, detail=f"health of target group {name} is not in the snapshot"
                )
            ]
        return None, problems
    targets: dict[str, RegisteredTarget] = {}
    for description in health:
        target_id = as_str(as_object(description.get("Target")).get("Id"))
        if target_id is None:
            continue
        target_health = as_object(description.get("TargetHealth"))
        targets[target_id] = RegisteredTarget(
            state=as_str(target_health.get("State")) or "unknown", reason=as_str(target_health.get("Reason"))
        )
    # A group read from target health alone (hand-written snapshot) is taken as attached.
    attached = True if group is None else bool(as_list(group.get("LoadBalancerArns")))
    return LoadBalancerState(name=name, source=TARGET_HEALTH_SOURCE, attached=attached, targets=targets), []


def read_classic(view: TrafficView, snapshot: Snapshot, name: str) -> tuple[LoadBalancerState | None, list[TrafficCheck]]:
    """Read one Classic Load Balancer's instance health."""
    health = view.instance_health(name)
    if health is None:
        problems = failure_checks(snapshot, "elb", ["DescribeInstanceHealth"])
        if not problems:
            problems = [
                TrafficCheck(source=INSTANCE_HEALTH_SOURCE, ok=False, detail=f"instance health of {name} is not in the snapshot")
            ]
        return None, problems
    targets: dict[str, RegisteredTarget] = {}
    for item in health:
        instance_id = as_str(item.get("InstanceId"))
        if instance_id is not None:
            reason = as_str(item.get("ReasonCode"))
            targets[instance_id] = RegisteredTarget(
                state=as_str(item.get("State")) or "Unknown", reason=None if reason == "N/A" else reason
            )
    return LoadBalancerState(name=name, source=INSTANCE_HEALTH_SOURCE, attached=True, targets=targets), []


def read_load_balancers(
    view: TrafficView, snapshot: Snapshot, target_groups: Sequence[str], classic: Sequence[str]
) -> LoadBalancerReading:
    """Read every production target group and Classic Load Balancer of a Server deployment."""
    states: list[LoadBalancerState] = []
    problems: list[TrafficCheck] = []
    checks: list[TrafficCheck] = []
    for name in target_groups:
        state, failed = read_target_group(view, snapshot, name)
        if state is not None:
            states.append(state)
            if not state.attached:
                checks.append(
                    TrafficCheck(
                        source=TARGET_GROUPS_SOURCE,
                        ok=False,
                        detail=f"target group {name} is attached to no load balancer: nothing registered in it receives traffic",
                    )
                )
        _extend_unique(problems, failed)
    for name in classic:
        state, failed = read_classic(view, snapshot, name)
        if state is not None:
            states.append(state)
        _extend_unique(problems, failed)
    return LoadBalancerReading(states=tuple(states), problems=tuple(problems), checks=tuple(checks))


def _extend_unique(into: list[TrafficCheck], new: Iterable[TrafficCheck]) -> None:
    for check in new:
        if check not in into:
            into.append(check)


def health_check(reading: LoadBalancerReading, ids: Sequence[str], what: str) -> TrafficCheck:
    """Count how many of ``ids`` receive traffic, e.g. ``2/2 Blue instances healthy in tg-prod``."""
    serving = [target_id for target_id in ids if reading.serving(target_id)]
    source = reading.states[0].source if reading.states else TARGET_HEALTH_SOURCE
    detail = f"{len(serving)}/{plural(len(ids), what)} healthy in {reading.names}"
    out = [target_id for target_id in ids if not reading.serving(target_id)]
    if out:
        detail += ": " + ", ".join(f"{target_id} {reading.state_of(target_id)}" for target_id in out[:5])
        if len(out) > 5:
            detail += f" and {len(out) - 5} more"
    return TrafficCheck(source=source, ok=bool(serving), detail=detail)
