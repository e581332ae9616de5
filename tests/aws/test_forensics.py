"""The forensics collector through real boto3 clients: what it reads, when, and that replay gives the same report.

The account is a snapshot served on the wire (``SnapshotAccount``: CodeDeploy, the traffic layer,
and the evidence through ``EvidenceWorld``), so botocore's serializers, parsers and the service
models' output shapes are all on the path.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from codedeploy_doctor.aws.collect import Collector
from codedeploy_doctor.aws.context import CollectionContext
from codedeploy_doctor.aws.forensics import STUCK_AFTER, collect_evidence
from codedeploy_doctor.aws.forensics_server import collect_forensics
from codedeploy_doctor.aws.traffic import collect_traffic
from codedeploy_doctor.diagnosis import diagnose
from codedeploy_doctor.ids import DeploymentId
from codedeploy_doctor.render import OutputFormat, RenderOptions, renderer_for
from codedeploy_doctor.sanitize import redact_tree
from codedeploy_doctor.snapshot import Snapshot, dump_snapshot, snapshot_from_json
from tests.aws.evidence_shapes import validate_evidence
from tests.fakes.wire import WireFake, denied, on
from tests.reliability.world import SnapshotAccount
from tests.support import fixture_paths, load_fixture_json, offline_factory

EVIDENCE_FIXTURES = [
    path
    for path in fixture_paths()
    if {"ecs", "cloudwatch", "lambda"} & set(json.loads(path.read_text(encoding="utf-8")).get("evidence") or {})
]
"""Fixtures with what this collector reads (the Server forensics collector's have their own tests)."""
FORENSIC_SERVICES = (
    "cloudwatch",
    "lambda:GetFunctionConfiguration",
    "ecs:DescribeTaskSets",
    "ecs:ListTasks",
    "ecs:DescribeTasks",
)


def _live(data: dict[str, Any], *faults: Any) -> tuple[Snapshot, WireFake]:
    account = SnapshotAccount(data)
    fake = WireFake(account.handle, faults=list(faults))
    factory = offline_factory(fake.attach)
    recorded = dt.datetime.fromisoformat(data["recordedAt"].replace("Z", "+00:00"))
    collector = Collector(
        factory, traffic=collect_traffic, evidence=collect_evidence, forensics=collect_forensics, clock=lambda: recorded
    )
    return collector.collect(DeploymentId(data["deployment"]["deploymentId"])), fake


def _report(snapshot: Snapshot) -> dict[str, Any]:
    rendered = renderer_for(OutputFormat.JSON)(diagnose(snapshot), RenderOptions())
    report: dict[str, Any] = json.loads(rendered)
    return report


def _forensic_calls(fake: WireFake) -> Counter[str]:
    return Counter({key: n for key, n in fake.calls.items() if key.startswith(FORENSIC_SERVICES)})


def test_there_are_evidence_fixtures() -> None:
    assert len(EVIDENCE_FIXTURES) >= 5


@pytest.mark.parametrize("path", EVIDENCE_FIXTURES, ids=lambda p: p.stem)
def test_collect_record_replay_gives_the_fixtures_report(path: Path) -> None:
    """Collect the fixture's account live, record it (redacted), replay it: the same report as the fixture's."""
    data = json.loads(path.read_text(encoding="utf-8"))
    live, _ = _live(data)
    assert live.evidence == data["evidence"], "the collector reads back exactly what the fixture recorded"
    recorded = snapshot_from_json(json.loads(dump_snapshot(snapshot_from_json(redact_tree(live.to_json())))))
    live_report, replayed = _report(live), _report(recorded)
    assert live_report == replayed
    fixture_report = _report(snapshot_from_json(data))
    assert [c["id"] for c in live_report["causes"]] == [c["id"] for c in fixture_report["causes"]]
    assert [c["evidence"] for c in live_report["causes"]][:1] == [c["evidence"] for c in fixture_report["causes"]][:1]
    assert live_report["notes"] == fixture_report["notes"]


@pytest.mark.parametrize("path", EVIDENCE_FIXTURES, ids=lambda p: p.stem)
def test_fixture_evidence_fits_the_botocore_models(path: Path) -> None:
    assert validate_evidence(json.loads(path.read_text(encoding="utf-8"))["evidence"]) == []


def test_evidence_shapes_can_fail() -> None:
    evidence = json.loads(json.dumps(load_fixture_json("ecs-install-image-pull-failed")["evidence"]))
    evidence["ecs"]["stoppedTasks"][0]["stopCode"] = "NotAStopCode"
    evidence["ecs"]["taskSets"][0]["runningCount"] = "three"
    problems = validate_evidence(evidence)
    assert any("stopCode" in p for p in problems) and any("runningCount" in p for p in problems), problems


# --- what is read, per platform ------------------------------------------------------------------


def test_ecs_failure_reads_task_sets_and_stopped_tasks_in_three_calls() -> None:
    _, fake = _live(load_fixture_json("ecs-install-image-pull-failed"))
    assert _forensic_calls(fake) == Counter({"ecs:DescribeTaskSets": 1, "ecs:ListTasks": 1, "ecs:DescribeTasks": 1})


def test_alarm_stop_reads_the_groups_alarms_and_their_history() -> None:
    _, fake = _live(load_fixture_json("lambda-alarm-fired-during-deployment"))
    assert _forensic_calls(fake) == Counter({"cloudwatch:DescribeAlarms": 1, "cloudwatch:DescribeAlarmHistory": 1})


def test_hook_failure_reads_its_function_and_its_log() -> None:
    _, fake = _live(load_fixture_json("lambda-hook-function-timed-out"))
    assert fake.calls["lambda:GetFunctionConfiguration"] == 1
    assert fake.calls["logs:FilterLogEvents"] == 1
    assert not [key for key in fake.calls if key.startswith(("ecs:", "cloudwatch:"))]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("server-succeeded", {}),
        ("server-inplace-applicationstart-scriptfailed", {}),
        ("lambda-canary-weighted", {}),  # an alarm stop, but the group names no alarm to read
        ("ecs-half-shifted", {"ecs:DescribeTaskSets": 1, "ecs:ListTasks": 1}),  # no stopped task listed: nothing to describe
    ],
)
def test_reads_only_what_the_failure_needs(name: str, expected: dict[str, int]) -> None:
    _, fake = _live(load_fixture_json(name))
    assert _forensic_calls(fake) == Counter(expected)


