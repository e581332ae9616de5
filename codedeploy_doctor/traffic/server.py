"""Is Blue serving? for Server blue/green deployments, behind ELBv2 target groups or Classic ELB.

Blue instances are the ``instanceLabel: Blue`` targets (and every Blue id the collector listed).
The traffic layer (target health or Classic instance health) says which of them still receive
traffic; EC2 says whether they still exist. CodeDeploy's own view is Blue's BlockTraffic
(deregistration) and Green's AllowTraffic (registration). In-place deployments: ``in_place``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from codedeploy_doctor.report import BlueTraffic, Environment, EnvironmentMember, TrafficCheck
from codedeploy_doctor.traffic.common import LIFECYCLE_SOURCE, Rollback, failure_checks, percent, read_rollback
from codedeploy_doctor.traffic.facts import Facts, Target, TrafficView, as_object, as_str, plural
from codedeploy_doctor.traffic.load_balancers import LoadBalancerReading, health_check, read_load_balancers
from codedeploy_doctor.traffic.rules import UNSETTLED, Reading, Rule, RuleTable, Unread, VerdictBy, always

INSTANCES_SOURCE = "ec2:DescribeInstances"
"""Check source for EC2 instance state."""

GONE_STATES = frozenset({"shutting-down", "terminated", "stopping", "stopped", "not found"})
"""EC2 states (and "not found": terminated long enough ago to be forgotten) in which an instance serves nothing."""


def _instance_states(view: TrafficView, blue_ids: Sequence[str], other_ids: Sequence[str]) -> dict[str, str] | None:
    """EC2 state name per instance id, or None when EC2 was not read.

    The collector asks EC2 about the listed Blue instances only, so a Blue id missing from the
    answer is one EC2 has forgotten ("not found": terminated over an hour ago); other ids get a
    state only when the snapshot happens to hold them.
    """
    instances = view.instances()
    if instances is None:
        return None
    states: dict[str, str] = {}
    blue = set(blue_ids)
    for instance_id in [*blue_ids, *other_ids]:
        if instance_id in instances:
            states[instance_id] = as_str(as_object(instances[instance_id].get("State")).get("Name")) or "unknown"
        elif instance_id in blue:
            states[instance_id] = "not found"
    return states


def members(
    ids: Sequence[str],
    reading: LoadBalancerReading,
    ec2: Mapping[str, str] | None,
    per_target_share: float | None,
    notes: Mapping[str, str] | None = None,
) -> tuple[EnvironmentMember, ...]:
    """Each instance with its health per load balancer and EC2, and its share when one figure is true."""
    members: list[EnvironmentMember] = []
    for instance_id in ids:
        details: list[str] = []
        health: str | None = reading.state_of(instance_id) if reading.states else None
        if reading.states:
            details.append(reading.detail_of(instance_id))
        state = ec2.get(instance_id) if ec2 is not None else None
        if state is not None:
            details.append(f"ec2: {state}")
            if state in GONE_STATES:
                health = state
        if notes and instance_id in notes:
            details.append(notes[instance_id])
        share = None
        if per_target_share is not None:
            share = per_target_share if reading.serving(instance_id) else 0.0
        members.append(EnvironmentMember(id=instance_id, health=health, traffic_share=share, detail="; ".join(details) or None))
    return tuple(members)


def _gone_phrase(states: Sequence[str]) -> str:
    """Count EC2 states as they are, e.g. ``1 terminated, 1 not found``: never round "not found" up to terminated."""
    counts: dict[str, int] = {}
    for state in states:
        counts[state] = counts.get(state, 0) + 1
    return ", ".join(f"{count} {state}" for state, count in counts.items())


@dataclass(frozen=True)
class BlueGreenEvidence:
    """What a Server blue/green deployment's verdict rests on, read once."""

    facts: Facts
    """The deployment-level facts."""
    blue: tuple[Target, ...]
    """Blue instance targets read in detail."""
    green: tuple[Target, ...]
    """Green instance targets read in detail."""
    blocked: tuple[Target, ...]
    """Blue targets BlockTraffic deregistered."""
    blocking: tuple[Target, ...]
    """Blue targets whose BlockTraffic is running, failed or unknown."""
    allowed: tuple[Target, ...]
    """Green targets AllowTraffic registered."""
    listed_blue: tuple[str, ...]
    """Blue ids the collector listed (only a sample is read in detail)."""
    load_balancers: Reading[LoadBalancerReading]
    """Every production load balancer, attached target groups only (unread when any could not be read)."""
    reading: LoadBalancerReading
    """What was read of them, attached target groups only."""
    attachment: tuple[TrafficCheck, ...]
    """Target groups attached to no load balancer."""
    problems: tuple[TrafficCheck, ...]
    """Load balancers that could not be read."""
    blue_ids: tuple[str, ...]
    """The whole Blue fleet, sorted."""
    green_ids: tuple[str, ...]
    """Green instances, including registered ones not read in detail."""
    unread_green: tuple[str, ...]
    """Registered instances that are not Blue and were not read in detail."""
    ec2: Reading[dict[str, str]]
    """EC2 state per instance id."""
    gone: tuple[str, ...]
    """Blue instances EC2 says serve nothing (terminated, stopped, not found)."""
    serving_blue: tuple[str, ...]
    """Blue instances that receive traffic (and still run)."""
    serving_green: tuple[str, ...]
    """Green instances that receive traffic."""
    per_group: tuple[tuple[str, int], ...]
    """Serving Blue instances per target group."""
    rollback: Rollback | None
    """The rollback, if any."""

    @property
    def gone_states(self) -> list[str]:
        """The EC2 state of each gone Blue instance."""
        return [self.ec2[i] for i in self.gone] if isinstance(self.ec2, dict) else []

    @property
    def uneven(self) -> bool:
        """True when Blue serves in some target groups and not fully in others (each group is a production path)."""
        counts = [count for _, count in self.per_group]
        return len(counts) > 1 and any(counts) and any(count < len(self.blue_ids) for count in counts)

    @property
    def rollback_running(self) -> bool:
        """True while the rollback runs."""
        return self.rollback is not None and self.rollback.running


