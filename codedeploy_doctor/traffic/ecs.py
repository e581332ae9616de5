"""Is Blue serving? for ECS blue/green: task sets, production listener weights, Blue target group health.

Blue is the original task set (``taskSetsInfo[].taskSetLabel: Blue``) and the target group it
serves through. The traffic layer answers with the production listener's forward weights and
the health of Blue's target group; CodeDeploy's own view is the task sets' ``trafficWeight`` and
the AllowTraffic event. Every route of the production listener that forwards to the
deployment's target groups counts (the default action and each rule, from DescribeListeners and
DescribeRules): Blue serves fully only when every route sends it everything, not at all when
none sends it anything, partly otherwise. Without the rules, a listener whose default action
forwards elsewhere proves nothing.

An ECS service whose ``deploymentController`` is not CODE_DEPLOY cannot be deployed by
CodeDeploy at all: the verdict then says so first and judges whatever the production listener
forwards to, since CodeDeploy moved nothing. That misconfiguration is reported as a failed
check even when production is fine, because it is why the deployment failed.

Task sets without labels (old API responses) are read in the order CodeDeploy lists them:
original first, replacement second.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from codedeploy_doctor.report import BlueTraffic, Environment, EnvironmentMember, TrafficCheck
from codedeploy_doctor.snapshot import INCOMPLETE_ANSWER, JsonObject
from codedeploy_doctor.traffic.common import LIFECYCLE_SOURCE, TargetReadings, failure_checks, percent, read_rollback
from codedeploy_doctor.traffic.facts import (
    Facts,
    Target,
    TrafficView,
    as_list,
    as_number,
    as_object,
    as_str,
    target_group_name_from_arn,
)
from codedeploy_doctor.traffic.load_balancers import TARGET_HEALTH_SOURCE, LoadBalancerState, read_target_group
from codedeploy_doctor.traffic.rules import (
    SHARE_EPSILON,
    Reading,
    Rule,
    RuleTable,
    Unread,
    always,
    by_share,
    inferred_rules,
    share_verdict,
)

LISTENERS_SOURCE = "elbv2:DescribeListeners"
"""Check source for listener forward weights."""

SERVICES_SOURCE = "ecs:DescribeServices"
"""Check source for ECS services and task sets."""


@dataclass(frozen=True)
class _Route:
    """One way into the deployment's target groups: the default action or one rule."""

    where: str
    """``default action`` or ``rule 10``."""
    shares: dict[str, float]
    """Percent of that route's traffic per target group name."""


@dataclass(frozen=True)
class _ListenerSplit:
    """How one listener splits traffic between target groups, route by route."""

    arn: str
    """Listener ARN."""
    port: str
    """``:443`` for summaries."""
    routes: tuple[_Route, ...]
    """Every route that forwards to the deployment's target groups."""
    pair: tuple[str, ...] = ()
    """The deployment's target groups; shares are counted among them (empty: among all)."""

    def _share(self, route: _Route, target_group: str) -> float:
        """``target_group``'s share of what the route sends to the pair (a third target group is out of scope)."""
        counted = {name: share for name, share in route.shares.items() if not self.pair or name in self.pair}
        total = sum(counted.values())
        return 100.0 * counted.get(target_group, 0.0) / total if total > 0 else 0.0

    def share_of(self, target_group: str | None) -> float:
        """Mean share of ``target_group`` over the routes: 100 only if every route sends it all, 0 if none sends any."""
        if not self.routes or target_group is None:
            return 0.0
        return sum(self._share(route, target_group) for route in self.routes) / len(self.routes)

    def uniform(self, target_group: str | None) -> bool:
        """Tell whether every route gives ``target_group`` the same share (so one percentage is true)."""
        return len({round(self._share(route, target_group or ""), 6) for route in self.routes}) <= 1

    @property
    def target_groups(self) -> list[str]:
        """Target groups some route forwards traffic to."""
        return sorted({name for route in self.routes for name, share in route.shares.items() if share > SHARE_EPSILON})


