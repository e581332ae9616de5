"""The command line as users and CI meet it: arguments, exit codes, stdout purity, files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codedeploy_doctor.cli import app
from tests.support import FIXTURES, REPO

runner = CliRunner()
FLAGSHIP = FIXTURES / "server-bluegreen-validateservice-green.json"


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), prog_name="cd-doctor")
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("bad", ["d-bad", "d-a1b2c3d4e", "D-A1B2C3D4E", "d-A1B2C3D4", "d-A1B2C3D4EF", "i-0123", "--", ""])
def test_malformed_ids_exit_2_with_one_line(bad: str) -> None:
    code, out, err = invoke(bad) if bad != "--" else invoke("--", "x")
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 or "Usage" in err


def test_bad_id_says_what_a_valid_id_looks_like() -> None:
    code, _, err = invoke("d-bad")
    assert code == 2 and "d-A1B2C3D4E" in err and "Traceback" not in err


def test_replay_prints_the_report_on_stdout_only() -> None:
    code, out, err = invoke("--replay", str(FLAGSHIP), "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["deployment"]["id"] == "d-4HQ8N2ZRT"
    assert report["firstFailure"]["lifecycleEvent"] == "ValidateService"
    assert err == ""


def test_id_and_replay_together_is_a_usage_error() -> None:
    code, _, err = invoke("d-A1B2C3D4E", "--replay", str(FLAGSHIP))
    assert code == 2 and "not both" in err


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "invalid JSON"),
        ('{"format": "other/1", "deployment": {}, "targets": []}', "format"),
        ('{"format": "cd-doctor.snapshot/1", "targets": []}', "deployment"),
        ('{"format": "cd-doctor.snapshot/1", "deployment": {}, "targets": {}}', "targets"),
        ("[]", "object"),
    ],
)
def test_invalid_snapshots_exit_2_with_a_reason(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    code, out, err = invoke("--replay", str(path))
    assert code == 2 and out == ""
    assert reason in err and len(err.strip().splitlines()) == 1


def test_missing_snapshot_file_exits_2(tmp_path: Path) -> None:
    code, _, err = invoke("--replay", str(tmp_path / "nope.json"))
    assert code == 2 and "cannot read snapshot" in err


def test_output_file_receives_the_report(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    code, out, _ = invoke("--replay", str(FLAGSHIP), "-f", "json", "-o", str(target))
    assert code == 1 and out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["schemaVersion"] == 1


def test_record_then_replay_gives_the_same_report(tmp_path: Path) -> None:
    recorded = tmp_path / "again.json"
    code1, out1, _ = invoke("--replay", str(FLAGSHIP), "-f", "json", "--record", str(recorded))
    code2, out2, _ = invoke("--replay", str(recorded), "-f", "json")
    assert (code1, out1) == (code2, out2)


EXIT_CODES = {
    "ecs-install-container-out-of-memory": 1,  # the replacement never took traffic: Blue serves all of it
    "ecs-install-image-pull-failed": 1,
    "ecs-install-stopped-tasks-expired": 1,
    "lambda-alarm-fired-during-deployment": 4,  # 10% on the failed version
    "lambda-hook-function-timed-out": 4,
    "server-alarm-already-in-alarm": 4,  # in place, inferred from CodeDeploy only
    "ecs-half-shifted": 4,  # 50% of production on the Green that tripped an alarm: pages
    "ecs-install-container-health-check-failed": 1,
    "ecs-install-essential-container-exited": 1,
    "ecs-install-secrets-unavailable": 1,
    "ecs-install-target-health-check-mismatch": 1,
    "ecs-install-task-placement-failed": 1,
    "ecs-not-code-deploy-controller": 1,
    "ecs-untouched": 1,
    "lambda-canary-weighted": 4,  # 10% on the failed version: pages
    "lambda-fully-shifted-after-allow-failed": 4,
    "lambda-hook-function-not-invokable": 4,
    "lambda-hook-function-not-permitted-to-report": 4,
    "lambda-hook-validation-failed-with-log": 4,
    "server-bluegreen-validateservice-green": 1,
    "server-health-constraints-two-events": 4,
    "server-inplace-agent-never-picked-up": 1,
    "server-inplace-applicationstart-scriptfailed": 4,
    "server-inplace-applicationstop-previous-revision": 1,
    "server-inplace-downloadbundle-unknownerror": 4,
    "server-inplace-scripttimedout": 4,
    "server-inprogress-with-failed-target": 4,
    "server-inprogress": 0,
    "server-stopped-with-rollback": 4,
    "server-succeeded": 0,
    "traffic-server-bg-blue-terminated": 4,
    "traffic-server-bg-deregistered-green-unhealthy": 4,
    "traffic-server-bg-lb-unreadable": 4,
    "traffic-server-bg-rolled-back": 1,
    "traffic-server-bg-termination-wait": 0,
    "traffic-server-bg-untouched-blue": 1,
    "traffic-server-classic-elb": 1,
    "traffic-server-inplace-capacity": 4,  # capacity lost behind the load balancer: pages
    "traffic-server-inplace-no-load-balancer": 4,
}
"""Every fixture's exit code, pinned: a change here is a change of the contract (README, exit codes)."""


