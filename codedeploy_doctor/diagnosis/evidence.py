"""What the catalog may read about one failure: diagnostics, deployment facts, extra logs, facts (``forensic_facts``)."""

from __future__ import annotations

from codedeploy_doctor.catalog.model import FailureEvidence
from codedeploy_doctor.diagnosis.forensic_facts import facts_for
from codedeploy_doctor.diagnosis.log_window import deployment_window, lines_for_deployment
from codedeploy_doctor.report import DeploymentSummary, LifecycleEventFailure
from codedeploy_doctor.snapshot import Snapshot


def evidence_for(snapshot: Snapshot, summary: DeploymentSummary, failure: LifecycleEventFailure | None) -> FailureEvidence:
    """What the catalog may read about one failure (or about the deployment when there is none)."""
    target_id = failure.target_id if failure else None
    log_lines = extra_log_lines(snapshot, target_id)
    facts = facts_for(snapshot, failure, log_lines)
    return FailureEvidence(
        platform=summary.compute_platform,
        lifecycle_event=failure.lifecycle_event if failure else None,
        event_status=failure.status if failure else None,
        error_code=failure.error_code if failure else None,
        script_name=failure.script_name if failure else None,
        message=failure.message if failure else None,
        log_tail=failure.log_tail if failure else None,
        deployment_error_code=summary.error_code,
        deployment_error_message=summary.error_message,
        status_messages=summary.status_messages,
        deployment_status=summary.status,
        extra_log_lines=log_lines,
        instance_facts=facts.values,
        fact_notes=facts.notes,
    )


def extra_log_lines(snapshot: Snapshot, target_id: str | None) -> tuple[str, ...]:
    """Lines from extra logs (``--agent-log``, CloudWatch Logs) about this deployment and target.

    An agent log copied from an instance holds weeks of history: an old error must not become
    today's cause. See :func:`codedeploy_doctor.diagnosis.log_window.lines_for_deployment`.
    """
    lines: list[str] = []
    for log in snapshot.extra_logs:
        owner = log.get("targetId")
        if owner and target_id and owner != target_id:
            continue
        raw = log.get("lines")
        if isinstance(raw, list):
            lines.extend(line for line in raw if isinstance(line, str))
    return lines_for_deployment(lines, snapshot.deployment_id, deployment_window(snapshot.deployment))
