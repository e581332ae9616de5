"""Extra log lines are kept only when they belong to this deployment."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from codedeploy_doctor.cli import app
from codedeploy_doctor.diagnosis.log_window import deployment_window, lines_for_deployment
from codedeploy_doctor.timefmt import parse_time
from tests.support import FIXTURES

WINDOW = (parse_time("2026-11-28T09:00:00Z"), parse_time("2026-11-28T10:00:00Z"))


def _window() -> tuple:  # type: ignore[type-arg]
    assert WINDOW[0] is not None and WINDOW[1] is not None
    return WINDOW


def test_old_lines_and_their_continuations_are_dropped() -> None:
    lines = [
        "2026-11-20 08:00:00 ERROR [codedeploy-agent(1)]: No space left on device",
        "  at an old stack frame",
        "2026-11-28 09:14:03 ERROR [codedeploy-agent(1)]: today's error",
        "  at today's stack frame",
    ]
    assert lines_for_deployment(lines, "d-A1B2C3D4E", _window()) == tuple(lines[2:])


def test_lines_naming_another_deployment_are_dropped() -> None:
    lines = ["[2026-11-28 09:20:00.123] [d-ZZZZZZZZZ][stderr]theirs", "[2026-11-28 09:20:00.123] [d-A1B2C3D4E][stderr]ours"]
    assert lines_for_deployment(lines, "d-A1B2C3D4E", _window()) == (lines[1],)


def test_lines_without_timestamps_are_kept() -> None:
    lines = ["Error: listen EADDRINUSE :::8080", "npm ERR! code ELIFECYCLE"]
    assert lines_for_deployment(lines, "d-A1B2C3D4E", _window()) == tuple(lines)


def test_window_is_open_while_the_deployment_runs() -> None:
    window = deployment_window({"createTime": "2026-11-28T09:00:00Z"})
    assert window is not None and window[1].year == 9999


def test_agent_log_explains_why_the_agent_never_answered(tmp_path: Path) -> None:
    fixture = FIXTURES / "server-inplace-agent-never-picked-up.json"
    log = tmp_path / "codedeploy-agent.log"
    log.write_text(
        "2026-10-01 00:00:00 ERROR [codedeploy-agent(1)]: a month-old error: No space left on device\n"
        "2026-11-27 10:00:05 ERROR [codedeploy-agent(2987)]: InstanceAgent::Plugins::CodeDeployPlugin::CommandPoller: "
        "Cannot reach InstanceService: Aws::CodeDeployCommand::Errors::AccessDeniedException - Missing credentials - "
        "please check if this instance was started with an IAM instance profile\n",
        encoding="utf-8",
    )
    plain = CliRunner().invoke(app, ["--replay", str(fixture), "-f", "json"])
    with_log = CliRunner().invoke(app, ["--replay", str(fixture), "--agent-log", str(log), "-f", "json"])
    import json

    before = json.loads(plain.stdout)["causes"][0]["id"]
    after = json.loads(with_log.stdout)["causes"]
    assert before == "agent-not-running"
    assert after[0]["id"] == "instance-profile-missing"
    assert any("Missing credentials" in line for line in after[0]["evidence"])
    assert all(cause["id"] != "disk-full" for cause in after), "a month-old line must not become a cause"