def forward_shares(actions: Sequence[object]) -> dict[str, float] | None:
    """Percent of traffic per target group name in the first forward action, or None when none forwards."""
    ordered = sorted((as_object(a) for a in actions), key=lambda a: as_number(a.get("Order")) or 0.0)
    for action in ordered:
        if action.get("Type") != "forward":
            continue
        weights: dict[str, float] = {}
        groups = as_list(as_object(action.get("ForwardConfig")).get("TargetGroups"))
        for group in groups:
            arn = as_str(as_object(group).get("TargetGroupArn"))
            if arn is not None:
                weight = as_number(as_object(group).get("Weight"))
                weights[target_group_name_from_arn(arn)] = 1.0 if weight is None else weight
        single = as_str(action.get("TargetGroupArn"))
        if not weights and single is not None:
            weights[target_group_name_from_arn(single)] = 1.0
        total = sum(weights.values())
        return {name: (100.0 * weight / total if total > 0 else 0.0) for name, weight in weights.items()}
    return None


def _listener_split(
    view: TrafficView, arn: str, pair: Sequence[str] | None, *, rules_failed: bool = False
) -> _ListenerSplit | None:
    """The listener's routes into ``pair``, or None when what it forwards is not known.

    Rules that could not be read (``rules_failed``) leave it unknown: a rule may send production
    elsewhere. Rules simply absent from a snapshot recorded before cd-doctor read them leave the
    default action as the only known route; when it does not forward to the pair, nothing is known.
    """
    listener = view.listener(arn)
    if listener is None:
        return None
    port = f":{listener['Port']}" if isinstance(listener.get("Port"), int) else arn.rsplit("/", 1)[-1]
    routes: list[_Route] = []
    wanted = tuple(pair) if pair is not None else ()

    def into_pair(shares: dict[str, float] | None) -> bool:
        # ``pair`` None: any forward counts (a service CodeDeploy does not manage).
        return shares is not None and (pair is None or bool(set(shares) & set(wanted)))

    default = forward_shares(as_list(listener.get("DefaultActions")))
    if default is not None and into_pair(default):
        routes.append(_Route("default action", default))
    rules = view.rules(arn)
    if rules is None:
        return _ListenerSplit(arn=arn, port=port, routes=tuple(routes), pair=wanted) if routes and not rules_failed else None
    ordered = [r for r in rules if not r.get("IsDefault")]
    ordered.sort(key=lambda r: int(r["Priority"]) if str(r.get("Priority", "")).isdigit() else 1_000_000)
    for rule in ordered:
        shares = forward_shares(as_list(rule.get("Actions")))
        if shares is not None and into_pair(shares):
            routes.append(_Route(f"rule {rule.get('Priority')}", shares))
    return _ListenerSplit(arn=arn, port=port, routes=tuple(routes), pair=wanted)


def _describe_split(split: _ListenerSplit, labels: dict[str, str], role: str) -> str:
    if not split.routes:
        return f"{role} listener {split.port} forwards to no target group of the deployment"
    described: list[str] = []
    for route in split.routes:
        parts = [
            f"{percent(share)} to {name}" + (f" ({labels[name]})" if name in labels else "")
            for name, share in sorted(route.shares.items(), key=lambda item: -item[1])
        ]
        via = "" if route.where == "default action" and len(split.routes) == 1 else f" via {route.where}"
        described.append(f"{', '.join(parts)}{via}")
    return f"{role} listener {split.port} forwards {'; '.join(described)}"


def _task_sets(target: Target | None) -> tuple[JsonObject | None, JsonObject | None, bool]:
    """(Blue, Green, labelled) from ``taskSetsInfo``."""
    infos = [as_object(i) for i in as_list(target.body.get("taskSetsInfo"))] if target else []
    blue = next((i for i in infos if i.get("taskSetLabel") == "Blue"), None)
    green = next((i for i in infos if i.get("taskSetLabel") == "Green"), None)
    if blue is None and green is None and infos:
        return infos[0], (infos[1] if len(infos) > 1 else None), False
    return blue, green, True


def _service_for(view: TrafficView, facts: Facts, target: Target | None) -> JsonObject | None:
    services = view.services()
    if not services:
        return None
    wanted = None
    if target is not None and ":" in target.id:
        wanted = target.id.split(":", 1)[1]
    if wanted is None:
        group_services = as_list(facts.group.get("ecsServices"))
        wanted = as_str(as_object(group_services[0]).get("serviceName")) if group_services else None
    for service in services:
        if wanted is None or service.get("serviceName") == wanted:
            return service
    return services[0]


def _service_task_set(service: JsonObject | None, info: JsonObject | None) -> JsonObject | None:
    if service is None or info is None:
        return None
    identifier = as_str(info.get("identifer")) or as_str(info.get("identifier"))
    for task_set in as_list(service.get("taskSets")):
        task_set = as_object(task_set)
        arn = as_str(task_set.get("taskSetArn")) or ""
        if identifier is not None and (task_set.get("id") == identifier or arn.endswith("/" + identifier)):
            return task_set
    return None


