"""Running cd-doctor's live path end to end against a fake account, as the CLI runs it.

``run_live`` builds the same ``DiagnoseRequest`` the CLI builds and runs it through
``cli.run_safely`` (the one place errors become exit codes), with the wire fake attached at the
client seam (``DiagnoseRequest.client_hooks``). What a user sees comes back: the exit code,
stdout (the report) and stderr (the one-line error or the warnings).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pytest
import typer
from jsonschema import Draft202012Validator

from codedeploy_doctor.app import DiagnoseRequest, run_diagnosis
from codedeploy_doctor.cli import run_safely
from codedeploy_doctor.render import OutputFormat
from codedeploy_doctor.schema import report_schema
from tests.fakes.wire import Fault, Transform, WireFake
from tests.reliability.world import SnapshotAccount

REGION = "us-east-1"


@dataclass
class Outcome:
    """What one run showed the user."""

    code: int
    stdout: str
    stderr: str
    fake: WireFake

    @property
    def report(self) -> dict[str, Any] | None:
        """The JSON report on stdout, or None when there is none."""
        return json.loads(self.stdout) if self.stdout.strip() else None

    @property
    def error_lines(self) -> list[str]:
        """stderr lines that report an error."""
        return [line for line in self.stderr.splitlines() if line.startswith("cd-doctor: error:") or "internal error" in line]


@dataclass
class Scenario:
    """A snapshot served as a live account, and how cd-doctor is asked about it."""

    name: str
    snapshot: dict[str, Any]
    log_group: str | None = None
    latest: bool = False
    log_lines: tuple[str, ...] = ("2026-11-28 09:05:01 INFO [codedeploy-agent] step done",)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def deployment_id(self) -> str:
        return str(self.snapshot["deployment"]["deploymentId"])

    @property
    def rollback_id(self) -> str | None:
        return (self.snapshot["deployment"].get("rollbackInfo") or {}).get("rollbackDeploymentId")


def run_live(
    scenario: Scenario,
    capsys: pytest.CaptureFixture[str],
    *,
    faults: Sequence[Fault] = (),
    transforms: Sequence[Transform] = (),
    output_format: OutputFormat = OutputFormat.JSON,
    timeout: float | None = None,
    redact: bool = True,
    hooks: Sequence[Callable[[str, Any], None]] = (),
) -> Outcome:
    """Run ``cd-doctor <id> --format json`` (or ``--latest``) against the scenario's account.

    ``hooks`` are attached to every client before the wire fake, so they can answer first.
    """
    account = SnapshotAccount(scenario.snapshot, log_lines=scenario.log_lines)
    fake = WireFake(account.handle, faults=list(faults), transforms=list(transforms))
    group = scenario.snapshot["deployment"]
    options: dict[str, Any] = {"region": REGION, "profile": None, **scenario.extra}
    request = DiagnoseRequest(
        deployment_id=None if scenario.latest else scenario.deployment_id,
        output_format=output_format,
        output=None,
        record=None,
        replay=None,
        agent_logs=(),
        log_group=scenario.log_group,
        catalog_file=None,
        color=False,
        redact=redact,
        timeout=timeout,
        latest=scenario.latest,
        application=group.get("applicationName") if scenario.latest else None,
        deployment_group=group.get("deploymentGroupName") if scenario.latest else None,
        client_hooks=(*hooks, fake.attach),
        **options,
    )
    capsys.readouterr()
    code = -1
    try:
        run_safely(lambda: run_diagnosis(request), debug=False)
    except typer.Exit as done:
        code = int(done.exit_code)
    captured = capsys.readouterr()
    return Outcome(code, captured.out, captured.err, fake)


def contract_exit_code(report: dict[str, Any]) -> int:
    """The exit code the README's exit-code table gives a report."""
    if not report["deploymentFailed"]:
        return 0
    traffic = report["blueTraffic"]
    if traffic["verdict"] == "not-applicable":
        return 1
    if traffic["verdict"] == "serving" and traffic["basis"] == "traffic-layer":
        return 1
    return 4


@cache
def schema_validator() -> Draft202012Validator:
    """The published report schema, checked itself."""
    schema = report_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def assert_valid_report(report: dict[str, Any] | None) -> dict[str, Any]:
    """Assert the report exists and fits the published schema; return it."""
    assert report is not None, "no report on stdout"
    errors = sorted(schema_validator().iter_errors(report), key=lambda e: list(e.path))
    assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    return report