def _blue_known_in_full(facts: Facts) -> bool:
    """Tell whether every Blue instance id is known (so any other registered instance is not Blue)."""
    collection = facts.snapshot.collection
    return collection is None or collection.strategy == "all" or collection.blue_listed_in_full


def read_blue_green_evidence(facts: Facts) -> BlueGreenEvidence:
    """Read Blue and Green, their load balancers and EC2 states."""
    view = TrafficView(facts.snapshot.traffic)
    blue = tuple(facts.targets_of("InstanceTarget", "Blue"))
    green = tuple(facts.targets_of("InstanceTarget", "Green"))
    raw = read_load_balancers(view, facts.snapshot, facts.target_group_names, facts.classic_load_balancer_names)
    complete, reading = raw.complete, raw.paths()
    collection = facts.snapshot.collection
    listed_blue = tuple(collection.blue_target_ids) if collection is not None else ()
    blue_ids = sorted({t.id for t in blue} | set(listed_blue))
    green_ids = [t.id for t in green]
    if not blue_ids and complete:
        # Blue targets were not collected: every registered instance not labelled Green is original.
        blue_ids = sorted(reading.registered_ids() - set(green_ids))
    ec2 = _instance_states(view, blue_ids, green_ids)
    unread_green: list[str] = []
    if complete and blue_ids and _blue_known_in_full(facts):
        # A registered instance that is not Blue is a replacement one. The collector reads failed
        # targets in detail, so a Green instance that passed AllowTraffic (and takes production
        # traffic) is registered here without being among the targets.
        unread_green = sorted(reading.registered_ids() - set(blue_ids) - set(green_ids))
        green_ids = green_ids + unread_green
    gone = [i for i in blue_ids if ec2 is not None and ec2.get(i) in GONE_STATES]
    gone_ids = set(gone)
    serving_blue = [i for i in blue_ids if reading.serving(i) and i not in gone_ids]
    # Each target group is a production path: Blue serves fully only if it serves in every one.
    per_group = tuple((state.name, sum(1 for i in serving_blue if i in state.serving)) for state in reading.states)
    return BlueGreenEvidence(
        facts=facts,
        blue=blue,
        green=green,
        blocked=tuple(t for t in blue if t.succeeded("BlockTraffic")),
        blocking=tuple(t for t in blue if t.event_status("BlockTraffic") in UNSETTLED),
        allowed=tuple(t for t in green if t.succeeded("AllowTraffic")),
        listed_blue=listed_blue,
        load_balancers=reading if complete else Unread(raw.problems[0].detail if raw.problems else "no load balancer named"),
        reading=reading,
        attachment=raw.checks,
        problems=raw.problems,
        blue_ids=tuple(blue_ids),
        green_ids=tuple(green_ids),
        unread_green=tuple(unread_green),
        ec2=ec2 if ec2 is not None else Unread("DescribeInstances was not read"),
        gone=tuple(gone),
        serving_blue=tuple(serving_blue),
        serving_green=tuple(i for i in green_ids if reading.serving(i)),
        per_group=per_group if complete else (),
        rollback=read_rollback(facts),
    )


