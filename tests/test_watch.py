"""--watch: polling with backoff until the end, the views on stderr, timeout and Ctrl-C.

No test sleeps: the poller takes its sleep function and clock as arguments, and the fake
CodeDeploy world changes the deployment between polls.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from codedeploy_doctor.app import DiagnoseRequest, run_diagnosis
from codedeploy_doctor.aws.collect import Collector
from codedeploy_doctor.aws.deployment_progress import DeploymentProgressSource
from codedeploy_doctor.diagnosis import diagnose
from codedeploy_doctor.errors import AwsUnavailableError, DeploymentNotFoundError
from codedeploy_doctor.ids import DeploymentId
from codedeploy_doctor.render import OutputFormat
from codedeploy_doctor.render.watch_view import LiveView, PlainView, describe_end, format_elapsed, make_view, watch_deployment
from codedeploy_doctor.sanitize import TextPolicy
from codedeploy_doctor.snapshot import JsonObject
from codedeploy_doctor.watch import MAX_FAILED_POLLS, Progress, TargetProgress, Watcher, progress_from
from tests.fakes.codedeploy_world import CodeDeployWorld, FakeAwsError
from tests.support import load_fixture_json, offline_factory

DEPLOYMENT = "d-H8D5WE3YU"
CREATED = dt.datetime(2026, 11, 28, 16, 20, 41, 209000, tzinfo=dt.timezone.utc)


class FakeTime:
    """A clock that only moves when the poller sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def wall(self) -> dt.datetime:
        return CREATED + dt.timedelta(seconds=self.now - 1000.0 + 60)


def deployment(status: str, **overview: int) -> JsonObject:
    return {"deploymentId": DEPLOYMENT, "status": status, "deploymentOverview": overview, "createTime": "2026-11-28T16:20:41Z"}


class ScriptedSource:
    """Answers polls from a list; the last answer repeats."""

    def __init__(self, answers: Sequence[JsonObject | BaseException]) -> None:
        self.answers = list(answers)
        self.polls = 0
        self.target_reads = 0

    def deployment(self) -> JsonObject:
        answer = self.answers[min(self.polls, len(self.answers) - 1)]
        self.polls += 1
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def active_targets(self) -> Sequence[JsonObject]:
        self.target_reads += 1
        return []


class RecordingView:
    follows_events = False

    def __init__(self) -> None:
        self.updates: list[Progress] = []
        self.notes: list[str] = []
        self.closed = False

    def __enter__(self) -> RecordingView:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.closed = True

    def update(self, progress: Progress) -> None:
        self.updates.append(progress)

    def note(self, message: str) -> None:
        self.notes.append(message)


# -- the poller ------------------------------------------------------------------------------


def test_polls_with_exponential_backoff_until_the_deployment_ends() -> None:
    running = deployment("InProgress", InProgress=1, Pending=1)
    source = ScriptedSource([running] * 6 + [deployment("Failed", Failed=1, Succeeded=1)])
    time = FakeTime()
    view = RecordingView()
    result = Watcher(source, view, sleep=time.sleep, clock=time.clock).run()
    assert time.sleeps == [2, 4, 8, 15, 15, 15]
    assert result.progress.status == "Failed" and not result.timed_out
    assert result.polls == 7 and result.waited == sum(time.sleeps)
    assert len(view.updates) == 7 and view.closed


@pytest.mark.parametrize("status", ["Succeeded", "Failed", "Stopped", "Ready"])
def test_terminal_statuses_end_the_wait_at_once(status: str) -> None:
    time = FakeTime()
    result = Watcher(ScriptedSource([deployment(status)]), RecordingView(), sleep=time.sleep, clock=time.clock).run()
    assert result.polls == 1 and time.sleeps == [] and not result.timed_out


