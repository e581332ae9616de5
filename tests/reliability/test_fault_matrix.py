"""The fault-injection matrix: every AWS operation cd-doctor calls × every way a call fails.

Each cell runs the whole live path (``DiagnoseRequest`` → ``run_safely``, as the CLI does) against
a fake account served on the wire (``tests/fakes/wire.py``), so every failure goes through
botocore's real parser and real retry handling, and asserts what the user sees:

- a core call (the deployment, its targets; ``--latest``'s listing) that fails for good ends the
  run with exit 3 and exactly one line on stderr naming what failed and what to do, no report;
- a non-core call (group, rollback, deployment config, traffic layer, logs) that fails becomes a
  warning naming the IAM action; the report still stands (same first failure, same causes) and
  the exit code is the contract's for that report;
- throttling that stops before the retries run out changes nothing at all;
- unknown enum values and missing optional fields never break the diagnosis.

The run prints ``fault matrix: N/N cells passed`` (``tests/conftest.py``, which works under pytest-xdist).
"""

from __future__ import annotations

import copy
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.model import Shape

from codedeploy_doctor.aws.clients import DEFAULT_MAX_ATTEMPTS
from codedeploy_doctor.aws.readonly import READ_ONLY_OPERATIONS, iam_action
from tests.fakes.wire import Attempt, CallMatcher, Fault, connection_refused, denied, on, read_timeout, server_error, throttled
from tests.reliability.harness import (
    Outcome,
    Scenario,
    assert_valid_report,
    contract_exit_code,
    run_live,
)
from tests.support import load_fixture_json

pytestmark = pytest.mark.usefixtures("shared_session")


def _ecs_with_listener_rules() -> dict[str, Any]:
    """ecs-half-shifted, but production reaches the target groups through a listener rule (DescribeRules)."""
    snapshot = load_fixture_json("ecs-half-shifted")
    elbv2 = snapshot["traffic"]["elbv2"]
    prod = elbv2["listeners"][0]
    forward = prod["DefaultActions"][0]
    prod["DefaultActions"] = [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}]
    elbv2["rules"] = {
        prod["ListenerArn"]: [
            {
                "RuleArn": prod["ListenerArn"].replace(":listener/", ":listener-rule/") + "/5e1b",
                "Priority": "10",
                "Conditions": [{"Field": "path-pattern", "Values": ["/orders/*"]}],
                "Actions": [forward],
                "IsDefault": False,
            },
            {
                "RuleArn": prod["ListenerArn"].replace(":listener/", ":listener-rule/") + "/default",
                "Priority": "default",
                "Conditions": [],
                "Actions": prod["DefaultActions"],
                "IsDefault": True,
            },
        ]
    }
    return snapshot


SCENARIOS: dict[str, Callable[[], Scenario]] = {
    "server-bg": lambda: Scenario("server-bg", load_fixture_json("traffic-server-bg-rolled-back"), log_group="agent-logs"),
    "classic-elb": lambda: Scenario("classic-elb", load_fixture_json("traffic-server-classic-elb")),
    "in-place": lambda: Scenario("in-place", load_fixture_json("traffic-server-inplace-capacity")),
    "ecs": lambda: Scenario("ecs", _ecs_with_listener_rules()),
    "lambda": lambda: Scenario("lambda", load_fixture_json("lambda-canary-weighted")),
    "latest": lambda: Scenario("latest", load_fixture_json("traffic-server-bg-rolled-back"), latest=True),
    "ecs-tasks": lambda: Scenario("ecs-tasks", load_fixture_json("ecs-install-image-pull-failed")),
    "alarm": lambda: Scenario("alarm", load_fixture_json("lambda-alarm-fired-during-deployment")),
    "hook": lambda: Scenario("hook", load_fixture_json("lambda-hook-function-timed-out")),
    "bundle-asg": lambda: Scenario("bundle-asg", load_fixture_json("server-inplace-bundle-crlf-autoscaling")),
}


@dataclass(frozen=True)
class Operation:
    """One AWS operation cd-doctor calls, in a scenario where it is called."""

    label: str
    service: str
    operation: str
    core: bool
    scenario: str
    which: Callable[[Scenario], Callable[[dict[str, Any]], bool]] | None = None
    """Narrows the matching calls (GetDeployment of the deployment vs of its rollback)."""
    evidence: bool = False
    """A forensics read: without it the cause it proved may go, but no other cause appears."""

    def matcher(self, scenario: Scenario) -> CallMatcher:
        return on(self.service, self.operation, self.which(scenario) if self.which else None)

    @property
    def action(self) -> str:
        return iam_action(self.service, self.operation)


def _the_deployment(scenario: Scenario) -> Callable[[dict[str, Any]], bool]:
    return lambda params: params.get("deploymentId") == scenario.deployment_id


def _its_rollback(scenario: Scenario) -> Callable[[dict[str, Any]], bool]:
    return lambda params: params.get("deploymentId") == scenario.rollback_id