def _with_green(text: Callable[[BlueGreenEvidence], str]) -> Callable[[BlueGreenEvidence], str]:
    """A confirmed summary, with Green's health after it."""

    def summary(e: BlueGreenEvidence) -> str:
        green = f"; Green {len(e.serving_green)}/{len(e.green_ids)} healthy" if e.green_ids else ""
        return text(e) + green

    return summary


def _counted(e: BlueGreenEvidence) -> str:
    return f"{len(e.serving_blue)}/{plural(len(e.blue_ids), 'Blue instance')} healthy in {e.reading.names}"


def _counted_why(e: BlueGreenEvidence) -> str:
    reasons: list[str] = []
    if e.gone:
        reasons.append(f"EC2: {_gone_phrase(e.gone_states)}")
    if e.blocked:
        reasons.append(f"{len(e.blocked)} deregistered at BlockTraffic")
    return _counted(e) + (f" ({', '.join(reasons)})" if reasons else "")


def _inferred(text: Callable[[BlueGreenEvidence], str], *, serving: bool = False) -> Callable[[BlueGreenEvidence], str]:
    """An inferred summary; for a serving inference, EC2's gone Blue instances are named (they serve nothing)."""

    def summary(e: BlueGreenEvidence) -> str:
        said = text(e)
        if serving and e.gone:
            said += f"; EC2: {_gone_phrase(e.gone_states)} of {len(e.blue_ids)}"
        return f"{said} (per CodeDeploy, not confirmed against the load balancer)"

    return summary


UNLESS_GONE: VerdictBy[BlueGreenEvidence] = VerdictBy(
    "serving; partial when EC2 says some Blue instances no longer run", lambda e: "partial" if e.gone else "serving"
)
"""An inferred 'serving' that EC2 can lower: an instance that no longer runs serves nothing."""


def _never_blocked(e: BlueGreenEvidence) -> str:
    fleet = len(e.listed_blue)
    if fleet > len(e.blue):
        return f"BlockTraffic never ran on the {len(e.blue)} Blue instances read in detail (of {fleet} listed)"
    return f"BlockTraffic never ran on the {plural(len(e.blue), 'Blue instance')}"


def _all_serve(e: BlueGreenEvidence) -> bool:
    return bool(e.blue_ids) and len(e.serving_blue) >= len(e.blue_ids)


