"""Every fixture's exit code and verdict rule, pinned exactly (a loose ``in (1, 4)`` hides the regression that matters)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from codedeploy_doctor.cli import app
from codedeploy_doctor.diagnosis import diagnose
from codedeploy_doctor.snapshot import load_snapshot
from tests.support import fixture_paths

EXPECTED: dict[str, tuple[int, str]] = {
    "ecs-half-shifted": (4, "ecs.listener-shares"),
    "ecs-install-container-out-of-memory": (1, "ecs.listener-shares"),
    "ecs-install-image-pull-failed": (1, "ecs.listener-shares"),
    "ecs-install-stopped-tasks-expired": (1, "ecs.listener-shares"),
    "ecs-not-code-deploy-controller": (1, "ecs.outside-codedeploy-forwards-to-healthy"),
    "ecs-untouched": (1, "ecs.listener-shares"),
    "lambda-alarm-fired-during-deployment": (4, "lambda.alias-shares"),
    "lambda-canary-weighted": (4, "lambda.alias-shares"),
    "lambda-fully-shifted-after-allow-failed": (4, "lambda.alias-shares"),
    "lambda-hook-function-timed-out": (4, "lambda.alias-shares"),
    "server-alarm-already-in-alarm": (4, "server.in-place.full-capacity-per-codedeploy"),
    "server-bluegreen-validateservice-green": (1, "server.bg.blue-healthy"),
    "server-health-constraints-two-events": (4, "server.in-place-no-lb.application-stopped"),
    "server-inplace-agent-never-picked-up": (1, "server.in-place-no-lb.no-traffic-to-check"),
    "server-inplace-applicationstart-scriptfailed": (4, "server.in-place.capacity-reduced-per-codedeploy"),
    "server-inplace-applicationstop-previous-revision": (1, "server.in-place-no-lb.no-traffic-to-check"),
    "server-inplace-downloadbundle-unknownerror": (4, "server.in-place-no-lb.application-stopped-everywhere"),
    "server-inplace-scripttimedout": (4, "server.in-place-no-lb.application-stopped"),
    "server-inprogress-with-failed-target": (4, "server.in-place-no-lb.application-stopped"),
    "server-inprogress": (0, "server.in-place-no-lb.no-traffic-to-check"),
    "server-stopped-with-rollback": (4, "server.in-place.full-capacity-per-codedeploy"),
    "server-succeeded": (0, "server.in-place.full-capacity-per-codedeploy"),
    "traffic-server-bg-blue-terminated": (4, "server.bg.blue-not-healthy"),
    "traffic-server-bg-deregistered-green-unhealthy": (4, "server.bg.blue-not-healthy"),
    "traffic-server-bg-lb-unreadable": (4, "server.bg.block-traffic-never-ran"),
    "traffic-server-bg-rolled-back": (1, "server.bg.blue-healthy"),
    "traffic-server-bg-termination-wait": (0, "deployment.retired-as-planned"),
    "traffic-server-bg-untouched-blue": (1, "server.bg.blue-healthy"),
    "traffic-server-classic-elb": (1, "server.bg.blue-healthy"),
    "traffic-server-inplace-capacity": (4, "server.in-place.capacity-reduced"),
    "traffic-server-inplace-no-load-balancer": (4, "server.in-place-no-lb.application-stopped"),
}
"""Fixture stem: (exit code of ``cd-doctor --replay``, the rule that decides its verdict)."""


def test_every_fixture_is_pinned() -> None:
    assert sorted(EXPECTED) == sorted(path.stem for path in fixture_paths())


@pytest.mark.parametrize("path", fixture_paths(), ids=lambda p: p.stem)
def test_the_fixture_exits_with_its_code_and_rule(path: Path) -> None:
    code, rule = EXPECTED[path.stem]
    result = CliRunner().invoke(app, ["--replay", str(path), "--format", "json"])
    assert result.exit_code == code, result.output[-500:]
    assert diagnose(load_snapshot(path)).blue_traffic.rule == rule
