"""What the traffic verdict reads from a snapshot: deployment style, targets and their events, traffic data.

Everything here is a pure reading of AWS's own response shapes. A hand-written snapshot may
miss any field, so every accessor tolerates absent or malformed data and answers ``None`` or
an empty value rather than raising.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from codedeploy_doctor.deployment_facts import DEPLOYMENT_FAILED
from codedeploy_doctor.sanitize import readable
from codedeploy_doctor.snapshot import CallError, JsonObject, Snapshot
from codedeploy_doctor.timefmt import parse_time

BUILT_IN_MINIMUM_HEALTHY: Final[Mapping[str, tuple[str, int]]] = {
    "CodeDeployDefault.OneAtATime": ("MOST_CONCURRENCY", 1),
    "CodeDeployDefault.HalfAtATime": ("FLEET_PERCENT", 50),
    "CodeDeployDefault.AllAtOnce": ("HOST_COUNT", 0),
}
"""Minimum healthy hosts of the built-in Server configs, as GetDeploymentConfig reports them.

Used only when the snapshot has no ``traffic.deploymentConfig`` (a hand-written snapshot, or the
call failed). ``MOST_CONCURRENCY 1`` is what AWS returns for OneAtATime: all instances but one.
"""


def as_object(value: Any) -> JsonObject:
    """``value`` when it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """``value`` when it is a JSON list, else an empty one."""
    return value if isinstance(value, list) else []


def as_str(value: Any) -> str | None:
    """``value`` when it is a string with readable text (not only control characters), else None."""
    return value if isinstance(value, str) and readable(value) else None


def as_number(value: Any) -> float | None:
    """``value`` as a float when it is a JSON number (not a boolean), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def target_group_name_from_arn(arn: str) -> str:
    """Return the target group name inside an ARN (``...:targetgroup/NAME/id``), or the ARN itself."""
    marker = ":targetgroup/"
    if marker in arn:
        return arn.split(marker, 1)[1].split("/", 1)[0]
    return arn


def plural(count: int, word: str) -> str:
    """``1 instance``, ``2 instances``."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


@dataclass(frozen=True)
class Target:
    """One deployment target as the verdict needs it, whatever its type."""

    id: str
    """Instance id, ``cluster:service`` or Lambda target id."""
    kind: str
    """``InstanceTarget``, ``ECSTarget``, ``LambdaTarget`` or ``CloudFormationTarget``."""
    label: str | None
    """Blue or Green (``instanceLabel``) when the target has one."""
    status: str | None
    """The target's status."""
    body: JsonObject
    """The inner object (``instanceTarget``, ``ecsTarget``, ...)."""
    events: Mapping[str, JsonObject] = field(default_factory=dict)
    """Lifecycle events by name."""

    def event_status(self, name: str) -> str | None:
        """Status of lifecycle event ``name``, or None when the target has no such event."""
        return as_str(self.events.get(name, {}).get("status"))

    def succeeded(self, name: str) -> bool:
        """Tell whether lifecycle event ``name`` succeeded on this target."""
        return self.event_status(name) == "Succeeded"


_TARGET_BODIES: Final = (
    ("InstanceTarget", "instanceTarget"),
    ("ECSTarget", "ecsTarget"),
    ("LambdaTarget", "lambdaTarget"),
    ("CloudFormationTarget", "cloudFormationTarget"),
)


def read_target(raw: JsonObject) -> Target | None:
    """Read one ``DeploymentTarget``; None when it holds no known target body."""
    declared = as_str(raw.get("deploymentTargetType"))
    # The declared type wins; a hand-written target without it is read by whichever body it has.
    ordered = sorted(_TARGET_BODIES, key=lambda pair: pair[0] != declared)
    for kind, key in ordered:
        body = raw.get(key)
        if not isinstance(body, dict):
            continue
        events: dict[str, JsonObject] = {}
        for event in as_list(body.get("lifecycleEvents")):
            name = as_str(as_object(event).get("lifecycleEventName"))
            if name is not None:
                events[name] = as_object(event)
        return Target(
            id=as_str(body.get("targetId")) or "unknown",
            kind=kind,
            label=as_str(body.get("instanceLabel")),
            status=as_str(body.get("status")),
            body=body,
            events=events,
        )
    return None