def test_an_ecs_failure_after_allow_traffic_reads_no_stopped_task() -> None:
    data = load_fixture_json("ecs-install-image-pull-failed")
    events = data["targets"][0]["ecsTarget"]["lifecycleEvents"]
    for event in events:
        if event["status"] in ("Failed", "Skipped"):
            event["status"] = "Succeeded"
    events[-1].update(
        {
            "status": "Failed",
            "startTime": "2026-11-29T10:40:00.000000Z",
            "endTime": "2026-11-29T10:42:00.000000Z",
            "diagnostics": {"errorCode": "ScriptFailed", "scriptName": "", "message": "hook failed", "logTail": ""},
        }
    )
    snapshot, fake = _live(data)
    assert fake.calls["ecs:DescribeTasks"] == 0 and fake.calls["ecs:ListTasks"] == 1
    assert "stoppedTasks" not in snapshot.evidence["ecs"]


def test_a_denied_read_is_a_warning_naming_the_action_and_the_report_goes_on() -> None:
    snapshot, _ = _live(load_fixture_json("ecs-install-image-pull-failed"), denied(on("ecs", "DescribeTasks")))
    report = _report(snapshot)
    assert any("grant ecs:DescribeTasks" in w for w in report["warnings"]), report["warnings"]
    assert report["causes"][0]["id"] == "ecs-replacement-taskset-unhealthy"
    assert report["firstFailure"]["lifecycleEvent"] == "Install"


def test_a_missing_hook_function_is_a_warning_and_a_fact() -> None:
    data = load_fixture_json("lambda-hook-function-timed-out")
    data["evidence"]["lambda"]["functions"] = []
    data["evidence"]["lambda"]["logEvents"] = {}
    snapshot, _ = _live(data)
    report = _report(snapshot)
    assert any("lambda:GetFunctionConfiguration" in w for w in report["warnings"]), report["warnings"]
    assert any("logs:FilterLogEvents" in w for w in report["warnings"]), report["warnings"]
    assert report["causes"][0]["id"] == "hook-function-not-invokable"
    assert any("does not exist in this Region" in line for line in report["causes"][0]["evidence"])


# --- a running deployment that is stuck -------------------------------------------------------------


def _done(value: Any) -> Future[Any]:
    future: Future[Any] = Future()
    future.set_result(value)
    return future


def _stuck_world(minutes: float) -> tuple[dict[str, Any], CollectionContext, WireFake, dt.datetime]:
    data = load_fixture_json("ecs-install-image-pull-failed")
    data["deployment"]["status"] = "InProgress"
    install = next(e for e in data["targets"][0]["ecsTarget"]["lifecycleEvents"] if e["lifecycleEventName"] == "Install")
    install["status"] = "InProgress"
    install.pop("endTime")
    start = dt.datetime.fromisoformat(install["startTime"].replace("Z", "+00:00"))
    fake = WireFake(SnapshotAccount(data).handle)
    ctx = CollectionContext(offline_factory(fake.attach), ThreadPoolExecutor(4))
    return data, ctx, fake, start + dt.timedelta(minutes=minutes)


@pytest.mark.parametrize(("minutes", "read"), [(STUCK_AFTER.total_seconds() / 60 + 1, True), (2, False)])
def test_a_running_ecs_deployment_is_read_only_once_stuck(minutes: float, read: bool) -> None:
    data, ctx, fake, now = _stuck_world(minutes)
    evidence = collect_evidence(
        ctx, data["deployment"], _done(data["deploymentGroup"]), _done({"All": []}), _done(data["targets"]), now=now
    )
    ctx.executor.shutdown()
    assert ("ecs" in evidence) is read
    assert (fake.calls["ecs:DescribeTasks"] == 1) is read
