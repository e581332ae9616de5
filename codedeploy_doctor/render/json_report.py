"""The JSON report (docs/report.schema.json): camelCase, every untrusted string cleaned and redacted."""

from __future__ import annotations

import json
from typing import Any

from codedeploy_doctor import TOOL_NAME, __version__
from codedeploy_doctor.render import RenderOptions
from codedeploy_doctor.render.mitigation import mitigation_commands
from codedeploy_doctor.report import (
    SCHEMA_VERSION,
    BlueTraffic,
    Cause,
    DeploymentSummary,
    FailureGroup,
    KeyLine,
    LifecycleEventFailure,
    Report,
)
from codedeploy_doctor.sanitize import TextPolicy


def report_to_dict(report: Report) -> dict[str, Any]:
    """The report as the published JSON structure, before text cleaning."""
    return {
        "schemaVersion": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": __version__},
        "deployment": _deployment(report.deployment),
        "firstFailure": _failure(report.first_failure) if report.first_failure else None,
        "failureGroups": [_group(group) for group in report.failure_groups],
        "causes": [_cause(cause) for cause in report.causes],
        "blueTraffic": _traffic(report.blue_traffic),
        "warnings": list(report.warnings),
        "apiCalls": report.api_calls,
        "deploymentFailed": report.deployment_failed,
        "targets": {"total": report.targets_total, "examined": report.targets_examined},
        "logLocations": list(report.log_locations),
        "notes": list(report.notes),
        "keyLine": _key_line(report.key_line),
        "replay": {"recordedAt": report.replay.recorded_at} if report.replay else None,
        "mitigation": list(mitigation_commands(report)),
    }


def _key_line(key: KeyLine | None) -> dict[str, Any] | None:
    if key is None:
        return None
    return {"text": key.text, "source": key.source, "lineIndex": key.line_index, "fromEvidence": key.from_evidence}


def _deployment(summary: DeploymentSummary) -> dict[str, Any]:
    rollback = summary.rollback
    return {
        "id": summary.id,
        "application": summary.application,
        "deploymentGroup": summary.deployment_group,
        "status": summary.status,
        "computePlatform": summary.compute_platform,
        "deploymentType": summary.deployment_type,
        "deploymentOption": summary.deployment_option,
        "errorCode": summary.error_code,
        "errorMessage": summary.error_message,
        "createTime": summary.create_time,
        "completeTime": summary.complete_time,
        "creator": summary.creator,
        "revision": summary.revision,
        "overview": dict(summary.overview),
        "statusMessages": list(summary.status_messages),
        "rollback": (
            {"deploymentId": rollback.deployment_id, "status": rollback.status, "message": rollback.message} if rollback else None
        ),
    }


def _failure(failure: LifecycleEventFailure) -> dict[str, Any]:
    return {
        "targetId": failure.target_id,
        "targetLabel": failure.target_label,
        "targetType": failure.target_type,
        "lifecycleEvent": failure.lifecycle_event,
        "status": failure.status,
        "errorCode": failure.error_code,
        "scriptName": failure.script_name,
        "message": failure.message,
        "logTail": failure.log_tail,
        "startTime": failure.start_time,
        "endTime": failure.end_time,
    }


def _group(group: FailureGroup) -> dict[str, Any]:
    return {
        "lifecycleEvent": group.lifecycle_event,
        "status": group.status,
        "errorCode": group.error_code,
        "causeId": group.cause_id,
        "targetCount": group.target_count,
        "targetIds": list(group.target_ids),
    }


def _cause(cause: Cause) -> dict[str, Any]:
    return {
        "id": cause.id,
        "title": cause.title,
        "confidence": cause.confidence,
        "explanation": cause.explanation,
        "fix": list(cause.fix),
        "evidence": list(cause.evidence),
        "docs": list(cause.docs),
        "where": cause.where,
    }


def _traffic(traffic: BlueTraffic) -> dict[str, Any]:
    return {
        "verdict": traffic.verdict,
        "summary": traffic.summary,
        "basis": traffic.basis,
        "rule": traffic.rule,
        "checks": [{"source": check.source, "ok": check.ok, "detail": check.detail} for check in traffic.checks],
        "environments": [
            {
                "label": env.label,
                "trafficShare": env.traffic_share,
                "summary": env.summary,
                "members": [
                    {"id": m.id, "health": m.health, "trafficShare": m.traffic_share, "detail": m.detail} for m in env.members
                ],
            }
            for env in traffic.environments
        ],
        "blueTermination": traffic.blue_termination,
    }


def sanitize_tree(value: Any, policy: TextPolicy) -> Any:
    """Apply the text policy to every string in a JSON tree."""
    if isinstance(value, str):
        return policy(value)
    if isinstance(value, dict):
        return {key: sanitize_tree(item, policy) for key, item in value.items()}
    if isinstance(value, list):
        return [sanitize_tree(item, policy) for item in value]
    return value


def render(report: Report, options: RenderOptions) -> str:
    """Render the report as JSON text."""
    return json.dumps(sanitize_tree(report_to_dict(report), options.policy), indent=2, ensure_ascii=False) + "\n"
