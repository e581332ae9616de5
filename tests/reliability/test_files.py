"""Every input path is read bounded and without blocking; every output is replaced atomically; output errors are exit 2.

FIFOs are opened for real (``os.mkfifo``) with nobody at the other end: an open that blocked
would hang the test, so each run is bounded by a watchdog thread that fails it instead.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from typer.testing import CliRunner

from codedeploy_doctor import files
from codedeploy_doctor.cli import app
from codedeploy_doctor.errors import BadInputError
from codedeploy_doctor.files import read_bounded, read_tail, write_atomically
from tests.support import FIXTURES

T = TypeVar("T")
FIXTURE = FIXTURES / "server-inplace-scripttimedout.json"
NEEDS_FIFO = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
NEEDS_DEVICES = pytest.mark.skipif(not Path("/dev/zero").exists() or not Path("/dev/full").exists(), reason="needs /dev")
WATCHDOG_SECONDS = 30.0
"""Far longer than any of these runs takes; only a hang reaches it."""


def _within_watchdog(work: Callable[[], T]) -> T:
    done: list[T] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            done.append(work())
        except BaseException as error:  # noqa: BLE001 - handed back to the test
            failed.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(WATCHDOG_SECONDS)
    assert not thread.is_alive(), "the call blocked (a FIFO opened without O_NONBLOCK?)"
    if failed:
        raise failed[0]
    return done[0]


def _one_error_line(result: Any, code: int = 2) -> str:
    assert result.exit_code == code, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("cd-doctor: error: "), result.stderr
    return str(lines[0])


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


@NEEDS_FIFO
@pytest.mark.parametrize("option", ["--replay", "--catalog", "--agent-log"])
def test_a_fifo_given_as_input_is_refused_without_hanging(option: str, fifo: Path) -> None:
    args = [option, str(fifo)] if option == "--replay" else ["--replay", str(FIXTURE), option, str(fifo)]
    line = _within_watchdog(lambda: _one_error_line(CliRunner().invoke(app, args)))
    assert "it is a FIFO (named pipe), not a regular file" in line, line


@NEEDS_FIFO
def test_a_fifo_nobody_reads_is_refused_as_output_without_hanging(fifo: Path) -> None:
    line = _within_watchdog(lambda: _one_error_line(CliRunner().invoke(app, ["--replay", str(FIXTURE), "-o", str(fifo)])))
    assert "no process is reading this FIFO" in line, line


@NEEDS_FIFO
def test_a_fifo_someone_reads_gets_the_report(fifo: Path) -> None:
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    # The reader opens its end at its own pace: retry until the writer finds it there.
    for _ in range(200):
        result = _within_watchdog(lambda: CliRunner().invoke(app, ["--replay", str(FIXTURE), "-f", "json", "-o", str(fifo)]))
        if result.exit_code != 2:
            break
        threading.Event().wait(0.05)
    reader.join(WATCHDOG_SECONDS)
    assert result.exit_code in (1, 4), result.stderr
    assert json.loads(received[0])["deploymentFailed"] is True


@NEEDS_DEVICES
@pytest.mark.parametrize("option", ["--replay", "--catalog", "--agent-log"])
def test_a_device_given_as_input_is_refused(option: str) -> None:
    args = [option, "/dev/zero"] if option == "--replay" else ["--replay", str(FIXTURE), option, "/dev/zero"]
    line = _within_watchdog(lambda: _one_error_line(CliRunner().invoke(app, args)))
    assert "/dev/zero: it is a device, not a regular file" in line, line


def test_a_read_is_bounded_whatever_the_file_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.log"
    path.write_bytes(b"x" * 5000)
    with pytest.raises(BadInputError, match="larger than the 4999 byte limit"):
        read_bounded(path, limit=4999, what="snapshot")
    # A file that says it is small but is not (it grew, or lies): the tail read still stops at the limit.
    real_fstat = os.fstat
    monkeypatch.setattr(files.os, "fstat", lambda fd: os.stat_result((*real_fstat(fd)[:6], 10, *real_fstat(fd)[7:])))
    data, cut = read_tail(path, limit=1000, what="agent log")
    assert len(data) == 1000 and cut is False


def test_an_agent_log_keeps_its_end(tmp_path: Path) -> None:
    path = tmp_path / "agent.log"
    path.write_bytes(b"old line\n" * 1000 + b"the last line\n")
    data, cut = read_tail(path, limit=100, what="agent log")
    assert cut and data.endswith(b"the last line\n") and len(data) == 100


def test_stdin_is_read_only_where_it_is_allowed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    class _Stdin:
        buffer = __import__("io").BytesIO(b'{"a": 1}')

        def isatty(self) -> bool:
            return False

    monkeypatch.setattr(sys, "stdin", _Stdin())
    assert read_bounded(Path("-"), limit=100, what="snapshot", stdin_ok=True) == b'{"a": 1}'
    monkeypatch.chdir(tmp_path)
    with pytest.raises(BadInputError, match="No such file"):
        read_bounded(Path("-"), limit=100, what="catalog file")


# --- atomic writes ---------------------------------------------------------------------------


@pytest.mark.parametrize("option", ["-o", "--record"])
def test_a_failed_write_leaves_the_previous_file_intact(option: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "previous.out"
    target.write_text("the previous file\n", encoding="utf-8")

    def disk_full(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", disk_full)
    result = CliRunner().invoke(app, ["--replay", str(FIXTURE), option, str(target)])
    if option == "-o":
        assert "cannot write the report to" in _one_error_line(result)
    else:
        assert "the snapshot was not recorded: cannot write snapshot" in result.stdout, result.stdout
    assert target.read_text(encoding="utf-8") == "the previous file\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["previous.out"], "a temporary file was left behind"


def test_a_write_replaces_the_file_at_once_and_keeps_its_mode_and_links(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    link = tmp_path / "latest.txt"
    link.symlink_to(target)
    write_atomically(link, "new \ud800 text", what="the report to")
    assert link.is_symlink() and target.read_text(encoding="utf-8") == "new ? text"
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(path.name for path in tmp_path.iterdir()) == ["latest.txt", "report.txt"]


@NEEDS_DEVICES
def test_output_to_a_full_device_is_exit_2_for_a_file_and_for_stdout(tmp_path: Path) -> None:
    line = _one_error_line(CliRunner().invoke(app, ["--replay", str(FIXTURE), "-o", "/dev/full"]))
    assert "No space left on device" in line
    with open("/dev/full", "w", encoding="utf-8") as full:
        run = subprocess.run(
            [sys.executable, "-m", "codedeploy_doctor", "--replay", str(FIXTURE)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    assert run.returncode == 2, run.stderr
    assert run.stderr.splitlines() == ["cd-doctor: error: cannot write the report to standard output: No space left on device"], (
        run.stderr
    )


# --- option values -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["inf", "1e308", "nan", "-1", "604801"])
def test_a_timeout_no_clock_can_hold_is_exit_2_with_one_line(value: str) -> None:
    line = _one_error_line(CliRunner().invoke(app, ["d-A1B2C3D4E", "--timeout", value]))
    assert "--timeout must be a number of seconds from 0 to 604800" in line


def test_a_replay_has_a_deadline_too(monkeypatch: pytest.MonkeyPatch) -> None:
    from codedeploy_doctor import app as app_module

    real = app_module.diagnose

    def slow(*args: Any, **kwargs: Any) -> Any:
        threading.Event().wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(app_module, "diagnose", slow)
    line = _within_watchdog(lambda: _one_error_line(CliRunner().invoke(app, ["--replay", str(FIXTURE), "--timeout", "0.2"]), 3))
    assert "no diagnosis within --timeout 0.2s while diagnosing the snapshot" in line


def test_a_snapshot_is_replayed_from_standard_input() -> None:
    result = CliRunner().invoke(app, ["--replay", "-", "--format", "json"], input=FIXTURE.read_bytes())
    assert result.exit_code in (1, 4), result.stderr
    assert json.loads(result.stdout)["deploymentFailed"] is True
