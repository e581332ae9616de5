"""Is the original fleet serving? for Server in-place deployments, with or without a load balancer.

- **With a load balancer**: there is one fleet, the original environment updated in place.
  Instances leave the load balancer at BlockTraffic and come back at AllowTraffic; the verdict
  is the capacity left in service, checked against the deployment config's minimum healthy hosts.
- **Without a load balancer**: CodeDeploy routes no traffic, so there is no Blue to confirm: the
  verdict is ``not-applicable`` (exit 1 on failure) unless instances were left with their
  application stopped (ApplicationStop ran, ApplicationStart did not, the target is settled):
  then capacity is lost, ``partial`` or ``not-serving``, and on-call must check them.

Nothing read confirms nothing: with no target read, the verdict is ``unknown``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from codedeploy_doctor.report import BlueTraffic, Environment, EnvironmentMember, TrafficCheck
from codedeploy_doctor.traffic.common import LIFECYCLE_SOURCE, Rollback, failure_checks, read_rollback
from codedeploy_doctor.traffic.facts import (
    Facts,
    Target,
    TrafficView,
    as_number,
    as_object,
    as_str,
    minimum_healthy_hosts,
    plural,
)
from codedeploy_doctor.traffic.load_balancers import LoadBalancerReading, health_check, read_load_balancers
from codedeploy_doctor.traffic.rules import Reading, Rule, RuleTable, Unread, always
from codedeploy_doctor.traffic.server import members

CONFIG_SOURCE = "codedeploy:GetDeploymentConfig"
"""Check source for the minimum healthy hosts."""

UNCONFIRMED = "(per CodeDeploy, not confirmed against the load balancer)"
"""The end of every inferred capacity summary."""

TARGET_CALLS = ("ListDeploymentTargets", "BatchGetDeploymentTargets")
"""The calls that read targets."""


def application_stopped(target: Target) -> bool:
    """ApplicationStop ran and ApplicationStart did not (yet): the application is down on the instance.

    A target that Succeeded ran every event it had to: whatever its events say, it is not stopped.
    """
    return target.status != "Succeeded" and target.succeeded("ApplicationStop") and not target.succeeded("ApplicationStart")


def unread_failed(facts: Facts) -> int:
    """Failed targets the overview counts but the snapshot does not hold (bounded collection)."""
    failed_total = as_number(as_object(facts.deployment.get("deploymentOverview")).get("Failed"))
    read = sum(1 for t in facts.targets_of("InstanceTarget") if t.status == "Failed")
    return max(int(failed_total or 0) - read, 0)


def no_target_read(facts: Facts) -> str:
    """Why no instance target is in the snapshot: the calls that failed, or an empty list."""
    failed = [f"{e.operation} {e.code}" for e in facts.snapshot.errors if e.operation in TARGET_CALLS]
    return f"no target was read ({', '.join(failed)})" if failed else "the snapshot holds no target"


def _ids(targets: Sequence[Target]) -> str:
    return ", ".join(t.id for t in targets[:5]) + (f" and {len(targets) - 5} more" if len(targets) > 5 else "")


def _capacity(counted: str, left: int, fleet: int) -> str:
    """``capacity down to 2/4 instances`` (or ``capacity 4/4 instances`` when nothing is lost)."""
    return f"capacity {'' if left >= fleet else 'down to '}{counted}/{plural(fleet, 'instance')}"


# --- with a load balancer -----------------------------------------------------------------------


@dataclass(frozen=True)
class InPlaceEvidence:
    """What an in-place deployment behind a load balancer is judged on, read once."""

    instances: tuple[Target, ...]
    """The instance targets read."""
    taken_out: tuple[Target, ...]
    """Instances deregistered at BlockTraffic and never put back (AllowTraffic did not succeed)."""
    fleet: int
    """How many instances the deployment has."""
    load_balancers: Reading[LoadBalancerReading]
    """Every production load balancer, attached target groups only (unread when any could not be read)."""
    reading: LoadBalancerReading
    """What was read of them, attached target groups only."""
    read_checks: tuple[TrafficCheck, ...]
    """Attachment checks and failed reads."""
    in_service: int
    """Instances in service at least."""
    at_most: int
    """Instances in service at most (failed instances not read in detail may be out)."""
    out_of_service: tuple[str, ...]
    """Ids of instances known to be out."""
    unread: int
    """Failed instances not read in detail."""
    minimum: tuple[int, str] | None
    """Minimum healthy hosts and how it was derived, when known."""
    config_problems: tuple[TrafficCheck, ...]
    """Why the deployment config is unknown."""
    no_target: str
    """Why no target was read (when none was)."""

    @property
    def counted(self) -> str:
        """``3`` or ``2-3``: instances in service, as a range when unread instances decide."""
        return f"{self.in_service}-{self.at_most}" if self.at_most != self.in_service else f"{self.in_service}"

    @property
    def below_minimum(self) -> bool:
        """True when even the highest count is below the minimum healthy hosts."""
        return self.minimum is not None and self.at_most < self.minimum[0]

    @property
    def maybe_below(self) -> bool:
        """True when the lowest count, not the highest, is below the minimum."""
        return self.minimum is not None and not self.below_minimum and self.in_service < self.minimum[0]


def read_in_place_evidence(facts: Facts) -> InPlaceEvidence:
    """Read the fleet, its load balancers and the deployment config of an in-place deployment."""
    view = TrafficView(facts.snapshot.traffic)
    instances = tuple(facts.targets_of("InstanceTarget"))
    taken_out = tuple(t for t in instances if t.succeeded("BlockTraffic") and not t.succeeded("AllowTraffic"))
    fleet = facts.fleet_size()
    raw = read_load_balancers(view, facts.snapshot, facts.target_group_names, facts.classic_load_balancer_names)
    complete, reading = raw.complete, raw.paths()
    known_ids = sorted({t.id for t in instances} | reading.registered_ids())
    if complete:
        # Capacity is what the weakest production load balancer still routes to.
        in_service = min((len(state.serving) for state in reading.states), default=0)
        fleet = max(fleet, len(reading.registered_ids()))
        out_of_service = tuple(i for i in known_ids if not reading.serving(i))
        unread = 0
    else:
        rollback = read_rollback(facts)
        restored = rollback is not None and rollback.succeeded
        in_service = fleet if restored else max(fleet - len(taken_out), 0)
        out_of_service = () if restored else tuple(t.id for t in taken_out)
        # Bounded collection: failed instances not read in detail may have been taken out too.
        unread = 0 if restored else unread_failed(facts)
    config = minimum_healthy_hosts(view.deployment_config(), as_str(facts.deployment.get("deploymentConfigName")), fleet)
    return InPlaceEvidence(
        instances=instances,
        taken_out=taken_out,
        fleet=fleet,
        load_balancers=reading if complete else Unread(raw.problems[0].detail if raw.problems else "no load balancer read"),
        reading=reading,
        read_checks=(*raw.checks, *raw.problems),
        in_service=max(in_service - unread, 0),
        at_most=in_service,
        out_of_service=out_of_service,
        unread=unread,
        minimum=config,
        config_problems=tuple(failure_checks(facts.snapshot, "codedeploy", ["GetDeploymentConfig"])),
        no_target=no_target_read(facts),
    )


def _weakest(e: InPlaceEvidence) -> str:
    """Capacity in the weakest group when groups differ, naming each group's own count rather than one false total."""
    states = e.reading.states
    weakest = min(states, key=lambda state: len(state.serving))
    others = ", ".join(f"{state.name} {len(state.serving)}" for state in states if state is not weakest)
    return f"{_capacity(str(e.in_service), e.in_service, e.fleet)} in service in {weakest.name} (the weakest; {others})"


