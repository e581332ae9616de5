"""Build FailureEvidence from the compact JSON shape used by cases.json and corpus.json."""

from __future__ import annotations

from typing import Any

from codedeploy_doctor.catalog.model import FailureEvidence

FIELDS = {
    "platform",
    "event",
    "status",
    "errorCode",
    "scriptName",
    "message",
    "logTail",
    "deploymentErrorCode",
    "deploymentErrorMessage",
    "statusMessages",
    "deploymentStatus",
    "extraLogLines",
    "facts",
    "forensics",
}
"""Keys an evidence object may have (anything else is metadata: expected, source, note...)."""


def evidence_from(data: dict[str, Any]) -> FailureEvidence:
    """The FailureEvidence a JSON case describes; a Failed event unless ``status`` says otherwise."""
    event = data.get("event")
    return FailureEvidence(
        platform=data.get("platform", "Server"),
        lifecycle_event=event,
        event_status=data.get("status", "Failed" if event else None),
        error_code=data.get("errorCode"),
        script_name=data.get("scriptName"),
        message=data.get("message"),
        log_tail=data.get("logTail"),
        deployment_error_code=data.get("deploymentErrorCode"),
        deployment_error_message=data.get("deploymentErrorMessage"),
        status_messages=tuple(data.get("statusMessages", ())),
        deployment_status=data.get("deploymentStatus", "Failed"),
        extra_log_lines=tuple(data.get("extraLogLines", ())),
        instance_facts=dict(data.get("facts", {})),
        forensics=tuple(data.get("forensics", ())),
    )