def _tg_name(info: JsonObject | None) -> str | None:
    return as_str(as_object(as_object(info).get("targetGroup")).get("name"))


def _health_text(state: LoadBalancerState | None, name: str | None) -> str | None:
    if state is None or name is None:
        return None
    return f"{name}: {len(state.serving)}/{len(state.targets)} healthy"


def _member(
    info: JsonObject | None, task_set: JsonObject | None, service_read: bool, health: str | None, share: float | None
) -> EnvironmentMember | None:
    if info is None:
        return None
    identifier = as_str(info.get("identifer")) or as_str(info.get("identifier")) or "task set"
    status = as_str(as_object(task_set).get("status")) or as_str(info.get("status"))
    if service_read and task_set is None:
        status = "gone"
    source = task_set if task_set is not None else info
    running = as_number(source.get("runningCount"))
    desired = as_number(source.get("computedDesiredCount")) if task_set is not None else as_number(info.get("desiredCount"))
    details: list[str] = []
    if running is not None:
        details.append(f"{int(running)}/{int(desired) if desired is not None else '?'} tasks running")
    stability = as_str(as_object(task_set).get("stabilityStatus"))
    if stability:
        details.append(stability)
    if health:
        details.append(health)
    return EnvironmentMember(id=identifier, health=status, traffic_share=share, detail="; ".join(details) or None)


@dataclass(frozen=True)
class EcsEvidence(TargetReadings):
    """What an ECS deployment's verdict rests on, read once."""

    facts: Facts
    """The deployment-level facts."""
    target: Target | None
    """The ECS target, if read."""
    blue_info: JsonObject | None
    """Blue's ``taskSetsInfo`` entry."""
    green_info: JsonObject | None
    """Green's ``taskSetsInfo`` entry."""
    labelled: bool
    """False when the task sets carry no Blue/Green label (the first is taken as Blue)."""
    blue_tg: str | None
    """Blue's target group (from its task set, else the one production forwards to)."""
    green_tg: str | None
    """Green's target group."""
    guessed_blue: bool
    """True when Blue's target group was taken from the listener (no task set names it)."""
    service: JsonObject | None
    """The ECS service, if read."""
    service_read: bool
    """True when DescribeServices answered."""
    controller: str | None
    """The service's deployment controller, when it can be told."""
    splits: tuple[_ListenerSplit | None, ...]
    """Each production listener's routes into the deployment's target groups (None: not known)."""
    test_splits: tuple[_ListenerSplit, ...]
    """The test listeners' routes, when read."""
    listeners_read: bool
    """True when every production listener's routes are known."""
    blue_state: Reading[LoadBalancerState]
    """Blue's target group health."""
    green_state: LoadBalancerState | None
    """Green's target group health, if read."""
    blue_share: Reading[float]
    """Blue's share of production traffic per the listeners (mean over them)."""
    green_share: float | None
    """Green's share per the listeners."""
    mixed: bool
    """True when routes (or listeners) give Blue different shares: no single percentage is true."""
    problems: tuple[TrafficCheck, ...]
    """Failed checks for what could not be read."""
    served: Reading[tuple[str, ...]]
    """Outside CodeDeploy: the target groups production forwards to."""
    served_states: Reading[tuple[LoadBalancerState, ...]]
    """Outside CodeDeploy: their health."""
    rollback_succeeded: str | None
    """The id of a rollback that succeeded, if any."""

    @property
    def outside_codedeploy(self) -> bool:
        """True when the service's deployment controller is not CODE_DEPLOY: CodeDeploy manages nothing."""
        return self.service is not None and self.controller is not None and self.controller != "CODE_DEPLOY"

    @property
    def labels(self) -> dict[str, str]:
        """Target group name to Blue or Green."""
        return {name: label for name, label in ((self.blue_tg, "Blue"), (self.green_tg, "Green")) if name}

    @property
    def read_splits(self) -> list[_ListenerSplit]:
        """The production listeners that were read."""
        return [split for split in self.splits if split is not None]

    @property
    def blue_healthy(self) -> int:
        """Healthy targets in Blue's target group (0 when unread)."""
        return len(self.blue_state.serving) if isinstance(self.blue_state, LoadBalancerState) else 0

    @property
    def codedeploy_blue_share(self) -> float | None:
        """Blue's task set ``trafficWeight`` per CodeDeploy."""
        return as_number(as_object(self.blue_info).get("trafficWeight"))

    @property
    def share(self) -> float:
        """Blue's listener share (0 when unread)."""
        return self.blue_share if isinstance(self.blue_share, float) else 0.0

    @property
    def service_name(self) -> str:
        """The service's name for summaries."""
        return as_str(as_object(self.service).get("serviceName")) or "the ECS service"


