"""Every fixture is a snapshot AWS could have produced: shapes, enums and timestamps per botocore.

Fixtures are picked up by glob, so a fixture added for any platform is checked without touching
this file. The near-miss tests prove the checks can fail.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from codedeploy_doctor.snapshot import SNAPSHOT_FORMAT, load_snapshot
from tests.shapes import check_consistency, validate_snapshot, validate_target

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures"
FIXTURES = sorted(FIXTURES_DIR.glob("*.json"))


def _load(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name}: the top level must be an object"
    return data


def test_fixtures_exist() -> None:
    assert FIXTURES, f"no fixtures found in {FIXTURES_DIR}"


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.name)
def test_fixture_loads_as_snapshot(path: Path) -> None:
    snapshot = load_snapshot(path)
    data = _load(path)
    assert data["format"] == SNAPSHOT_FORMAT
    assert snapshot.deployment_id == data["deployment"]["deploymentId"]
    assert len(snapshot.targets) == len(data["targets"])


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.name)
def test_fixture_matches_botocore_model(path: Path) -> None:
    errors = validate_snapshot(_load(path))
    assert not errors, f"{path.name}:\n" + "\n".join(errors)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.name)
def test_fixture_is_self_consistent(path: Path) -> None:
    errors = check_consistency(_load(path))
    assert not errors, f"{path.name}:\n" + "\n".join(errors)


# --- near misses: the validator must be able to fail -------------------------------------------

_GOOD_TARGET: dict[str, Any] = {
    "deploymentTargetType": "InstanceTarget",
    "instanceTarget": {
        "deploymentId": "d-A1B2C3D4E",
        "targetId": "i-0123456789abcdef0",
        "targetArn": "arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0",
        "status": "Failed",
        "lastUpdatedAt": "2026-11-28T09:14:03.120000Z",
        "lifecycleEvents": [
            {
                "lifecycleEventName": "ApplicationStart",
                "diagnostics": {
                    "errorCode": "ScriptFailed",
                    "scriptName": "scripts/start.sh",
                    "message": "Script at specified location: scripts/start.sh failed with exit code 1",
                    "logTail": "[stderr]boom\n",
                },
                "startTime": "2026-11-28T09:13:58.004000Z",
                "endTime": "2026-11-28T09:14:02.871000Z",
                "status": "Failed",
            }
        ],
        "instanceLabel": "Green",
    },
}


def _event(target: dict[str, Any]) -> dict[str, Any]:
    event: dict[str, Any] = target["instanceTarget"]["lifecycleEvents"][0]
    return event


def test_near_miss_baseline_is_valid() -> None:
    assert validate_target(copy.deepcopy(_GOOD_TARGET)) == []


def test_near_miss_unknown_key_is_reported() -> None:
    target = copy.deepcopy(_GOOD_TARGET)
    _event(target)["diagnostic"] = _event(target).pop("diagnostics")
    errors = validate_target(target)
    assert any("Unknown parameter" in error and "diagnostic" in error for error in errors), errors


def test_near_miss_wrong_enum_is_reported() -> None:
    target = copy.deepcopy(_GOOD_TARGET)
    _event(target)["diagnostics"]["errorCode"] = "ScriptFailure"
    target["instanceTarget"]["instanceLabel"] = "green"
    errors = validate_target(target)
    assert any("'ScriptFailure' is not a valid LifecycleErrorCode" in error for error in errors), errors
    assert any("'green' is not a valid TargetLabel" in error for error in errors), errors


@pytest.mark.parametrize(
    "bad_time",
    [1764321243.12, "2026-11-28 09:14:03", "2026-11-28T09:14:03", "yesterday"],
    ids=["epoch-number", "no-T-no-zone", "no-zone", "not-a-date"],
)
def test_near_miss_bad_timestamp_is_reported(bad_time: Any) -> None:
    target = copy.deepcopy(_GOOD_TARGET)
    _event(target)["endTime"] = bad_time
    errors = validate_target(target)
    assert any("lifecycleEvents[0].endTime" in error for error in errors), errors


def test_near_miss_wrong_type_and_null_are_reported() -> None:
    target = copy.deepcopy(_GOOD_TARGET)
    target["instanceTarget"]["lifecycleEvents"] = _event(target)  # an object where the API has a list
    errors = validate_target(target)
    assert any("Invalid type" in error and "lifecycleEvents" in error for error in errors), errors
    target = copy.deepcopy(_GOOD_TARGET)
    _event(target)["diagnostics"] = None
    errors = validate_target(target)
    assert any("diagnostics: null" in error for error in errors), errors


def test_near_miss_every_problem_is_reported_at_once() -> None:
    target = copy.deepcopy(_GOOD_TARGET)
    body = target["instanceTarget"]
    body["status"] = "Done"
    body["lastUpdatedAt"] = 0
    body["color"] = "blue"
    errors = validate_target(target)
    assert len(errors) >= 3, errors


def test_near_miss_inconsistent_snapshot_is_reported() -> None:
    target = copy.deepcopy(_GOOD_TARGET)
    _event(target)["diagnostics"]["errorCode"] = "Success"
    _event(target)["endTime"] = "2026-11-28T09:13:00.000000Z"
    data = {
        "format": SNAPSHOT_FORMAT,
        "deployment": {
            "deploymentId": "d-Z9Y8X7W6V",
            "computePlatform": "Server",
            "deploymentOverview": {"Pending": 0, "InProgress": 0, "Succeeded": 1, "Failed": 0, "Skipped": 0, "Ready": 0},
        },
        "targets": [target],
    }
    errors = check_consistency(data)
    assert any("is not the deployment's" in error for error in errors), errors
    assert any("endTime is before startTime" in error for error in errors), errors
    assert any("Failed without a failure errorCode" in error for error in errors), errors
    assert any("deploymentOverview.Failed" in error for error in errors), errors