def test_baking_is_not_the_end() -> None:
    time = FakeTime()
    source = ScriptedSource([deployment("Baking"), deployment("Baking"), deployment("Succeeded")])
    result = Watcher(source, RecordingView(), sleep=time.sleep, clock=time.clock).run()
    assert result.polls == 3 and result.progress.status == "Succeeded"


def test_timeout_bounds_the_wait_exactly() -> None:
    time = FakeTime()
    source = ScriptedSource([deployment("InProgress", InProgress=2)])
    result = Watcher(source, RecordingView(), timeout=20, sleep=time.sleep, clock=time.clock).run()
    assert result.timed_out and result.progress.status == "InProgress"
    assert time.sleeps == [2, 4, 8, 6] and result.waited == 20
    assert "still InProgress after waiting 20s (--timeout)" in describe_end(result)


def test_timeout_zero_polls_once() -> None:
    time = FakeTime()
    source = ScriptedSource([deployment("InProgress")])
    result = Watcher(source, RecordingView(), timeout=0, sleep=time.sleep, clock=time.clock).run()
    assert result.polls == 1 and result.timed_out and time.sleeps == []


def test_transient_errors_are_retried_and_shown() -> None:
    time = FakeTime()
    flaky = AwsUnavailableError("codedeploy:GetDeployment was throttled past all retries")
    view = RecordingView()
    source = ScriptedSource([flaky, deployment("Succeeded")])
    result = Watcher(source, view, sleep=time.sleep, clock=time.clock).run()
    assert result.progress.status == "Succeeded" and result.polls == 2
    assert view.notes == ["poll failed (1 in a row), retrying: codedeploy:GetDeployment was throttled past all retries"]


def test_an_unreachable_endpoint_gives_up_after_five_failed_polls_in_a_row() -> None:
    """Before the bound, --watch against an endpoint that never answers retried forever."""
    time = FakeTime()
    errors = [AwsUnavailableError(f"could not connect to the endpoint (attempt {n})") for n in range(1, 8)]
    view = RecordingView()
    source = ScriptedSource([*errors, deployment("Succeeded")])
    with pytest.raises(AwsUnavailableError, match=r"attempt 5\)"):
        Watcher(source, view, sleep=time.sleep, clock=time.clock).run()
    assert source.polls == MAX_FAILED_POLLS == 5 and view.closed


def test_a_good_poll_resets_the_count_of_failed_ones() -> None:
    time = FakeTime()
    flaky = AwsUnavailableError("throttled")
    running = deployment("InProgress", InProgress=1)
    source = ScriptedSource([flaky] * 4 + [running] + [flaky] * 4 + [deployment("Succeeded")])
    result = Watcher(source, RecordingView(), sleep=time.sleep, clock=time.clock).run()
    assert result.progress.status == "Succeeded" and result.polls == 10


def test_other_errors_stop_the_wait() -> None:
    time = FakeTime()
    view = RecordingView()
    source = ScriptedSource([DeploymentNotFoundError("deployment not found")])
    with pytest.raises(DeploymentNotFoundError):
        Watcher(source, view, sleep=time.sleep, clock=time.clock).run()
    assert source.polls == 1 and view.closed


def test_ctrl_c_closes_the_view_and_propagates() -> None:
    view = RecordingView()

    def interrupted(_: float) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Watcher(ScriptedSource([deployment("InProgress")]), view, sleep=interrupted).run()
    assert view.closed


def test_targets_are_read_only_when_counts_change_in_plain_mode() -> None:
    time = FakeTime()
    a = deployment("InProgress", InProgress=1, Pending=2)
    b = deployment("InProgress", InProgress=1, Pending=1, Succeeded=1)
    source = ScriptedSource([a, a, a, b, b, deployment("Succeeded", Succeeded=3)])
    Watcher(source, RecordingView(), sleep=time.sleep, clock=time.clock).run()
    assert source.target_reads == 2


# -- progress and views ----------------------------------------------------------------------


