"""The collector against the fake CodeDeploy world: filters, pages, batches, calls, replay equality."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from codedeploy_doctor.aws.collect import BATCH_LIMIT, Collector, plan_target_queries, select_detail_ids
from codedeploy_doctor.diagnosis import diagnose
from codedeploy_doctor.errors import DeploymentNotFoundError
from codedeploy_doctor.ids import DeploymentId
from codedeploy_doctor.render import OutputFormat, RenderOptions, renderer_for
from codedeploy_doctor.snapshot import dump_snapshot, snapshot_from_json
from tests.fakes.codedeploy_world import CodeDeployWorld, FakeAwsError
from tests.support import fixture_paths, load_fixture_json, offline_factory


def _world(*names: str, **options: Any) -> CodeDeployWorld:
    return CodeDeployWorld.from_snapshots([load_fixture_json(name) for name in names], **options)


def _collect(world: CodeDeployWorld, deployment_id: str, **options: Any) -> Any:
    factory = offline_factory(world.attach)
    snapshot = Collector(factory, **options).collect(DeploymentId(deployment_id))
    return snapshot, factory


def _id(name: str) -> str:
    return str(load_fixture_json(name)["deployment"]["deploymentId"])


def test_fake_enforces_the_batch_limit_with_awss_error() -> None:
    name = "server-health-constraints-two-events"
    world = _world(name)
    client = offline_factory(world.attach).client("codedeploy")
    with pytest.raises(ClientError) as caught:
        client.batch_get_deployment_targets(deploymentId=_id(name), targetIds=[f"i-{n:017x}" for n in range(BATCH_LIMIT + 1)])
    assert caught.value.response["Error"]["Code"] == "DeploymentTargetListSizeExceededException"


def test_fake_pages_and_rejects_a_foreign_token() -> None:
    name = "server-health-constraints-two-events"
    world = _world(name, page_size=3)
    client = offline_factory(world.attach).client("codedeploy")
    first = client.list_deployment_targets(deploymentId=_id(name))
    assert len(first["targetIds"]) == 3 and "nextToken" in first
    with pytest.raises(ClientError) as caught:
        client.list_deployment_targets(
            deploymentId=_id(name), targetFilters={"TargetStatus": ["Failed"]}, nextToken=first["nextToken"]
        )
    assert caught.value.response["Error"]["Code"] == "InvalidNextTokenException"


def test_fake_rejects_parameters_botocore_rejects() -> None:
    from botocore.exceptions import ParamValidationError

    world = _world("server-succeeded")
    client = offline_factory(world.attach).client("codedeploy")
    with pytest.raises(ParamValidationError):
        client.batch_get_deployment_targets(deploymentId="d-X", targetIds="i-not-a-list")


def test_collect_lists_only_failed_targets_following_every_page() -> None:
    name = "server-health-constraints-two-events"
    data = load_fixture_json(name)
    failed = sorted(t["instanceTarget"]["targetId"] for t in data["targets"] if t["instanceTarget"]["status"] == "Failed")
    world = _world(name, page_size=2)
    snapshot, factory = _collect(world, _id(name))
    fetched = sorted(t["instanceTarget"]["targetId"] for t in snapshot.targets)
    assert fetched == failed
    assert world.calls["ListDeploymentTargets"] == -(-len(failed) // 2)  # one call per page of 2
    assert world.calls["BatchGetDeploymentTargets"] == 1
    assert snapshot.api_calls == factory.total_calls == sum(world.calls.values())


def test_collect_batches_at_most_25_ids_in_parallel() -> None:
    name = "server-health-constraints-two-events"
    data = load_fixture_json(name)
    template = data["targets"][0]
    data = copy.deepcopy(data)
    data["targets"] = []
    for n in range(60):
        target = copy.deepcopy(template)
        target["instanceTarget"]["targetId"] = f"i-{n:017x}"
        target["instanceTarget"]["status"] = "Failed"
        data["targets"].append(target)
    data["deployment"]["deploymentOverview"]["Failed"] = 60
    sizes: list[int] = []

    def spy(operation: str, params: dict[str, Any]) -> FakeAwsError | None:
        if operation == "BatchGetDeploymentTargets":
            sizes.append(len(params["targetIds"]))
        return None

    world = CodeDeployWorld.from_snapshots([data], faults=[spy], latency=0.05)
    snapshot, _ = _collect(world, data["deployment"]["deploymentId"])
    assert sorted(sizes) == [10, 25, 25]
    assert len(snapshot.targets) == 60
    assert world.in_flight_max >= 2  # batches overlap


def test_blue_green_lists_blue_targets_too() -> None:
    name = "server-bluegreen-validateservice-green"
    world = _world(name)
    snapshot, _ = _collect(world, _id(name))
    labels = {t["instanceTarget"].get("instanceLabel") for t in snapshot.targets}
    assert "Blue" in labels and "Green" in labels
    assert snapshot.collection is not None and set(snapshot.collection.listed) == {"Failed", "Blue"}


def test_failed_with_no_failed_target_lists_stuck_ones() -> None:
    data = copy.deepcopy(load_fixture_json("server-inplace-agent-never-picked-up"))
    data["deployment"]["deploymentOverview"].update({"Failed": 0, "Pending": 3})
    for target in data["targets"]:
        target["instanceTarget"]["status"] = "Pending"
    assert [q.key for q in plan_target_queries(data["deployment"])] == ["Stuck"]
    world = CodeDeployWorld.from_snapshots([data])
    snapshot, _ = _collect(world, data["deployment"]["deploymentId"])
    assert len(snapshot.targets) == 3
    report = diagnose(snapshot)
    assert report.first_failure is not None and report.first_failure.status == "Pending"


def test_overview_claiming_failures_that_the_listing_lacks_falls_back_to_stuck() -> None:
    data = copy.deepcopy(load_fixture_json("server-inplace-agent-never-picked-up"))
    for target in data["targets"]:
        target["instanceTarget"]["status"] = "Pending"  # overview still says Failed 3
    world = CodeDeployWorld.from_snapshots([data])
    snapshot, _ = _collect(world, data["deployment"]["deploymentId"])
    assert len(snapshot.targets) == 3
    assert world.calls["ListDeploymentTargets"] == 2


def test_succeeded_deployment_reads_no_targets() -> None:
    name = "server-succeeded"
    world = _world(name)
    snapshot, _ = _collect(world, _id(name))
    assert world.calls["ListDeploymentTargets"] == 0 and world.calls["BatchGetDeploymentTargets"] == 0
    assert diagnose(snapshot).first_failure is None


def test_rollback_deployment_is_fetched() -> None:
    name = "server-stopped-with-rollback"
    snapshot, _ = _collect(_world(name), _id(name))
    expected = load_fixture_json(name)["rollbackDeployment"]["deploymentId"]
    assert snapshot.rollback_deployment is not None and snapshot.rollback_deployment["deploymentId"] == expected


def test_unknown_deployment_is_a_typed_error() -> None:
    with pytest.raises(DeploymentNotFoundError) as caught:
        _collect(_world("server-succeeded"), "d-NOTHERE00")
    assert "us-east-1" in caught.value.one_line() and "--region" in caught.value.one_line()


def test_group_failure_degrades_to_a_warning() -> None:
    name = "server-bluegreen-validateservice-green"

    def deny(operation: str, params: dict[str, Any]) -> FakeAwsError | None:
        if operation == "GetDeploymentGroup":
            return FakeAwsError("AccessDeniedException", "User is not authorized to perform: codedeploy:GetDeploymentGroup")
        return None

    snapshot, _ = _collect(_world(name, faults=[deny]), _id(name))
    report = diagnose(snapshot)
    assert report.first_failure is not None
    assert any("codedeploy:GetDeploymentGroup" in w for w in report.warnings)


def test_select_detail_ids_fills_the_last_batch_with_blue() -> None:
    listing = {"Failed": ["i-1", "i-2"], "Blue": [f"b-{n}" for n in range(40)]}
    chosen = select_detail_ids(listing, 250)
    assert chosen[:2] == ["i-1", "i-2"] and len(chosen) == BATCH_LIMIT


@pytest.mark.parametrize("path", fixture_paths(), ids=lambda p: p.stem)
def test_live_collection_then_diagnosis_equals_replay(path: Any) -> None:
    """Collect a fixture world, record it, replay the recording: the same report, byte for byte."""
    data = json.loads(path.read_text(encoding="utf-8"))
    world = CodeDeployWorld.from_snapshots([data])
    snapshot, _ = _collect(world, data["deployment"]["deploymentId"])
    replayed = snapshot_from_json(json.loads(dump_snapshot(snapshot)))
    render = renderer_for(OutputFormat.JSON)
    live = render(diagnose(snapshot), RenderOptions())
    again = render(diagnose(replayed), RenderOptions())
    assert live == again
    # The targets the diagnosis needs were all collected: same first failure as the full fixture.
    full = json.loads(render(diagnose(snapshot_from_json(data)), RenderOptions()))
    identity = ("targetId", "lifecycleEvent", "status", "errorCode", "message")
    live_first, full_first = json.loads(live)["firstFailure"], full["firstFailure"]
    assert (live_first is None) == (full_first is None)
    if live_first is not None:
        assert {k: live_first[k] for k in identity} == {k: full_first[k] for k in identity}


def test_aws_region_is_honoured_like_the_aws_cli_does(monkeypatch: pytest.MonkeyPatch) -> None:
    from codedeploy_doctor.aws.clients import ClientFactory

    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.setenv("AWS_REGION", "eu-west-3")
    assert ClientFactory().region == "eu-west-3"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    assert ClientFactory().region == "eu-west-3", "AWS_REGION wins over AWS_DEFAULT_REGION, as in the AWS CLI"
    assert ClientFactory(region="ap-south-1").region == "ap-south-1", "--region wins over both"


def test_ctrl_c_stops_collecting_without_waiting_for_calls_in_flight(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from codedeploy_doctor.deadline import reset_abandoned, work_abandoned

    name = "server-bluegreen-validateservice-green"
    release = threading.Event()
    thread_errors: list[BaseException] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: thread_errors.append(args.exc_value))

    def faults(operation: str, params: dict[str, Any]) -> FakeAwsError | None:
        if operation == "GetDeploymentGroup":
            release.wait(30)  # a call still in flight when the user presses Ctrl-C
        if operation == "ListDeploymentTargets":
            raise KeyboardInterrupt  # reaches the main thread through the listing's future
        return None

    def traffic(ctx: Any, deployment: Any, group: Any, listing: Any, targets: Any) -> dict[str, Any]:
        listing.result()  # like the real traffic collector, waits on the listing
        return {}

    world = _world(name, faults=[faults])
    try:
        with pytest.raises(KeyboardInterrupt):
            Collector(offline_factory(world.attach), traffic=traffic).collect(DeploymentId(_id(name)))
        assert not release.is_set(), "returned while the slow call is still in flight"
        assert work_abandoned(), "the entry point is told not to wait for it on the way out"
    finally:
        release.set()
        reset_abandoned()
    assert thread_errors == [], "no thread printed a traceback"
