"""Collect the traffic layer behind the Blue verdict: target groups, listeners, instances, ECS services, aliases.

The collector calls :func:`collect_traffic` in its own thread right after GetDeployment, while
the deployment group and the target listings are still being read. Calls that need only the
deployment start at once; those that need ids start the moment the ids arrive, whichever comes
first (an event loop over futures, run on this thread only: nothing here ever waits inside the
shared pool). Every call goes through ``ctx.try_call``: a failure is recorded in the snapshot's
``errors`` and the verdict then rests on CodeDeploy's data alone.

Calls per platform (one target group, one service, one function):

- Server blue/green, ALB/NLB: DescribeTargetGroups, DescribeTargetHealth per target group,
  DescribeInstances on the listed Blue ids (1000 a call): 3.
- Server blue/green, Classic ELB: DescribeInstanceHealth per load balancer, DescribeInstances: 2.
- Server in-place with a load balancer: DescribeTargetGroups + DescribeTargetHealth (or
  DescribeInstanceHealth) and GetDeploymentConfig for the minimum healthy hosts: 3 (2 for Classic).
- Server in-place without a load balancer: nothing.
- ECS: DescribeTargetGroups and DescribeListeners (production and test listeners in one call) at
  once, then DescribeTargetHealth on both target groups and DescribeServices: 5; DescribeRules
  only when the listener's default action does not forward to the deployment's target groups.
- Lambda: GetAlias as soon as GetDeployment's inline AppSpec names the function and alias (else
  once the target and its ``lambdaFunctionInfo`` are read): 1.

The section written is the snapshot's ``traffic`` section (docs/snapshot.md): ``elbv2`` {targetGroups, targetHealth{arn},
listeners, rules{listenerArn}}, ``elb`` {instanceHealth{name}}, ``ec2`` {instances} (Instance
objects, flat, sorted by id), ``ecs`` {services}, ``lambda`` {aliases} (GetAlias outputs), and
``deploymentConfig`` (GetDeploymentConfig's ``deploymentConfigInfo``). A key is present only
when its call succeeded, so "absent" always means "not read".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from typing import Any, Final

from botocore.exceptions import ClientError

from codedeploy_doctor.aws.appspec import function_name, lambda_aliases
from codedeploy_doctor.aws.context import NEVER_A_WARNING, CollectionContext, chunks
from codedeploy_doctor.aws.failures import call_error, error_code, error_message
from codedeploy_doctor.snapshot import INCOMPLETE_ANSWER, CallError, JsonObject

EC2_IDS_PER_CALL: Final = 1000
"""DescribeInstances takes at most 1000 instance ids a call."""

FAILING_INSTANCE_FACTS = 5
"""Failed or stuck instances whose EC2 facts (state, instance profile) the catalog gets."""

ECS_SERVICES_PER_CALL: Final = 10
"""DescribeServices takes at most 10 services a call."""

MAX_RULE_PAGES: Final = 5
"""DescribeRules pages read per listener, at most."""

_EC2_INSTANCE_ID: Final = re.compile(r"i-[0-9a-f]{8,17}")
"""EC2 instance ids; on-premises instance names are not EC2's to describe."""

_Handler = Callable[[Any], None]


def collect_traffic(
    ctx: CollectionContext,
    deployment: JsonObject,
    group: Future[JsonObject | None],
    listing: Future[dict[str, list[str]]],
    targets: Future[list[JsonObject]],
) -> JsonObject:
    """Return the snapshot's ``traffic`` section for ``deployment``; never raises for a failed call."""
    run = _TrafficRun(ctx, deployment, group, listing, targets)
    run.start()
    run.drain()
    return run.section()


def _outcome(future: Future[Any]) -> Any:
    """Return the future's value, or None when it failed (the collector reports core failures itself)."""
    try:
        return future.result()
    except Exception:  # noqa: BLE001 - a failed listing or group only means less to check here
        return None