def _listener_problems(
    facts: Facts, view: TrafficView, prod_arns: Sequence[str], splits: Sequence[_ListenerSplit | None]
) -> list[TrafficCheck]:
    problems = failure_checks(facts.snapshot, "elbv2", ["DescribeListeners", "DescribeRules"])
    if not prod_arns:
        problems.append(TrafficCheck(source=LISTENERS_SOURCE, ok=False, detail="the deployment names no production listener"))
    elif not any(p.source.startswith(("elbv2:DescribeListeners", "elbv2:DescribeRules")) for p in problems):
        missing = [arn for arn, split in zip(prod_arns, splits, strict=True) if split is None]
        detail = (
            "production listener not in the snapshot"
            if any(view.listener(arn) is None for arn in missing)
            else "production listener's rules not in the snapshot, and its default action does not forward "
            "to the deployment's target groups"
        )
        problems.append(TrafficCheck(source=LISTENERS_SOURCE, ok=False, detail=detail))
    return problems


def read_ecs_evidence(facts: Facts) -> EcsEvidence:
    """Read task sets, listeners, target health and the service of an ECS deployment."""
    view = TrafficView(facts.snapshot.traffic)
    snapshot = facts.snapshot
    targets = facts.targets_of("ECSTarget")
    target = targets[0] if targets else None
    pairs = as_list(facts.load_balancer_info.get("targetGroupPairInfoList"))
    pair = as_object(pairs[0]) if pairs else {}
    pair_names = [n for n in (as_str(as_object(g).get("name")) for g in as_list(pair.get("targetGroups"))) if n]
    prod_arns = [a for a in (as_str(x) for x in as_list(as_object(pair.get("prodTrafficRoute")).get("listenerArns"))) if a]
    test_arns = [a for a in (as_str(x) for x in as_list(as_object(pair.get("testTrafficRoute")).get("listenerArns"))) if a]
    blue_info, green_info, labelled = _task_sets(target)
    blue_tg, green_tg = _tg_name(blue_info), _tg_name(green_info)
    service = _service_for(view, facts, target)
    controller = _controller(service)
    problems = failure_checks(snapshot, "ecs", ["DescribeServices"])
    rules_failed = bool(failure_checks(snapshot, "elbv2", ["DescribeRules"]))
    splits = tuple(_listener_split(view, arn, pair_names, rules_failed=rules_failed) for arn in prod_arns)
    listeners_read = bool(prod_arns) and all(split is not None for split in splits)
    if not listeners_read:
        problems.extend(_listener_problems(facts, view, prod_arns, splits))
    rollback = read_rollback(facts)
    base: dict[str, Any] = {
        "facts": facts,
        "target": target,
        "blue_info": blue_info,
        "green_info": green_info,
        "labelled": labelled,
        "service": service,
        "service_read": view.services() is not None,
        "controller": controller,
        "listeners_read": listeners_read,
        "rollback_succeeded": rollback.deployment_id if rollback is not None and rollback.succeeded else None,
    }
    if service is not None and controller is not None and controller != "CODE_DEPLOY":
        # CodeDeploy manages nothing here: judge whatever production forwards to, in or out of the pair.
        any_forward = tuple(_listener_split(view, arn, None, rules_failed=rules_failed) for arn in prod_arns)
        served = sorted({tg for split in any_forward if split is not None for tg in split.target_groups})
        states: list[LoadBalancerState] = []
        for tg in served:
            state, failed = read_target_group(view, snapshot, tg)
            if state is None:
                problems.extend(p for p in failed if p not in problems)
            else:
                states.append(state)
        unread = Unread("the production listener was not read")
        return EcsEvidence(
            **base,
            blue_tg=None,
            green_tg=None,
            guessed_blue=False,
            splits=any_forward,
            test_splits=(),
            blue_state=unread,
            green_state=None,
            blue_share=unread,
            green_share=None,
            mixed=False,
            problems=tuple(problems),
            served=tuple(served) if listeners_read else unread,
            served_states=tuple(states) if listeners_read and served and len(states) == len(served) else unread,
        )

    no_task_sets = blue_info is None and green_info is None
    traffic_untouched = target is None or target.event_status("AllowTraffic") in (None, "Pending", "Skipped")
    guess = (target is not None and traffic_untouched) or (target is None and _no_target_ever(facts))
    guessed = False
    if blue_tg is None and no_task_sets and guess and listeners_read and len(pair_names) == 2:
        # No ECS target to name Blue because the deployment failed before creating one: Blue is
        # the target group production still forwards to, when that is exactly one of the pair.
        # (A target that exists but was not read could be Green's: then nothing is guessed.)
        live = [name for name in pair_names if any(s.share_of(name) > SHARE_EPSILON for s in splits if s is not None)]
        if len(live) == 1:
            blue_tg, guessed = live[0], True
            green_tg = next(name for name in pair_names if name != blue_tg)

    blue_state, blue_problems = read_target_group(view, snapshot, blue_tg) if blue_tg else (None, [])
    green_state, _ = read_target_group(view, snapshot, green_tg) if green_tg else (None, [])
    problems.extend(p for p in blue_problems if p not in problems)
    read = [s for s in splits if s is not None]
    # Routes that split differently (a rule to Green beside a default action to Blue) carry
    # unknown fractions of traffic: the verdict is partial, but no single percentage is true.
    mixed = (
        listeners_read
        and blue_tg is not None
        and (any(not s.uniform(blue_tg) for s in read) or len({round(s.share_of(blue_tg), 6) for s in read}) > 1)
    )
    blue_share: Reading[float] = Unread("the production listener or Blue's target group is unknown")
    green_share = None
    if listeners_read and blue_tg:
        blue_share = sum(s.share_of(blue_tg) for s in read) / len(read)
        green_share = sum(s.share_of(green_tg) for s in read) / len(read) if green_tg else None
    if not blue_tg:
        problems.append(
            TrafficCheck(
                source=LIFECYCLE_SOURCE, ok=False, detail="no Blue task set in the snapshot: Blue's target group is unknown"
            )
        )
    test_splits = tuple(split for split in (_listener_split(view, arn, pair_names) for arn in test_arns) if split is not None)
    unread_served = Unread("CodeDeploy manages the service")
    return EcsEvidence(
        **base,
        blue_tg=blue_tg,
        green_tg=green_tg,
        guessed_blue=guessed,
        splits=splits,
        test_splits=test_splits,
        blue_state=blue_state if blue_state is not None else Unread("Blue's target group health was not read"),
        green_state=green_state,
        blue_share=blue_share,
        green_share=green_share,
        mixed=mixed,
        problems=tuple(problems),
        served=unread_served,
        served_states=unread_served,
    )


