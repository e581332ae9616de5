"""Test-wide setup: no real AWS credentials, config or network, ever."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import botocore.httpsession
import pytest
from hypothesis import settings

from tests.support import NetworkUsedError

# In CI (CI=true) the property and fuzz tests draw the same examples on every run, so a red CI is
# a finding anyone can reproduce; run locally, they keep drawing new ones (and hypothesis keeps
# what failed in .hypothesis/ to try first next time).
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _offline_aws(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """Point boto3 at fake credentials and empty config files, whatever the machine has."""
    if request.node.get_closest_marker("aws"):
        yield  # opt-in real-AWS tests keep the user's configuration
        return
    empty = tmp_path_factory.getbasetemp() / "empty-aws-config"
    empty.touch()
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("NO_COLOR", "1")
    yield


@pytest.fixture(autouse=True)
def _no_network(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's HTTP send is the network boundary: fakes and moto answer before it, or the test fails."""
    if request.node.get_closest_marker("aws"):
        return

    def refuse(self: Any, request: Any) -> Any:
        raise NetworkUsedError(f"a test tried to reach the network: {request.method} {request.url}")

    monkeypatch.setattr(botocore.httpsession.URLLib3Session, "send", refuse)


# --- lines for the end of the run, under pytest-xdist too ---------------------------------------
# Workers run the tests; only their reports reach the controller, and it loads this conftest alone
# (not those of sub-folders), so the summary is built here from the forwarded reports.

FAULT_MATRIX_TEST = "tests/reliability/test_fault_matrix.py::test_fault_cell"
_fault_cells: dict[str, str] = {}
_summary_lines: dict[str, str] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Collect summary lines (``record_property("summary", line)``) and fault-matrix cell outcomes."""
    for name, value in report.user_properties:
        if name == "summary":
            _summary_lines[report.nodeid] = str(value)
    if report.nodeid.startswith(FAULT_MATRIX_TEST) and (report.when == "call" or (report.when == "setup" and not report.passed)):
        _fault_cells[report.nodeid] = report.outcome


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the fault matrix's cell count and every summary line the tests recorded."""
    if _fault_cells:
        passed = sum(1 for outcome in _fault_cells.values() if outcome == "passed")
        terminalreporter.write_line(f"fault matrix: {passed}/{len(_fault_cells)} cells passed")
    for line in _summary_lines.values():
        terminalreporter.write_line(line)
