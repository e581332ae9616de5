"""The JSON Schema of the ``--format json`` report (``cd-doctor schema`` prints it).

Versioned with ``schemaVersion`` and an ``$id`` that names the version: fields may be added
within a version (so the published schema allows properties it does not list); renaming or
removing one, or changing its type, needs a new version. Every listed property is required:
a consumer can rely on the key being there, with ``null`` when there is no value.

Values that come from AWS (statuses, error codes, event names) are plain strings, not enums:
AWS adds values and a report must never fail validation because of one. The enums are the
report's own vocabulary: ``confidence``, ``verdict``, ``basis``.

``report_schema(strict=True)`` forbids unlisted properties; the tests validate every fixture's
report against it, so a field added to ``render/json_report.py`` without a schema entry fails.
"""

from __future__ import annotations

from typing import Any

from codedeploy_doctor import TOOL_NAME
from codedeploy_doctor.report import SCHEMA_VERSION

SCHEMA_ID = f"https://cd-doctor.dev/schemas/report-v{SCHEMA_VERSION}.json"
"""The schema's ``$id``; the version is part of it."""

_TIMESTAMP = "ISO-8601 date-time as AWS gave it, e.g. 2026-11-28T09:05:06.238Z"


def _text(description: str, *, nullable: bool = False, min_length: int = 0) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": ["string", "null"] if nullable else "string", "description": description}
    if min_length:
        schema["minLength"] = min_length
    return schema


def _time(description: str) -> dict[str, Any]:
    return {"type": ["string", "null"], "format": "date-time", "description": f"{description} ({_TIMESTAMP})."}


def _texts(description: str) -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string"}, "description": description}


def _count(description: str, minimum: int = 0) -> dict[str, Any]:
    return {"type": "integer", "minimum": minimum, "description": description}


def _share(description: str) -> dict[str, Any]:
    return {"type": ["number", "null"], "minimum": 0, "maximum": 100, "description": description}


def _ref(name: str, *, nullable: bool = False, description: str | None = None) -> dict[str, Any]:
    ref: dict[str, Any] = {"$ref": f"#/$defs/{name}"}
    schema: dict[str, Any] = {"oneOf": [{"type": "null"}, ref]} if nullable else ref
    if description:
        schema = {**schema, "description": description}
    return schema


def _object(description: str, properties: dict[str, Any], *, strict: bool) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": list(properties),
        "additionalProperties": not strict,
    }


