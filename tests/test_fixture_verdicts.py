"""Every fixture's verdict rule, pinned exactly (the exit codes are pinned beside the CLI: tests/test_cli.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from codedeploy_doctor.diagnosis import diagnose
from codedeploy_doctor.snapshot import load_snapshot
from tests.support import fixture_paths

RULES: dict[str, str] = {
    "ecs-half-shifted": "ecs.listener-shares",
    "ecs-install-container-health-check-failed": "ecs.listener-shares",
    "ecs-install-container-out-of-memory": "ecs.listener-shares",
    "ecs-install-essential-container-exited": "ecs.listener-shares",
    "ecs-install-image-pull-failed": "ecs.listener-shares",
    "ecs-install-secrets-unavailable": "ecs.listener-shares",
    "ecs-install-stopped-tasks-expired": "ecs.listener-shares",
    "ecs-install-target-health-check-mismatch": "ecs.listener-shares",
    "ecs-install-task-placement-failed": "ecs.listener-shares",
    "ecs-not-code-deploy-controller": "ecs.outside-codedeploy-forwards-to-healthy",
    "ecs-untouched": "ecs.listener-shares",
    "lambda-alarm-fired-during-deployment": "lambda.alias-shares",
    "lambda-canary-weighted": "lambda.alias-shares",
    "lambda-fully-shifted-after-allow-failed": "lambda.alias-shares",
    "lambda-hook-function-not-invokable": "lambda.alias-shares",
    "lambda-hook-function-not-permitted-to-report": "lambda.alias-shares",
    "lambda-hook-function-timed-out": "lambda.alias-shares",
    "lambda-hook-validation-failed-with-log": "lambda.alias-shares",
    "server-alarm-already-in-alarm": "server.in-place.full-capacity-per-codedeploy",
    "server-bluegreen-validateservice-green": "server.bg.blue-healthy",
    "server-health-constraints-two-events": "server.in-place-no-lb.application-stopped",
    "server-inplace-agent-never-picked-up": "server.in-place-no-lb.no-traffic-to-check",
    "server-inplace-applicationstart-scriptfailed": "server.in-place.capacity-reduced-per-codedeploy",
    "server-inplace-applicationstop-previous-revision": "server.in-place-no-lb.no-traffic-to-check",
    "server-inplace-downloadbundle-unknownerror": "server.in-place-no-lb.application-stopped-everywhere",
    "server-inplace-scripttimedout": "server.in-place-no-lb.application-stopped",
    "server-inprogress-with-failed-target": "server.in-place-no-lb.application-stopped",
    "server-inprogress": "server.in-place-no-lb.no-traffic-to-check",
    "server-stopped-with-rollback": "server.in-place.full-capacity-per-codedeploy",
    "server-succeeded": "server.in-place.full-capacity-per-codedeploy",
    "traffic-server-bg-blue-terminated": "server.bg.blue-not-healthy",
    "traffic-server-bg-deregistered-green-unhealthy": "server.bg.blue-not-healthy",
    "traffic-server-bg-lb-unreadable": "server.bg.block-traffic-never-ran",
    "traffic-server-bg-rolled-back": "server.bg.blue-healthy",
    "traffic-server-bg-termination-wait": "deployment.retired-as-planned",
    "traffic-server-bg-untouched-blue": "server.bg.blue-healthy",
    "traffic-server-classic-elb": "server.bg.blue-healthy",
    "traffic-server-inplace-capacity": "server.in-place.capacity-reduced",
    "traffic-server-inplace-no-load-balancer": "server.in-place-no-lb.application-stopped",
}
"""Fixture stem: the rule that decides its verdict (docs/verdicts.md)."""


def test_every_fixture_is_pinned() -> None:
    assert sorted(RULES) == sorted(path.stem for path in fixture_paths())


@pytest.mark.parametrize("path", fixture_paths(), ids=lambda p: p.stem)
def test_the_fixture_is_decided_by_its_rule(path: Path) -> None:
    assert diagnose(load_snapshot(path)).blue_traffic.rule == RULES[path.stem]