def _outside(e: EcsEvidence) -> str:
    return (
        f"ECS service {e.service_name} is not under CodeDeploy (deploymentController {e.controller}, must be CODE_DEPLOY): "
        "CodeDeploy shifted no traffic"
    )


def _served_health(e: EcsEvidence) -> tuple[int, int]:
    states = e.served_states if isinstance(e.served_states, tuple) else ()
    return sum(len(state.serving) for state in states), sum(len(state.targets) for state in states)


def _forwards_to_served(e: EcsEvidence) -> str:
    healthy, total = _served_health(e)
    served = ", ".join(e.served) if isinstance(e.served, tuple) else ""
    return f"{_outside(e)}; production listener forwards to {served} with {healthy}/{total} healthy targets"


def _sends_nothing(e: EcsEvidence) -> str:
    text = f"production listener sends {percent(e.share)} to Blue ({e.blue_tg})"
    if e.green_share is not None and e.green_tg:
        text += f" and {percent(e.green_share)} to Green ({e.green_tg})"
    return text


def _share_words(e: EcsEvidence) -> str:
    return "part of the traffic" if e.mixed else percent(e.share)


def _blue_health(e: EcsEvidence) -> str:
    total = len(e.blue_state.targets) if isinstance(e.blue_state, LoadBalancerState) else 0
    return f"{e.blue_healthy}/{total} healthy"


def _routes_differ(e: EcsEvidence) -> str:
    routes = "; ".join(_describe_split(split, e.labels, "production") for split in e.read_splits)
    return f"production routes differ, so Blue ({e.blue_tg}, {_blue_health(e)}) gets part of the traffic: {routes}"


