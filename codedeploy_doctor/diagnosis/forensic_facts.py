"""Facts for the catalog from the snapshot's ``evidence`` (bundle, Auto Scaling, SSM, on-premises) and EC2's instances.

``facts_for(snapshot, failure)`` gives the facts the catalog's ``facts`` conditions match and,
per fact, the evidence line that says where it came from. The snapshot-wide part (the bundle
checked, the scaling activities in the deployment's window) is worked out once per snapshot.

Facts filled (docs/causes.md lists them): ``state``, ``iamInstanceProfile``, ``imdsTokens``
(``required`` when IMDSv2 only), ``launchedDuringDeployment``, ``agentVersion``, ``ssmPingStatus``
(``Online``, ``ConnectionLost``, ``Inactive``, ``not-registered``), ``onPremises``,
``onPremisesRegistration`` (``registered``, ``deregistered``, ``not-found``),
``onPremisesIdentity`` (``iam-user``, ``iam-session``, ``none``); ``asgScaledDuringDeployment``
(``launched``, ``terminated``, ``launched-and-terminated``), ``asgTerminatedInstance``,
``asgLifecycleHook`` (``ok``, ``missing``, ``stale``), ``asgSuspendedProcesses``; and from the
bundle ``appspec``, ``filesSource``, ``hookRunas``, ``hookTimeout`` (``short``, ``set``,
``default``), ``eventTimeout``, ``scriptInBundle``, ``scriptExecutable``, ``scriptLineEndings``,
``scriptShebang`` (see ``bundle.facts``).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Final

from codedeploy_doctor.bundle.facts import Facts, RevisionReading, read_revision_section, revision_facts
from codedeploy_doctor.report import LifecycleEventFailure
from codedeploy_doctor.snapshot import JsonObject, Snapshot
from codedeploy_doctor.timefmt import format_time, parse_time

CODEDEPLOY_HOOK_PREFIX: Final = "CodeDeploy-managed-automatic-launch-deployment-hook-"
"""Names CodeDeploy gives the launch hooks it installs on Auto Scaling groups."""

_ACTIVITY_INSTANCE: Final = re.compile(r"\b(?P<verb>Launching|Terminating)\b[^:]{0,40}: (?P<id>i-[0-9a-f]{8,17})")
_AGENT_VERSION: Final = re.compile(r"agent version[ :]+(?P<version>(?:OFFICIAL_)?\d+\.\d+[.\w-]{0,40})", re.IGNORECASE)
_EC2_ID: Final = re.compile(r"i-[0-9a-f]{8,17}")
MAX_ACTIVITY_NOTES: Final = 3


@dataclass(frozen=True)
class ScalingEvent:
    """One instance Auto Scaling launched or terminated inside the deployment's window."""

    group: str
    verb: str
    """``launched`` or ``terminated``."""
    instance_id: str
    at: str
    cause: str


@dataclass
class _Index:
    """What the snapshot's evidence says, worked out once."""

    revision: RevisionReading | None = None
    scaling: list[ScalingEvent] = field(default_factory=list)
    deployment_facts: Facts = field(default_factory=Facts)
    ssm: dict[str, str] | None = None
    onprem: dict[str, JsonObject] | None = None
    instances: dict[str, JsonObject] = field(default_factory=dict)
    """EC2's description of each instance by id (the first description of an id wins)."""


_CACHE: dict[int, tuple[Snapshot, _Index]] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE: Final = 8


def _index(snapshot: Snapshot) -> _Index:
    key = id(snapshot)
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None and hit[0] is snapshot:
            return hit[1]
    built = _build(snapshot)
    with _CACHE_LOCK:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = (snapshot, built)
    return built


def _dict(value: Any) -> JsonObject:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[JsonObject]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def deployment_window(snapshot: Snapshot) -> tuple[dt.datetime | None, dt.datetime | None]:
    """When the deployment ran: created, and completed (or recorded, while running)."""
    deployment = snapshot.deployment
    start = parse_time(deployment.get("createTime"))
    end = parse_time(deployment.get("completeTime")) or parse_time(snapshot.recorded_at)
    return start, end


