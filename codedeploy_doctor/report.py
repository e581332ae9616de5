"""The report: what the diagnosis found, independent of how it is rendered.

Field names follow the JSON report (docs/report.schema.json) in snake_case; ``render.json_report`` maps
them to the published camelCase schema.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from codedeploy_doctor.errors import ExitCode

Confidence = Literal["high", "medium", "low"]
"""How sure a cause is."""

Verdict = Literal["serving", "partial", "not-serving", "unknown", "not-applicable"]
"""Whether the original (Blue) environment still serves production traffic."""

Basis = Literal["traffic-layer", "codedeploy-only"]
"""What a verdict rests on."""

SCHEMA_VERSION = 1
"""Version of the JSON report schema; bumped on any breaking change."""


@dataclass(frozen=True)
class RollbackSummary:
    """The rollback deployment CodeDeploy started, if any."""

    deployment_id: str | None
    """Id of the rollback deployment."""
    status: str | None
    """Its status, when it could be read."""
    message: str | None
    """``rollbackInfo.rollbackMessage``."""


@dataclass(frozen=True)
class DeploymentSummary:
    """The deployment's own facts."""

    id: str
    """Deployment id."""
    application: str | None
    """Application name."""
    deployment_group: str | None
    """Deployment group name."""
    status: str | None
    """Deployment status (Failed, Stopped, Succeeded, InProgress...)."""
    compute_platform: str | None
    """Server, ECS or Lambda."""
    deployment_type: str | None
    """IN_PLACE or BLUE_GREEN."""
    deployment_option: str | None
    """WITH_TRAFFIC_CONTROL or WITHOUT_TRAFFIC_CONTROL."""
    error_code: str | None
    """``errorInformation.code``."""
    error_message: str | None
    """``errorInformation.message``."""
    create_time: str | None
    """When the deployment was created (ISO-8601)."""
    complete_time: str | None
    """When it ended (ISO-8601)."""
    creator: str | None
    """Who started it (user, autoscaling, codeDeployRollback...)."""
    rollback: RollbackSummary | None
    """The rollback, when one was started."""
    overview: dict[str, int] = field(default_factory=dict)
    """``deploymentOverview`` counts by status."""
    status_messages: tuple[str, ...] = ()
    """``deploymentStatusMessages``."""
    revision: str | None = None
    """A one-line description of the revision (S3 location, commit, AppSpec)."""


@dataclass(frozen=True)
class LifecycleEventFailure:
    """One lifecycle event of one target that did not succeed."""

    target_id: str
    """Instance id, ECS ``cluster:service`` or Lambda ``function:alias`` target id."""
    target_label: str | None
    """Blue or Green, when the target has one."""
    target_type: str | None
    """``InstanceTarget``, ``ECSTarget``, ``LambdaTarget``..."""
    lifecycle_event: str
    """Event name, e.g. ValidateService."""
    status: str
    """Failed, Pending, Unknown, Skipped, InProgress."""
    error_code: str | None
    """``diagnostics.errorCode``."""
    script_name: str | None
    """``diagnostics.scriptName``."""
    message: str | None
    """``diagnostics.message``."""
    log_tail: str | None
    """``diagnostics.logTail``."""
    start_time: str | None
    """Event start (ISO-8601)."""
    end_time: str | None
    """Event end (ISO-8601)."""


@dataclass(frozen=True)
class FailureGroup:
    """Targets that failed at the same event for the same reason."""

    lifecycle_event: str
    """Event name."""
    error_code: str | None
    """Diagnostics error code (or the event status when there is none)."""
    cause_id: str | None
    """Catalog cause that explains the group's first target."""
    target_count: int
    """How many targets are in the group."""
    target_ids: tuple[str, ...]
    """Their ids, sorted."""
    status: str = "Failed"
    """The event status shared by the group."""


@dataclass(frozen=True)
class Cause:
    """A known cause from the catalog, matched with evidence."""

    id: str
    """Stable catalog id."""
    title: str
    """One-line title."""
    confidence: Confidence
    """high, medium or low."""
    explanation: str
    """Why it happens and what CodeDeploy does there."""
    fix: tuple[str, ...]
    """Steps to fix it."""
    evidence: tuple[str, ...]
    """What matched: log lines, error codes, facts."""
    docs: tuple[str, ...]
    """Links to AWS documentation."""
    where: str | None = None
    """Where to look next (log file on which instance), when logTail is not enough."""


@dataclass(frozen=True)
class TrafficCheck:
    """One check a traffic verdict rests on."""

    source: str
    """``service:Operation`` or ``codedeploy:lifecycle`` for inferences from events."""
    ok: bool
    """Whether the check supports "Blue is serving"."""
    detail: str
    """What was seen."""


def clamp_share(share: float | None) -> float | None:
    """A traffic share bounded to 0..100; None when unknown or not a finite number (malformed input)."""
    if share is None or not math.isfinite(share):
        return None
    return min(100.0, max(0.0, share))