def _names(items: Any) -> list[str]:
    names: list[str] = []
    for item in items if isinstance(items, list) else []:
        name = item.get("name") if isinstance(item, dict) else None
        if isinstance(name, str) and name and name not in names:
            names.append(name)
    return names


def _strings(items: Any) -> list[str]:
    return [item for item in items if isinstance(item, str) and item] if isinstance(items, list) else []


class _TrafficRun:
    """One collection: the calls in flight, what to do with each answer, and what was read."""

    def __init__(
        self,
        ctx: CollectionContext,
        deployment: JsonObject,
        group: Future[JsonObject | None],
        listing: Future[dict[str, list[str]]],
        targets: Future[list[JsonObject]],
    ) -> None:
        self.ctx = ctx
        self.deployment = deployment
        self.group = group
        self.listing = listing
        self.targets = targets
        self._pending: dict[Future[Any], _Handler] = {}
        self._order: list[Future[Any]] = []
        self.target_groups: list[JsonObject] | None = None
        self.target_health: dict[str, list[JsonObject]] = {}
        self.listeners: dict[str, JsonObject] | None = None
        self.rules: dict[str, list[JsonObject]] = {}
        self.instance_health: dict[str, list[JsonObject]] = {}
        self.instances: dict[str, JsonObject] | None = None
        self.services: list[JsonObject] | None = None
        self.aliases: list[JsonObject] | None = None
        self.deployment_config: JsonObject | None = None
        self._health_requested: set[str] = set()
        self._aliases_requested: set[tuple[str, str]] = set()

    # --- the event loop -----------------------------------------------------------------------

    def on(self, future: Future[Any], handler: _Handler) -> None:
        """Run ``handler`` on this thread with the future's value once it is done."""
        self._pending[future] = handler
        self._order.append(future)

    def call(self, service: str, operation: str, handler: _Handler, **params: Any) -> None:
        """Start one non-core call on the pool; ``handler`` gets its response or None."""
        self.on(self.ctx.submit(self.ctx.try_call, service, operation, **params), handler)

    def drain(self) -> None:
        """Handle answers as they arrive until no call is left in flight."""
        while self._pending:
            done, _ = wait(list(self._pending), return_when=FIRST_COMPLETED)
            # Handle in the order the calls were started, so the section is the same on every run.
            for future in [f for f in self._order if f in done]:
                handler = self._pending.pop(future)
                self._order.remove(future)
                handler(_outcome(future))

    # --- planning -----------------------------------------------------------------------------

    def start(self) -> None:
        """Start what the deployment alone allows; wait for the group only for what it lacks."""
        platform = self.deployment.get("computePlatform") or "Server"
        style = self.deployment.get("deploymentStyle")
        lb_info = self.deployment.get("loadBalancerInfo")
        if isinstance(style, dict) and (isinstance(lb_info, dict) or style.get("deploymentOption") != "WITH_TRAFFIC_CONTROL"):
            self._plan(platform, style, lb_info if isinstance(lb_info, dict) else {})
        elif platform == "Lambda":
            self._plan(platform, style if isinstance(style, dict) else {}, {})
        else:
            self.on(self.group, lambda group: self._plan_from_group(platform, group))

    def _plan_from_group(self, platform: str, group: JsonObject | None) -> None:
        group = group or {}
        style = self.deployment.get("deploymentStyle") or group.get("deploymentStyle") or {}
        lb_info = self.deployment.get("loadBalancerInfo") or group.get("loadBalancerInfo") or {}
        self._plan(platform, style, lb_info)

    def _plan(self, platform: str, style: JsonObject, lb_info: JsonObject) -> None:
        if platform == "ECS":
            self._plan_ecs(lb_info)
        elif platform == "Lambda":
            for function, alias in lambda_aliases(self.deployment):  # the AppSpec names them: no need to wait
                self._get_alias(function, alias)
            self.on(self.targets, self._on_lambda_targets)
        elif platform == "Server":
            self._plan_server(style, lb_info)

    def _plan_server(self, style: JsonObject, lb_info: JsonObject) -> None:
        blue_green = style.get("deploymentType") == "BLUE_GREEN"
        # EC2 facts about Blue (is it running?) and the failing instances (instance profile, state)
        # share one DescribeInstances call, as soon as the ids are listed.
        self.on(self.listing, functools.partial(self._on_server_listing, blue_green))
        if not blue_green and style.get("deploymentOption") != "WITH_TRAFFIC_CONTROL":
            return  # in-place without a load balancer: CodeDeploy routes no traffic
        tg_names = _names(lb_info.get("targetGroupInfoList"))
        elb_names = _names(lb_info.get("elbInfoList"))
        if tg_names:
            self.call("elbv2", "DescribeTargetGroups", self._on_target_groups, Names=tg_names)
        for name in elb_names:
            self.call("elb", "DescribeInstanceHealth", functools.partial(self._on_instance_health, name), LoadBalancerName=name)
        config_name = self.deployment.get("deploymentConfigName")
        if not blue_green and (tg_names or elb_names) and isinstance(config_name, str) and config_name:
            self.call("codedeploy", "GetDeploymentConfig", self._on_deployment_config, deploymentConfigName=config_name)

    def _plan_ecs(self, lb_info: JsonObject) -> None:
        pairs = [pair for pair in lb_info.get("targetGroupPairInfoList") or [] if isinstance(pair, dict)]
        tg_names: list[str] = []
        prod: list[str] = []
        listeners: list[str] = []
        for pair in pairs:
            tg_names += [n for n in _names(pair.get("targetGroups")) if n not in tg_names]
            prod += _strings((pair.get("prodTrafficRoute") or {}).get("listenerArns"))
            listeners += _strings((pair.get("prodTrafficRoute") or {}).get("listenerArns"))
            listeners += _strings((pair.get("testTrafficRoute") or {}).get("listenerArns"))
        if tg_names:
            self.call("elbv2", "DescribeTargetGroups", self._on_target_groups, Names=tg_names)
        unique = list(dict.fromkeys(listeners))
        if unique:
            self.call("elbv2", "DescribeListeners", self._on_listeners, ListenerArns=unique)
        # Every rule of a production listener is production traffic: one that forwards to Green
        # while the default action forwards to Blue splits production. Rules need only the
        # listener's ARN, which the deployment names, so they are read alongside the listeners.
        for arn in dict.fromkeys(prod):
            self.on(self.ctx.submit(_describe_rules, self.ctx, arn), functools.partial(self._on_rules, arn))
        self.on(self.group, self._on_ecs_group)

    # --- ELBv2 and Classic ELB ----------------------------------------------------------------

    def _on_target_groups(self, response: JsonObject | None) -> None:
        if response is None:
            return
        groups = [g for g in response.get("TargetGroups") or [] if isinstance(g, dict)]
        self.target_groups = (self.target_groups or []) + groups
        for group in groups:
            arn = group.get("TargetGroupArn")
            if isinstance(arn, str) and arn not in self._health_requested:
                self._health_requested.add(arn)
                handler = functools.partial(self._on_target_health, arn)
                self.call("elbv2", "DescribeTargetHealth", handler, TargetGroupArn=arn)

    def _on_target_health(self, arn: str, response: JsonObject | None) -> None:
        if response is not None:
            self.target_health[arn] = list(response.get("TargetHealthDescriptions") or [])

    def _on_instance_health(self, name: str, response: JsonObject | None) -> None:
        if response is not None:
            self.instance_health[name] = list(response.get("InstanceStates") or [])

    def _on_listeners(self, response: JsonObject | None) -> None:
        if response is None:
            return
        self.listeners = {
            str(listener["ListenerArn"]): listener
            for listener in response.get("Listeners") or []
            if isinstance(listener, dict) and isinstance(listener.get("ListenerArn"), str)
        }

    def _on_rules(self, arn: str, rules: list[JsonObject] | None) -> None:
        if rules is not None:
            self.rules[arn] = rules

    def _on_deployment_config(self, response: JsonObject | None) -> None:
        if response is not None and isinstance(response.get("deploymentConfigInfo"), dict):
            self.deployment_config = response["deploymentConfigInfo"]

    # --- EC2 -----------------------------------------------------------------------------------

    def _on_server_listing(self, blue_green: bool, listing: dict[str, list[str]] | None) -> None:
        listing = listing or {}
        failing = [i for key in ("Failed", "Stuck") for i in listing.get(key, [])][:FAILING_INSTANCE_FACTS]
        wanted = [*(listing.get("Blue", []) if blue_green else []), *failing]
        ids = list(dict.fromkeys(i for i in wanted if _EC2_INSTANCE_ID.fullmatch(i)))
        for chunk in chunks(ids, EC2_IDS_PER_CALL):
            self.on(self.ctx.submit(_describe_instances, self.ctx, chunk), self._on_instances)

    def _on_instances(self, instances: list[JsonObject] | None) -> None:
        if instances is None:
            return
        found = self.instances if self.instances is not None else {}
        for instance in instances:
            if isinstance(instance.get("InstanceId"), str):
                found[instance["InstanceId"]] = instance
        self.instances = found

    # --- ECS -----------------------------------------------------------------------------------

    def _on_ecs_group(self, group: JsonObject | None) -> None:
        services: list[tuple[str, str]] = []
        for item in (group or {}).get("ecsServices") or []:
            if isinstance(item, dict) and isinstance(item.get("clusterName"), str) and isinstance(item.get("serviceName"), str):
                services.append((item["clusterName"], item["serviceName"]))
        if services:
            self._describe_services(services)
        else:
            self.on(self.listing, self._on_ecs_listing)

    def _on_ecs_listing(self, listing: dict[str, list[str]] | None) -> None:
        ids = [i for ids in (listing or {}).values() for i in ids]
        services = [(i.split(":", 1)[0], i.split(":", 1)[1]) for i in dict.fromkeys(ids) if i.count(":") == 1]
        self._describe_services(services)

    def _describe_services(self, services: Sequence[tuple[str, str]]) -> None:
        by_cluster: dict[str, list[str]] = {}
        for cluster, service in services:
            if service not in by_cluster.setdefault(cluster, []):
                by_cluster[cluster].append(service)
        for cluster, names in by_cluster.items():
            for chunk in chunks(names, ECS_SERVICES_PER_CALL):
                self.call("ecs", "DescribeServices", self._on_services, cluster=cluster, services=chunk)

    def _on_services(self, response: JsonObject | None) -> None:
        if response is not None:
            self.services = (self.services or []) + [s for s in response.get("services") or [] if isinstance(s, dict)]

    # --- Lambda --------------------------------------------------------------------------------

    def _on_lambda_targets(self, targets: list[JsonObject] | None) -> None:
        aliases: list[tuple[str, str]] = []
        for target in targets or []:
            info = (target.get("lambdaTarget") or {}).get("lambdaFunctionInfo") or {}
            function, alias = info.get("functionName"), info.get("functionAlias")
            if isinstance(function, str) and isinstance(alias, str) and (function, alias) not in aliases:
                aliases.append((function, alias))
        if not aliases and self.listing.done():
            # No function info: Lambda target ids read "function:alias".
            for target_id in (i for ids in (_outcome(self.listing) or {}).values() for i in ids):
                if target_id.count(":") == 1 and tuple(target_id.split(":")) not in aliases:
                    function, alias = target_id.split(":")
                    aliases.append((function, alias))
        for function, alias in aliases:
            self._get_alias(function, alias)

    def _get_alias(self, function: str, alias: str) -> None:
        if (function_name(function), alias) not in self._aliases_requested:
            self._aliases_requested.add((function_name(function), alias))
            self.call("lambda", "GetAlias", self._on_alias, FunctionName=function, Name=alias)

    def _on_alias(self, response: JsonObject | None) -> None:
        if response is not None:
            self.aliases = (self.aliases or []) + [response]

    # --- the section ---------------------------------------------------------------------------

    def section(self) -> JsonObject:
        """Return the ``traffic`` section: only what was read, in a stable order."""
        traffic: JsonObject = {}
        elbv2: JsonObject = {}
        if self.target_groups is not None:
            elbv2["targetGroups"] = sorted(self.target_groups, key=lambda g: str(g.get("TargetGroupName", "")))
        if self.target_health:
            elbv2["targetHealth"] = dict(sorted(self.target_health.items()))
        if self.listeners is not None:
            elbv2["listeners"] = list(self.listeners.values())
        if self.rules:
            elbv2["rules"] = dict(sorted(self.rules.items()))
        if elbv2:
            traffic["elbv2"] = elbv2
        if self.instance_health:
            traffic["elb"] = {"instanceHealth": dict(sorted(self.instance_health.items()))}
        if self.instances is not None:
            traffic["ec2"] = {"instances": [self.instances[i] for i in sorted(self.instances)]}
        if self.services is not None:
            services = sorted(self.services, key=lambda s: (str(s.get("clusterArn")), str(s.get("serviceName"))))
            traffic["ecs"] = {"services": services}
        if self.aliases is not None:
            traffic["lambda"] = {"aliases": sorted(self.aliases, key=lambda a: str(a.get("AliasArn", "")))}
        if self.deployment_config is not None:
            traffic["deploymentConfig"] = self.deployment_config
        return traffic