def _listener_sends(e: EcsEvidence) -> str:
    text = f"production listener sends {percent(e.share)} to Blue ({e.blue_tg}, {_blue_health(e)})"
    if e.green_share is not None and e.green_tg:
        green = e.green_state
        green_health = f", {len(green.serving)}/{len(green.targets)} healthy" if green else ""
        text += f" and {percent(e.green_share)} to Green ({e.green_tg}{green_health})"
    return text


ECS_RULES: RuleTable[EcsEvidence] = RuleTable(
    "ECS blue/green",
    "Blue is the original task set and its target group; the evidence is the production listener's routes "
    "(DescribeListeners, DescribeRules), Blue's target health, the ECS service, and CodeDeploy's task set weights "
    "and AllowTraffic event.",
    (
        Rule(
            "ecs.outside-codedeploy-forwards-to-healthy",
            "the service's deployment controller is not CODE_DEPLOY; production forwards to target groups with healthy targets",
            "serving",
            "traffic-layer",
            lambda e: e.outside_codedeploy and _served_health(e)[0] > 0,
            _forwards_to_served,
            needs=("served", "served_states"),
            example="ecs-not-code-deploy-controller",
        ),
        Rule(
            "ecs.outside-codedeploy-forwards-to-unhealthy",
            "the service is not under CodeDeploy; production forwards to target groups with no healthy target",
            "not-serving",
            "traffic-layer",
            lambda e: e.outside_codedeploy,
            _forwards_to_served,
            needs=("served", "served_states"),
        ),
        Rule(
            "ecs.outside-codedeploy-forwards-nowhere",
            "the service is not under CodeDeploy; the production listener forwards to no target group",
            "not-serving",
            "traffic-layer",
            lambda e: e.outside_codedeploy and not e.served,
            lambda e: f"{_outside(e)}; the production listener forwards to no target group",
            needs=("served",),
        ),
        Rule(
            "ecs.outside-codedeploy-unconfirmed",
            "the service is not under CodeDeploy; the listener or its target groups were not read",
            "serving",
            "codedeploy-only",
            lambda e: e.outside_codedeploy,
            lambda e: f"{_outside(e)}; production presumably unchanged (not confirmed against the load balancer)",
        ),
        Rule(
            "ecs.listener-sends-blue-nothing",
            "the production listener sends Blue nothing (its health cannot change that; it may be unread)",
            "not-serving",
            "traffic-layer",
            lambda e: not isinstance(e.blue_state, LoadBalancerState) and e.share <= SHARE_EPSILON,
            _sends_nothing,
            needs=("blue_share",),
        ),
        Rule(
            "ecs.listener-share-health-unread",
            "the production listener sends Blue a share, but Blue's target health was not read",
            by_share(lambda e: e.share),
            "codedeploy-only",
            lambda e: not isinstance(e.blue_state, LoadBalancerState),
            lambda e: f"production listener sends {_share_words(e)} to Blue ({e.blue_tg}); Blue's target health was not read",
            needs=("blue_share",),
        ),
        Rule(
            "ecs.blue-target-group-unhealthy",
            "the production listener sends Blue a share, and Blue's target group has no healthy target",
            "not-serving",
            "traffic-layer",
            lambda e: share_verdict(e.share) != "not-serving" and e.blue_healthy == 0,
            lambda e: f"the production listener sends {_share_words(e)} to {e.blue_tg}, which has no healthy target",
            needs=("blue_share", "blue_state"),
        ),
        Rule(
            "ecs.routes-differ",
            "the listener's routes (or listeners) give Blue different shares: no single percentage is true",
            by_share(lambda e: e.share),
            "traffic-layer",
            lambda e: e.mixed,
            _routes_differ,
            needs=("blue_share", "blue_state"),
        ),
        Rule(
            "ecs.listener-shares",
            "the production listener and Blue's target health were read: Blue's share decides",
            by_share(lambda e: e.share),
            "traffic-layer",
            always,
            _listener_sends,
            needs=("blue_share", "blue_state"),
            example="ecs-half-shifted",
        ),
        *inferred_rules(
            "ecs",
            "ECS",
            moved="production to Green",
            split="traffic",
            weight=lambda e: f"CodeDeploy reports the Blue task set at {percent(e.codedeploy_blue_share)} of production traffic",
            unconfirmed="not confirmed against the load balancer",
        ),
    ),
)
"""The ECS verdicts, in order."""