BLUE_GREEN_RULES: RuleTable[BlueGreenEvidence] = RuleTable(
    "Server blue/green",
    "Blue is the instances labelled Blue; the evidence is each production target group's (or Classic Load "
    "Balancer's) health, EC2 instance states, Blue's BlockTraffic and Green's AllowTraffic events, and the rollback.",
    (
        Rule(
            "server.bg.no-attached-target-group",
            "no production target group is attached to a load balancer",
            "not-serving",
            "traffic-layer",
            lambda e: not e.reading.states,
            _with_green(lambda e: "no production target group is attached to a load balancer: nothing receives traffic"),
            needs=("load_balancers",),
        ),
        Rule(
            "server.bg.blue-uneven-across-target-groups",
            "Blue serves in some production target groups and not fully in others",
            "partial",
            "traffic-layer",
            lambda e: bool(e.blue_ids) and e.uneven,
            _with_green(
                lambda e: (
                    "Blue instances healthy per target group: "
                    + ", ".join(f"{count}/{len(e.blue_ids)} in {name}" for name, count in e.per_group)
                )
            ),
            needs=("load_balancers",),
        ),
        Rule(
            "server.bg.green-also-serves",
            "every Blue instance is healthy, but Green also receives production traffic",
            "partial",
            "traffic-layer",
            lambda e: _all_serve(e) and bool(e.serving_green),
            _with_green(
                lambda e: (
                    f"{len(e.serving_blue)}/{len(e.blue_ids)} Blue instances healthy, but Green also receives production traffic"
                )
            ),
            needs=("load_balancers",),
        ),
        Rule(
            "server.bg.blue-healthy",
            "every Blue instance is healthy in every production target group",
            "serving",
            "traffic-layer",
            _all_serve,
            _with_green(_counted),
            needs=("load_balancers",),
            example="traffic-server-bg-untouched-blue",
        ),
        Rule(
            "server.bg.blue-partly-healthy",
            "some Blue instances are healthy",
            "partial",
            "traffic-layer",
            lambda e: bool(e.blue_ids) and bool(e.serving_blue),
            _with_green(_counted_why),
            needs=("load_balancers",),
        ),
        Rule(
            "server.bg.blue-not-healthy",
            "no Blue instance is healthy (deregistered, unhealthy or gone)",
            "not-serving",
            "traffic-layer",
            lambda e: bool(e.blue_ids),
            _with_green(_counted_why),
            needs=("load_balancers",),
            example="traffic-server-bg-deregistered-green-unhealthy",
        ),
        Rule(
            "server.bg.no-blue-registered",
            "no original (Blue) instance is registered",
            "not-serving",
            "traffic-layer",
            always,
            _with_green(lambda e: f"no original (Blue) instance is registered in {e.reading.names}"),
            needs=("load_balancers",),
        ),
        Rule(
            "server.bg.blue-gone-from-ec2",
            "the load balancer was not read, and EC2 says no Blue instance runs",
            "not-serving",
            "traffic-layer",
            lambda e: bool(e.blue_ids) and len(e.gone) == len(e.blue_ids),
            lambda e: f"none of the {plural(len(e.blue_ids), 'Blue instance')} is running (EC2: {_gone_phrase(e.gone_states)})",
            needs=("ec2",),
        ),
        Rule(
            "server.bg.rollback-succeeded",
            "the load balancer was not read; the rollback succeeded",
            UNLESS_GONE,
            "codedeploy-only",
            lambda e: e.rollback is not None and e.rollback.succeeded,
            _inferred(lambda e: f"rollback {e.rollback.deployment_id if e.rollback else '?'} succeeded", serving=True),
        ),
        Rule(
            "server.bg.traffic-never-moved",
            "the load balancer and Blue's events were not read; Blue is listed and no Green AllowTraffic succeeded",
            UNLESS_GONE,
            "codedeploy-only",
            lambda e: not e.blue and bool(e.listed_blue) and bool(e.green) and not e.allowed,
            _inferred(
                lambda e: f"traffic never moved to Green (no AllowTraffic succeeded); {len(e.listed_blue)} Blue instances listed",
                serving=True,
            ),
        ),
        Rule(
            "server.bg.blue-unread",
            "neither the load balancer nor any Blue instance target was read",
            "unknown",
            "codedeploy-only",
            lambda e: not e.blue,
            _inferred(lambda e: "no Blue instance target in the snapshot"),
        ),
        Rule(
            "server.bg.rollback-running",
            "the load balancer was not read; Blue was deregistered and the rollback is moving traffic back",
            "unknown",
            "codedeploy-only",
            lambda e: e.rollback_running and bool(e.blocked),
            _inferred(
                lambda e: (
                    f"rollback {e.rollback.deployment_id if e.rollback else '?'} is "
                    f"{e.rollback.status if e.rollback else '?'}: traffic is moving back to Blue"
                )
            ),
        ),
        Rule(
            "server.bg.rollback-unread",
            "the load balancer was not read; Blue was deregistered and the rollback's status is unread",
            "unknown",
            "codedeploy-only",
            lambda e: e.rollback is not None and e.rollback.status is None and bool(e.blocked),
            _inferred(
                lambda e: (
                    f"rollback {e.rollback.deployment_id if e.rollback else '?'} was started but its status was not read: "
                    "it may have put Blue back"
                )
            ),
        ),
        Rule(
            "server.bg.block-traffic-unsettled",
            "the load balancer was not read; BlockTraffic is running or failed on Blue",
            "unknown",
            "codedeploy-only",
            lambda e: bool(e.blocking),
            _inferred(
                lambda e: (
                    f"BlockTraffic in progress or failed on {plural(len(e.blocking), 'Blue instance')}: "
                    "deregistration state unknown"
                )
            ),
        ),
        Rule(
            "server.bg.all-blue-deregistered",
            "the load balancer was not read; BlockTraffic deregistered every Blue instance",
            "not-serving",
            "codedeploy-only",
            lambda e: len(e.blocked) == len(e.blue),
            _inferred(lambda e: f"all {plural(len(e.blue), 'Blue instance')} deregistered at BlockTraffic"),
        ),
        Rule(
            "server.bg.some-blue-deregistered",
            "the load balancer was not read; BlockTraffic deregistered some Blue instances",
            "partial",
            "codedeploy-only",
            lambda e: bool(e.blocked),
            _inferred(lambda e: f"{len(e.blocked)}/{len(e.blue)} Blue instances deregistered at BlockTraffic"),
        ),
        Rule(
            "server.bg.green-allowed-rollback-running",
            "the load balancer was not read; Green took traffic while Blue was never blocked, and a rollback runs",
            "unknown",
            "codedeploy-only",
            lambda e: bool(e.allowed) and e.rollback_running,
            _inferred(
                lambda e: (
                    f"rollback {e.rollback.deployment_id if e.rollback else '?'} is "
                    f"{e.rollback.status if e.rollback else '?'} while Green takes traffic"
                )
            ),
        ),
        Rule(
            "server.bg.green-allowed-blue-never-blocked",
            "the load balancer was not read; AllowTraffic registered Green while Blue was never blocked",
            "partial",
            "codedeploy-only",
            lambda e: bool(e.allowed),
            _inferred(
                lambda e: f"AllowTraffic succeeded on {plural(len(e.allowed), 'Green instance')} and Blue was never blocked"
            ),
        ),
        Rule(
            "server.bg.block-traffic-never-ran",
            "the load balancer was not read; BlockTraffic never ran on Blue",
            UNLESS_GONE,
            "codedeploy-only",
            always,
            _inferred(_never_blocked, serving=True),
            example="traffic-server-bg-lb-unreadable",
        ),
    ),
)
"""The Server blue/green verdicts, in order."""


