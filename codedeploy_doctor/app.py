"""One diagnosis run: get a snapshot (live or replayed), diagnose it, render it, pick the exit code."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codedeploy_doctor.catalog import load_catalog
from codedeploy_doctor.deadline import MAX_SECONDS, run_within, start_deadline
from codedeploy_doctor.deployment_ref import parse_deployment_ref
from codedeploy_doctor.diagnosis import diagnose, exit_code_for
from codedeploy_doctor.errors import BadInputError
from codedeploy_doctor.files import read_tail, write_atomically, write_output
from codedeploy_doctor.ids import DeploymentId
from codedeploy_doctor.render import OutputFormat, RenderOptions, ci_summary, quiet, renderer_for
from codedeploy_doctor.report import ReplayInfo
from codedeploy_doctor.sanitize import TextPolicy
from codedeploy_doctor.snapshot import Snapshot, dump_snapshot, load_snapshot, with_private_keys_masked
from codedeploy_doctor.timefmt import format_time, parse_time

if TYPE_CHECKING:
    from codedeploy_doctor.aws.clients import ClientFactory

MAX_AGENT_LOG_BYTES = 64 * 1024 * 1024
"""An --agent-log file larger than this is read from its end only."""

STDIN = Path("-")
"""``--replay -``: the snapshot comes on stdin."""

AGENT_LOG_LINES = 2000
"""Lines kept from the end of each --agent-log file."""


@dataclass(frozen=True)
class DiagnoseRequest:
    """Everything the main command was asked to do."""

    deployment_id: str | None
    """The id typed by the user (validated before any call)."""
    region: str | None
    """--region."""
    profile: str | None
    """--profile."""
    output_format: OutputFormat
    """--format."""
    output: Path | None
    """--output."""
    record: Path | None
    """--record."""
    replay: Path | None
    """--replay."""
    agent_logs: tuple[Path, ...]
    """--agent-log files."""
    log_group: str | None
    """--log-group: CloudWatch Logs group with the agent's logs."""
    catalog_file: Path | tuple[Path, ...] | None
    """--catalog files (repeatable; later files win on the same id)."""
    color: bool
    """Colour the text report."""
    redact: bool
    """Mask secrets (not --no-redact)."""
    width: int = 100
    """Columns of the text report (the terminal's width on a terminal)."""
    no_color: bool = False
    """--no-color: no colour on stderr either (progress, --watch view)."""
    watch: bool = False
    """--watch: wait for a running deployment to end, showing progress on stderr, then diagnose it."""
    timeout: float | None = None
    """--timeout: seconds a live run may take before exit 3; with --watch, the wait and then the collection (None: no limit)."""
    latest: bool = False
    """--latest: diagnose the most recent deployment of --application/--deployment-group."""
    application: str | None = None
    """--application (with --latest)."""
    deployment_group: str | None = None
    """--deployment-group (with --latest)."""
    only_failed: bool = False
    """--only-failed (with --latest): the most recent failed or stopped deployment."""
    quiet: bool = False
    """-q/--quiet: one line (verdict, first failure, cause) instead of the report."""
    client_hooks: tuple[Callable[[str, Any], None], ...] = ()
    """Hooks for every AWS client made (the client seam's ``client_hooks``; tests attach fakes here)."""


def run_diagnosis(request: DiagnoseRequest) -> int:
    """Run one diagnosis and write its report; return the exit code."""
    # Everything the user gave is checked before any AWS call: a typo must not cost the diagnosis.
    check_distinct_files(request)
    catalog = load_catalog(request.catalog_file)
    agent_logs = read_agent_logs(request.agent_logs)
    for path, what in ((request.record, "snapshot"), (request.output, "report")):
        if path is not None:
            check_writable(path, what)
    notes: list[str] = []
    snapshot = obtain_snapshot(request, notes)
    if agent_logs:
        snapshot = dataclasses.replace(snapshot, extra_logs=(*snapshot.extra_logs, *agent_logs))
    if request.redact:
        # Private keys span lines: masked in whole texts here, before the diagnosis splits them.
        snapshot = with_private_keys_masked(snapshot)
    if request.record is not None:
        try:
            write_snapshot(snapshot, request.record, redact_secrets=request.redact)
        except BadInputError as error:
            notes.append(f"the snapshot was not recorded: {error.message}")
    # A replay gets the --timeout deadline too (a live run's deadline bounds its collection).
    replay_deadline = start_deadline(request.timeout) if request.replay is not None else None
    report = run_within(replay_deadline, lambda: diagnose(snapshot, catalog), doing="diagnosing the snapshot")
    if request.replay is not None:
        report = dataclasses.replace(report, replay=replay_info(snapshot))
    if notes:
        report = dataclasses.replace(report, warnings=(*report.warnings, *notes))
    options = RenderOptions(color=request.color, width=request.width, policy=TextPolicy(redact_secrets=request.redact))
    render = quiet.render if request.quiet else renderer_for(request.output_format)
    text = render(report, options)
    if request.output is None and ci_summary.on_github_actions(os.environ):
        text = ci_summary.guard_workflow_commands(text, request.output_format)
    write_output(text, request.output)
    ci_summary.publish(report, options, environ=os.environ, stderr=sys.stderr)
    return int(exit_code_for(report))