@dataclass(frozen=True)
class EnvironmentMember:
    """One member of an environment in the side-by-side view (instance, task set, version)."""

    id: str
    """Instance id, task set id or function version."""
    health: str | None
    """healthy, unhealthy, draining, running, terminated... as the traffic layer says."""
    traffic_share: float | None = None
    """Share of production traffic (0..100) when known."""
    detail: str | None = None
    """Extra facts (target group, state reason)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "traffic_share", clamp_share(self.traffic_share))


@dataclass(frozen=True)
class Environment:
    """Blue or Green, as a rollout dashboard would show it."""

    label: str
    """Blue (original) or Green (replacement)."""
    members: tuple[EnvironmentMember, ...] = ()
    """Instances, task sets or versions."""
    traffic_share: float | None = None
    """Share of production traffic (0..100) going to this environment, when known."""
    summary: str | None = None
    """One line, e.g. '4/4 healthy in tg-prod'."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "traffic_share", clamp_share(self.traffic_share))


@dataclass(frozen=True)
class BlueTraffic:
    """Whether the original environment still serves production traffic."""

    verdict: Verdict
    """serving, partial, not-serving, unknown or not-applicable."""
    summary: str
    """One line for on-call."""
    basis: Basis
    """traffic-layer when confirmed, codedeploy-only when inferred."""
    checks: tuple[TrafficCheck, ...] = ()
    """The checks the verdict rests on."""
    environments: tuple[Environment, ...] = ()
    """Blue and Green side by side."""
    blue_termination: str | None = None
    """When Blue instances will be (or were) terminated, if that applies."""
    rule: str | None = None
    """Id of the verdict rule that decided (docs/verdicts.md; ``cd-doctor explain RULE-ID``)."""

    @property
    def confirmed_safe(self) -> bool:
        """Production is safe as the README's exit codes have it: Blue confirmed serving all of it, or nothing to protect.

        A ``partial`` verdict is never safe, whatever its basis: some production traffic (or
        capacity) is on the failed version or lost, which pages (exit 4).
        """
        return self.verdict == "not-applicable" or (self.verdict == "serving" and self.basis == "traffic-layer")


@dataclass(frozen=True)
class KeyLine:
    """The log line that carries the failure ("the line that matters"), and where it was found."""

    text: str
    """The line as the log has it (untrusted: cleaned when rendered)."""
    source: Literal["logTail", "extraLogs"]
    """``logTail`` (the first failure's diagnostics) or ``extraLogs`` (--agent-log, CloudWatch Logs)."""
    line_index: int | None
    """Its 0-based position in the log tail (None when it comes from another log)."""
    from_evidence: bool
    """True when it is one of the top cause's evidence lines; False when picked by its score."""


@dataclass(frozen=True)
class ReplayInfo:
    """Set when the report comes from a snapshot file: nobody must take it for the live state."""

    recorded_at: str | None
    """When the snapshot was recorded (ISO-8601 UTC), when it says."""
    age_seconds: float | None
    """How old the snapshot was when replayed, when ``recorded_at`` is known."""


@dataclass(frozen=True)
class Report:
    """The whole diagnosis of one deployment."""

    deployment: DeploymentSummary
    """The deployment's facts."""
    first_failure: LifecycleEventFailure | None
    """The first failure by the rule in docs/report.schema.json (``firstFailure``), or None."""
    failure_groups: tuple[FailureGroup, ...]
    """All failed targets grouped by event, error code and cause; largest first."""
    causes: tuple[Cause, ...]
    """Most likely first."""
    blue_traffic: BlueTraffic
    """The traffic verdict."""
    warnings: tuple[str, ...]
    """What could not be checked and why."""
    api_calls: int
    """AWS calls made to collect the data (0 on replay of a hand-written snapshot)."""
    deployment_failed: bool
    """True when the deployment failed or was stopped, or (still running) already has a failed target."""
    targets_total: int = 0
    """Targets in the deployment (from the overview when known)."""
    targets_examined: int = 0
    """Targets whose lifecycle events were read."""
    log_locations: tuple[str, ...] = ()
    """Files to open on which instance when the log tail is not enough."""
    notes: tuple[str, ...] = ()
    """Facts on-call must know before acting on the causes (e.g. the hook ran the previous revision)."""
    key_line: KeyLine | None = None
    """The log line that carries the failure, when one can be picked (see ``diagnosis.key_line``)."""
    replay: ReplayInfo | None = None
    """Set on ``--replay``: when the snapshot was recorded."""


def exit_code_for(report: Report) -> ExitCode:
    """The process exit code for a report (the README's exit codes)."""
    if not report.deployment_failed:
        return ExitCode.OK
    return ExitCode.FAILED_BLUE_SAFE if report.blue_traffic.confirmed_safe else ExitCode.FAILED_BLUE_AT_RISK


def tail_lines(log_tail: str | None) -> list[str]:
    """The log tail split into lines as the renderers show it (trailing newline dropped)."""
    if not log_tail or not log_tail.strip():
        return []
    return log_tail.rstrip("\n").split("\n")


def evidence_line_indexes(log_tail: str | None, evidence: Sequence[str]) -> frozenset[int]:
    """Positions in the log tail of every line quoted as evidence (so renderers show and highlight them)."""
    wanted = {item.strip() for item in evidence if item.strip()}
    return frozenset(index for index, line in enumerate(tail_lines(log_tail)) if line.strip() in wanted)