def _events_check(e: BlueGreenEvidence) -> TrafficCheck:
    """Blue BlockTraffic (deregistration) and Green AllowTraffic (registration)."""
    parts = (
        [f"BlockTraffic succeeded on {len(e.blocked)}/{plural(len(e.blue), 'Blue instance')} read in detail"]
        if e.blue
        else ["Blue lifecycle events not read"]
    )
    if e.blocking:
        parts.append(f"in progress or failed on {len(e.blocking)}")
    allow_failed = [t for t in e.green if t.event_status("AllowTraffic") == "Failed"]
    green_part = f"AllowTraffic succeeded on {len(e.allowed)}/{plural(len(e.green), 'Green instance')}"
    if allow_failed:
        green_part += f", failed on {len(allow_failed)}"
    parts.append(green_part)
    if not e.blocked and not e.blocking and not e.allowed:
        parts.append("traffic never moved")
    return TrafficCheck(source=LIFECYCLE_SOURCE, ok=not e.blocked and not e.blocking, detail="; ".join(parts))


def blue_green_checks(e: BlueGreenEvidence) -> tuple[TrafficCheck, ...]:
    """The checks behind a Server blue/green verdict."""
    checks = [_events_check(e), *e.attachment, *e.problems]
    if not e.reading.states and not e.problems:
        checks.append(
            TrafficCheck(source=LIFECYCLE_SOURCE, ok=False, detail="the deployment names no load balancer or target group")
        )
    if isinstance(e.load_balancers, LoadBalancerReading):
        checks.append(health_check(e.reading, e.blue_ids, "Blue instance"))
        if e.green_ids:
            # Unhealthy Green is a problem for production only when Blue no longer serves.
            check = health_check(e.reading, e.green_ids, "Green instance")
            checks.append(TrafficCheck(source=check.source, ok=check.ok or bool(e.serving_blue), detail=check.detail))
    if isinstance(e.ec2, dict) and e.blue_ids:
        running = [i for i in e.blue_ids if e.ec2.get(i) == "running"]
        detail = f"{len(running)}/{plural(len(e.blue_ids), 'Blue instance')} running"
        if e.gone:
            detail += "; " + ", ".join(f"{i} {e.ec2[i]}" for i in e.gone[:5])
        checks.append(TrafficCheck(source=INSTANCES_SOURCE, ok=not e.gone, detail=detail))
    checks.extend(failure_checks(e.facts.snapshot, "ec2", ["DescribeInstances"]))
    return tuple(checks)