def _build(snapshot: Snapshot) -> _Index:
    index = _Index()
    for instance in _list(_dict(snapshot.traffic.get("ec2")).get("instances")):
        instance_id = instance.get("InstanceId")
        if isinstance(instance_id, str):
            index.instances.setdefault(instance_id, instance)
    evidence = snapshot.evidence
    option = _dict(snapshot.deployment.get("deploymentStyle")).get("deploymentOption")
    traffic_control = None if option is None else option == "WITH_TRAFFIC_CONTROL"
    index.revision = read_revision_section(evidence.get("revision"), traffic_control=traffic_control)
    autoscaling = _dict(evidence.get("autoscaling"))
    if autoscaling:
        _autoscaling(snapshot, autoscaling, index)
    ssm = evidence.get("ssm")
    if isinstance(ssm, dict):
        asked = [item for item in ssm.get("asked") or [] if isinstance(item, str)]
        pings = {str(i.get("InstanceId")): str(i.get("PingStatus")) for i in _list(ssm.get("instanceInformation"))}
        index.ssm = {instance: pings.get(instance, "not-registered") for instance in asked} | pings
    onprem = evidence.get("onPremises")
    if isinstance(onprem, dict):
        asked = [item for item in onprem.get("asked") or [] if isinstance(item, str)]
        found = {str(i.get("instanceName")): i for i in _list(onprem.get("instances"))}
        index.onprem = {name: found.get(name, {}) for name in asked} | found
    return index


def _autoscaling(snapshot: Snapshot, section: JsonObject, index: _Index) -> None:
    start, end = deployment_window(snapshot)
    for activity in _list(section.get("activities")):
        moment = parse_time(activity.get("StartTime"))
        found = _ACTIVITY_INSTANCE.search(str(activity.get("Description") or ""))
        if found is None or moment is None or start is None or moment < start or (end is not None and moment > end):
            continue
        verb = "launched" if found["verb"] == "Launching" else "terminated"
        index.scaling.append(
            ScalingEvent(
                str(activity.get("AutoScalingGroupName") or "?"),
                verb,
                found["id"],
                format_time(activity.get("StartTime")) or "?",
                str(activity.get("Cause") or "").strip(),
            )
        )
    facts = index.deployment_facts
    verbs = sorted({event.verb for event in index.scaling})
    if verbs:
        lines = [
            f"Auto Scaling group {e.group} {e.verb} {e.instance_id} at {e.at}, during the deployment"
            + (f": {e.cause}" if e.cause else "")
            for e in index.scaling[:MAX_ACTIVITY_NOTES]
        ]
        more = len(index.scaling) - MAX_ACTIVITY_NOTES
        facts.add("asgScaledDuringDeployment", "-and-".join(verbs), "; ".join(lines) + (f"; and {more} more" if more > 0 else ""))
    elif "activities" in section:
        facts.add("asgScaledDuringDeployment", "no")
    if "lifecycleHooks" in section:
        _hook_facts(snapshot, section, facts)
    if "groups" in section:
        suspended = []
        for group in _list(section.get("groups")):
            processes = [str(p.get("ProcessName")) for p in _list(group.get("SuspendedProcesses"))]
            if processes:
                suspended.append(f"Auto Scaling group {group.get('AutoScalingGroupName')} has {', '.join(processes)} suspended")
        if suspended:
            facts.add("asgSuspendedProcesses", "suspended", "; ".join(suspended))
        else:
            facts.add("asgSuspendedProcesses", "none")


def _hook_facts(snapshot: Snapshot, section: JsonObject, facts: Facts) -> None:
    """The deployment group's launch hook on each Auto Scaling group, and CodeDeploy hooks it does not own."""
    hooks: dict[str, list[str]] = {}
    for hook in _list(section.get("lifecycleHooks")):
        hooks.setdefault(str(hook.get("AutoScalingGroupName")), []).append(str(hook.get("LifecycleHookName")))
    problems: list[tuple[str, str]] = []
    for item in _list(_dict(snapshot.deployment_group).get("autoScalingGroups")):
        name, expected = str(item.get("name")), item.get("hook")
        present = hooks.get(name, [])
        if isinstance(expected, str) and expected and expected not in present:
            problems.append(("missing", f"Auto Scaling group {name} lacks the deployment group's launch hook {expected}"))
        stale = [h for h in present if h.startswith(CODEDEPLOY_HOOK_PREFIX) and h != expected]
        if stale:
            others = ", ".join(stale)
            text = f"Auto Scaling group {name} has CodeDeploy launch hooks of other deployment groups: {others}"
            problems.append(("stale", text))
    if problems:
        facts.add("asgLifecycleHook", problems[0][0], "; ".join(text for _, text in problems))
    elif _dict(snapshot.deployment_group).get("autoScalingGroups"):
        facts.add("asgLifecycleHook", "ok")


def _instance(snapshot: Snapshot, target_id: str) -> JsonObject | None:
    return _index(snapshot).instances.get(target_id)


def _seconds(failure: LifecycleEventFailure) -> float | None:
    start, end = parse_time(failure.start_time), parse_time(failure.end_time)
    return (end - start).total_seconds() if start and end else None


