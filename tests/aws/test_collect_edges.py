"""Edge cases of the live collection, found in review: not started, empty, partial answers, expired tokens."""

from __future__ import annotations

import copy
import json
from typing import Any

from codedeploy_doctor.aws.collect import Collector
from codedeploy_doctor.diagnosis import diagnose, exit_code_for
from codedeploy_doctor.errors import ExitCode
from codedeploy_doctor.ids import DeploymentId
from codedeploy_doctor.snapshot import Snapshot, snapshot_from_json
from tests.fakes.codedeploy_world import CodeDeployWorld, FakeAwsError
from tests.support import load_fixture_json, offline_factory

IN_PLACE = "server-inplace-scripttimedout"


def _collect(world: CodeDeployWorld, deployment_id: str) -> Snapshot:
    return Collector(offline_factory(world.attach)).collect(DeploymentId(deployment_id))


def _data(name: str = IN_PLACE) -> dict[str, Any]:
    return copy.deepcopy(load_fixture_json(name))


def _overview(**counts: int) -> dict[str, int]:
    return {status: counts.get(status, 0) for status in ("Pending", "InProgress", "Succeeded", "Failed", "Skipped", "Ready")}


def _instance(template: dict[str, Any], target_id: str, status: str) -> dict[str, Any]:
    target = copy.deepcopy(template)
    body = target["instanceTarget"]
    body["targetId"] = target_id
    body["targetArn"] = body["targetArn"].rsplit("/", 1)[0] + "/" + target_id
    body["status"] = status
    return target


def test_a_deployment_that_has_not_started_is_reported_without_listing_targets() -> None:
    data = _data()
    data["deployment"]["status"] = "Created"
    data["deployment"].pop("errorInformation", None)
    world = CodeDeployWorld.from_snapshots([data])
    snapshot = _collect(world, data["deployment"]["deploymentId"])
    assert world.calls["ListDeploymentTargets"] == 0
    report = diagnose(snapshot)
    assert report.first_failure is None and exit_code_for(report) == ExitCode.OK


def test_failed_before_any_target_started_is_a_report_not_an_error() -> None:
    data = _data()
    message = "The IAM role does not give you permission"
    data["deployment"]["errorInformation"] = {"code": "IAM_ROLE_PERMISSIONS", "message": message}
    data["deployment"]["deploymentOverview"] = dict.fromkeys(data["deployment"]["deploymentOverview"], 0)
    data["targets"] = []

    def not_started(operation: str, _params: dict[str, Any]) -> FakeAwsError | None:
        if operation == "ListDeploymentTargets":
            return FakeAwsError("DeploymentNotStartedException", "The specified deployment has not started.")
        return None

    world = CodeDeployWorld.from_snapshots([data], faults=[not_started])
    snapshot = _collect(world, data["deployment"]["deploymentId"])
    assert world.calls["ListDeploymentTargets"] == 1, "the stuck listing is asked once, never twice"
    report = diagnose(snapshot)
    assert report.deployment_failed and report.first_failure is None
    assert report.causes[0].id == "iam-service-role-missing-permissions"


def test_a_running_deployment_with_nothing_failed_reads_one_batch() -> None:
    data = _data()
    data["deployment"]["status"] = "InProgress"
    data["deployment"].pop("errorInformation", None)
    template = data["targets"][0]
    data["targets"] = [_instance(template, f"i-{n:017x}", "InProgress") for n in range(300)]
    data["deployment"]["deploymentOverview"] = _overview(InProgress=300)
    world = CodeDeployWorld.from_snapshots([data])
    snapshot = _collect(world, data["deployment"]["deploymentId"])
    assert (world.calls["ListDeploymentTargets"], world.calls["BatchGetDeploymentTargets"]) == (1, 1)
    assert snapshot.collection is not None and not snapshot.collection.truncated
    assert not any("failed targets in detail" in warning for warning in diagnose(snapshot).warnings)


class _Forgetful(CodeDeployWorld):
    """Leaves one asked-for target out of every BatchGetDeploymentTargets answer."""

    def _op_BatchGetDeploymentTargets(self, params: dict[str, Any]) -> dict[str, Any]:
        answer = super()._op_BatchGetDeploymentTargets(params)
        return {"deploymentTargets": answer["deploymentTargets"][1:]}


def test_targets_not_returned_by_batch_get_are_a_warning_not_a_silence() -> None:
    data = _data("server-bluegreen-validateservice-green")
    world = _Forgetful.from_snapshots([data])
    snapshot = _collect(world, data["deployment"]["deploymentId"])
    assert snapshot.collection is not None and snapshot.collection.truncated
    warnings = diagnose(snapshot).warnings
    assert any("were not returned" in warning for warning in warnings), warnings