def report_schema(*, strict: bool = False) -> dict[str, Any]:
    """Build the report's JSON Schema (draft 2020-12); ``strict`` forbids properties it does not list."""
    defs = {
        "keyLine": _object(
            "The line that matters: the top cause's latest evidence line in the log, else the best-scored line.",
            {
                "text": _text("The line (cleaned, secrets masked)."),
                "source": {"enum": ["logTail", "extraLogs"], "description": "The first failure's logTail, or the extra logs."},
                "lineIndex": {
                    "type": ["integer", "null"],
                    "minimum": 0,
                    "description": "0-based position in firstFailure.logTail; null for another log.",
                },
                "fromEvidence": {"type": "boolean", "description": "True when it is one of the top cause's evidence lines."},
            },
            strict=strict,
        ),
        "replay": _object(
            "A report from a snapshot file, not from the live state.",
            {
                "recordedAt": _time(
                    "When the snapshot was recorded, when it says (the text and Markdown reports add how long ago)"
                ),
            },
            strict=strict,
        ),
        "rollback": _object(
            "The rollback deployment CodeDeploy started.",
            {
                "deploymentId": _text("Id of the rollback deployment.", nullable=True),
                "status": _text("Its status, when it could be read.", nullable=True),
                "message": _text("rollbackInfo.rollbackMessage.", nullable=True),
            },
            strict=strict,
        ),
        "deployment": _object(
            "The deployment's own facts, from GetDeployment.",
            {
                "id": _text("Deployment id, e.g. d-A1B2C3D4E.", min_length=1),
                "application": _text("Application name.", nullable=True),
                "deploymentGroup": _text("Deployment group name.", nullable=True),
                "status": _text("Created, Queued, InProgress, Baking, Ready, Succeeded, Failed or Stopped.", nullable=True),
                "computePlatform": _text("Server, ECS or Lambda.", nullable=True),
                "deploymentType": _text("IN_PLACE or BLUE_GREEN.", nullable=True),
                "deploymentOption": _text("WITH_TRAFFIC_CONTROL or WITHOUT_TRAFFIC_CONTROL.", nullable=True),
                "errorCode": _text("errorInformation.code, e.g. HEALTH_CONSTRAINTS.", nullable=True),
                "errorMessage": _text("errorInformation.message.", nullable=True),
                "createTime": _time("When the deployment was created"),
                "completeTime": _time("When it ended; null while it runs"),
                "creator": _text("Who started it: user, autoscaling, codeDeployRollback...", nullable=True),
                "revision": _text("One line describing the revision (S3 location, commit...).", nullable=True),
                "overview": {
                    "type": "object",
                    "additionalProperties": {"type": "integer", "minimum": 0},
                    "description": "deploymentOverview: targets per status (Pending, InProgress, Succeeded, Failed...).",
                },
                "statusMessages": _texts("deploymentStatusMessages."),
                "rollback": _ref("rollback", nullable=True, description="The rollback, or null when none was started."),
            },
            strict=strict,
        ),
        "failure": _object(
            "One lifecycle event of one target that did not succeed.",
            {
                "targetId": _text("Instance id, ECS cluster:service or Lambda function:alias target id.", min_length=1),
                "targetLabel": _text("Blue or Green, when the target has one.", nullable=True),
                "targetType": _text("InstanceTarget, ECSTarget, LambdaTarget...", nullable=True),
                "lifecycleEvent": _text("Event name, e.g. ValidateService.", min_length=1),
                "status": _text("Failed, or (when nothing failed) Pending, Unknown, Skipped, InProgress.", min_length=1),
                "errorCode": _text("diagnostics.errorCode: ScriptFailed, ScriptTimedOut, UnknownError...", nullable=True),
                "scriptName": _text("diagnostics.scriptName.", nullable=True),
                "message": _text("diagnostics.message.", nullable=True),
                "logTail": _text("diagnostics.logTail: the script's last lines (cleaned, secrets masked).", nullable=True),
                "startTime": _time("Event start"),
                "endTime": _time("Event end"),
            },
            strict=strict,
        ),
        "failureGroup": _object(
            "Targets that failed at the same event for the same reason.",
            {
                "lifecycleEvent": _text("Event name.", min_length=1),
                "status": _text("The event status the group shares.", min_length=1),
                "errorCode": _text("Diagnostics error code.", nullable=True),
                "causeId": _text("Catalog cause that explains the group.", nullable=True),
                "targetCount": _count("Targets in the group.", minimum=1),
                "targetIds": {**_texts("Their ids, sorted (possibly fewer than targetCount)."), "minItems": 1},
            },
            strict=strict,
        ),
        "cause": _object(
            "A known cause from the catalog, matched with evidence.",
            {
                "id": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "description": "Stable kebab-case catalog id."},
                "title": _text("One-line title.", min_length=1),
                "confidence": {"enum": ["high", "medium", "low"], "description": "How sure the match is."},
                "explanation": _text("Why it happens."),
                "fix": _texts("Steps to fix it, in order."),
                "evidence": _texts("What matched: log lines, error codes, facts."),
                "docs": {"type": "array", "items": {"type": "string", "format": "uri"}, "description": "Documentation links."},
                "where": _text("Where to look next, when the log tail is not enough.", nullable=True),
            },
            strict=strict,
        ),
        "check": _object(
            "One check the traffic verdict rests on.",
            {
                "source": _text("service:Operation, or codedeploy:... for inferences from events.", min_length=1),
                "ok": {"type": "boolean", "description": "Whether the check supports 'Blue is serving'."},
                "detail": _text("What was seen."),
            },
            strict=strict,
        ),
        "member": _object(
            "One member of an environment: an instance, a task set or a function version.",
            {
                "id": _text("Instance id, task set id or function version.", min_length=1),
                "health": _text("healthy, unhealthy, draining, running, terminated... as the traffic layer says.", nullable=True),
                "trafficShare": _share("Share of production traffic (0-100) when known."),
                "detail": _text("Extra facts (target group, state reason).", nullable=True),
            },
            strict=strict,
        ),
        "environment": _object(
            "Blue (original) or Green (replacement), side by side.",
            {
                "label": _text("Blue or Green.", min_length=1),
                "trafficShare": _share("Share of production traffic (0-100) going to this environment, when known."),
                "summary": _text("One line, e.g. '4/4 healthy in tg-prod'.", nullable=True),
                "members": {"type": "array", "items": _ref("member"), "description": "Its members."},
            },
            strict=strict,
        ),
        "blueTraffic": _object(
            "Whether the original (Blue) environment still serves production traffic.",
            {
                "verdict": {
                    "enum": ["serving", "partial", "not-serving", "unknown", "not-applicable"],
                    "description": "The answer; not-applicable when there is no separate Blue environment.",
                },
                "summary": _text("One line for on-call."),
                "basis": {
                    "enum": ["traffic-layer", "codedeploy-only"],
                    "description": "traffic-layer: confirmed against the load balancer, ECS or Lambda; codedeploy-only: inferred",
                },
                "rule": {
                    "type": ["string", "null"],
                    "pattern": r"^[a-z0-9-]+(\.[a-z0-9-]+)+$",
                    "description": "Id of the verdict rule that decided (docs/verdicts.md; cd-doctor explain RULE-ID).",
                },
                "checks": {"type": "array", "items": _ref("check"), "description": "The checks the verdict rests on."},
                "environments": {"type": "array", "items": _ref("environment"), "description": "Blue and Green side by side."},
                "blueTermination": _text("When Blue instances will be (or were) terminated, if that applies.", nullable=True),
            },
            strict=strict,
        ),
    }
    top = _object(
        "The --format json report of cd-doctor.",
        {
            "schemaVersion": {"const": SCHEMA_VERSION, "description": "Version of this schema."},
            "tool": _object(
                "The program that wrote the report.",
                {
                    "name": {"const": TOOL_NAME, "description": "Always cd-doctor."},
                    "version": {"type": "string", "pattern": r"^\d+\.\d+\.\d+", "description": "Its version."},
                },
                strict=strict,
            ),
            "deployment": _ref("deployment"),
            "firstFailure": _ref(
                "failure",
                nullable=True,
                description=(
                    "The first failure: the Failed event with the earliest end (ties: lifecycle order, then target id), "
                    "or null when nothing failed."
                ),
            ),
            "failureGroups": {"type": "array", "items": _ref("failureGroup"), "description": "Failed targets, grouped."},
            "causes": {"type": "array", "items": _ref("cause"), "description": "Known causes, most likely first."},
            "blueTraffic": _ref("blueTraffic"),
            "warnings": _texts("What could not be checked and why."),
            "apiCalls": _count("AWS calls made to collect the data (0 for a hand-written snapshot)."),
            "deploymentFailed": {
                "type": "boolean",
                "description": "True when the deployment failed or was stopped, or (still running) already has a failed target.",
            },
            "targets": _object(
                "How many targets there are and how many were read in detail.",
                {"total": _count("Targets in the deployment."), "examined": _count("Targets whose lifecycle events were read.")},
                strict=strict,
            ),
            "logLocations": _texts("Files to open on which instance when the log tail is not enough."),
            "notes": _texts("Facts to know before acting on the causes, e.g. that the failed hook ran the previous revision."),
            "keyLine": _ref("keyLine", nullable=True, description="The log line that carries the failure, or null."),
            "replay": _ref("replay", nullable=True, description="Set when the report was made from a snapshot file."),
            "mitigation": _texts(
                "When the verdict pages: AWS CLI commands that put production back, to copy (cd-doctor never runs them)."
            ),
        },
        strict=strict,
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": f"{TOOL_NAME} report, schema version {SCHEMA_VERSION}",
        **top,
        "$defs": defs,
    }
