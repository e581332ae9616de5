"""One diagnosis run: get a snapshot (live or replayed), diagnose it, render it, pick the exit code."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from codedeploy_doctor.catalog import load_catalog
from codedeploy_doctor.diagnosis import diagnose, exit_code_for
from codedeploy_doctor.errors import BadInputError
from codedeploy_doctor.ids import parse_deployment_id
from codedeploy_doctor.render import OutputFormat, RenderOptions, renderer_for
from codedeploy_doctor.safety import TextPolicy, redact
from codedeploy_doctor.snapshot import Snapshot, dump_snapshot, load_snapshot

MAX_AGENT_LOG_BYTES = 64 * 1024 * 1024
"""An --agent-log file larger than this is read from its end only."""

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
    catalog_file: Path | None
    """--catalog."""
    color: bool
    """Colour the text report."""
    redact: bool
    """Mask secrets (not --no-redact)."""
    width: int = 100
    """Columns of the text report (the terminal's width on a terminal)."""


def run_diagnosis(request: DiagnoseRequest) -> int:
    """Run one diagnosis and write its report; return the exit code."""
    from codedeploy_doctor.cli import write_output

    snapshot = obtain_snapshot(request)
    if request.agent_logs:
        snapshot = dataclasses.replace(snapshot, extra_logs=(*snapshot.extra_logs, *read_agent_logs(request.agent_logs)))
    if request.record is not None:
        write_snapshot(snapshot, request.record, redact_secrets=request.redact)
    catalog = load_catalog(request.catalog_file)
    report = diagnose(snapshot, catalog)
    options = RenderOptions(color=request.color, width=request.width, policy=TextPolicy(redact_secrets=request.redact))
    write_output(renderer_for(request.output_format)(report, options), request.output)
    return int(exit_code_for(report))


def obtain_snapshot(request: DiagnoseRequest) -> Snapshot:
    """Replay a file, or collect the deployment live."""
    if request.replay is not None:
        if request.deployment_id is not None:
            raise BadInputError("give either a deployment id or --replay FILE, not both")
        if request.log_group:
            raise BadInputError("--log-group reads AWS, --replay reads a file: use one of them")
        return load_snapshot(request.replay)
    if request.deployment_id is None:
        raise BadInputError("missing deployment id", tip="run 'cd-doctor d-A1B2C3D4E' or 'cd-doctor --replay FILE'")
    try:
        deployment_id = parse_deployment_id(request.deployment_id.strip())
    except ValueError as exc:
        raise BadInputError(str(exc)) from exc
    from codedeploy_doctor.aws.live import collect_live
    from codedeploy_doctor.progress import progress

    with progress(f"collecting {deployment_id}"):
        return collect_live(
            deployment_id,
            region=request.region,
            profile=request.profile,
            log_group=str(request.log_group) if request.log_group else None,
        )


def read_agent_logs(paths: tuple[Path, ...]) -> list[dict[str, object]]:
    """Read the last lines of each --agent-log file as an extra log source."""
    logs: list[dict[str, object]] = []
    for path in paths:
        try:
            with path.open("rb") as handle:
                handle.seek(0, 2)
                size = handle.tell()
                handle.seek(max(0, size - MAX_AGENT_LOG_BYTES))
                data = handle.read()
        except OSError as exc:
            raise BadInputError(f"cannot read agent log {path}: {exc.strerror or exc}") from exc
        lines = data.decode("utf-8", errors="replace").splitlines()[-AGENT_LOG_LINES:]
        logs.append({"source": f"agent-log:{path.name}", "lines": lines})
    return logs


def write_snapshot(snapshot: Snapshot, path: Path, *, redact_secrets: bool) -> None:
    """Write a snapshot file (secrets masked unless --no-redact)."""
    text = dump_snapshot(snapshot)
    if redact_secrets:
        text = dump_snapshot(_redacted(snapshot))
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BadInputError(f"cannot write snapshot {path}: {exc.strerror or exc}") from exc


def _redacted(snapshot: Snapshot) -> Snapshot:
    from codedeploy_doctor.snapshot import snapshot_from_json

    def walk(value: object) -> object:
        if isinstance(value, str):
            return redact(value)
        if isinstance(value, dict):
            return {key: walk(item) for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item) for item in value]
        return value

    return snapshot_from_json(walk(snapshot.to_json()))
