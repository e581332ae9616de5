"""The catalog's vocabulary: what a cause record is, and what the matcher reads."""

from __future__ import annotations

from dataclasses import dataclass, field

from codedeploy_doctor.report import Confidence


@dataclass(frozen=True)
class FailureEvidence:
    """Everything the matcher may read about one failure (one event of one target, or a deployment)."""

    platform: str | None
    """Server, ECS or Lambda."""
    lifecycle_event: str | None
    """The event that failed or did not succeed; None for deployment-level failures."""
    event_status: str | None
    """Failed, Pending, Skipped, Unknown..."""
    error_code: str | None
    """``diagnostics.errorCode`` (ScriptFailed, ScriptTimedOut...)."""
    script_name: str | None
    """``diagnostics.scriptName``."""
    message: str | None
    """``diagnostics.message``."""
    log_tail: str | None
    """``diagnostics.logTail``."""
    deployment_error_code: str | None
    """``errorInformation.code`` of the deployment."""
    deployment_error_message: str | None
    """``errorInformation.message`` of the deployment."""
    status_messages: tuple[str, ...] = ()
    """``deploymentStatusMessages``."""
    deployment_status: str | None = None
    """The deployment's status."""
    extra_log_lines: tuple[str, ...] = ()
    """Lines from --agent-log files or CloudWatch Logs for this target."""
    instance_facts: dict[str, str] = field(default_factory=dict)
    """Facts about the instance, its Auto Scaling group and the deployed bundle, when collected
    (``state``, ``iamInstanceProfile``, ``scriptLineEndings``...: docs/causes.md lists them)."""
    fact_notes: dict[str, str] = field(default_factory=dict)
    """Per fact, the evidence line that says where it came from (``appspec.yml:9: timeout: 60 ...``)."""
    forensics: tuple[str, ...] = ()
    """Lines read beyond CodeDeploy (``diagnosis.forensics``): stopped ECS tasks and their containers,
    Green target health, alarms, the hook function's log and configuration; matched like log lines."""


@dataclass(frozen=True)
class CauseMatch:
    """A record that matched, with what made it match."""

    cause_id: str
    """The record's id."""
    confidence: Confidence
    """high, medium or low."""
    evidence: tuple[str, ...]
    """The exact lines or facts that matched (untrusted text, rendered safely later)."""
    score: int
    """Higher is more specific: a log line beats an error code beats a deployment summary."""
    detail: str | None = None
    """Failure-specific explanation added to the record's own (meaning of the exit or error code)."""
    generic: bool = False
    """True for a fallback record that only restates the error code; a caller may drop it when
    a specific cause was found."""
    captures: tuple[tuple[str, str], ...] = ()
    """The parts of the error the record's patterns pulled out (named groups: action, resource,
    program, path, endpoint, url, status...), cleaned; ``detail`` holds them in sentences."""
    line_captures: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    """The raw named groups of each evidence line that had any (to re-read details when the
    evidence is reordered)."""
