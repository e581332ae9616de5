"""Is Blue serving? for the Server platform: blue/green and in-place, behind ELBv2 or Classic ELB.

- **Blue/green**: Blue instances are the ``instanceLabel: Blue`` targets. The traffic layer
  (target health or Classic instance health) says which of them still receive traffic; EC2
  says whether they still exist. CodeDeploy's own view is Blue's BlockTraffic (deregistration)
  and Green's AllowTraffic (registration).
- **In-place with a load balancer**: there is one fleet, the original environment updated in
  place. Instances leave the load balancer at BlockTraffic and come back at AllowTraffic; the
  verdict is the remaining in-service capacity, checked against the deployment config's minimum
  healthy hosts.
- **In-place without a load balancer**: CodeDeploy routes no traffic, so there is no Blue to
  confirm: the verdict is ``not-applicable`` (exit 1 on failure) unless instances were left with
  their application stopped (ApplicationStop ran, ApplicationStart did not, the target is
  settled): then capacity is lost, ``partial`` or ``not-serving``, and on-call must check them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet

from codedeploy_doctor.report import Basis, BlueTraffic, Environment, EnvironmentMember, TrafficCheck, Verdict
from codedeploy_doctor.traffic.common import (
    LIFECYCLE_SOURCE,
    count_verdict,
    failure_checks,
    percent,
    read_rollback,
)
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

INSTANCES_SOURCE = "ec2:DescribeInstances"
"""Check source for EC2 instance state."""

GONE_STATES = frozenset({"shutting-down", "terminated", "stopping", "stopped", "not found"})
"""EC2 states (and "not found": terminated long enough ago to be forgotten) in which an instance serves nothing."""


def assess_server(facts: Facts) -> BlueTraffic:
    """Judge a Server deployment, by deployment type."""
    if facts.deployment_type == "BLUE_GREEN":
        return _blue_green(facts)
    has_load_balancer = bool(facts.target_group_names or facts.classic_load_balancer_names)
    if facts.deployment_option == "WITH_TRAFFIC_CONTROL" and has_load_balancer:
        return _in_place_with_load_balancer(facts)
    return _in_place_without_load_balancer(facts)


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


def _members(
    ids: Sequence[str],
    reading: LoadBalancerReading,
    ec2: Mapping[str, str] | None,
    per_target_share: float | None,
    notes: Mapping[str, str] | None = None,
) -> tuple[EnvironmentMember, ...]:
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


def _blue_green_events(blue: Sequence[Target], green: Sequence[Target]) -> tuple[TrafficCheck, list[Target], list[Target]]:
    """Check Blue BlockTraffic (deregistration) and Green AllowTraffic (registration)."""
    blocked = [t for t in blue if t.succeeded("BlockTraffic")]
    blocking = [t for t in blue if t.event_status("BlockTraffic") in ("InProgress", "Failed", "Unknown")]
    allowed = [t for t in green if t.succeeded("AllowTraffic")]
    allow_failed = [t for t in green if t.event_status("AllowTraffic") == "Failed"]
    parts = (
        [f"BlockTraffic succeeded on {len(blocked)}/{plural(len(blue), 'Blue instance')} read in detail"]
        if blue
        else ["Blue lifecycle events not read"]
    )
    if blocking:
        parts.append(f"in progress or failed on {len(blocking)}")
    green_part = f"AllowTraffic succeeded on {len(allowed)}/{plural(len(green), 'Green instance')}"
    if allow_failed:
        green_part += f", failed on {len(allow_failed)}"
    parts.append(green_part)
    if not blocked and not blocking and not allowed:
        parts.append("traffic never moved")
    ok = not blocked and not blocking
    return TrafficCheck(source=LIFECYCLE_SOURCE, ok=ok, detail="; ".join(parts)), blocked, blocking


def _blue_green(facts: Facts) -> BlueTraffic:
    view = TrafficView(facts.snapshot.traffic)
    blue = facts.targets_of("InstanceTarget", "Blue")
    green = facts.targets_of("InstanceTarget", "Green")
    events_check, blocked, blocking = _blue_green_events(blue, green)
    checks: list[TrafficCheck] = [events_check]
    reading = read_load_balancers(view, facts.snapshot, facts.target_group_names, facts.classic_load_balancer_names)
    complete = reading.complete
    reading = reading.paths()
    unattached_only = complete and not reading.states
    # The Blue fleet is every listed Blue id; only a sample of it is read in detail (events).
    collection = facts.snapshot.collection
    listed_blue = collection.blue_target_ids if collection is not None else ()
    blue_ids = sorted({t.id for t in blue} | set(listed_blue))
    green_ids = [t.id for t in green]
    if not blue_ids and complete:
        # Blue targets were not collected: every registered instance not labelled Green is original.
        blue_ids = sorted(reading.registered_ids() - set(green_ids))
    ec2 = _instance_states(view, blue_ids, green_ids)
    checks.extend(reading.checks)
    checks.extend(reading.problems)
    if not reading.states and not reading.problems:
        checks.append(
            TrafficCheck(source=LIFECYCLE_SOURCE, ok=False, detail="the deployment names no load balancer or target group")
        )
    unread_green: list[str] = []
    if complete and blue_ids and _blue_known_in_full(facts):
        # A registered instance that is not Blue is a replacement one. The collector reads failed
        # targets in detail, so a Green instance that passed AllowTraffic (and takes production
        # traffic) is registered here without being among the targets.
        unread_green = sorted(reading.registered_ids() - set(blue_ids) - set(green_ids))
        green_ids = green_ids + unread_green
    gone = [i for i in blue_ids if ec2 is not None and ec2.get(i) in GONE_STATES]
    gone_states = [ec2[i] for i in gone] if ec2 is not None else []
    gone_ids = set(gone)
    serving_blue = [i for i in blue_ids if reading.serving(i) and i not in gone_ids]
    # Each target group is a production path: Blue serves fully only if it serves in every one.
    # (a target group attached to no load balancer is no path: its own check says so).
    per_group = [(state.name, sum(1 for i in serving_blue if i in state.serving)) for state in reading.states]
    counts = [count for _, count in per_group]
    uneven = complete and len(per_group) > 1 and any(counts) and any(count < len(blue_ids) for count in counts)
    if complete:
        checks.append(health_check(reading, blue_ids, "Blue instance"))
        if green_ids:
            # Unhealthy Green is a problem for production only when Blue no longer serves.
            check = health_check(reading, green_ids, "Green instance")
            checks.append(TrafficCheck(source=check.source, ok=check.ok or bool(serving_blue), detail=check.detail))
    if ec2 is not None and blue_ids:
        running = [i for i in blue_ids if ec2.get(i) == "running"]
        detail = f"{len(running)}/{plural(len(blue_ids), 'Blue instance')} running"
        if gone:
            detail += "; " + ", ".join(f"{i} {ec2[i]}" for i in gone[:5])
        checks.append(TrafficCheck(source=INSTANCES_SOURCE, ok=not gone, detail=detail))
    checks.extend(failure_checks(facts.snapshot, "ec2", ["DescribeInstances"]))

    serving_green = [i for i in green_ids if reading.serving(i)]
    green_summary = f"Green {len(serving_green)}/{len(green_ids)} healthy" if green_ids else None
    basis: Basis = "traffic-layer"
    verdict: Verdict
    if unattached_only:
        verdict = "not-serving"
        summary = "no production target group is attached to a load balancer: nothing receives traffic"
    elif complete and blue_ids:
        verdict = count_verdict(len(serving_blue), len(blue_ids))
        summary = _blue_green_summary(verdict, len(serving_blue), len(blue_ids), reading.names, gone_states, blocked)
        if uneven:
            verdict = "partial"
            summary = "Blue instances healthy per target group: " + ", ".join(
                f"{count}/{len(blue_ids)} in {name}" for name, count in per_group
            )
        if verdict == "serving" and serving_green:
            # Green registered while Blue was never blocked: production is split between the revisions.
            verdict = "partial"
            counted = f"{len(serving_blue)}/{len(blue_ids)} Blue instances healthy"
            summary = f"{counted}, but Green also receives production traffic"
    elif complete:
        verdict = "not-serving"
        summary = f"no original (Blue) instance is registered in {reading.names}"
    elif blue_ids and len(gone) == len(blue_ids):
        verdict = "not-serving"
        summary = f"none of the {plural(len(blue_ids), 'Blue instance')} is running (EC2: {_gone_phrase(gone_states)})"
    else:
        basis = "codedeploy-only"
        verdict, inferred = _infer_blue_green(facts, blue, blocked, blocking)
        if verdict == "serving" and gone:
            # Some Blue instances no longer run (EC2): whatever CodeDeploy says, they serve nothing.
            verdict = "partial"
            inferred += f"; EC2: {_gone_phrase(gone_states)} of {len(blue_ids)}"
        summary = f"{inferred} (per CodeDeploy, not confirmed against the load balancer)"
    if green_summary and complete:
        summary += f"; {green_summary}"

    share_each: float | None = None
    blue_share: float | None = None
    green_share: float | None = None
    if complete:
        serving_total = len(serving_blue) + len(serving_green)
        share_each = 100.0 / serving_total if serving_total else None
        blue_share = 100.0 * len(serving_blue) / serving_total if serving_total else 0.0
        green_share = 100.0 * len(serving_green) / serving_total if serving_total else 0.0
    environments = (
        Environment(
            label="Blue",
            members=_members(blue_ids, reading, ec2, share_each),
            traffic_share=blue_share,
            summary=_environment_summary(len(serving_blue), len(blue_ids), reading, blue_share),
        ),
        Environment(
            label="Green",
            members=_members(
                green_ids, reading, ec2, share_each, {i: "registered and not Blue; not read in detail" for i in unread_green}
            ),
            traffic_share=green_share,
            summary=_environment_summary(len(serving_green), len(green_ids), reading, green_share),
        ),
    )
    return BlueTraffic(verdict=verdict, summary=summary, basis=basis, checks=tuple(checks), environments=environments)


def _environment_summary(serving: int, total: int, reading: LoadBalancerReading, share: float | None) -> str | None:
    if not reading.complete:
        return f"{plural(total, 'instance')}; load balancer not read" if total else None
    text = f"{serving}/{total} healthy in {reading.names}"
    if share is not None:
        text += f"; ~{percent(share)} of healthy targets"
    return text


def _application_stopped(target: Target) -> bool:
    """ApplicationStop ran and ApplicationStart did not (yet): the application is down on the instance.

    A target that Succeeded ran every event it had to: whatever its events say, it is not stopped.
    """
    return target.status != "Succeeded" and target.succeeded("ApplicationStop") and not target.succeeded("ApplicationStart")


def _stopped_health(target: Target, stopped: AbstractSet[str], restored: bool) -> str | None:
    """``application stopped`` for a target a failure left stopped, ``(mid-deployment)`` for one still on its way."""
    if restored:
        return None
    if target.id in stopped:
        return "application stopped"
    if target.status == "InProgress" and _application_stopped(target):
        return "application stopped (mid-deployment)" if stopped else None
    return None


def _unread_failed(facts: Facts) -> int:
    """Failed targets the overview counts but the snapshot does not hold (bounded collection)."""
    failed_total = as_number(as_object(facts.deployment.get("deploymentOverview")).get("Failed"))
    read = sum(1 for t in facts.targets_of("InstanceTarget") if t.status == "Failed")
    return max(int(failed_total or 0) - read, 0)


def _blue_known_in_full(facts: Facts) -> bool:
    """Tell whether every Blue instance id is known (so any other registered instance is not Blue)."""
    collection = facts.snapshot.collection
    return collection is None or collection.strategy == "all" or collection.blue_listed_in_full


def _gone_phrase(states: Sequence[str]) -> str:
    """Count EC2 states as they are, e.g. ``1 terminated, 1 not found``: never round "not found" up to terminated."""
    counts: dict[str, int] = {}
    for state in states:
        counts[state] = counts.get(state, 0) + 1
    return ", ".join(f"{count} {state}" for state, count in counts.items())


def _blue_green_summary(
    verdict: Verdict, serving: int, total: int, names: str, gone: Sequence[str], blocked: Sequence[Target]
) -> str:
    counted = f"{serving}/{plural(total, 'Blue instance')} healthy in {names}"
    if verdict == "serving":
        return counted
    reasons: list[str] = []
    if gone:
        reasons.append(f"EC2: {_gone_phrase(gone)}")
    if blocked:
        reasons.append(f"{len(blocked)} deregistered at BlockTraffic")
    reason = f" ({', '.join(reasons)})" if reasons else ""
    return f"{counted}{reason}"


def _infer_blue_green(
    facts: Facts, blue: Sequence[Target], blocked: Sequence[Target], blocking: Sequence[Target]
) -> tuple[Verdict, str]:
    rollback = read_rollback(facts)
    if rollback is not None and rollback.succeeded:
        return "serving", f"rollback {rollback.deployment_id} succeeded"
    if not blue:
        listed = facts.snapshot.collection.blue_target_ids if facts.snapshot.collection is not None else ()
        green = facts.targets_of("InstanceTarget", "Green")
        if listed and green and not any(t.succeeded("AllowTraffic") for t in green):
            # Blue's own events were not read, but traffic moves to Blue's replacement only at AllowTraffic.
            return "serving", f"traffic never moved to Green (no AllowTraffic succeeded); {len(listed)} Blue instances listed"
        return "unknown", "no Blue instance target in the snapshot"
    if rollback is not None and rollback.running and blocked:
        return "unknown", f"rollback {rollback.deployment_id} is {rollback.status}: traffic is moving back to Blue"
    if rollback is not None and rollback.status is None and blocked:
        return "unknown", f"rollback {rollback.deployment_id} was started but its status was not read: it may have put Blue back"
    if blocking:
        return (
            "unknown",
            f"BlockTraffic in progress or failed on {plural(len(blocking), 'Blue instance')}: deregistration state unknown",
        )
    if blocked and len(blocked) == len(blue):
        return (
            "not-serving",
            f"all {plural(len(blue), 'Blue instance')} deregistered at BlockTraffic",
        )
    if blocked:
        return (
            "partial",
            f"{len(blocked)}/{len(blue)} Blue instances deregistered at BlockTraffic",
        )
    allowed = [t for t in facts.targets_of("InstanceTarget", "Green") if t.succeeded("AllowTraffic")]
    if allowed:
        # Green registered while Blue was never blocked: production is split between the revisions.
        if rollback is not None and rollback.running:
            return "unknown", f"rollback {rollback.deployment_id} is {rollback.status} while Green takes traffic"
        return "partial", f"AllowTraffic succeeded on {plural(len(allowed), 'Green instance')} and Blue was never blocked"
    fleet = len(facts.snapshot.collection.blue_target_ids) if facts.snapshot.collection is not None else 0
    if fleet > len(blue):
        return "serving", f"BlockTraffic never ran on the {len(blue)} Blue instances read in detail (of {fleet} listed)"
    return "serving", f"BlockTraffic never ran on the {plural(len(blue), 'Blue instance')}"


def _taken_out(instances: Sequence[Target]) -> list[Target]:
    """Instances deregistered at BlockTraffic and never put back (AllowTraffic did not succeed)."""
    return [t for t in instances if t.succeeded("BlockTraffic") and not t.succeeded("AllowTraffic")]


def _in_place_with_load_balancer(facts: Facts) -> BlueTraffic:
    view = TrafficView(facts.snapshot.traffic)
    instances = facts.targets_of("InstanceTarget")
    taken_out = _taken_out(instances)
    fleet = facts.fleet_size()
    reading = read_load_balancers(view, facts.snapshot, facts.target_group_names, facts.classic_load_balancer_names)
    checks: list[TrafficCheck] = []
    if taken_out:
        ids = ", ".join(t.id for t in taken_out[:5]) + (f" and {len(taken_out) - 5} more" if len(taken_out) > 5 else "")
        count = plural(len(taken_out), "instance")
        detail = f"{count} taken out at BlockTraffic and not put back (AllowTraffic did not succeed): {ids}"
    elif not instances:
        detail = f"{_no_target_read(facts)}: which instances BlockTraffic took out is unknown"
    else:
        detail = "no instance was left out of the load balancer (every BlockTraffic was followed by a successful AllowTraffic)"
    checks.append(TrafficCheck(source=LIFECYCLE_SOURCE, ok=not taken_out and bool(instances), detail=detail))
    checks.extend(reading.checks)
    checks.extend(reading.problems)
    complete = reading.complete
    reading = reading.paths()

    known_ids = sorted({t.id for t in instances} | reading.registered_ids())
    basis: Basis = "traffic-layer" if complete else "codedeploy-only"
    if complete:
        # Capacity is what the weakest production load balancer still routes to.
        in_service = min((len(state.serving) for state in reading.states), default=0)
        fleet = max(fleet, len(reading.registered_ids()))
        if reading.states:
            checks.append(health_check(reading, known_ids, "instance"))
        out_of_service = [i for i in known_ids if not reading.serving(i)]
        unread = 0
    else:
        rollback = read_rollback(facts)
        restored = rollback is not None and rollback.succeeded
        in_service = fleet if restored else max(fleet - len(taken_out), 0)
        out_of_service = [] if restored else [t.id for t in taken_out]
        # Bounded collection: failed instances not read in detail may have been taken out too.
        unread = 0 if restored else _unread_failed(facts)
    at_most = in_service
    in_service = max(in_service - unread, 0)
    verdict: Verdict
    if not complete and not instances:
        verdict = "unknown"  # neither the load balancer nor any target was read
    elif at_most == 0:
        verdict = "not-serving"
    elif in_service == 0:
        verdict = "unknown"  # somewhere between none and ``at_most`` in service: unread targets decide
    elif in_service >= fleet and not out_of_service:
        verdict = "serving"
    else:
        verdict = "partial"

    config_checks = failure_checks(facts.snapshot, "codedeploy", ["GetDeploymentConfig"])
    minimum = minimum_healthy_hosts(view.deployment_config(), as_str(facts.deployment.get("deploymentConfigName")), fleet)
    below_minimum = maybe_below = False
    if minimum is not None:
        required, rule = minimum
        below_minimum = at_most < required
        maybe_below = not below_minimum and in_service < required
        counted = f"{in_service}-{at_most}" if at_most != in_service else f"{in_service}"
        checks.append(
            TrafficCheck(
                source="codedeploy:GetDeploymentConfig",
                ok=not (below_minimum or maybe_below),
                detail=f"{counted} of {plural(fleet, 'instance')} in service; minimum healthy hosts {required} ({rule})",
            )
        )
    else:
        checks.extend(config_checks)
        if not config_checks:
            checks.append(
                TrafficCheck(
                    source="codedeploy:GetDeploymentConfig",
                    ok=False,
                    detail="minimum healthy hosts unknown: deployment config not read",
                )
            )

    summary = f"{in_service}/{plural(fleet, 'instance')} in service in {reading.names}"
    if complete and not reading.states:
        summary = "0 instances in service: no production target group is attached to a load balancer"
    if complete and len(reading.states) > 1 and len({len(state.serving) for state in reading.states}) > 1:
        # Capacity is the weakest group's; name each group's own count rather than one false total.
        weakest = min(reading.states, key=lambda state: len(state.serving))
        others = ", ".join(f"{state.name} {len(state.serving)}" for state in reading.states if state is not weakest)
        summary = f"{in_service}/{plural(fleet, 'instance')} in service in {weakest.name} (the weakest; {others})"
    if not complete:
        summary = (
            f"~{in_service}/{plural(fleet, 'instance')} in service (per CodeDeploy, not confirmed against the load balancer)"
        )
        if unread:
            summary = (
                f"~{in_service}-{at_most}/{plural(fleet, 'instance')} in service: {unread} failed instances were not read "
                f"in detail and may be out too (per CodeDeploy, not confirmed against the load balancer)"
            )
    if taken_out:
        summary += f"; {len(taken_out)} taken out at BlockTraffic and not put back"
    if minimum is not None:
        place = "below" if below_minimum else "may be below" if maybe_below else "at or above"
        summary += f"; {place} the minimum of {minimum[0]} healthy"
    notes = {t.id: "taken out at BlockTraffic; AllowTraffic " + (t.event_status("AllowTraffic") or "not run") for t in taken_out}
    # Per-member shares only when every production path routes to the same instances: otherwise
    # an instance's share depends on the path, and no single figure is true.
    serving_sets = {frozenset(state.serving) for state in reading.states}
    share_each = 100.0 / in_service if complete and in_service and len(serving_sets) == 1 else None
    counted = f"{in_service}-{at_most}" if at_most != in_service else f"{in_service}"
    environment = Environment(
        label="Blue",
        members=_members(known_ids, reading, None, share_each, notes),
        traffic_share=None if at_most != in_service else (100.0 if in_service else 0.0),
        summary=f"in-place fleet: {counted}/{fleet} in service",
    )
    return BlueTraffic(verdict=verdict, summary=summary, basis=basis, checks=tuple(checks), environments=(environment,))


def _no_target_read(facts: Facts) -> str:
    """Why no instance target is in the snapshot: the calls that failed, or an empty list."""
    failed = [f"{e.operation} {e.code}" for e in facts.snapshot.errors if e.operation in _TARGET_CALLS]
    return f"no target was read ({', '.join(failed)})" if failed else "the snapshot holds no target"


_TARGET_CALLS = ("ListDeploymentTargets", "BatchGetDeploymentTargets")


def _in_place_without_load_balancer(facts: Facts) -> BlueTraffic:
    instances = facts.targets_of("InstanceTarget")
    if not instances:
        # Nothing read confirms nothing: no claim that no instance was left stopped.
        why = _no_target_read(facts)
        return BlueTraffic(
            verdict="unknown",
            summary=f"in-place deployment without a load balancer: {why}, so whether instances were left with "
            "the application stopped is unknown",
            basis="codedeploy-only",
            checks=(TrafficCheck(source=LIFECYCLE_SOURCE, ok=False, detail=f"{why}: instance states unknown"),),
            environments=(Environment(label="Blue", summary="original fleet: no instance examined"),),
        )
    # Targets still running their events are not "left" anywhere yet.
    settled = [t for t in instances if t.status not in ("InProgress", "Pending")]
    stopped = [t for t in settled if _application_stopped(t)]
    if stopped:
        ids = ", ".join(t.id for t in stopped[:5]) + (f" and {len(stopped) - 5} more" if len(stopped) > 5 else "")
        detail = f"{plural(len(stopped), 'instance')} had the application stopped (ApplicationStop) and not started again: {ids}"
        tail = f"{plural(len(stopped), 'instance')} left with the application stopped: check them directly"
    else:
        detail = "no instance was left with its application stopped"
        tail = "no instance was left with its application stopped"
    check = TrafficCheck(source=LIFECYCLE_SOURCE, ok=not stopped, detail=detail)
    rollback = read_rollback(facts)
    restored_by_rollback = bool(stopped) and rollback is not None and rollback.succeeded
    stopped_ids = {t.id for t in stopped}
    members = tuple(
        EnvironmentMember(
            id=t.id,
            health=_stopped_health(t, stopped_ids, restored_by_rollback),
            detail=f"target {t.status}" if t.status else None,
        )
        for t in instances
    )
    verdict: Verdict = "not-applicable"
    summary = f"in-place deployment without a load balancer: CodeDeploy routes no traffic, there is no Blue to check; {tail}"
    if rollback is not None and restored_by_rollback:
        # The rollback redeployed the last good revision to these instances, ApplicationStart included.
        restored = f" ({rollback.restored})" if rollback.restored else ""
        check = TrafficCheck(
            source=LIFECYCLE_SOURCE, ok=True, detail=f"{detail}; rollback {rollback.deployment_id} succeeded and started it again"
        )
        summary = (
            "in-place deployment without a load balancer: CodeDeploy routes no traffic; rollback "
            f"{rollback.deployment_id} succeeded and redeployed the last good revision{restored} to the instances"
        )
    elif stopped:
        # No Blue, but the original version was serving on these instances and is now stopped on
        # some: production capacity is lost, which is page-worthy (no traffic layer can confirm more).
        # Only settled targets count, so this holds while the deployment still runs too.
        total = max(facts.fleet_size(), len(instances))
        # Instances still mid-deployment between ApplicationStop and ApplicationStart serve nothing now either.
        in_flight = [t for t in instances if t.status == "InProgress" and _application_stopped(t)]
        running = max(total - len(stopped) - len(in_flight), 0)
        # Bounded collection: failed targets not read in detail may have stopped too.
        unread = _unread_failed(facts)
        lowest = max(running - unread, 0)
        verdict = "partial" if lowest > 0 else "unknown" if running > 0 else "not-serving"
        capacity = f"capacity down to {running}/{total}"
        if in_flight:
            capacity = f"{len(in_flight)} more stopped mid-deployment: {running}/{total} serving now"
        if unread:
            mid = f"{len(in_flight)} more stopped mid-deployment; " if in_flight else ""
            capacity = (
                f"{mid}{unread} more failed instances were not read in detail: capacity at most {running}/{total}, "
                f"{lowest}/{total} if they stopped too"
            )
        summary = (
            f"in-place deployment without a load balancer: the application is stopped on {len(stopped)} of {total} "
            f"instances (ApplicationStop ran, ApplicationStart did not): {capacity}; check them directly"
        )
    return BlueTraffic(
        verdict=verdict,
        summary=summary,
        basis="codedeploy-only",
        checks=(check,),
        environments=(
            Environment(label="Blue", members=members, summary=f"in-place fleet: {plural(len(instances), 'instance')} examined"),
        ),
    )