@dataclass(frozen=True)
class Facts:
    """The deployment-level facts every platform rule starts from."""

    snapshot: Snapshot
    """The snapshot read."""
    deployment: JsonObject
    """``DeploymentInfo``."""
    group: JsonObject
    """``DeploymentGroupInfo`` or an empty object."""
    platform: str
    """Server, ECS or Lambda (Server when nothing says otherwise)."""
    deployment_type: str | None
    """IN_PLACE or BLUE_GREEN."""
    deployment_option: str | None
    """WITH_TRAFFIC_CONTROL or WITHOUT_TRAFFIC_CONTROL."""
    status: str | None
    """Deployment status."""
    targets: tuple[Target, ...]
    """Every target in the snapshot that could be read."""

    @property
    def failed(self) -> bool:
        """True when the deployment failed or was stopped."""
        return self.status in DEPLOYMENT_FAILED

    @property
    def succeeded(self) -> bool:
        """True when the deployment succeeded."""
        return self.status == "Succeeded"

    @property
    def load_balancer_info(self) -> JsonObject:
        """``loadBalancerInfo`` of the deployment, else of the group."""
        return as_object(self.deployment.get("loadBalancerInfo")) or as_object(self.group.get("loadBalancerInfo"))

    @property
    def blue_green_configuration(self) -> JsonObject:
        """``blueGreenDeploymentConfiguration`` of the deployment, else of the group."""
        return as_object(self.deployment.get("blueGreenDeploymentConfiguration")) or as_object(
            self.group.get("blueGreenDeploymentConfiguration")
        )

    @property
    def target_group_names(self) -> list[str]:
        """Names in ``loadBalancerInfo.targetGroupInfoList`` (Server)."""
        return _names(self.load_balancer_info.get("targetGroupInfoList"))

    @property
    def classic_load_balancer_names(self) -> list[str]:
        """Names in ``loadBalancerInfo.elbInfoList`` (Classic Load Balancers)."""
        return _names(self.load_balancer_info.get("elbInfoList"))

    @property
    def recorded_at(self) -> dt.datetime | None:
        """When the snapshot was taken, the only "now" the verdict uses."""
        return parse_time(self.snapshot.recorded_at)

    def targets_of(self, kind: str, label: str | None = None) -> list[Target]:
        """Targets of one kind, optionally with one label, sorted by id."""
        return sorted((t for t in self.targets if t.kind == kind and (label is None or t.label == label)), key=lambda t: t.id)

    def overview_total(self) -> int | None:
        """Targets counted by ``deploymentOverview``, or None when the snapshot has no overview."""
        overview = self.deployment.get("deploymentOverview")
        if not isinstance(overview, dict):
            return None
        return sum(int(v) for v in overview.values() if isinstance(v, int) and not isinstance(v, bool))

    def fleet_size(self) -> int:
        """How many targets the deployment has: ``deploymentOverview`` total, else the targets read."""
        return self.overview_total() or len(self.targets)


def _names(items: Any) -> list[str]:
    names: list[str] = []
    for item in as_list(items):
        name = as_str(as_object(item).get("name"))
        if name is not None and name not in names:
            names.append(name)
    return names


def read_facts(snapshot: Snapshot) -> Facts:
    """Read the deployment-level facts from a snapshot."""
    deployment = as_object(snapshot.deployment)
    group = as_object(snapshot.deployment_group)
    style = as_object(deployment.get("deploymentStyle")) or as_object(group.get("deploymentStyle"))
    targets = tuple(t for t in (read_target(as_object(raw)) for raw in snapshot.targets) if t is not None)
    platform = as_str(deployment.get("computePlatform")) or as_str(group.get("computePlatform"))
    if platform is None:
        kinds = {t.kind for t in targets}
        platform = "ECS" if "ECSTarget" in kinds else "Lambda" if "LambdaTarget" in kinds else "Server"
    return Facts(
        snapshot=snapshot,
        deployment=deployment,
        group=group,
        platform=platform,
        deployment_type=as_str(style.get("deploymentType")),
        deployment_option=as_str(style.get("deploymentOption")),
        status=as_str(deployment.get("status")),
        targets=targets,
    )


def latest_event_end(targets: Iterable[Target], names: Sequence[str] | None = None) -> dt.datetime | None:
    """Return the latest ``endTime`` among the named events (all events when ``names`` is None)."""
    latest: dt.datetime | None = None
    for target in targets:
        for name, event in target.events.items():
            if names is not None and name not in names:
                continue
            end = parse_time(event.get("endTime"))
            if end is not None and (latest is None or end > latest):
                latest = end
    return latest


def minimum_healthy_hosts(config: JsonObject | None, config_name: str | None, fleet: int) -> tuple[int, str] | None:
    """Minimum healthy instances for a fleet of ``fleet`` and how it was derived, or None when unknown.

    FLEET_PERCENT rounds up, as CodeDeploy does; MOST_CONCURRENCY (OneAtATime) keeps all but
    ``value`` instances healthy.
    """
    rule = as_object(as_object(config).get("minimumHealthyHosts"))
    kind = as_str(rule.get("type"))
    value = as_number(rule.get("value"))
    source = as_str(as_object(config).get("deploymentConfigName")) or config_name or "the deployment config"
    if (kind is None or value is None) and config_name is not None and config_name in BUILT_IN_MINIMUM_HEALTHY:
        kind, built_in = BUILT_IN_MINIMUM_HEALTHY[config_name]
        value = float(built_in)
        source = f"{config_name} (built-in)"
    if kind is None or value is None:
        return None
    if kind == "HOST_COUNT":
        minimum = int(value)
    elif kind == "FLEET_PERCENT":
        minimum = math.ceil(fleet * value / 100)
    elif kind == "MOST_CONCURRENCY":
        minimum = max(fleet - int(value), 0)
    else:
        return None
    return minimum, f"{source}: {kind} {int(value)}"