def _describe_instances(ctx: CollectionContext, instance_ids: list[str]) -> list[JsonObject] | None:
    """DescribeInstances by id; ids EC2 has forgotten (terminated over an hour ago) are dropped, not fatal.

    EC2 refuses the whole call when one id is unknown, naming the unknown ids; they are removed
    and the call made again, so one long-gone instance does not hide the state of the others.
    A Blue instance absent from the result is reported by the verdict as "not found".
    """
    remaining = list(instance_ids)
    for _attempt in range(3):
        if not remaining:
            return []
        try:
            response = ctx.call("ec2", "DescribeInstances", InstanceIds=remaining)
        except ClientError as exc:
            not_found = error_code(exc) == "InvalidInstanceID.NotFound"
            missing = set(_EC2_INSTANCE_ID.findall(error_message(exc))) if not_found else set()
            if not missing & set(remaining):
                ctx.record(call_error("ec2", "DescribeInstances", exc))
                return None
            remaining = [i for i in remaining if i not in missing]
            continue
        except NEVER_A_WARNING:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure of a non-core call degrades to a warning
            ctx.record(call_error("ec2", "DescribeInstances", exc))
            return None
        return [
            instance
            for reservation in response.get("Reservations") or []
            for instance in (reservation.get("Instances") or [])
            if isinstance(instance, dict)
        ]
    return None


def _describe_rules(ctx: CollectionContext, listener_arn: str) -> list[JsonObject] | None:
    """Every rule of one listener (a few pages at most), or None when a call failed: part of the rules proves nothing."""
    rules: list[JsonObject] = []
    marker: str | None = None
    for _page in range(MAX_RULE_PAGES):
        params: dict[str, Any] = {"ListenerArn": listener_arn}
        if marker:
            params["Marker"] = marker
        response = ctx.try_call("elbv2", "DescribeRules", **params)
        if response is None:
            return None
        rules.extend(rule for rule in response.get("Rules") or [] if isinstance(rule, dict))
        marker = response.get("NextMarker")
        if not marker:
            return rules
    # More pages than a listener can hold rules for: not read in full, and the report must say so.
    ctx.record(
        CallError(
            service="elbv2",
            operation="DescribeRules",
            code=INCOMPLETE_ANSWER,
            message=f"rules of {listener_arn} still had pages after {MAX_RULE_PAGES}",
        )
    )
    return None
