"""What the catalog may read about one failure: diagnostics, deployment facts, extra logs, instance facts, forensics."""

from __future__ import annotations

from codedeploy_doctor.catalog.model import FailureEvidence
from codedeploy_doctor.diagnosis.forensics import forensic_lines
from codedeploy_doctor.diagnosis.log_window import deployment_window, lines_for_deployment
from codedeploy_doctor.report import DeploymentSummary, LifecycleEventFailure
from codedeploy_doctor.snapshot import Snapshot


def evidence_for(snapshot: Snapshot, summary: DeploymentSummary, failure: LifecycleEventFailure | None) -> FailureEvidence:
    """What the catalog may read about one failure (or about the deployment when there is none)."""
    target_id = failure.target_id if failure else None
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
        extra_log_lines=extra_log_lines(snapshot, target_id),
        instance_facts=instance_facts(snapshot, target_id),
        forensics=forensic_lines(snapshot, failure),
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


def instance_facts(snapshot: Snapshot, target_id: str | None) -> dict[str, str]:
    """Facts about the failing instance from ec2 DescribeInstances, when the snapshot has them."""
    if not target_id:
        return {}
    ec2 = snapshot.traffic.get("ec2") if isinstance(snapshot.traffic.get("ec2"), dict) else {}
    instances = ec2.get("instances") if isinstance(ec2, dict) else None
    for instance in instances if isinstance(instances, list) else []:
        if isinstance(instance, dict) and instance.get("InstanceId") == target_id:
            state = instance.get("State")
            profile = instance.get("IamInstanceProfile")
            facts = {"state": str(state.get("Name")) if isinstance(state, dict) else "unknown"}
            facts["iamInstanceProfile"] = str(profile.get("Arn")) if isinstance(profile, dict) else "none"
            return facts
    return {}