def test_every_fixture_has_a_pinned_exit_code() -> None:
    assert sorted(EXIT_CODES) == sorted(path.stem for path in FIXTURES.glob("*.json"))


@pytest.mark.parametrize(("fixture", "expected"), sorted(EXIT_CODES.items()))
def test_exit_codes_follow_the_contract(fixture: str, expected: int) -> None:
    code, out, _ = invoke("--replay", str(FIXTURES / f"{fixture}.json"), "-f", "json")
    assert code == expected
    traffic = json.loads(out)["blueTraffic"]
    if traffic["verdict"] == "partial" and code != 0:
        assert code == 4, "a partial verdict pages whatever its basis"


def test_output_over_the_record_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "incident.json"
    code, out, err = invoke("--replay", str(FLAGSHIP), "-o", str(target), "--record", str(tmp_path / "." / "incident.json"))
    assert code == 2 and out == "" and "same file" in err
    assert not target.exists(), "nothing written"


def test_output_over_the_replayed_snapshot_is_refused(tmp_path: Path) -> None:
    snapshot = tmp_path / "incident.json"
    snapshot.write_bytes(FLAGSHIP.read_bytes())
    code, _, err = invoke("--replay", str(snapshot), "-o", str(snapshot))
    assert code == 2 and "same file" in err
    assert snapshot.read_bytes() == FLAGSHIP.read_bytes(), "the evidence is intact"


@pytest.mark.parametrize("link", ["symlink", "hardlink"])
def test_output_through_a_link_to_the_snapshot_is_refused(tmp_path: Path, link: str) -> None:
    snapshot = tmp_path / "incident.json"
    snapshot.write_bytes(FLAGSHIP.read_bytes())
    other = tmp_path / "report.txt"
    if link == "symlink":
        other.symlink_to(snapshot)
    else:
        os.link(snapshot, other)
    code, _, err = invoke("--replay", str(snapshot), "-o", str(other))
    assert code == 2 and "same file" in err
    assert snapshot.read_bytes() == FLAGSHIP.read_bytes()


def test_text_report_has_no_colour_when_not_a_terminal() -> None:
    _, out, _ = invoke("--replay", str(FLAGSHIP))
    assert "\x1b[" not in out
    assert "First failure" in out and "ValidateService" in out


def test_version_and_help() -> None:
    code, out, _ = invoke("--version")
    assert code == 0 and out.startswith("cd-doctor ")
    code, out, _ = invoke("--help")
    assert code == 0 and "DEPLOYMENT_ID" in out and "--replay" in out


def test_python_dash_m_works_like_the_console_script() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "codedeploy_doctor", "--replay", str(FLAGSHIP), "--format", "json"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["deployment"]["id"] == "d-4HQ8N2ZRT"


def test_a_reader_that_leaves_early_gets_no_error_and_the_verdicts_exit_code() -> None:
    """`cd-doctor ... | head`: a broken pipe is not an internal error; the exit code still tells the verdict."""
    process = subprocess.Popen(
        [sys.executable, "-m", "codedeploy_doctor", "--replay", str(FLAGSHIP), "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.read(10)
    process.stdout.close()
    stderr = process.stderr.read()
    assert process.wait(timeout=60) == 1
    assert b"internal error" not in stderr and b"Traceback" not in stderr


def test_a_stdout_that_is_not_utf8_still_gets_the_report() -> None:
    env = {**os.environ, "PYTHONIOENCODING": "latin-1"}
    result = subprocess.run(
        [sys.executable, "-m", "codedeploy_doctor", "--replay", str(FLAGSHIP)],
        capture_output=True,
        cwd=REPO,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert b"First failure" in result.stdout and b"internal error" not in result.stderr


@pytest.mark.parametrize("option", ["--record", "--output"])
def test_an_unwritable_path_is_refused_before_anything_is_collected(option: str, tmp_path: Path) -> None:
    """A live run: had AWS been asked first, the test's network guard would make it exit 3, not 2."""
    code, out, err = invoke("d-A1B2C3D4E", option, str(tmp_path / "missing-folder" / "x.json"))
    assert code == 2 and out == "" and "does not exist" in err


def test_a_broken_catalog_is_refused_before_anything_is_collected(tmp_path: Path) -> None:
    catalog = tmp_path / "mine.json"
    catalog.write_text("{broken", encoding="utf-8")
    code, _, err = invoke("d-A1B2C3D4E", "--catalog", str(catalog))
    assert code == 2 and "invalid JSON" in err