OPERATIONS = [
    Operation("codedeploy-GetDeployment", "codedeploy", "GetDeployment", True, "server-bg", _the_deployment),
    Operation("codedeploy-ListDeploymentTargets", "codedeploy", "ListDeploymentTargets", True, "server-bg"),
    Operation("codedeploy-BatchGetDeploymentTargets", "codedeploy", "BatchGetDeploymentTargets", True, "server-bg"),
    Operation("codedeploy-ListDeployments(--latest)", "codedeploy", "ListDeployments", True, "latest"),
    Operation("codedeploy-GetDeploymentGroup", "codedeploy", "GetDeploymentGroup", False, "server-bg"),
    Operation("codedeploy-GetDeployment(rollback)", "codedeploy", "GetDeployment", False, "server-bg", _its_rollback),
    Operation("codedeploy-GetDeploymentConfig", "codedeploy", "GetDeploymentConfig", False, "in-place"),
    Operation("elbv2-DescribeTargetGroups", "elbv2", "DescribeTargetGroups", False, "server-bg"),
    Operation("elbv2-DescribeTargetHealth", "elbv2", "DescribeTargetHealth", False, "server-bg"),
    Operation("ec2-DescribeInstances", "ec2", "DescribeInstances", False, "server-bg"),
    Operation("elb-DescribeInstanceHealth", "elb", "DescribeInstanceHealth", False, "classic-elb"),
    Operation("elbv2-DescribeListeners", "elbv2", "DescribeListeners", False, "ecs"),
    Operation("elbv2-DescribeRules", "elbv2", "DescribeRules", False, "ecs"),
    Operation("ecs-DescribeServices", "ecs", "DescribeServices", False, "ecs"),
    Operation("lambda-GetAlias", "lambda", "GetAlias", False, "lambda"),
    Operation("logs-FilterLogEvents", "logs", "FilterLogEvents", False, "server-bg"),
    Operation("ecs-DescribeTaskSets", "ecs", "DescribeTaskSets", False, "ecs-tasks", evidence=True),
    Operation("ecs-ListTasks", "ecs", "ListTasks", False, "ecs-tasks", evidence=True),
    Operation("ecs-DescribeTasks", "ecs", "DescribeTasks", False, "ecs-tasks", evidence=True),
    Operation("cloudwatch-DescribeAlarms", "cloudwatch", "DescribeAlarms", False, "alarm", evidence=True),
    Operation("cloudwatch-DescribeAlarmHistory", "cloudwatch", "DescribeAlarmHistory", False, "alarm", evidence=True),
    Operation("lambda-GetFunctionConfiguration", "lambda", "GetFunctionConfiguration", False, "hook", evidence=True),
    Operation("logs-FilterLogEvents(hook)", "logs", "FilterLogEvents", False, "hook", evidence=True),
    Operation("s3-GetObject", "s3", "GetObject", False, "bundle-asg"),
    Operation("autoscaling-DescribeAutoScalingGroups", "autoscaling", "DescribeAutoScalingGroups", False, "bundle-asg"),
    Operation("autoscaling-DescribeLifecycleHooks", "autoscaling", "DescribeLifecycleHooks", False, "bundle-asg"),
    Operation("autoscaling-DescribeScalingActivities", "autoscaling", "DescribeScalingActivities", False, "bundle-asg"),
    Operation("ssm-DescribeInstanceInformation", "ssm", "DescribeInstanceInformation", False, "bundle-asg"),
    Operation("codedeploy-BatchGetOnPremisesInstances", "codedeploy", "BatchGetOnPremisesInstances", False, "bundle-asg"),
]

FAULTS = [
    "throttled-then-fine",
    "throttled-forever",
    "access-denied",
    "server-error-500",
    "connection-error",
    "read-timeout",
    "unknown-enums-missing-fields",
]

_baselines: dict[str, Outcome] = {}


def _baseline(name: str, capsys: pytest.CaptureFixture[str]) -> Outcome:
    if name not in _baselines:
        outcome = run_live(SCENARIOS[name](), capsys)
        assert outcome.code in (0, 1, 4), outcome.stderr
        assert_valid_report(outcome.report)
        _baselines[name] = outcome
    return _baselines[name]


class _Counting:
    """A fault that also counts the attempts it saw for its calls."""

    def __init__(self, match: CallMatcher, fault: Fault) -> None:
        self.match = match
        self.fault = fault
        self.attempts = 0
        self.calls = 0

    def __call__(self, attempt: Attempt) -> Any:
        if self.match(attempt.service, attempt.operation, attempt.params):
            self.attempts += 1
            self.calls += attempt.number == 1
        return self.fault(attempt)