def _in_service(e: InPlaceEvidence) -> str:
    states = e.reading.states
    if len(states) > 1 and len({len(state.serving) for state in states}) > 1:
        text = _weakest(e)
    else:
        text = f"{_capacity(str(e.in_service), e.in_service, e.fleet)} in service in {e.reading.names}"
    return text + _tail(e)


def _inferred(e: InPlaceEvidence) -> str:
    if e.unread:
        text = (
            f"{_capacity(f'~{e.counted}', e.in_service, e.fleet)} in service: {e.unread} failed instances were not read "
            f"in detail and may be out too {UNCONFIRMED}"
        )
    else:
        text = f"{_capacity(f'~{e.in_service}', e.in_service, e.fleet)} in service {UNCONFIRMED}"
    return text + _tail(e)


def _tail(e: InPlaceEvidence) -> str:
    text = f"; {len(e.taken_out)} taken out at BlockTraffic and not put back" if e.taken_out else ""
    if e.minimum is not None:
        place = "below" if e.below_minimum else "may be below" if e.maybe_below else "at or above"
        text += f"; {place} the minimum of {e.minimum[0]} healthy"
    return text


def _full(e: InPlaceEvidence) -> bool:
    return e.in_service >= e.fleet and not e.out_of_service


IN_PLACE_RULES: RuleTable[InPlaceEvidence] = RuleTable(
    "Server in-place with a load balancer",
    "The original fleet is updated in place; the evidence is each production target group's (or Classic Load "
    "Balancer's) health, the BlockTraffic/AllowTraffic events and the minimum healthy hosts.",
    (
        Rule(
            "server.in-place.nothing-read",
            "neither the load balancer nor any target was read",
            "unknown",
            "codedeploy-only",
            lambda e: not e.instances and not isinstance(e.load_balancers, LoadBalancerReading),
            lambda e: f"capacity unknown: {e.no_target}, and the load balancer was not read" + _tail(e),
        ),
        Rule(
            "server.in-place.no-attached-target-group",
            "no production target group is attached to a load balancer",
            "not-serving",
            "traffic-layer",
            lambda e: not e.reading.states,
            lambda e: "capacity down to 0: no production target group is attached to a load balancer" + _tail(e),
            needs=("load_balancers",),
        ),
        Rule(
            "server.in-place.no-capacity",
            "the load balancers route to no instance",
            "not-serving",
            "traffic-layer",
            lambda e: e.at_most == 0,
            _in_service,
            needs=("load_balancers",),
        ),
        Rule(
            "server.in-place.full-capacity",
            "every instance is in service in every production load balancer",
            "serving",
            "traffic-layer",
            _full,
            _in_service,
            needs=("load_balancers",),
        ),
        Rule(
            "server.in-place.capacity-reduced",
            "some instances are out of service in a production load balancer",
            "partial",
            "traffic-layer",
            always,
            _in_service,
            needs=("load_balancers",),
            example="traffic-server-inplace-capacity",
        ),
        Rule(
            "server.in-place.no-capacity-per-codedeploy",
            "the load balancer was not read; BlockTraffic took every instance out",
            "not-serving",
            "codedeploy-only",
            lambda e: e.at_most == 0,
            _inferred,
        ),
        Rule(
            "server.in-place.capacity-unknown",
            "the load balancer was not read; failed instances not read in detail decide between none and some in service",
            "unknown",
            "codedeploy-only",
            lambda e: e.in_service == 0,
            _inferred,
        ),
        Rule(
            "server.in-place.full-capacity-per-codedeploy",
            "the load balancer was not read; no instance was left out at BlockTraffic",
            "serving",
            "codedeploy-only",
            _full,
            _inferred,
            example="server-stopped-with-rollback",
        ),
        Rule(
            "server.in-place.capacity-reduced-per-codedeploy",
            "the load balancer was not read; some instances were taken out at BlockTraffic and not put back",
            "partial",
            "codedeploy-only",
            always,
            _inferred,
            example="server-inplace-applicationstart-scriptfailed",
        ),
    ),
)
"""The verdicts of an in-place deployment behind a load balancer, in order."""


