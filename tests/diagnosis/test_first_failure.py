"""The first-failure rule (docs/report.schema.json, firstFailure), case by case."""

from __future__ import annotations

from typing import Any

import pytest

from codedeploy_doctor.diagnosis import diagnose, exit_code_for
from codedeploy_doctor.diagnosis.first_failure import first_failed, first_not_succeeded
from codedeploy_doctor.diagnosis.targets import target_views
from codedeploy_doctor.errors import ExitCode
from codedeploy_doctor.snapshot import Snapshot, load_snapshot
from tests.support import FIXTURES


def event(name: str, status: str, end: str | None = None, start: str | None = None, **diag: str) -> dict[str, Any]:
    data: dict[str, Any] = {"lifecycleEventName": name, "status": status}
    if start:
        data["startTime"] = start
    if end:
        data["endTime"] = end
    if diag:
        data["diagnostics"] = diag
    return data


def instance(target_id: str, *events: dict[str, Any], label: str | None = None, status: str = "Failed") -> dict[str, Any]:
    body: dict[str, Any] = {"targetId": target_id, "status": status, "lifecycleEvents": list(events)}
    if label:
        body["instanceLabel"] = label
    return {"deploymentTargetType": "InstanceTarget", "instanceTarget": body}


def first(*targets: dict[str, Any], platform: str = "Server") -> tuple[str, str, str] | None:
    failure = first_failed(target_views(targets), platform)
    return (failure.target_id, failure.lifecycle_event, failure.status) if failure else None


def test_earliest_end_wins_across_targets() -> None:
    assert first(
        instance("i-a", event("AfterInstall", "Failed", end="2026-01-01T10:05:00Z")),
        instance("i-b", event("ApplicationStart", "Failed", end="2026-01-01T10:04:00Z")),
    ) == ("i-b", "ApplicationStart", "Failed")


def test_start_time_is_used_when_there_is_no_end() -> None:
    assert first(
        instance("i-a", event("AfterInstall", "Failed", end="2026-01-01T10:05:00Z")),
        instance("i-b", event("BeforeInstall", "Failed", start="2026-01-01T10:01:00Z")),
    ) == ("i-b", "BeforeInstall", "Failed")


def test_tie_goes_to_the_earlier_event_in_lifecycle_order() -> None:
    same = "2026-01-01T10:00:00Z"
    assert first(
        instance("i-a", event("ValidateService", "Failed", end=same)),
        instance("i-b", event("AfterInstall", "Failed", end=same)),
    ) == ("i-b", "AfterInstall", "Failed")


def test_then_to_the_smaller_target_id() -> None:
    same = "2026-01-01T10:00:00Z"
    assert first(
        instance("i-b", event("AfterInstall", "Failed", end=same)),
        instance("i-a", event("AfterInstall", "Failed", end=same)),
    ) == ("i-a", "AfterInstall", "Failed")


def test_times_of_different_precision_compare_as_times() -> None:
    assert first(
        instance("i-a", event("AfterInstall", "Failed", end="2026-01-01T10:00:41Z")),
        instance("i-b", event("AfterInstall", "Failed", end="2026-01-01T10:00:40.5+00:00")),
    ) == ("i-b", "AfterInstall", "Failed")


def test_no_failed_event_means_no_first_failed() -> None:
    assert first(instance("i-a", event("Install", "Pending"), status="Pending")) is None


def test_stuck_rule_is_lifecycle_order_then_target_id() -> None:
    views = target_views(
        [
            instance("i-b", event("ApplicationStop", "Succeeded"), event("DownloadBundle", "Pending")),
            instance("i-c", event("ApplicationStop", "Skipped")),
            instance("i-a", event("ApplicationStop", "Succeeded"), event("DownloadBundle", "Unknown")),
        ]
    )
    failure = first_not_succeeded(views, "Server")
    assert failure is not None
    assert (failure.target_id, failure.lifecycle_event, failure.status) == ("i-c", "ApplicationStop", "Skipped")


