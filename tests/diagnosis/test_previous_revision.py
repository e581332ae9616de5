"""Hooks that run the previous revision's scripts, and where to look for them."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from codedeploy_doctor.diagnosis import diagnose
from codedeploy_doctor.render import OutputFormat, RenderOptions, renderer_for
from codedeploy_doctor.report import LifecycleEventFailure
from codedeploy_doctor.snapshot import snapshot_from_json
from tests.scenarios import _report
from tests.support import load_fixture_json


def test_application_stop_failure_says_the_script_is_the_previous_revisions() -> None:
    report = _report("server-inplace-applicationstop-previous-revision")
    assert len(report.notes) == 1
    note = report.notes[0]
    assert "ApplicationStop ran the script of the last revision" in note
    assert "d-J5CQ9X4LB" in note and "--ignore-application-stop-failures" in note
    # Its output is in the previous deployment's folder, not this one's.
    scripts = report.log_locations[0]
    assert "/d-J5CQ9X4LB/logs/scripts.log" in scripts and "/d-R8TZ2M6WF/" not in scripts
    for fmt in OutputFormat:
        assert "d-J5CQ9X4LB's bundle" in renderer_for(fmt)(report, RenderOptions())


def test_without_the_folder_in_the_log_tail_the_note_says_where_to_find_it() -> None:
    data = load_fixture_json("server-inplace-applicationstop-previous-revision")
    for target in data["targets"]:
        for event in target["instanceTarget"]["lifecycleEvents"]:
            if "diagnostics" in event:
                event["diagnostics"]["logTail"] = "[stderr]pm2: command not found"
    report = diagnose(snapshot_from_json(json.loads(json.dumps(data)), "test"))
    assert report.notes and "per the log tail" not in report.notes[0]
    assert "<last successful deployment id>/logs/scripts.log" in report.log_locations[0]
    assert "_last_successful_install" in report.log_locations[0]


@pytest.mark.parametrize("fixture", ["server-inplace-applicationstart-scriptfailed", "server-bluegreen-validateservice-green"])
def test_hooks_of_the_new_revision_get_no_note(fixture: str) -> None:
    report = _report(fixture)
    assert report.notes == ()
    assert "(this deployment's scripts)" in report.log_locations[0]


@pytest.mark.parametrize("fixture", ["server-inplace-agent-never-picked-up", "server-stopped-with-rollback"])
def test_an_event_that_ran_no_script_gets_no_previous_revision_note(fixture: str) -> None:
    report = _report(fixture)
    assert report.first_failure is not None and report.first_failure.status != "Failed"
    assert report.notes == ()


def test_ecs_and_lambda_hooks_are_not_server_previous_revision_hooks() -> None:
    from codedeploy_doctor.diagnosis.previous_revision import runs_previous_revision

    failure = LifecycleEventFailure("c:s", None, "ECSTarget", "ApplicationStop", "Failed", None, None, None, None, None, None)
    assert not runs_previous_revision(failure)
    assert runs_previous_revision(replace(failure, target_type="InstanceTarget", lifecycle_event="AfterBlockTraffic"))


def test_a_blue_instance_is_never_told_to_wait_for_the_new_bundle() -> None:
    report = _report("traffic-server-bg-deregistered-green-unhealthy")
    assert report.first_failure is not None and report.first_failure.target_label == "Blue"
    (note,) = report.notes
    assert "never receives this deployment's bundle" in note and "until a deployment gets past" not in note
    text = renderer_for(OutputFormat.TEXT)(report, RenderOptions())
    assert text.index("Likely cause") < text.index("Note:"), "the cause comes first, the note qualifies its fix"