def test_progress_names_the_event_each_target_is_in() -> None:
    data = load_fixture_json("server-inprogress")
    progress = progress_from(data["deployment"], data["targets"])
    events = {t.target_id: t.lifecycle_event for t in progress.targets}
    assert events == {
        "i-0e8c2a6f4b9d1e357": None,
        "i-03a9f7c1e5b8d2a46": "AfterInstall",
        "i-0d4b1e8a6c3f9b572": "ApplicationStop",
    }
    assert (progress.done, progress.total) == (1, 3)
    assert progress.counts() == [("Succeeded", 1), ("InProgress", 1), ("Pending", 1)]


def test_plain_view_prints_one_line_per_change() -> None:
    stream = io.StringIO()
    time = FakeTime()
    view = PlainView(stream, now=time.wall)
    active = (TargetProgress("i-1", "InProgress", "Install"),)
    first = Progress(DEPLOYMENT, "InProgress", {"InProgress": 1, "Pending": 1}, create_time=CREATED, targets=active)
    view.update(first)
    view.update(first)
    time.now += 75
    view.update(Progress(DEPLOYMENT, "Failed", {"Failed": 1, "Succeeded": 1}, create_time=CREATED))
    assert stream.getvalue().splitlines() == [
        f"[1m00s] {DEPLOYMENT} InProgress: 0/2 targets done (InProgress 1, Pending 1); now: i-1 Install",
        f"[2m15s] {DEPLOYMENT} Failed: 2/2 targets done (Succeeded 1, Failed 1)",
    ]


def test_views_never_interpret_untrusted_text() -> None:
    hostile = "[bold red]x[/bold red]\x1b[31m"
    progress = Progress(
        hostile, "InProgress", {"InProgress": 1}, application=hostile, targets=(TargetProgress(hostile, "InProgress", hostile),)
    )
    stream = io.StringIO()
    PlainView(stream).update(progress)
    assert "[bold red]x[/bold red]" in stream.getvalue() and "\x1b" not in stream.getvalue()
    console = Console(file=io.StringIO(), width=120, color_system=None, force_terminal=False)
    live = LiveView(console, auto_refresh=False)
    live.update(progress)
    with console.capture() as captured:
        console.print(live.renderable())
    text = captured.get()
    assert text.count("[bold red]x[/bold red]") == 4 and "\x1b" not in text


def test_live_view_shows_bar_counts_targets_and_elapsed() -> None:
    time = FakeTime()
    console = Console(file=io.StringIO(), width=100, color_system=None, force_terminal=True)
    view = LiveView(console, now=time.wall, auto_refresh=False)
    data = load_fixture_json("server-inprogress")
    with view:
        view.update(progress_from(data["deployment"], data["targets"]))
        with console.capture() as captured:
            console.print(view.renderable())
    text = captured.get()
    assert f"Watching {DEPLOYMENT}  payments-gateway / payments-gateway-prod  InProgress  1m00s" in text
    assert "1/3 targets done" in text and "Succeeded 1 · InProgress 1 · Pending 1" in text
    assert "i-03a9f7c1e5b8d2a46" in text and "AfterInstall" in text and "Ctrl-C" in text


def test_make_view_picks_plain_lines_when_not_a_terminal() -> None:
    assert isinstance(make_view(io.StringIO()), PlainView)


def test_format_elapsed() -> None:
    assert [format_elapsed(s) for s in (0, 45, 75, 3723)] == ["0s", "45s", "1m15s", "1h02m03s"]


# -- against the fake CodeDeploy world -------------------------------------------------------


def _advance(world: CodeDeployWorld, polls_before_end: int) -> Any:
    """A world hook: after ``polls_before_end`` GetDeployment calls, one target moves on, then it fails."""
    seen = {"polls": 0}
    fixture = load_fixture_json("server-inprogress")

    def fault(operation: str, params: dict[str, Any]) -> FakeAwsError | None:
        if operation != "GetDeployment" or params.get("deploymentId") != DEPLOYMENT:
            return None
        seen["polls"] += 1
        if seen["polls"] == polls_before_end:
            _set_state(world, fixture, failed=False)
        elif seen["polls"] == polls_before_end + 1:
            _set_state(world, fixture, failed=True)
        return None

    return fault