def in_place_checks(e: InPlaceEvidence) -> tuple[TrafficCheck, ...]:
    """The checks behind an in-place verdict."""
    if e.taken_out:
        count = plural(len(e.taken_out), "instance")
        detail = f"{count} taken out at BlockTraffic and not put back (AllowTraffic did not succeed): {_ids(e.taken_out)}"
    elif not e.instances:
        detail = f"{e.no_target}: which instances BlockTraffic took out is unknown"
    else:
        detail = "no instance was left out of the load balancer (every BlockTraffic was followed by a successful AllowTraffic)"
    checks = [TrafficCheck(source=LIFECYCLE_SOURCE, ok=not e.taken_out and bool(e.instances), detail=detail), *e.read_checks]
    if isinstance(e.load_balancers, LoadBalancerReading) and e.reading.states:
        checks.append(health_check(e.reading, _known_ids(e), "instance"))
    if e.minimum is not None:
        required, rule = e.minimum
        detail = f"{e.counted} of {plural(e.fleet, 'instance')} in service; minimum healthy hosts {required} ({rule})"
        checks.append(TrafficCheck(source=CONFIG_SOURCE, ok=not (e.below_minimum or e.maybe_below), detail=detail))
    elif e.config_problems:
        checks.extend(e.config_problems)
    else:
        detail = "minimum healthy hosts unknown: deployment config not read"
        checks.append(TrafficCheck(source=CONFIG_SOURCE, ok=False, detail=detail))
    return tuple(checks)


def _known_ids(e: InPlaceEvidence) -> list[str]:
    return sorted({t.id for t in e.instances} | e.reading.registered_ids())


