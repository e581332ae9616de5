"""Collect, record, replay with evidence: a fixture served as a whole account (no moto here: it would answer first)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from codedeploy_doctor.aws.collect import Collector
from codedeploy_doctor.aws.forensics_server import collect_forensics
from codedeploy_doctor.aws.traffic import collect_traffic
from codedeploy_doctor.diagnosis import diagnose
from codedeploy_doctor.ids import DeploymentId
from codedeploy_doctor.render import OutputFormat, RenderOptions, renderer_for
from codedeploy_doctor.report import Report
from codedeploy_doctor.snapshot import dump_snapshot, snapshot_from_json
from tests.support import fixture_paths, offline_factory


def json_report(report: Report) -> str:
    return renderer_for(OutputFormat.JSON)(report, RenderOptions())


@pytest.mark.parametrize(
    "path", [p for p in fixture_paths() if json.loads(p.read_text(encoding="utf-8")).get("evidence")], ids=lambda p: p.stem
)
def test_collect_record_replay_is_the_same_report_with_evidence(path: Any) -> None:
    """A fixture served as a whole account (its bundle rebuilt from its evidence): collect, record, replay, same report."""
    from tests.fakes.wire import WireFake
    from tests.reliability.world import SnapshotAccount

    data = json.loads(path.read_text(encoding="utf-8"))
    fake = WireFake(SnapshotAccount(data).handle)
    factory = offline_factory(fake.attach)
    collector = Collector(factory, traffic=collect_traffic, forensics=collect_forensics)
    snapshot = collector.collect(DeploymentId(data["deployment"]["deploymentId"]))
    assert not snapshot.errors, snapshot.errors
    replayed = snapshot_from_json(json.loads(dump_snapshot(snapshot)))
    assert json_report(diagnose(replayed)) == json_report(diagnose(snapshot))
    # What was collected is what the fixture recorded (the rebuilt bundle differs in size only).
    ignore = {"size", "bytesRead"}
    collected = {key: value for key, value in snapshot.evidence["revision"].items() if key not in ignore}
    assert collected == {key: value for key, value in data["evidence"]["revision"].items() if key not in ignore}
    for section in ("autoscaling", "ssm", "onPremises"):
        assert snapshot.evidence.get(section) == data["evidence"].get(section), section
    live = json.loads(json_report(diagnose(snapshot)))
    recorded = json.loads(json_report(diagnose(snapshot_from_json(data))))
    assert [c["id"] for c in live["causes"]] == [c["id"] for c in recorded["causes"]]