def obtain_snapshot(request: DiagnoseRequest, notes: list[str] | None = None) -> Snapshot:
    """Replay a file, or collect the deployment live (found with --latest, awaited with --watch).

    ``notes`` receives warnings for the report (a --watch that timed out).
    """
    check_live_options(request)
    if request.replay is not None:
        if request.deployment_id is not None:
            raise BadInputError("give either a deployment id or --replay FILE, not both")
        if request.log_group:
            raise BadInputError("--log-group reads AWS, --replay reads a file: use one of them")
        return load_snapshot_from_stdin() if request.replay == STDIN else load_snapshot(request.replay)
    if request.deployment_id is None and not request.latest:
        raise BadInputError("missing deployment id", tip="run 'cd-doctor d-A1B2C3D4E' or 'cd-doctor --replay FILE'")
    deployment_id = None
    if request.deployment_id is not None:
        try:
            ref = parse_deployment_ref(request.deployment_id)
        except ValueError as exc:
            raise BadInputError(str(exc)) from exc
        deployment_id = ref.deployment_id
        if request.region is None and ref.region is not None:
            # An ARN or console URL names the Region: it is the default for --region.
            request = dataclasses.replace(request, region=ref.region)
    from codedeploy_doctor.aws.live import collect_live, make_factory
    from codedeploy_doctor.render.progress import progress

    # --timeout bounds the whole live run; with --watch it bounds the wait, and the collection after it.
    deadline = None if request.watch else start_deadline(request.timeout)
    factory = make_factory(region=request.region, profile=request.profile, client_hooks=request.client_hooks, deadline=deadline)
    if deployment_id is None:
        deployment_id = run_within(deadline, lambda: latest_deployment_id(factory, request), doing="finding the deployment")
    if request.watch:
        from codedeploy_doctor.aws.deployment_progress import DeploymentProgressSource
        from codedeploy_doctor.render.watch_view import describe_end, watch_deployment

        policy = TextPolicy(redact_secrets=request.redact)
        result = watch_deployment(
            DeploymentProgressSource(factory, deployment_id), timeout=request.timeout, policy=policy, no_color=request.no_color
        )
        if result.timed_out and notes is not None:
            notes.append(describe_end(result))
        deadline = factory.deadline = start_deadline(request.timeout)
    target = deployment_id
    with progress(f"collecting {target}", no_color=request.no_color):
        return run_within(
            deadline,
            lambda: collect_live(
                target,
                region=request.region,
                profile=request.profile,
                log_group=str(request.log_group) if request.log_group else None,
                factory=factory,
            ),
            doing=f"collecting {target}",
        )


def check_live_options(request: DiagnoseRequest) -> None:
    """Refuse option combinations that make no sense (--latest with an id, --watch with --replay...)."""
    if request.latest:
        if request.deployment_id is not None or request.replay is not None:
            raise BadInputError("--latest finds the deployment itself: give no deployment id and no --replay")
        if not request.application or not request.deployment_group:
            raise BadInputError(
                "--latest needs --application and --deployment-group",
                tip="cd-doctor --latest --application APP --deployment-group GROUP",
            )
    else:
        for flag, given in (
            ("--application", request.application),
            ("--deployment-group", request.deployment_group),
            ("--only-failed", request.only_failed),
        ):
            if given:
                raise BadInputError(f"{flag} is only used with --latest")
    if request.quiet and request.output_format is not OutputFormat.TEXT:
        raise BadInputError(f"-q prints one line of text: it cannot be used with --format {request.output_format.value}")
    if request.watch and request.replay is not None:
        raise BadInputError("--watch follows a live deployment: it cannot be used with --replay")
    if request.timeout is not None and not 0 <= request.timeout <= MAX_SECONDS:  # NaN fails both
        raise BadInputError(f"--timeout must be a number of seconds from 0 to {MAX_SECONDS:g}")