def in_place_environment(e: InPlaceEvidence) -> Environment:
    """The original fleet, each instance with its health (and share, when every path routes the same)."""
    notes = {
        t.id: "taken out at BlockTraffic; AllowTraffic " + (t.event_status("AllowTraffic") or "not run") for t in e.taken_out
    }
    # Per-member shares only when every production path routes to the same instances: otherwise
    # an instance's share depends on the path, and no single figure is true.
    complete = isinstance(e.load_balancers, LoadBalancerReading)
    serving_sets = {frozenset(state.serving) for state in e.reading.states}
    share_each = 100.0 / e.in_service if complete and e.in_service and len(serving_sets) == 1 else None
    return Environment(
        label="Blue",
        members=members(_known_ids(e), e.reading, None, share_each, notes),
        traffic_share=None if e.at_most != e.in_service else (100.0 if e.in_service else 0.0),
        summary=f"original fleet: {e.counted}/{e.fleet} in service",
    )


# --- without a load balancer --------------------------------------------------------------------


@dataclass(frozen=True)
class NoLoadBalancerEvidence:
    """What an in-place deployment without a load balancer is judged on: which instances have the application stopped."""

    instances: tuple[Target, ...]
    """The instance targets read."""
    stopped: tuple[Target, ...]
    """Settled targets left with the application stopped."""
    in_flight: tuple[Target, ...]
    """Targets still mid-deployment between ApplicationStop and ApplicationStart."""
    total: int
    """How many instances the deployment has."""
    unread: int
    """Failed instances not read in detail (they may have stopped too)."""
    rollback: Rollback | None
    """The rollback, if any."""
    no_target: str
    """Why no target was read (when none was)."""

    @property
    def restored(self) -> bool:
        """True when a succeeded rollback started the stopped instances again."""
        return bool(self.stopped) and self.rollback is not None and self.rollback.succeeded

    @property
    def running(self) -> int:
        """Instances with the application running, at most."""
        return max(self.total - len(self.stopped) - len(self.in_flight), 0)

    @property
    def lowest(self) -> int:
        """Instances with the application running, at least."""
        return max(self.running - self.unread, 0)


def read_no_load_balancer_evidence(facts: Facts) -> NoLoadBalancerEvidence:
    """Read which instances were left with the application stopped."""
    instances = tuple(facts.targets_of("InstanceTarget"))
    # Targets still running their events are not "left" anywhere yet.
    stopped = tuple(t for t in instances if t.status not in ("InProgress", "Pending") and application_stopped(t))
    return NoLoadBalancerEvidence(
        instances=instances,
        stopped=stopped,
        in_flight=tuple(t for t in instances if t.status == "InProgress" and application_stopped(t)),
        total=max(facts.fleet_size(), len(instances)),
        unread=unread_failed(facts),
        rollback=read_rollback(facts),
        no_target=no_target_read(facts),
    )


NO_LOAD_BALANCER = "in-place deployment without a load balancer"


def _stopped_summary(e: NoLoadBalancerEvidence) -> str:
    if e.unread:
        lead = f"capacity at most {e.running}/{e.total}, {e.lowest}/{e.total} if they stopped too"
    else:
        lead = f"capacity down to {e.running}/{e.total}"
    parts = [
        f"{lead}: the application is stopped on {len(e.stopped)} of {e.total} instances "
        "(ApplicationStop ran, ApplicationStart did not)"
    ]
    if e.in_flight:
        parts.append(f"{len(e.in_flight)} more stopped mid-deployment")
    if e.unread:
        parts.append(f"{e.unread} more failed instances were not read in detail")
    return "; ".join([*parts, f"{NO_LOAD_BALANCER}: check them directly"])


def _restarted(e: NoLoadBalancerEvidence) -> str:
    rollback = e.rollback
    restored = f" ({rollback.restored})" if rollback is not None and rollback.restored else ""
    rollback_id = rollback.deployment_id if rollback is not None else "?"
    return (
        f"{NO_LOAD_BALANCER}: CodeDeploy routes no traffic; rollback "
        f"{rollback_id} succeeded and redeployed the last good revision{restored} to the instances"
    )