def _environment_summary(serving: int, total: int, e: BlueGreenEvidence, share: float | None) -> str | None:
    if not isinstance(e.load_balancers, LoadBalancerReading):
        return f"{plural(total, 'instance')}; load balancer not read" if total else None
    text = f"{serving}/{total} healthy in {e.reading.names}"
    if share is not None:
        text += f"; ~{percent(share)} of healthy targets"
    return text


def blue_green_environments(e: BlueGreenEvidence) -> tuple[Environment, ...]:
    """Blue and Green instances side by side, with their shares of the healthy targets."""
    share_each = blue_share = green_share = None
    ec2 = e.ec2 if isinstance(e.ec2, dict) else None
    if isinstance(e.load_balancers, LoadBalancerReading):
        serving_total = len(e.serving_blue) + len(e.serving_green)
        share_each = 100.0 / serving_total if serving_total else None
        blue_share = 100.0 * len(e.serving_blue) / serving_total if serving_total else 0.0
        green_share = 100.0 * len(e.serving_green) / serving_total if serving_total else 0.0
    unread = {i: "registered and not Blue; not read in detail" for i in e.unread_green}
    return (
        Environment(
            label="Blue",
            members=members(e.blue_ids, e.reading, ec2, share_each),
            traffic_share=blue_share,
            summary=_environment_summary(len(e.serving_blue), len(e.blue_ids), e, blue_share),
        ),
        Environment(
            label="Green",
            members=members(e.green_ids, e.reading, ec2, share_each, unread),
            traffic_share=green_share,
            summary=_environment_summary(len(e.serving_green), len(e.green_ids), e, green_share),
        ),
    )


def assess_blue_green(facts: Facts) -> BlueTraffic:
    """Judge a Server blue/green deployment."""
    evidence = read_blue_green_evidence(facts)
    rule = BLUE_GREEN_RULES.first_match(evidence)
    return BlueTraffic(
        verdict=rule.verdict_for(evidence),
        summary=rule.summary(evidence),
        basis=rule.basis,
        checks=blue_green_checks(evidence),
        environments=blue_green_environments(evidence),
        rule=rule.id,
    )