def _set_state(world: CodeDeployWorld, fixture: dict[str, Any], *, failed: bool) -> None:
    info = copy.deepcopy(fixture["deployment"])
    targets = {t["instanceTarget"]["targetId"]: copy.deepcopy(t) for t in fixture["targets"]}
    second = targets["i-03a9f7c1e5b8d2a46"]["instanceTarget"]
    second["status"] = "Succeeded"
    for event in second["lifecycleEvents"]:
        event["status"] = "Succeeded"
        event.setdefault("startTime", "2026-11-28T16:22:00Z")
        event.setdefault("endTime", "2026-11-28T16:22:30Z")
    third = targets["i-0d4b1e8a6c3f9b572"]["instanceTarget"]
    third["status"] = "Failed" if failed else "InProgress"
    for event in third["lifecycleEvents"]:
        if event["lifecycleEventName"] in ("ApplicationStop", "DownloadBundle", "BeforeInstall", "Install", "AfterInstall"):
            event.update(status="Succeeded", startTime="2026-11-28T16:23:00Z", endTime="2026-11-28T16:23:10Z")
        elif event["lifecycleEventName"] == "ApplicationStart":
            event.update(status="Failed" if failed else "InProgress", startTime="2026-11-28T16:23:11Z")
            if failed:
                event["endTime"] = "2026-11-28T16:24:11Z"
                event["diagnostics"] = {
                    "errorCode": "ScriptFailed",
                    "scriptName": "scripts/start.sh",
                    "message": "Script at specified location: scripts/start.sh failed with exit code 1",
                    "logTail": "[stderr]Error: listen EADDRINUSE: address already in use :::8080\n",
                }
    if failed:
        for event in third["lifecycleEvents"]:
            if event["lifecycleEventName"] == "ValidateService":
                event["status"] = "Skipped"
    info["deploymentOverview"] = {
        "Pending": 0,
        "InProgress": 0 if failed else 1,
        "Succeeded": 2,
        "Failed": 1 if failed else 0,
        "Skipped": 0,
        "Ready": 0,
    }
    if failed:
        info["status"] = "Failed"
        info["completeTime"] = "2026-11-28T16:24:12Z"
        info["errorInformation"] = {"code": "HEALTH_CONSTRAINTS", "message": "too many individual instances failed deployment"}
    world.deployments[DEPLOYMENT] = info
    world.targets[DEPLOYMENT] = targets


def test_watch_follows_the_world_then_the_diagnosis_sees_the_end() -> None:
    world = CodeDeployWorld.from_snapshots([load_fixture_json("server-inprogress")])
    world.faults.append(_advance(world, polls_before_end=3))
    factory = offline_factory(world.attach)
    stream = io.StringIO()
    time = FakeTime()
    result = watch_deployment(
        DeploymentProgressSource(factory, DeploymentId(DEPLOYMENT)),
        timeout=None,
        policy=TextPolicy(),
        stream=stream,
        sleep=time.sleep,
        clock=time.clock,
    )
    assert result.progress.status == "Failed" and result.polls == 4 and time.sleeps == [2, 4, 8]
    lines = stream.getvalue().splitlines()
    assert len(lines) == 4, lines  # 3 changes + the end line
    assert "now: i-03a9f7c1e5b8d2a46 AfterInstall" in lines[0]
    assert "now: i-0d4b1e8a6c3f9b572 ApplicationStart" in lines[1]
    assert lines[-1] == f"cd-doctor: {DEPLOYMENT} ended Failed: diagnosing"
    # Cheap: one GetDeployment a poll; targets read only when the counts changed (twice).
    assert world.calls["GetDeployment"] == 4
    assert world.calls["ListDeploymentTargets"] == 2 and world.calls["BatchGetDeploymentTargets"] == 2
    report = diagnose(Collector(factory).collect(DeploymentId(DEPLOYMENT)))
    assert report.first_failure is not None and report.first_failure.lifecycle_event == "ApplicationStart"