def _weird(match: CallMatcher) -> Callable[[str, str, dict[str, Any], Shape | None], dict[str, Any]]:
    """Unknown enum values everywhere and about a quarter of the optional members missing."""

    def walk(value: Any, shape: Shape | None, depth: int) -> Any:
        if shape is None:
            return value
        if shape.type_name == "string" and isinstance(value, str) and shape.enum:
            return "FUTURE_VALUE_2031"
        if shape.type_name == "structure" and isinstance(value, dict):
            members = shape.members  # type: ignore[attr-defined]
            required = set(shape.required_members)  # type: ignore[attr-defined]
            return {
                key: walk(item, members.get(key), depth + 1)
                for key, item in value.items()
                if depth == 0 or key in required or zlib.crc32(key.encode()) % 4 != 0
            }
        if shape.type_name == "list" and isinstance(value, list):
            return [walk(item, shape.member, depth + 1) for item in value]  # type: ignore[attr-defined]
        if shape.type_name == "map" and isinstance(value, dict):
            return {key: walk(item, shape.value, depth + 1) for key, item in value.items()}  # type: ignore[attr-defined]
        return value

    def transform(service: str, operation: str, response: dict[str, Any], shape: Shape | None) -> dict[str, Any]:
        if not match(service, operation, {}):
            return response
        result: dict[str, Any] = walk(copy.deepcopy(response), shape, 0)
        return result

    return transform


_FALLBACKS = frozenset({"unexplained-failure", "agent-error-unrecognized"})
"""Generic records that may rank when the evidence that proved a cause is gone."""

ALL_ATTEMPTS = DEFAULT_MAX_ATTEMPTS + 1
"""botocore's ``max_attempts`` counts retries: the first attempt comes on top."""

_EXPECTED_CORE = {
    "throttled-forever": ("throttled by AWS past all retries", ALL_ATTEMPTS),
    "access-denied": ("access denied to {action}", 1),
    "server-error-500": ("AWS answered 500 InternalFailure for {action}", ALL_ATTEMPTS),
    "connection-error": ("cannot reach the AWS endpoint for {service}", ALL_ATTEMPTS),
    "read-timeout": ("{action} timed out", ALL_ATTEMPTS),
}

_FAULT_MAKERS: dict[str, Callable[[CallMatcher], Fault]] = {
    "throttled-then-fine": lambda match: throttled(match, attempts=2),
    "throttled-forever": throttled,
    "access-denied": denied,
    "server-error-500": server_error,
    "connection-error": connection_refused,
    "read-timeout": read_timeout,
}


def test_matrix_covers_every_operation_on_the_allowlist() -> None:
    covered = {(op.service, op.operation) for op in OPERATIONS}
    allowed = {(service, op) for service, ops in READ_ONLY_OPERATIONS.items() for op in ops}
    assert covered == allowed


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.label)
def test_fault_cell(op: Operation, fault: str, capsys: pytest.CaptureFixture[str]) -> None:
    baseline = _baseline(op.scenario, capsys)
    scenario = SCENARIOS[op.scenario]()
    match = op.matcher(scenario)
    key = f"{op.service}:{op.operation}"
    assert baseline.fake.calls[key] >= 1, f"the {op.scenario} scenario does not call {key}"

    if fault == "unknown-enums-missing-fields":
        outcome = run_live(scenario, capsys, transforms=[_weird(match)])
        report = assert_valid_report(outcome.report)
        assert not outcome.error_lines, outcome.stderr
        assert outcome.code == contract_exit_code(report)
        return

    counting = _Counting(match, _FAULT_MAKERS[fault](match))
    outcome = run_live(scenario, capsys, faults=[counting])
    assert counting.calls >= 1, f"{key} was never called"

    if fault == "throttled-then-fine":
        # botocore retried each call twice (really: the wire saw the attempts) and nothing else changed.
        assert counting.attempts == 3 * counting.calls
        assert not outcome.error_lines, outcome.stderr
        assert outcome.code == baseline.code
        assert outcome.report == baseline.report
        return

    text, attempts = _EXPECTED_CORE[fault]
    expected = text.format(action=op.action, service=op.service)
    if op.core:
        assert outcome.code == 3
        assert outcome.stdout == "", "no report when a core call fails"
        lines = outcome.stderr.strip().splitlines()
        errors = [line for line in lines if line.startswith("cd-doctor: error: ")]
        assert len(errors) == 1, outcome.stderr
        assert expected in errors[0] and ". Tip: " in errors[0], errors[0]
        if fault == "access-denied":
            assert f"grant {op.action}" in errors[0]
        assert counting.attempts == attempts * counting.calls, "botocore's retries, exactly"
        assert "Traceback" not in outcome.stderr
        return

    report = assert_valid_report(outcome.report)
    assert not outcome.error_lines, outcome.stderr
    assert outcome.code == contract_exit_code(report)
    warnings = [w for w in report["warnings"] if op.action in w]
    assert warnings, f"no warning naming {op.action}: {report['warnings']}"
    if fault == "access-denied":
        assert any(f"grant {op.action}" in w for w in warnings), warnings
    if fault == "throttled-forever":
        assert any("throttled" in w for w in warnings), warnings
    expected_report = baseline.report
    assert expected_report is not None
    assert report["firstFailure"] == expected_report["firstFailure"]
    if op.evidence:
        # Less evidence may lose the cause it proved; it never invents another.
        assert {c["id"] for c in report["causes"]} <= {c["id"] for c in expected_report["causes"]} | _FALLBACKS
    else:
        assert [c["id"] for c in report["causes"]] == [c["id"] for c in expected_report["causes"]]
    assert counting.attempts == attempts * counting.calls
