"""--log-group: the failed instance's lines come from CloudWatch Logs (moto) into the diagnosis."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import boto3
from moto import mock_aws

from codedeploy_doctor.aws.collect import Collector
from codedeploy_doctor.catalog.model import FailureEvidence
from codedeploy_doctor.diagnosis import diagnose
from codedeploy_doctor.diagnosis.evidence import evidence_for
from codedeploy_doctor.diagnosis.summary import deployment_summary
from codedeploy_doctor.ids import DeploymentId
from tests.fakes.codedeploy_world import CodeDeployWorld
from tests.support import load_fixture_json, offline_factory

GROUP = "/codedeploy/deployments"


def _recent_world() -> tuple[dict[str, Any], str, dt.datetime]:
    data = copy.deepcopy(load_fixture_json("server-inplace-scripttimedout"))
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    failed_id = ""
    for target in data["targets"]:
        body = target["instanceTarget"]
        for index, event in enumerate(body["lifecycleEvents"]):
            for key in ("startTime", "endTime"):
                if key in event:
                    event[key] = (now - dt.timedelta(minutes=30 - index)).isoformat().replace("+00:00", "Z")
        if body["status"] == "Failed":
            failed_id = body["targetId"]
    return data, failed_id, now


def test_log_lines_of_the_failed_instance_reach_the_evidence() -> None:
    data, failed_id, now = _recent_world()
    with mock_aws():
        logs = boto3.client("logs", region_name="us-east-1")
        logs.create_log_group(logGroupName=GROUP)
        stream = f"{failed_id}-codedeploy-agent-deployments.log"
        other = "i-0ffffffffffffffff-codedeploy-agent-deployments.log"
        for name in (stream, other):
            logs.create_log_stream(logGroupName=GROUP, logStreamName=name)
        stamp = int((now - dt.timedelta(minutes=25)).timestamp() * 1000)
        logs.put_log_events(
            logGroupName=GROUP,
            logStreamName=stream,
            logEvents=[{"timestamp": stamp, "message": "[stderr]psql: error: FATAL: too many connections for role app"}],
        )
        logs.put_log_events(
            logGroupName=GROUP, logStreamName=other, logEvents=[{"timestamp": stamp, "message": "another instance's line"}]
        )
        world = CodeDeployWorld.from_snapshots([data])
        factory = offline_factory(world.attach)
        snapshot = Collector(factory, log_group=GROUP).collect(DeploymentId(data["deployment"]["deploymentId"]))
    assert [log["targetId"] for log in snapshot.extra_logs] == [failed_id]
    assert snapshot.extra_logs[0]["lines"] == ["[stderr]psql: error: FATAL: too many connections for role app"]
    report = diagnose(snapshot)
    assert report.first_failure is not None and report.first_failure.target_id == failed_id
    evidence: FailureEvidence = evidence_for(snapshot, deployment_summary(snapshot), report.first_failure)
    assert "too many connections" in " ".join(evidence.extra_log_lines)


def test_an_unreadable_log_group_is_a_warning_not_a_failure() -> None:
    data, _, _ = _recent_world()
    with mock_aws():  # the group does not exist: ResourceNotFoundException
        world = CodeDeployWorld.from_snapshots([data])
        snapshot = Collector(offline_factory(world.attach), log_group="/missing").collect(
            DeploymentId(data["deployment"]["deploymentId"])
        )
    report = diagnose(snapshot)
    assert report.first_failure is not None
    assert any("FilterLogEvents" in warning and "logs:FilterLogEvents" in warning for warning in report.warnings)
