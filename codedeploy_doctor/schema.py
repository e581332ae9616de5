"""The JSON Schema of the ``--format json`` report (``cd-doctor schema`` prints it).

Versioned with ``schemaVersion``: fields may be added within a version; renaming or removing
one needs a new version.
"""

from __future__ import annotations

from typing import Any

from codedeploy_doctor.report import SCHEMA_VERSION

_STR = {"type": "string"}
_OPT_STR = {"type": ["string", "null"]}
_STR_LIST = {"type": "array", "items": {"type": "string"}}


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required if required is not None else list(properties),
        "additionalProperties": True,
    }


def report_schema() -> dict[str, Any]:
    """The report's JSON Schema (draft 2020-12)."""
    rollback = _object({"deploymentId": _OPT_STR, "status": _OPT_STR, "message": _OPT_STR})
    deployment = _object(
        {
            "id": _STR,
            "application": _OPT_STR,
            "deploymentGroup": _OPT_STR,
            "status": _OPT_STR,
            "computePlatform": _OPT_STR,
            "deploymentType": _OPT_STR,
            "deploymentOption": _OPT_STR,
            "errorCode": _OPT_STR,
            "errorMessage": _OPT_STR,
            "createTime": _OPT_STR,
            "completeTime": _OPT_STR,
            "creator": _OPT_STR,
            "revision": _OPT_STR,
            "overview": {"type": "object", "additionalProperties": {"type": "integer"}},
            "statusMessages": _STR_LIST,
            "rollback": {"oneOf": [{"type": "null"}, rollback]},
        }
    )
    failure = _object(
        {
            "targetId": _STR,
            "targetLabel": _OPT_STR,
            "targetType": _OPT_STR,
            "lifecycleEvent": _STR,
            "status": {"type": "string"},
            "errorCode": _OPT_STR,
            "scriptName": _OPT_STR,
            "message": _OPT_STR,
            "logTail": _OPT_STR,
            "startTime": _OPT_STR,
            "endTime": _OPT_STR,
        }
    )
    group = _object(
        {
            "lifecycleEvent": _STR,
            "status": _STR,
            "errorCode": _OPT_STR,
            "causeId": _OPT_STR,
            "targetCount": {"type": "integer", "minimum": 1},
            "targetIds": _STR_LIST,
        }
    )
    cause = _object(
        {
            "id": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
            "title": _STR,
            "confidence": {"enum": ["high", "medium", "low"]},
            "explanation": _STR,
            "fix": _STR_LIST,
            "evidence": _STR_LIST,
            "docs": _STR_LIST,
            "where": _OPT_STR,
        }
    )
    member = _object(
        {"id": _STR, "health": _OPT_STR, "trafficShare": {"type": ["number", "null"]}, "detail": _OPT_STR}
    )
    environment = _object(
        {
            "label": _STR,
            "trafficShare": {"type": ["number", "null"]},
            "summary": _OPT_STR,
            "members": {"type": "array", "items": member},
        }
    )
    traffic = _object(
        {
            "verdict": {"enum": ["serving", "partial", "not-serving", "unknown", "not-applicable"]},
            "summary": _STR,
            "basis": {"enum": ["traffic-layer", "codedeploy-only"]},
            "checks": {"type": "array", "items": _object({"source": _STR, "ok": {"type": "boolean"}, "detail": _STR})},
            "environments": {"type": "array", "items": environment},
            "blueTermination": _OPT_STR,
        }
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://cd-doctor.dev/schemas/report-v{SCHEMA_VERSION}.json",
        "title": "cd-doctor report",
        "description": "The --format json report of cd-doctor (CONTRACTS §4).",
        **_object(
            {
                "schemaVersion": {"const": SCHEMA_VERSION},
                "tool": _object({"name": {"const": "cd-doctor"}, "version": _STR}),
                "deployment": deployment,
                "firstFailure": {"oneOf": [{"type": "null"}, failure]},
                "failureGroups": {"type": "array", "items": group},
                "causes": {"type": "array", "items": cause},
                "blueTraffic": traffic,
                "warnings": _STR_LIST,
                "apiCalls": {"type": "integer", "minimum": 0},
                "deploymentFailed": {"type": "boolean"},
                "targets": _object({"total": {"type": "integer"}, "examined": {"type": "integer"}}),
                "logLocations": _STR_LIST,
            }
        ),
    }