def facts_for(snapshot: Snapshot, failure: LifecycleEventFailure | None, log_lines: tuple[str, ...] = ()) -> Facts:
    """Facts about one failure (or the deployment when None): the instance, Auto Scaling, the bundle."""
    index = _index(snapshot)
    facts = Facts(dict(index.deployment_facts.values), dict(index.deployment_facts.notes))
    if failure is None:
        return facts
    target = failure.target_id
    if index.revision is not None:
        found = revision_facts(
            index.revision,
            failure.lifecycle_event,
            failure.script_name,
            error_code=failure.error_code,
            ran_seconds=_seconds(failure),
        )
        facts.values.update(found.values)
        facts.notes.update(found.notes)
    for event in index.scaling:
        if event.instance_id == target:
            key = "asgTerminatedInstance" if event.verb == "terminated" else "launchedDuringDeployment"
            facts.add(key, "yes", f"Auto Scaling group {event.group} {event.verb} {target} at {event.at}, during the deployment")
    _ec2_facts(snapshot, target, facts)
    for line in reversed(log_lines):
        version = _AGENT_VERSION.search(line)
        if version:
            facts.add("agentVersion", version["version"], f"agent log: {line.strip()[:200]}")
            break
    if index.ssm is not None and target in index.ssm:
        facts.add("ssmPingStatus", index.ssm[target], f"ssm:DescribeInstanceInformation: {target} PingStatus {index.ssm[target]}")
    if index.onprem is not None and target in index.onprem:
        _onprem_facts(index.onprem[target], target, facts)
    elif not _EC2_ID.fullmatch(target) and failure.target_type in (None, "InstanceTarget"):
        facts.add("onPremises", "true")
    return facts


def _ec2_facts(snapshot: Snapshot, target: str, facts: Facts) -> None:
    instance = _instance(snapshot, target)
    if instance is None:
        return
    state = instance.get("State")
    profile = instance.get("IamInstanceProfile")
    facts.add("state", str(state.get("Name")) if isinstance(state, dict) else "unknown")
    facts.add("iamInstanceProfile", str(profile.get("Arn")) if isinstance(profile, dict) else "none")
    tokens = _dict(instance.get("MetadataOptions")).get("HttpTokens")
    if isinstance(tokens, str):
        facts.add("imdsTokens", tokens, f"ec2:DescribeInstances: {target} MetadataOptions.HttpTokens = {tokens}")
    launched = parse_time(instance.get("LaunchTime"))
    start, end = deployment_window(snapshot)
    if launched is not None and start is not None and "launchedDuringDeployment" not in facts.values:
        during = launched >= start and (end is None or launched <= end)
        facts.add(
            "launchedDuringDeployment",
            "yes" if during else "no",
            f"ec2:DescribeInstances: {target} launched at {format_time(instance.get('LaunchTime'))}, after the deployment started"
            if during
            else None,
        )


def _onprem_facts(info: JsonObject, target: str, facts: Facts) -> None:
    facts.add("onPremises", "true")
    if not info:
        facts.add("onPremisesRegistration", "not-found", f"codedeploy:BatchGetOnPremisesInstances: {target} is not registered")
        return
    if info.get("deregisterTime"):
        when = format_time(info.get("deregisterTime")) or str(info.get("deregisterTime"))
        note = f"codedeploy:BatchGetOnPremisesInstances: {target} was deregistered at {when}"
        facts.add("onPremisesRegistration", "deregistered", note)
    else:
        facts.add("onPremisesRegistration", "registered")
    if info.get("iamUserArn"):
        facts.add("onPremisesIdentity", "iam-user", f"{target} registered with IAM user {info.get('iamUserArn')}")
    elif info.get("iamSessionArn"):
        facts.add("onPremisesIdentity", "iam-session", f"{target} registered with IAM session {info.get('iamSessionArn')}")
    else:
        facts.add("onPremisesIdentity", "none", f"{target} is registered with neither an IAM user nor an IAM session ARN")


def forensic_notes(snapshot: Snapshot, shown: set[str]) -> tuple[list[str], list[str]]:
    """(notes, warnings) for the report: the deployed bundle's other findings, and what of it could not be read."""
    index = _index(snapshot)
    notes: list[str] = []
    suspended = index.deployment_facts.notes.get("asgSuspendedProcesses")
    if suspended and suspended not in shown:
        notes.append(f"{suspended}: resume them once the deployment is settled (aws autoscaling resume-processes)")
    reading = index.revision
    if reading is None:
        return notes, []
    from codedeploy_doctor.bundle.facts import report_notes

    warnings = []
    if reading.unread:
        warnings.append(f"the revision bundle {reading.source} was read in part or not at all: {reading.unread}")
    return notes + report_notes(reading, shown), warnings
