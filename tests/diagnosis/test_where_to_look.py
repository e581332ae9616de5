"""Where to look next: the agent log, not a scripts log, when no script ran; warnings on partial data."""

from __future__ import annotations

import json
from pathlib import Path

from codedeploy_doctor.diagnosis import diagnose
from codedeploy_doctor.snapshot import load_snapshot
from tests.scenarios import _report
from tests.support import load_fixture_json


def test_an_event_no_agent_picked_up_points_at_the_agent_log_not_a_scripts_log() -> None:
    report = _report("server-inplace-agent-never-picked-up")
    assert report.first_failure is not None and report.first_failure.status == "Pending"
    assert "codedeploy-agent.log" in report.log_locations[0]
    assert not any("scripts.log" in location for location in report.log_locations)


def test_a_skipped_event_points_at_no_scripts_log() -> None:
    report = _report("server-stopped-with-rollback")
    assert report.first_failure is not None and report.first_failure.status == "Skipped"
    assert not any("scripts.log" in location for location in report.log_locations)


def test_targets_left_out_of_an_answer_are_not_blamed_on_iam() -> None:
    from codedeploy_doctor.call_warnings import INCOMPLETE_ANSWER, warning_for
    from codedeploy_doctor.snapshot import CallError

    message = "1 of the targets asked for were not returned"
    error = CallError("codedeploy", "BatchGetDeploymentTargets", INCOMPLETE_ANSWER, message)
    assert warning_for(error) == (
        "BatchGetDeploymentTargets answered without some of what was asked: 1 of the targets asked for were not returned"
    )


def test_the_bounded_warning_counts_failed_targets_not_the_blue_sample() -> None:
    from tests.aws.test_collect_edges import _collect, _Forgetful

    data = load_fixture_json("server-bluegreen-validateservice-green")
    world = _Forgetful.from_snapshots([data])
    warnings = diagnose(_collect(world, data["deployment"]["deploymentId"])).warnings
    bounded = next(w for w in warnings if w.startswith("read "))
    failed_total = data["deployment"]["deploymentOverview"]["Failed"]
    read, total = (int(n) for n in bounded.split()[1:4:2])
    assert total == failed_total and read < total


def test_a_deployment_without_status_is_not_silently_fine(tmp_path: Path) -> None:
    path = tmp_path / "bare.json"
    path.write_text(json.dumps({"format": "cd-doctor.snapshot/1", "deployment": {}, "targets": []}), encoding="utf-8")
    report = diagnose(load_snapshot(path))
    assert any("has no status" in warning for warning in report.warnings)