def _health_check(state: LoadBalancerState, what: str, ok: bool) -> TrafficCheck:
    return TrafficCheck(
        source=TARGET_HEALTH_SOURCE, ok=ok, detail=f"{len(state.serving)}/{len(state.targets)} targets healthy in {what}"
    )


def ecs_checks(e: EcsEvidence) -> tuple[TrafficCheck, ...]:
    """The checks behind an ECS verdict, from the evidence."""
    checks = [_events_check(e.target, e.blue_info, e.green_info, e.labelled)]
    if e.outside_codedeploy:
        detail = (
            f"service {e.service_name} uses deploymentController {e.controller}: "
            "CodeDeploy can neither create task sets nor shift traffic for it"
        )
        checks.append(TrafficCheck(source=SERVICES_SOURCE, ok=False, detail=detail))
        checks.extend(
            TrafficCheck(source=LISTENERS_SOURCE, ok=bool(split.routes), detail=_describe_split(split, {}, "production"))
            for split in e.read_splits
        )
        states = e.served_states if isinstance(e.served_states, tuple) else ()
        checks.extend(_health_check(state, state.name, bool(state.serving)) for state in states)
        return (*checks, *e.problems)
    if e.guessed_blue:
        whence = "the ECS target names no task set" if e.target else "no ECS target in the snapshot"
        detail = f"{whence}: Blue taken as {e.blue_tg}, the target group production forwards to"
        checks.append(TrafficCheck(source=LISTENERS_SOURCE, ok=True, detail=detail))
    if isinstance(e.blue_share, float):
        checks.extend(
            TrafficCheck(
                source=LISTENERS_SOURCE,
                ok=split.share_of(e.blue_tg) > SHARE_EPSILON,
                detail=_describe_split(split, e.labels, "production"),
            )
            for split in e.read_splits
        )
    checks.extend(
        TrafficCheck(source=LISTENERS_SOURCE, ok=True, detail=_describe_split(split, e.labels, "test")) for split in e.test_splits
    )
    if isinstance(e.blue_state, LoadBalancerState):
        checks.append(_health_check(e.blue_state, f"{e.blue_tg} (Blue)", e.blue_healthy > 0))
    if e.green_state is not None:
        checks.append(_health_check(e.green_state, f"{e.green_tg} (Green)", True))
    if e.service is not None:
        blue_task_set, green_task_set = _service_task_set(e.service, e.blue_info), _service_task_set(e.service, e.green_info)
        checks.append(_service_check(e.service, e.controller, e.blue_info, blue_task_set, green_task_set))
    return (*checks, *e.problems)


def ecs_environments(e: EcsEvidence) -> tuple[Environment, ...]:
    """Blue and Green task sets side by side (the service's deployments when CodeDeploy manages nothing)."""
    if e.outside_codedeploy:
        service = as_object(e.service)
        members = tuple(
            EnvironmentMember(
                id=as_str(d.get("id")) or "deployment",
                health=as_str(d.get("rolloutState")) or as_str(d.get("status")),
                detail=f"{d.get('status')}; {d.get('runningCount')}/{d.get('desiredCount')} tasks running",
            )
            for d in (as_object(x) for x in as_list(service.get("deployments")))
        )
        serving = ECS_RULES.first_match(e).verdict_for(e) == "serving"
        summary = f"service {e.service_name} ({e.controller} controller)"
        return (
            Environment(label="Blue", members=members, traffic_share=100.0 if serving else None, summary=summary),
            Environment(label="Green"),
        )
    blue_share = e.blue_share if isinstance(e.blue_share, float) else None
    green_share = e.green_share
    cd_blue = as_number(as_object(e.blue_info).get("trafficWeight"))
    cd_green = as_number(as_object(e.green_info).get("trafficWeight"))
    if e.mixed:
        blue_share = green_share = cd_blue = cd_green = None  # shown per route in the checks instead
    blue_state = e.blue_state if isinstance(e.blue_state, LoadBalancerState) else None
    environments: list[Environment] = []
    for label, info, tg, state, share, reported in (
        ("Blue", e.blue_info, e.blue_tg, blue_state, blue_share, cd_blue),
        ("Green", e.green_info, e.green_tg, e.green_state, green_share, cd_green),
    ):
        member = _member(
            info,
            _service_task_set(e.service, info),
            e.service_read,
            _health_text(state, tg),
            share if share is not None else reported,
        )
        environments.append(
            Environment(
                label=label,
                members=(member,) if member else (),
                traffic_share=share if share is not None else reported,
                summary=_environment_summary(tg, state, share, reported),
            )
        )
    return tuple(environments)