def test_blue_green_order_puts_greens_track_before_blues() -> None:
    """Blue's BlockTraffic events wait (Pending) until Green takes traffic: Green's stuck event comes first."""
    views = target_views(
        [
            instance("i-blue", event("BeforeBlockTraffic", "Pending"), label="Blue", status="Pending"),
            instance("i-green", event("ApplicationStop", "Succeeded"), event("DownloadBundle", "Pending"), label="Green"),
        ]
    )
    failure = first_not_succeeded(views, "Server", "BLUE_GREEN")
    assert failure is not None and (failure.target_id, failure.lifecycle_event) == ("i-green", "DownloadBundle")
    in_place = first_not_succeeded(views, "Server", "IN_PLACE")
    assert in_place is not None and in_place.lifecycle_event == "BeforeBlockTraffic"


def test_ecs_events_use_the_ecs_order() -> None:
    same = "2026-01-01T10:00:00Z"
    ecs = {
        "deploymentTargetType": "ECSTarget",
        "ecsTarget": {
            "targetId": "cluster:service",
            "status": "Failed",
            "lifecycleEvents": [event("AfterAllowTestTraffic", "Failed", end=same), event("Install", "Failed", end=same)],
        },
    }
    assert first(ecs, platform="ECS") == ("cluster:service", "Install", "Failed")


def _snapshot(status: str, *targets: dict[str, Any]) -> Snapshot:
    return Snapshot(
        deployment={"deploymentId": "d-AAAAAAAAA", "status": status, "computePlatform": "Server"},
        targets=targets,
    )


def test_in_progress_with_a_failed_target_is_failing() -> None:
    report = diagnose(_snapshot("InProgress", instance("i-a", event("AfterInstall", "Failed", end="2026-01-01T10:00:00Z"))))
    assert report.deployment_failed and report.first_failure is not None
    assert exit_code_for(report) != ExitCode.OK


def test_succeeded_despite_a_failed_target_exits_0_and_still_shows_it() -> None:
    """OneAtATime/HalfAtATime: CodeDeploy can succeed while a target failed (minimum healthy hosts held)."""
    report = diagnose(_snapshot("Succeeded", instance("i-a", event("ValidateService", "Failed", end="2026-01-01T10:00:00Z"))))
    assert not report.deployment_failed and exit_code_for(report) == ExitCode.OK
    assert report.first_failure is not None and report.first_failure.lifecycle_event == "ValidateService"


def test_in_progress_without_failures_exits_0_and_has_no_first_failure() -> None:
    report = diagnose(_snapshot("InProgress", instance("i-a", event("Install", "InProgress"), status="InProgress")))
    assert report.first_failure is None and exit_code_for(report) == ExitCode.OK


def test_failed_deployment_with_no_events_has_null_first_failure_but_causes() -> None:
    snapshot = Snapshot(
        deployment={
            "deploymentId": "d-AAAAAAAAA",
            "status": "Failed",
            "computePlatform": "Server",
            "errorInformation": {"code": "IAM_ROLE_PERMISSIONS", "message": "CodeDeploy does not have the permissions"},
        },
        targets=(),
    )
    report = diagnose(snapshot)
    assert report.first_failure is None and report.causes


EXPECTED_FIRST = {
    "server-inplace-applicationstart-scriptfailed": ("ApplicationStart", "Failed"),
    "server-bluegreen-validateservice-green": ("ValidateService", "Failed"),
    "server-inplace-downloadbundle-unknownerror": ("DownloadBundle", "Failed"),
    "server-inplace-applicationstop-previous-revision": ("ApplicationStop", "Failed"),
    "server-inplace-scripttimedout": ("AfterInstall", "Failed"),
    "server-inplace-agent-never-picked-up": ("ApplicationStop", "Pending"),
    "server-inprogress-with-failed-target": ("BeforeInstall", "Failed"),
    "server-succeeded": None,
    "server-inprogress": None,
}


@pytest.mark.parametrize(("name", "expected"), EXPECTED_FIRST.items())
def test_fixture_first_failures(name: str, expected: tuple[str, str] | None) -> None:
    report = diagnose(load_snapshot(FIXTURES / f"{name}.json"))
    got = (report.first_failure.lifecycle_event, report.first_failure.status) if report.first_failure else None
    assert got == expected


def test_health_constraints_groups_two_events() -> None:
    report = diagnose(load_snapshot(FIXTURES / "server-health-constraints-two-events.json"))
    by_event = {g.lifecycle_event: g.target_count for g in report.failure_groups}
    assert by_event.get("AfterInstall") == 5 and by_event.get("ApplicationStart") == 2
    assert report.first_failure is not None and report.first_failure.lifecycle_event == "AfterInstall"
