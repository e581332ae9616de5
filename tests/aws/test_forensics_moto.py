"""The forensics collector against moto, through the real client seam: ECS, CloudWatch, Lambda and Logs.

moto builds the world through write calls (a service with CodeDeploy task sets, tasks started by
the replacement task set and then stopped, an alarm set to ALARM, a function and its log group);
the collector then reads it with the same calls it makes against AWS, and the report's evidence
lines come from what moto answered. moto has no DescribeAlarmHistory: that read fails, and the
report says so and still reads the alarm's own state. The richer fields moto leaves out
(``stopCode``, a container's ``exitCode``) are covered by the fixtures served on the wire.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from moto import mock_aws

from codedeploy_doctor.aws.clients import ClientFactory
from codedeploy_doctor.aws.context import CollectionContext
from codedeploy_doctor.aws.forensics import collect_evidence
from codedeploy_doctor.diagnosis.forensics import forensic_lines
from codedeploy_doctor.snapshot import CallError, JsonObject, Snapshot
from tests.aws.evidence_shapes import validate_evidence
from tests.support import load_fixture_json

REGION = "us-east-1"


@pytest.fixture(scope="module")
def session() -> Iterator[boto3.Session]:
    with mock_aws():
        yield boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)


def _done(value: Any) -> Future[Any]:
    future: Future[Any] = Future()
    future.set_result(value)
    return future


def _collect(
    session: boto3.Session, data: JsonObject, now: dt.datetime | None = None
) -> tuple[JsonObject, list[CallError], dict[str, int]]:
    seam = ClientFactory(session=session)
    with ThreadPoolExecutor(4) as pool:
        ctx = CollectionContext(seam, pool)
        evidence = collect_evidence(
            ctx, data["deployment"], _done(data.get("deploymentGroup")), _done({"All": []}), _done(data["targets"]), now=now
        )
    return evidence, list(ctx.errors), dict(seam.calls)


def _snapshot(data: JsonObject, evidence: JsonObject, errors: list[CallError]) -> Snapshot:
    return Snapshot(
        deployment=data["deployment"],
        targets=data["targets"],
        deployment_group=data.get("deploymentGroup"),
        evidence=evidence,
        errors=tuple(errors),
        recorded_at=dt.datetime.now(dt.timezone.utc).isoformat(),
    )


def test_ecs_replacement_task_sets_stopped_tasks_are_read_from_moto(session: boto3.Session) -> None:
    data = copy.deepcopy(load_fixture_json("ecs-install-image-pull-failed"))
    deployment_id = data["deployment"]["deploymentId"]
    ecs = session.client("ecs")
    ecs.create_cluster(clusterName="orders-prod")
    ecs.register_task_definition(
        family="orders-api", containerDefinitions=[{"name": "orders-api", "image": "orders:42", "memory": 512}]
    )
    ecs.create_service(
        cluster="orders-prod",
        serviceName="orders-api",
        taskDefinition="orders-api",
        desiredCount=3,
        deploymentController={"type": "CODE_DEPLOY"},
    )
    blue = ecs.create_task_set(cluster="orders-prod", service="orders-api", taskDefinition="orders-api", externalId="d-1RWX6B3TC")
    green = ecs.create_task_set(
        cluster="orders-prod", service="orders-api", taskDefinition="orders-api", externalId=deployment_id
    )
    green_id = green["taskSet"]["id"]
    started = ecs.run_task(
        cluster="orders-prod",
        taskDefinition="orders-api",
        count=2,
        startedBy=green_id,
        launchType="FARGATE",
        group="service:orders-api",
    )["tasks"]
    for task in started:
        ecs.stop_task(cluster="orders-prod", task=task["taskArn"], reason="Task failed container health checks")
    # A task of the Blue task set that stopped too is not the replacement's.
    other = ecs.run_task(
        cluster="orders-prod",
        taskDefinition="orders-api",
        count=1,
        startedBy=blue["taskSet"]["id"],
        launchType="FARGATE",
        group="service:orders-api",
    )["tasks"][0]
    ecs.stop_task(cluster="orders-prod", task=other["taskArn"], reason="Scaling activity initiated by deployment")
    for info in data["targets"][0]["ecsTarget"]["taskSetsInfo"]:
        info["identifer"] = green_id if info["taskSetLabel"] == "Green" else blue["taskSet"]["id"]

    evidence, errors, calls = _collect(session, data)

    assert errors == []
    assert calls == {"ecs:DescribeTaskSets": 1, "ecs:ListTasks": 1, "ecs:DescribeTasks": 1}
    assert {t["externalId"] for t in evidence["ecs"]["taskSets"]} == {"d-1RWX6B3TC", deployment_id}
    assert len(evidence["ecs"]["stoppedTasks"]) == 3
    lines = forensic_lines(_snapshot(data, evidence, errors), None)
    stopped = [line for line in lines if "task stopped" in line]
    assert stopped == [f"task set {green_id} task stopped (no stopCode): Task failed container health checks (2 tasks alike)"]
    assert not any("Scaling activity" in line for line in lines), "the Blue task set's stopped task is not evidence"


def test_alarm_state_is_read_from_moto_and_missing_history_is_a_warning(session: boto3.Session) -> None:
    data = copy.deepcopy(load_fixture_json("lambda-alarm-fired-during-deployment"))
    now = dt.datetime.now(dt.timezone.utc)
    data["deployment"]["createTime"] = (now - dt.timedelta(minutes=20)).isoformat()
    data["deployment"]["completeTime"] = (now - dt.timedelta(minutes=1)).isoformat()
    cloudwatch = session.client("cloudwatch")
    cloudwatch.put_metric_alarm(
        AlarmName="checkout-api-errors",
        MetricName="Errors",
        Namespace="AWS/Lambda",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=2,
        Threshold=5.0,
        ComparisonOperator="GreaterThanThreshold",
    )
    cloudwatch.set_alarm_state(
        AlarmName="checkout-api-errors", StateValue="ALARM", StateReason="Threshold Crossed: 2 datapoints [14.0, 9.0] > 5.0"
    )

    evidence, errors, calls = _collect(session, data, now=now)

    assert calls["cloudwatch:DescribeAlarms"] == 1 and calls["cloudwatch:DescribeAlarmHistory"] == 1
    assert [e.operation for e in errors] == ["DescribeAlarmHistory"], "moto does not implement the history"
    assert [a["AlarmName"] for a in evidence["cloudwatch"]["alarms"]] == ["checkout-api-errors"]
    lines = forensic_lines(_snapshot(data, evidence, errors), None)
    assert any(
        line.startswith("alarm checkout-api-errors went to ALARM at ") and "during the deployment" in line for line in lines
    ), lines


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("smoke.py", "def handler(event, context):\n    return None\n")
    return buffer.getvalue()


def test_hook_function_configuration_and_log_are_read_from_moto(session: boto3.Session) -> None:
    data = copy.deepcopy(load_fixture_json("lambda-hook-function-timed-out"))
    role = session.client("iam").create_role(RoleName="checkout-api-hooks", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    session.client("lambda").create_function(
        FunctionName="checkout-api-smoke",
        Runtime="python3.12",
        Role=role,
        Handler="smoke.handler",
        Code={"ZipFile": _zip()},
        Timeout=3,
    )
    logs = session.client("logs")
    logs.create_log_group(logGroupName="/aws/lambda/checkout-api-smoke")
    logs.create_log_stream(logGroupName="/aws/lambda/checkout-api-smoke", logStreamName="2026/11/29/[$LATEST]4f0c")
    events = data["evidence"]["lambda"]["logEvents"]["checkout-api-smoke"]
    logs.put_log_events(
        logGroupName="/aws/lambda/checkout-api-smoke",
        logStreamName="2026/11/29/[$LATEST]4f0c",
        logEvents=[{"timestamp": e["timestamp"], "message": e["message"]} for e in events],
    )

    evidence, errors, calls = _collect(session, data)

    assert errors == []
    assert calls == {"lambda:GetFunctionConfiguration": 1, "logs:FilterLogEvents": 1}
    assert evidence["lambda"]["functions"][0]["Timeout"] == 3
    assert validate_evidence({"lambda": {"functions": evidence["lambda"]["functions"]}}) == []
    lines = forensic_lines(_snapshot(data, evidence, errors), None)
    assert any("Task timed out after 3.00 seconds (its configured timeout is 3 s)" in line for line in lines), lines