def assess_ecs(facts: Facts) -> BlueTraffic:
    """Judge an ECS blue/green deployment."""
    evidence = read_ecs_evidence(facts)
    rule = ECS_RULES.first_match(evidence)
    return BlueTraffic(
        verdict=rule.verdict_for(evidence),
        summary=rule.summary(evidence),
        basis=rule.basis,
        checks=ecs_checks(evidence),
        environments=ecs_environments(evidence),
        rule=rule.id,
    )


def _environment_summary(
    tg: str | None, state: LoadBalancerState | None, share: float | None, codedeploy_share: float | None
) -> str | None:
    parts: list[str] = []
    health = _health_text(state, tg)
    if health:
        parts.append(health)
    elif tg:
        parts.append(f"target group {tg}")
    if share is not None:
        parts.append(f"{percent(share)} of production traffic")
    elif codedeploy_share is not None:
        parts.append(f"{percent(codedeploy_share)} of production traffic per CodeDeploy")
    return "; ".join(parts) or None


def _events_check(target: Target | None, blue: JsonObject | None, green: JsonObject | None, labelled: bool) -> TrafficCheck:
    if target is None:
        return TrafficCheck(source=LIFECYCLE_SOURCE, ok=False, detail="no ECS target in the snapshot")
    test = target.event_status("AllowTestTraffic") or "not run"
    allow = target.event_status("AllowTraffic") or "not run"
    parts = [f"AllowTestTraffic {test}", f"AllowTraffic {allow}"]
    blue_weight = as_number(as_object(blue).get("trafficWeight"))
    green_weight = as_number(as_object(green).get("trafficWeight"))
    if blue_weight is not None:
        parts.append(
            f"CodeDeploy reports Blue at {percent(blue_weight)}"
            + (f", Green at {percent(green_weight)}" if green_weight is not None else "")
        )
    if not labelled:
        parts.append("task sets carry no Blue/Green label: took the first as Blue")
    ok = blue_weight > SHARE_EPSILON if blue_weight is not None else allow not in ("Succeeded", "InProgress")
    return TrafficCheck(source=LIFECYCLE_SOURCE, ok=ok, detail="; ".join(parts))


def _no_target_ever(facts: Facts) -> bool:
    """Tell whether the deployment never had a target: its overview counts none, and every target call answered in full."""
    counted = facts.overview_total()
    if counted is None:
        return False  # not known: a target may exist that was not read
    target_calls = ("ListDeploymentTargets", "BatchGetDeploymentTargets")
    unread = any(e.code == INCOMPLETE_ANSWER or e.operation in target_calls for e in facts.snapshot.errors)
    return counted == 0 and not unread


def _controller(service: JsonObject | None) -> str | None:
    """The service's deployment controller; None when it cannot be told.

    ECS leaves ``deploymentController`` out for its default controller, but task sets exist only
    under an external controller such as CODE_DEPLOY: a service with task sets and no field is
    not known to be under plain ECS.
    """
    if service is None:
        return None
    named = as_str(as_object(service.get("deploymentController")).get("type"))
    if named is not None:
        return named
    return None if as_list(service.get("taskSets")) else "ECS"


def _service_check(
    service: JsonObject,
    controller: str | None,
    blue_info: JsonObject | None,
    blue: JsonObject | None,
    green: JsonObject | None,
) -> TrafficCheck:
    name = as_str(service.get("serviceName")) or "service"
    parts = [f"service {name}: deploymentController {controller or 'not stated (task sets exist)'}"]
    for label, task_set in (("Blue", blue), ("Green", green)):
        if task_set is not None:
            running = as_number(task_set.get("runningCount"))
            desired = as_number(task_set.get("computedDesiredCount"))
            counts = f" {int(running)}/{int(desired) if desired is not None else '?'} running" if running is not None else ""
            parts.append(f"{label} task set {task_set.get('id')} {task_set.get('status')}{counts}")
    if blue is None and blue_info is not None:
        identifier = as_str(blue_info.get("identifer")) or as_str(blue_info.get("identifier")) or "?"
        parts.append(f"Blue task set {identifier} no longer exists")
    ok = blue is not None and (as_number(blue.get("runningCount")) or 0) > 0
    return TrafficCheck(source=SERVICES_SOURCE, ok=ok, detail="; ".join(parts))