NO_LOAD_BALANCER_RULES: RuleTable[NoLoadBalancerEvidence] = RuleTable(
    "Server in-place without a load balancer",
    "CodeDeploy routes no traffic, so there is no Blue; the evidence is which instances had the application "
    "stopped (ApplicationStop ran, ApplicationStart did not) and the rollback.",
    (
        Rule(
            "server.in-place-no-lb.nothing-read",
            "no instance target was read (an empty list, or the target calls failed)",
            "unknown",
            "codedeploy-only",
            lambda e: not e.instances,
            lambda e: (
                f"{NO_LOAD_BALANCER}: {e.no_target}, so whether instances were left with the application stopped is unknown"
            ),
        ),
        Rule(
            "server.in-place-no-lb.rollback-restarted",
            "instances were left with the application stopped, and a rollback succeeded and started it again",
            "not-applicable",
            "codedeploy-only",
            lambda e: e.restored,
            _restarted,
        ),
        Rule(
            "server.in-place-no-lb.application-stopped",
            "some instances were left with the application stopped; some still run it",
            "partial",
            "codedeploy-only",
            lambda e: bool(e.stopped) and e.lowest > 0,
            _stopped_summary,
            example="traffic-server-inplace-no-load-balancer",
        ),
        Rule(
            "server.in-place-no-lb.application-stopped-maybe-everywhere",
            "instances were left with the application stopped; failed instances not read in detail may have stopped too",
            "unknown",
            "codedeploy-only",
            lambda e: bool(e.stopped) and e.running > 0,
            _stopped_summary,
        ),
        Rule(
            "server.in-place-no-lb.application-stopped-everywhere",
            "every instance was left with the application stopped",
            "not-serving",
            "codedeploy-only",
            lambda e: bool(e.stopped),
            _stopped_summary,
            example="server-inplace-downloadbundle-unknownerror",
        ),
        Rule(
            "server.in-place-no-lb.no-traffic-to-check",
            "no instance was left with the application stopped",
            "not-applicable",
            "codedeploy-only",
            always,
            lambda e: (
                f"{NO_LOAD_BALANCER}: CodeDeploy routes no traffic, there is no Blue to check; "
                "no instance was left with its application stopped"
            ),
            example="server-inplace-agent-never-picked-up",
        ),
    ),
)
"""The verdicts of an in-place deployment without a load balancer, in order."""


def no_load_balancer_check(e: NoLoadBalancerEvidence) -> TrafficCheck:
    """The one check: which instances have the application stopped."""
    if not e.instances:
        return TrafficCheck(source=LIFECYCLE_SOURCE, ok=False, detail=f"{e.no_target}: instance states unknown")
    if not e.stopped:
        return TrafficCheck(source=LIFECYCLE_SOURCE, ok=True, detail="no instance was left with its application stopped")
    count = plural(len(e.stopped), "instance")
    detail = f"{count} had the application stopped (ApplicationStop) and not started again: {_ids(e.stopped)}"
    if e.restored and e.rollback is not None:
        detail += f"; rollback {e.rollback.deployment_id} succeeded and started it again"
    return TrafficCheck(source=LIFECYCLE_SOURCE, ok=e.restored, detail=detail)


def _stopped_health(target: Target, e: NoLoadBalancerEvidence, stopped: set[str]) -> str | None:
    """``application stopped`` for a target a failure left stopped, ``(mid-deployment)`` for one still on its way."""
    if e.restored:
        return None
    if target.id in stopped:
        return "application stopped"
    if target.status == "InProgress" and application_stopped(target):
        return "application stopped (mid-deployment)" if e.stopped else None
    return None


def no_load_balancer_environment(e: NoLoadBalancerEvidence) -> Environment:
    """The original fleet as examined, each instance with the application stopped or not."""
    stopped = {t.id for t in e.stopped}
    members_ = tuple(
        EnvironmentMember(id=t.id, health=_stopped_health(t, e, stopped), detail=f"target {t.status}" if t.status else None)
        for t in e.instances
    )
    examined = (
        f"original fleet: {plural(len(e.instances), 'instance')} examined"
        if e.instances
        else "original fleet: no instance examined"
    )
    return Environment(label="Blue", members=members_, summary=examined)


def assess_in_place(facts: Facts) -> BlueTraffic:
    """Judge an in-place Server deployment, behind a load balancer or not."""
    has_load_balancer = bool(facts.target_group_names or facts.classic_load_balancer_names)
    if facts.deployment_option == "WITH_TRAFFIC_CONTROL" and has_load_balancer:
        evidence = read_in_place_evidence(facts)
        rule = IN_PLACE_RULES.first_match(evidence)
        checks, environment = in_place_checks(evidence), in_place_environment(evidence)
        verdict, summary = rule.verdict_for(evidence), rule.summary(evidence)
    else:
        bare = read_no_load_balancer_evidence(facts)
        bare_rule = NO_LOAD_BALANCER_RULES.first_match(bare)
        checks, environment = (no_load_balancer_check(bare),), no_load_balancer_environment(bare)
        verdict, summary, rule = bare_rule.verdict_for(bare), bare_rule.summary(bare), bare_rule  # type: ignore[assignment]
    return BlueTraffic(
        verdict=verdict, summary=summary, basis=rule.basis, checks=checks, environments=(environment,), rule=rule.id
    )
