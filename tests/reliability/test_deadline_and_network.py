"""The overall deadline (--timeout), real retries and real timeouts on real sockets.

No wall-clock assertion is tight: a deadline test only checks that the run ends well within a
generous bound, and counts attempts rather than timing them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import botocore.httpsession
import pytest

from codedeploy_doctor.aws.clients import ClientFactory
from codedeploy_doctor.aws.failures import translate
from codedeploy_doctor.deadline import Deadline, run_within, work_abandoned
from codedeploy_doctor.errors import AwsUnavailableError, DeadlineExceededError
from tests.fakes.wire import Attempt, WireFake, on, throttled
from tests.reliability.harness import Scenario, run_live
from tests.reliability.world import SnapshotAccount
from tests.support import REPO, load_fixture_json

REAL_SEND = botocore.httpsession.URLLib3Session.send
"""botocore's real HTTP send, captured before the test-wide network guard replaces it."""


def _factory(*hooks: Any, **options: Any) -> ClientFactory:
    import boto3

    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    return ClientFactory(session=session, client_hooks=hooks, **options)


# --- the deadline -----------------------------------------------------------------------------


def test_run_within_returns_the_value_or_the_error_of_quick_work() -> None:
    assert run_within(Deadline(30), lambda: 42) == 42
    assert run_within(None, lambda: 7) == 7
    with pytest.raises(KeyError):
        run_within(Deadline(30), lambda: {}["missing"])


def test_run_within_gives_up_on_stuck_work_at_the_deadline() -> None:
    release = threading.Event()
    started = time.monotonic()
    with pytest.raises(DeadlineExceededError) as caught:
        run_within(Deadline(0.2), lambda: release.wait(60), doing="collecting d-AAAAAAAAA")
    release.set()
    assert time.monotonic() - started < 30
    assert work_abandoned()
    assert caught.value.exit_code == 3
    assert caught.value.one_line().startswith("no diagnosis within --timeout 0.2s while collecting d-AAAAAAAAA. Tip: ")


def test_an_expired_deadline_stops_a_call_before_anything_is_sent() -> None:
    account = SnapshotAccount(load_fixture_json("server-succeeded"))
    fake = WireFake(account.handle)
    factory = _factory(fake.attach, deadline=Deadline(0))
    with pytest.raises(DeadlineExceededError):
        factory.client("codedeploy").get_deployment(deploymentId="d-2ZQ7PLM4X")
    assert sum(fake.sends.values()) == 0


def test_the_deadline_is_checked_before_every_retry_attempt() -> None:
    now = [0.0]

    def advance(attempt: Attempt) -> None:
        now[0] += 2.0  # every attempt "takes" two seconds of a five-second budget
        return None

    account = SnapshotAccount(load_fixture_json("server-succeeded"))
    fake = WireFake(account.handle, faults=[advance, throttled(on("codedeploy", "GetDeployment"))])  # type: ignore[list-item]
    factory = _factory(fake.attach, deadline=Deadline(5, clock=lambda: now[0]))
    with pytest.raises(DeadlineExceededError):
        factory.client("codedeploy").get_deployment(deploymentId="d-2ZQ7PLM4X")
    assert fake.sends["codedeploy:GetDeployment"] == 3, "attempts at t=0, 2 and 4; none at 6"


def test_clients_use_adaptive_retries_and_explicit_timeouts() -> None:
    client = _factory().client("elbv2")
    config = client.meta.config
    assert config.retries == {"mode": "adaptive", "total_max_attempts": 7}, "six retries after the first attempt"
    assert (config.connect_timeout, config.read_timeout) == (5.0, 20.0)
    assert "cd-doctor/" in config.user_agent_extra


def test_a_short_timeout_shortens_each_attempt_too() -> None:
    factory = _factory(deadline=Deadline(3))
    config = factory.client("codedeploy").meta.config
    assert config.read_timeout == 3 and config.connect_timeout == 3
    assert _factory().client("codedeploy").meta.config.read_timeout == 20


@pytest.mark.usefixtures("shared_session")
def test_timeout_on_a_live_run_is_exit_3_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    release = threading.Event()

    def stall(attempt: Attempt) -> None:
        if attempt.operation == "BatchGetDeploymentTargets":
            release.wait(60)
        return None

    scenario = Scenario("s", load_fixture_json("traffic-server-bg-rolled-back"))
    started = time.monotonic()
    try:
        outcome = run_live(scenario, capsys, faults=[stall], timeout=0.5)  # type: ignore[list-item]
    finally:
        release.set()
    assert time.monotonic() - started < 30
    assert outcome.code == 3
    assert outcome.stdout == ""
    assert outcome.stderr == (
        f"cd-doctor: error: no diagnosis within --timeout 0.5s while collecting {scenario.deployment_id}. "
        "Tip: AWS may be slow or throttling: retry with a larger --timeout, or --debug to see the calls\n"
    )


@pytest.mark.usefixtures("shared_session")
def test_a_timeout_that_is_not_reached_changes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    scenario = Scenario("s", load_fixture_json("traffic-server-bg-rolled-back"))
    assert run_live(scenario, capsys, timeout=120).report == run_live(scenario, capsys).report


# --- real sockets -----------------------------------------------------------------------------


@pytest.fixture
def real_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Undo the test-wide network guard: these tests talk to 127.0.0.1 only."""
    monkeypatch.setattr(botocore.httpsession.URLLib3Session, "send", REAL_SEND)


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A TCP server on 127.0.0.1 that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    server.close()


@pytest.mark.usefixtures("real_network")
def test_a_real_read_timeout_is_retried_then_explained(silent_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", silent_server)
    sends = []
    factory = _factory(
        lambda service, client: client.meta.events.register("before-send", lambda **kw: sends.append(1)),
        read_timeout=0.2,
        max_attempts=1,
    )
    with pytest.raises(Exception) as caught:
        factory.client("codedeploy").get_deployment(deploymentId="d-AAAAAAAAA")
    assert len(sends) == 2, "one attempt and one retry (max_attempts=1)"
    error = translate(caught.value, "codedeploy", "GetDeployment", region="us-east-1")
    assert isinstance(error, AwsUnavailableError)
    assert "codedeploy:GetDeployment timed out in us-east-1" in error.one_line()


@pytest.mark.usefixtures("real_network")
def test_a_refused_connection_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    factory = _factory(max_attempts=1, connect_timeout=1)
    with pytest.raises(Exception) as caught:
        factory.client("codedeploy").get_deployment(deploymentId="d-AAAAAAAAA")
    error = translate(caught.value, "codedeploy", "GetDeployment", region="us-east-1")
    assert "cannot reach the AWS endpoint for codedeploy in us-east-1" in error.one_line()


def test_the_cli_never_hangs_past_its_timeout(silent_server: str, tmp_path: Any) -> None:
    """A real process against an endpoint that never answers: exit 3 on time, with one line."""
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": silent_server,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "PYTHONPATH": str(REPO),
    }
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "codedeploy_doctor", "d-AAAAAAAAA", "--timeout", "1.5"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert time.monotonic() - started < 45
    assert done.returncode == 3, done.stderr
    assert done.stdout == ""
    assert done.stderr.strip().splitlines()[-1].startswith("cd-doctor: error: no diagnosis within --timeout 1.5s")
    assert "Traceback" not in done.stderr
