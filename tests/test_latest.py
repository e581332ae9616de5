"""--latest: the most recent deployment of a group, found with ListDeployments (+ GetDeployment)."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest
from typer.testing import CliRunner

from codedeploy_doctor.app import DiagnoseRequest, run_diagnosis
from codedeploy_doctor.aws.latest import MAX_CANDIDATES, find_latest
from codedeploy_doctor.cli import app
from codedeploy_doctor.errors import DeploymentNotFoundError
from codedeploy_doctor.render import OutputFormat
from tests.fakes.codedeploy_world import CodeDeployWorld
from tests.support import load_fixture_json, offline_factory

APP, GROUP = "storefront-web", "storefront-web-prod"
FAILED_FIXTURE = "server-inplace-applicationstart-scriptfailed"  # d-7XK2M9QPA, created 2026-11-28T09:12:47Z
NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.timezone.utc)


def _deployment(template: dict[str, Any], deployment_id: str, created: str, status: str) -> dict[str, Any]:
    info = copy.deepcopy(template)
    info.update(deploymentId=deployment_id, createTime=created, status=status)
    if status == "Succeeded":
        info.pop("errorInformation", None)
        info.pop("rollbackInfo", None)
    return info


def group_world(**options: Any) -> CodeDeployWorld:
    world = CodeDeployWorld.from_snapshots([load_fixture_json(FAILED_FIXTURE)], **options)
    template = world.deployments["d-7XK2M9QPA"]
    for deployment_id, created, status in (
        ("d-SUCCEED01", "2026-11-28T10:00:00Z", "Succeeded"),  # newest
        ("d-FAILED002", "2026-11-27T09:00:00Z", "Failed"),
        ("d-STOPPED03", "2026-11-20T09:00:00Z", "Stopped"),
    ):
        world.deployments[deployment_id] = _deployment(template, deployment_id, created, status)
        world.targets[deployment_id] = {}
    return world


def latest(world: CodeDeployWorld, **options: Any) -> Any:
    return find_latest(offline_factory(world.attach), APP, GROUP, now=lambda: NOW, **options)


@pytest.mark.parametrize("order", ["newest-first", "oldest-first"])
def test_finds_the_newest_deployment_whatever_the_listing_order(order: str) -> None:
    world = group_world(deployments_order=order)
    found = latest(world)
    assert found.deployment_id == "d-SUCCEED01" and found.status == "Succeeded"
    assert found.create_time == "2026-11-28T10:00:00Z"
    assert world.calls["ListDeployments"] == 1  # the last day already has candidates


def test_only_failed_skips_succeeded_ones() -> None:
    found = latest(group_world(), only_failed=True)
    assert found.deployment_id == "d-7XK2M9QPA" and found.candidates == 1  # d-FAILED002 is older than a day


def test_widens_the_time_window_until_it_finds_one() -> None:
    world = group_world()
    found = find_latest(offline_factory(world.attach), APP, GROUP, now=lambda: NOW + dt.timedelta(days=5))
    assert found.deployment_id == "d-SUCCEED01"
    assert world.calls["ListDeployments"] == 2  # last day: none; last 30 days: all


def test_a_single_candidate_needs_no_get_deployment() -> None:
    world = CodeDeployWorld.from_snapshots([load_fixture_json(FAILED_FIXTURE)])
    found = latest(world)
    assert found.deployment_id == "d-7XK2M9QPA" and found.candidates == 1
    assert world.calls["GetDeployment"] == 0


def test_compares_at_most_the_first_candidates() -> None:
    world = group_world(page_size=100)
    template = world.deployments["d-7XK2M9QPA"]
    for n in range(30):
        deployment_id = f"d-MANY{n:05d}"
        world.deployments[deployment_id] = _deployment(template, deployment_id, f"2026-11-28T11:{n:02d}:00Z", "Failed")
    found = latest(world)
    assert found.deployment_id == "d-MANY00029" and found.candidates == MAX_CANDIDATES
    assert world.calls["GetDeployment"] == MAX_CANDIDATES


def test_no_deployment_is_not_found_with_a_tip() -> None:
    world = CodeDeployWorld.from_snapshots([load_fixture_json("server-succeeded")])
    world.groups[(APP, GROUP)] = {"applicationName": APP, "deploymentGroupName": GROUP}
    with pytest.raises(DeploymentNotFoundError) as caught:
        latest(world, only_failed=True)
    assert "no failed or stopped deployment of storefront-web/storefront-web-prod" in caught.value.message
    assert "--only-failed" in (caught.value.tip or "")


def test_unknown_group_is_not_found_with_a_tip() -> None:
    with pytest.raises(DeploymentNotFoundError) as caught:
        find_latest(offline_factory(group_world().attach), APP, "nope", now=lambda: NOW)
    assert "no deployment group storefront-web/nope" in caught.value.message
    assert "list-deployment-groups" in (caught.value.tip or "")


def test_latest_through_the_app(capsys: pytest.CaptureFixture[str]) -> None:
    world = group_world()
    request = DiagnoseRequest(
        deployment_id=None,
        region="us-east-1",
        profile=None,
        output_format=OutputFormat.JSON,
        output=None,
        record=None,
        replay=None,
        agent_logs=(),
        log_group=None,
        catalog_file=None,
        color=False,
        redact=True,
        latest=True,
        application=APP,
        deployment_group=GROUP,
        only_failed=True,
        client_hooks=(world.attach,),
    )
    code = run_diagnosis(request)
    out, err = capsys.readouterr()
    assert code in (1, 4)
    assert json.loads(out)["deployment"]["id"] == "d-7XK2M9QPA"
    assert "cd-doctor: latest deployment of storefront-web/storefront-web-prod: d-7XK2M9QPA" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--latest", "--application", APP], "--latest needs --application and --deployment-group"),
        (["d-A1B2C3D4E", "--latest", "--application", APP, "--deployment-group", GROUP], "--latest finds the deployment itself"),
        (["d-A1B2C3D4E", "--only-failed"], "--only-failed is only used with --latest"),
        (["d-A1B2C3D4E", "--application", APP], "--application is only used with --latest"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, args, prog_name="cd-doctor")
    assert result.exit_code == 2 and result.stdout == ""
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