def latest_deployment_id(factory: ClientFactory, request: DiagnoseRequest) -> DeploymentId:
    """Find the deployment --latest means, and say which one it is on stderr."""
    from codedeploy_doctor.aws.latest import find_latest

    latest = find_latest(factory, str(request.application), str(request.deployment_group), only_failed=request.only_failed)
    safe = TextPolicy(redact_secrets=request.redact)
    detail = ", ".join(safe(part) for part in (latest.status, latest.create_time and f"created {latest.create_time}") if part)
    group = f"{safe(request.application)}/{safe(request.deployment_group)}"
    sys.stderr.write(f"cd-doctor: latest deployment of {group}: {latest.deployment_id}")
    sys.stderr.write(f" ({detail})\n" if detail else "\n")
    return latest.deployment_id


def read_agent_logs(paths: tuple[Path, ...]) -> list[dict[str, object]]:
    """Read the last lines of each --agent-log file as an extra log source."""
    logs: list[dict[str, object]] = []
    for path in paths:
        data, _cut = read_tail(path, limit=MAX_AGENT_LOG_BYTES, what="agent log")
        lines = data.decode("utf-8", errors="replace").splitlines()[-AGENT_LOG_LINES:]
        logs.append({"source": f"agent-log:{path.name}", "lines": lines})
    return logs


def load_snapshot_from_stdin() -> Snapshot:
    """``--replay -``: read the snapshot from stdin, bounded like a file (``... | cd-doctor --replay -``)."""
    import tempfile

    from codedeploy_doctor.snapshot import MAX_SNAPSHOT_BYTES

    if sys.stdin is None or sys.stdin.isatty():
        raise BadInputError("--replay - reads the snapshot from stdin, but stdin is a terminal", tip="pipe a snapshot file in")
    raw = sys.stdin.buffer.read(MAX_SNAPSHOT_BYTES + 1)
    with tempfile.TemporaryDirectory(prefix="cd-doctor-") as folder:
        path = Path(folder) / "stdin.json"
        path.write_bytes(raw)
        try:
            return load_snapshot(path)
        except BadInputError as error:
            raise BadInputError(error.message.replace(str(path), "stdin"), tip=error.tip) from None


def replay_info(snapshot: Snapshot, now: dt.datetime | None = None) -> ReplayInfo:
    """When the replayed snapshot was recorded and how old it is now."""
    recorded = parse_time(snapshot.recorded_at)
    if recorded is None:
        return ReplayInfo(recorded_at=None, age_seconds=None)
    moment = now or dt.datetime.now(dt.timezone.utc)
    return ReplayInfo(recorded_at=format_time(snapshot.recorded_at), age_seconds=max(0.0, (moment - recorded).total_seconds()))


def same_file(first: Path, second: Path) -> bool:
    """Tell whether two paths name one file: the same resolved path, or (existing) a hard or symbolic link to it."""
    try:
        if first.resolve() == second.resolve():
            return True
    except OSError:
        pass
    try:
        return first.exists() and second.exists() and os.path.samefile(first, second)
    except OSError:
        return False


def check_distinct_files(request: DiagnoseRequest) -> None:
    """Refuse a report written over the snapshot being read or recorded: that would destroy the evidence."""
    if request.output is None:
        return
    for path, what in ((request.record, "--record"), (request.replay, "--replay")):
        if path is not None and path != STDIN and same_file(request.output, path):
            raise BadInputError(
                f"--output and {what} name the same file ({path}): the report would overwrite the snapshot",
                tip="write the report to another file",
            )


def check_writable(path: Path, what: str) -> None:
    """Refuse an output path that cannot be written, before anything is collected."""
    if path.is_dir():
        raise BadInputError(f"cannot write the {what} to {path}: it is a folder")
    folder = path.parent
    if not folder.is_dir():
        raise BadInputError(f"cannot write the {what} to {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise BadInputError(f"cannot write the {what} to {path}: permission denied")


def write_snapshot(snapshot: Snapshot, path: Path, *, redact_secrets: bool) -> None:
    """Write a snapshot file (secrets masked unless --no-redact)."""
    write_atomically(path, dump_snapshot(_redacted(snapshot) if redact_secrets else snapshot), what="snapshot")


def _redacted(snapshot: Snapshot) -> Snapshot:
    from codedeploy_doctor.sanitize import redact_tree
    from codedeploy_doctor.snapshot import snapshot_from_json

    return snapshot_from_json(redact_tree(snapshot.to_json()))