def _many_failed(count: int) -> dict[str, Any]:
    data = _data()
    template = data["targets"][0]
    data["targets"] = [_instance(template, f"i-{n:017x}", "Failed") for n in range(count)]
    data["deployment"]["deploymentOverview"] = _overview(Failed=count)
    return data


def test_an_expired_token_restarts_the_listing_once() -> None:
    data = _many_failed(150)
    expired = {"left": 1}

    def expire_once(operation: str, params: dict[str, Any]) -> FakeAwsError | None:
        if operation == "ListDeploymentTargets" and params.get("nextToken") and expired["left"]:
            expired["left"] -= 1
            return FakeAwsError("InvalidNextTokenException", "The next token was specified in an invalid format.")
        return None

    world = CodeDeployWorld.from_snapshots([data], faults=[expire_once])
    snapshot = _collect(world, data["deployment"]["deploymentId"])
    assert len(snapshot.targets) == 150 and not snapshot.errors


def test_a_token_that_keeps_failing_keeps_what_was_listed() -> None:
    data = _many_failed(150)

    def always(operation: str, params: dict[str, Any]) -> FakeAwsError | None:
        if operation == "ListDeploymentTargets" and params.get("nextToken"):
            return FakeAwsError("InvalidNextTokenException", "The next token was specified in an invalid format.")
        return None

    world = CodeDeployWorld.from_snapshots([data], faults=[always])
    snapshot = _collect(world, data["deployment"]["deploymentId"])
    assert len(snapshot.targets) == 100  # the first page, read in detail
    assert snapshot.collection is not None and snapshot.collection.truncated
    warnings = diagnose(snapshot).warnings
    assert any("InvalidNextTokenException" in warning for warning in warnings)
    assert any("read 100 of 150 failed targets" in warning for warning in warnings)


def test_unread_failed_instances_are_not_counted_as_running() -> None:
    data = _many_failed(300)
    template = data["targets"][0]["instanceTarget"]
    for target in data["targets"]:
        target["instanceTarget"]["lifecycleEvents"] = copy.deepcopy(template["lifecycleEvents"])
    world = CodeDeployWorld.from_snapshots([data])
    snapshot = _collect(world, data["deployment"]["deploymentId"])
    traffic = diagnose(snapshot).blue_traffic
    assert "the application is stopped on 250 of 300 instances" in traffic.summary
    assert "50 more failed instances were not read in detail" in traffic.summary
    assert "capacity at most 50/300, 0/300 if they stopped too" in traffic.summary
    assert traffic.verdict == "unknown", "between 0 and 50 in service: the unread targets decide"


def _ecs_without_targets(blue_weight: int, green_weight: int) -> dict[str, Any]:
    data = _data("ecs-half-shifted")
    data["targets"] = []
    data["deployment"]["deploymentOverview"] = _overview()  # failed before creating any target
    weights = data["traffic"]["elbv2"]["listeners"][0]["DefaultActions"][0]["ForwardConfig"]["TargetGroups"]
    weights[0]["Weight"], weights[1]["Weight"] = blue_weight, green_weight
    return data


def test_ecs_without_a_target_takes_blue_from_the_production_listener() -> None:
    report = diagnose(snapshot_from_json(json.loads(json.dumps(_ecs_without_targets(1, 0))), "test"))
    assert (report.blue_traffic.verdict, report.blue_traffic.basis) == ("serving", "traffic-layer")
    assert any("Blue taken as orders-tg-blue" in check.detail for check in report.blue_traffic.checks)


def test_ecs_never_guesses_blue_when_a_target_exists_but_was_not_read() -> None:
    # Traffic fully on Green, the target left out of an answer: Green must not be named Blue.
    data = _ecs_without_targets(0, 1)
    data["deployment"]["deploymentOverview"] = _overview(Failed=1)
    data["errors"] = [
        {"service": "codedeploy", "operation": "BatchGetDeploymentTargets", "code": "IncompleteAnswer", "message": "1 missing"}
    ]
    report = diagnose(snapshot_from_json(json.loads(json.dumps(data)), "test"))
    assert report.blue_traffic.basis == "codedeploy-only"
    assert not any("Blue taken as" in check.detail for check in report.blue_traffic.checks)


def test_a_deployment_group_that_is_gone_is_one_warning() -> None:
    data = _data()
    data.pop("deploymentGroup", None)
    world = CodeDeployWorld.from_snapshots([data])
    warnings = diagnose(_collect(world, data["deployment"]["deploymentId"])).warnings
    about_group = [w for w in warnings if "GetDeploymentGroup" in w or "deployment group" in w]
    assert len(about_group) == 1 and "DeploymentGroupDoesNotExistException" in about_group[0]