def test_progress_source_degrades_when_targets_cannot_be_read() -> None:
    world = CodeDeployWorld.from_snapshots([load_fixture_json("server-inprogress")])
    world.faults.append(lambda op, _: FakeAwsError("AccessDeniedException", "no") if op == "ListDeploymentTargets" else None)
    source = DeploymentProgressSource(offline_factory(world.attach), DeploymentId(DEPLOYMENT))
    assert source.active_targets() == []
    assert source.deployment()["status"] == "InProgress"


# -- through the app -------------------------------------------------------------------------


def _refuse_network(service: str, client: Any) -> None:
    def refuse(request: Any, **_: Any) -> None:
        raise AssertionError(f"network used: {request.url}")

    client.meta.events.register("before-send", refuse)


def request(world: CodeDeployWorld, **options: Any) -> DiagnoseRequest:
    base: dict[str, Any] = {
        "deployment_id": DEPLOYMENT,
        "region": "us-east-1",
        "profile": None,
        "output_format": OutputFormat.JSON,
        "output": None,
        "record": None,
        "replay": None,
        "agent_logs": (),
        "log_group": None,
        "catalog_file": None,
        "color": False,
        "redact": True,
        "watch": True,
        "client_hooks": (world.attach, _refuse_network),
    }
    base.update(options)
    return DiagnoseRequest(**base)


def test_watch_timeout_diagnoses_the_deployment_as_it_stands(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    world = CodeDeployWorld.from_snapshots([load_fixture_json("server-inprogress")])
    # The app sleeps for real: keep the budget small (the waits are capped to what is left of it).
    code = run_diagnosis(request(world, timeout=0.4))
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert code == 0 and report["deployment"]["status"] == "InProgress"
    # The waited seconds are rounded wall time: 0 s, or 1 s on a loaded machine.
    assert any(re.search(r"still InProgress after waiting [01]s \(--timeout\)", w) for w in report["warnings"])
    assert "still InProgress" in err


def test_watch_on_a_finished_deployment_diagnoses_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    world = CodeDeployWorld.from_snapshots([load_fixture_json("server-inplace-applicationstart-scriptfailed")])
    code = run_diagnosis(request(world, deployment_id="d-7XK2M9QPA"))
    out, err = capsys.readouterr()
    assert code == 4 and '"firstFailure": {' in out
    assert err.strip().splitlines()[-1] == "cd-doctor: d-7XK2M9QPA ended Failed: diagnosing"


def test_ctrl_c_while_watching_exits_130_with_one_line(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from codedeploy_doctor.cli import run_safely

    world = CodeDeployWorld.from_snapshots([load_fixture_json("server-inprogress")])

    def interrupt(operation: str, _: dict[str, Any]) -> FakeAwsError | None:
        raise KeyboardInterrupt

    world.faults.append(interrupt)
    import typer

    app = typer.Typer()

    @app.command()
    def main() -> None:
        run_safely(lambda: run_diagnosis(request(world)), debug=False)

    result = CliRunner().invoke(app, [])
    assert result.exit_code == 130
    assert result.stderr.strip().splitlines() == ["cd-doctor: interrupted"] and result.stdout == ""


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"replay": Path("x.json"), "deployment_id": None}, "--watch follows a live deployment"),
        ({"timeout": -1}, "--timeout must be a number of seconds from 0"),
    ],
)
def test_watch_usage_errors(options: dict[str, Any], message: str) -> None:
    from codedeploy_doctor.errors import BadInputError

    world = CodeDeployWorld()
    with pytest.raises(BadInputError, match=message):
        run_diagnosis(request(world, **options))