class TrafficView:
    """Read access to a snapshot's ``traffic`` section (docs/snapshot.md), tolerant of missing parts.

    A key that is absent means "not read" (the call failed or was never made); an empty list
    means "read, and empty". ``ec2.instances`` may hold Instance objects flat (what cd-doctor
    writes) or Reservation objects as ``describe-instances`` prints them; both are read.
    """

    def __init__(self, traffic: Mapping[str, Any]) -> None:
        self._traffic = traffic

    def _section(self, name: str) -> JsonObject:
        return as_object(self._traffic.get(name))

    @property
    def has_any(self) -> bool:
        """True when any traffic-layer data was recorded."""
        return any(self._section(name) for name in ("elbv2", "elb", "ec2", "ecs", "lambda"))

    def target_groups(self) -> list[JsonObject] | None:
        """``elbv2.targetGroups`` or None when not read."""
        value = self._section("elbv2").get("targetGroups")
        return [as_object(v) for v in value] if isinstance(value, list) else None

    def target_group(self, name: str) -> JsonObject | None:
        """Return the TargetGroup called ``name``, if read."""
        for group in self.target_groups() or []:
            if group.get("TargetGroupName") == name or target_group_name_from_arn(str(group.get("TargetGroupArn", ""))) == name:
                return group
        return None

    def target_group_arn(self, name: str) -> str | None:
        """Return the ARN of target group ``name`` from DescribeTargetGroups or the target health keys."""
        group = self.target_group(name)
        if group is not None and as_str(group.get("TargetGroupArn")):
            return str(group["TargetGroupArn"])
        for arn in as_object(self._section("elbv2").get("targetHealth")):
            if target_group_name_from_arn(arn) == name:
                return str(arn)
        return None

    def target_health(self, arn: str | None) -> list[JsonObject] | None:
        """TargetHealthDescriptions of one target group, or None when not read."""
        if arn is None:
            return None
        value = as_object(self._section("elbv2").get("targetHealth")).get(arn)
        return [as_object(v) for v in value] if isinstance(value, list) else None

    def listener(self, arn: str) -> JsonObject | None:
        """Return the Listener with ``arn``, if read."""
        for listener in as_list(self._section("elbv2").get("listeners")):
            if as_object(listener).get("ListenerArn") == arn:
                return as_object(listener)
        return None

    def rules(self, listener_arn: str) -> list[JsonObject] | None:
        """Rules of one listener (``elbv2.rules[listenerArn]``), or None when not read."""
        value = as_object(self._section("elbv2").get("rules")).get(listener_arn)
        return [as_object(v) for v in value] if isinstance(value, list) else None

    def instance_health(self, load_balancer: str) -> list[JsonObject] | None:
        """Classic ELB InstanceStates of one load balancer, or None when not read."""
        value = as_object(self._section("elb").get("instanceHealth")).get(load_balancer)
        return [as_object(v) for v in value] if isinstance(value, list) else None

    def instances(self) -> dict[str, JsonObject] | None:
        """EC2 instances by id (flat or from reservations), or None when not read."""
        value = self._section("ec2").get("instances")
        if not isinstance(value, list):
            return None
        found: dict[str, JsonObject] = {}
        for item in value:
            item = as_object(item)
            nested = item.get("Instances")
            for instance in as_list(nested) if isinstance(nested, list) else [item]:
                instance_id = as_str(as_object(instance).get("InstanceId"))
                if instance_id is not None:
                    found[instance_id] = as_object(instance)
        return found

    def services(self) -> list[JsonObject] | None:
        """ECS Service objects, or None when not read."""
        value = self._section("ecs").get("services")
        return [as_object(v) for v in value] if isinstance(value, list) else None

    def aliases(self) -> list[JsonObject] | None:
        """Lambda GetAlias outputs, or None when not read."""
        value = self._section("lambda").get("aliases")
        return [as_object(v) for v in value] if isinstance(value, list) else None

    def deployment_config(self) -> JsonObject | None:
        """``deploymentConfig`` (GetDeploymentConfig's ``deploymentConfigInfo``), if read."""
        value = self._traffic.get("deploymentConfig")
        return value if isinstance(value, dict) else None


def failed_calls(snapshot: Snapshot, service: str, operations: Iterable[str]) -> list[CallError]:
    """Return the recorded call failures of ``service`` for any of ``operations``."""
    wanted = set(operations)
    return [error for error in snapshot.errors if error.service == service and error.operation in wanted]
