"""The command line: parse, run, render, and turn every error into an exit code in one place.

boto3 is imported only on the live path, so ``--help``, ``--version``, ``--replay`` and the
catalog commands start fast.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn, Optional

import typer
from typer.core import TyperGroup

from codedeploy_doctor import TOOL_NAME, __version__
from codedeploy_doctor.errors import BadInputError, DoctorError, ExitCode
from codedeploy_doctor.render import OutputFormat

MAIN_HELP = f"""Why did this AWS CodeDeploy deployment fail, and is production still safe?

Usage: {TOOL_NAME} DEPLOYMENT_ID [OPTIONS]   (or: {TOOL_NAME} --replay FILE)

Examples:

  {TOOL_NAME} d-A1B2C3D4E

  {TOOL_NAME} d-A1B2C3D4E --region eu-west-1 --format json --output report.json

  {TOOL_NAME} d-A1B2C3D4E --record incident.json

  {TOOL_NAME} --replay fixtures/server-bluegreen-validateservice-green.json

Exit codes: 0 not failed, 1 failed but Blue still serves (or no Blue), 2 bad input,
3 could not diagnose, 4 failed and Blue not confirmed serving.

Run '{TOOL_NAME} diagnose --help' for every option of the main command.
"""


class DefaultCommandGroup(TyperGroup):
    """A group whose first argument is a deployment id unless it names a sub-command."""

    default_command = "diagnose"

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # click.Context (typer vendors click)
        """Route ``cd-doctor d-XXXX ...`` and ``cd-doctor --replay F`` to the default command."""
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version", "-V"):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=DefaultCommandGroup,
    help=MAIN_HELP,
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"{TOOL_NAME} {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", "-V", help="Print the version and exit.", callback=_version_callback, is_eager=True)
    ] = False,
) -> None:
    """Root options."""


def fail(error: DoctorError, *, debug: bool = False) -> NoReturn:
    """Print one line to stderr and exit with the error's code: the only place errors become exit codes."""
    if debug:
        import traceback

        traceback.print_exception(error)
    typer.echo(f"{TOOL_NAME}: error: {error.one_line()}", err=True)
    raise typer.Exit(int(error.exit_code))


def run_safely(action: Callable[[], int], *, debug: bool) -> NoReturn:
    """Run a command body; typed errors, interrupts and bugs become one line and an exit code."""
    try:
        code = action()
    except DoctorError as error:
        fail(error, debug=debug)
    except KeyboardInterrupt:
        typer.echo(f"{TOOL_NAME}: interrupted", err=True)
        raise typer.Exit(130) from None
    except typer.Exit:
        raise
    except Exception as error:  # noqa: BLE001 - last line of defence: never a traceback without --debug
        if debug:
            raise
        typer.echo(
            f"{TOOL_NAME}: internal error: {type(error).__name__}: {error}. Tip: rerun with --debug and report it", err=True
        )
        raise typer.Exit(int(ExitCode.CANNOT_DIAGNOSE)) from None
    raise typer.Exit(code)


def use_color(no_color: bool, stream: Any = None) -> bool:
    """Colour only on a terminal, never with NO_COLOR set or --no-color."""
    stream = stream or sys.stdout
    if no_color or os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def terminal_width() -> int:
    """The terminal's width when stdout is one, else 100 columns (files and pipes)."""
    if sys.stdout.isatty():
        import shutil

        return max(60, shutil.get_terminal_size((100, 24)).columns)
    return 100


def write_output(text: str, output: Path | None) -> None:
    """Write the report to --output or stdout (stdout carries the report and nothing else)."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BadInputError(f"cannot write {output}: {exc.strerror or exc}") from exc


@app.command("diagnose", help="Diagnose a deployment (the default command: 'cd-doctor d-XXXXXXXXX').")
def diagnose_command(
    deployment_id: Annotated[Optional[str], typer.Argument(help="Deployment id, e.g. d-A1B2C3D4E.", show_default=False)] = None,
    region: Annotated[Optional[str], typer.Option(help="AWS Region (default: AWS_REGION / the profile's).")] = None,
    profile: Annotated[Optional[str], typer.Option(help="AWS profile (default: AWS_PROFILE).")] = None,
    output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Report format.")] = OutputFormat.TEXT,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the report to FILE instead of stdout.")] = None,
    record: Annotated[Optional[Path], typer.Option(help="Also save what was collected as a snapshot FILE (redacted).")] = None,
    replay: Annotated[
        Optional[Path], typer.Option(help="Diagnose a snapshot FILE offline: no AWS calls.", exists=False)
    ] = None,
    agent_log: Annotated[
        Optional[list[Path]], typer.Option("--agent-log", help="An agent or deployments log copied from an instance (repeatable).")
    ] = None,
    log_group: Annotated[
        Optional[str], typer.Option("--log-group", help="CloudWatch Logs group where the agent's logs are shipped (streams named after the instance).")
    ] = None,
    catalog_file: Annotated[Optional[Path], typer.Option("--catalog", help="A catalog FILE of your own causes; they win.")] = None,
    no_color: Annotated[bool, typer.Option("--no-color", help="No colour (also when NO_COLOR is set).")] = False,
    no_redact: Annotated[bool, typer.Option("--no-redact", help="Do not mask secrets in the report and snapshot.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
) -> None:
    """Diagnose a deployment."""
    from codedeploy_doctor.app import DiagnoseRequest, run_diagnosis

    request = DiagnoseRequest(
        deployment_id=deployment_id,
        region=region,
        profile=profile,
        output_format=output_format,
        output=output,
        record=record,
        replay=replay,
        agent_logs=tuple(agent_log or ()),
        log_group=log_group,
        catalog_file=catalog_file,
        color=use_color(no_color) if output is None else False,
        redact=not no_redact,
        width=terminal_width() if output is None else 100,
    )
    run_safely(lambda: run_diagnosis(request), debug=debug)


@app.command("causes", help="List the known causes in the catalog.")
def causes_command(
    catalog_file: Annotated[Optional[Path], typer.Option("--catalog", help="Add a catalog FILE of your own.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the known causes."""
    from codedeploy_doctor.catalog import format_cause_list, load_catalog

    def body() -> int:
        catalog = load_catalog(catalog_file)
        rows = format_cause_list(catalog)
        if as_json:
            write_output(json.dumps([{"id": cid, "title": title} for cid, title in rows], indent=2) + "\n", None)
        else:
            width = max(len(cid) for cid, _ in rows)
            write_output("".join(f"{cid:<{width}}  {title}\n" for cid, title in rows), None)
        return 0

    run_safely(body, debug=False)


@app.command("explain", help="Explain one known cause: why it happens and how to fix it.")
def explain_command(
    cause_id: Annotated[str, typer.Argument(help="A cause id from 'cd-doctor causes'.")],
    catalog_file: Annotated[Optional[Path], typer.Option("--catalog", help="Add a catalog FILE of your own.")] = None,
) -> None:
    """Explain one cause."""
    from codedeploy_doctor.catalog import load_catalog
    from codedeploy_doctor.catalog.docs import render_record_text

    def body() -> int:
        catalog = load_catalog(catalog_file)
        record = catalog.get(cause_id)
        if record is None:
            raise BadInputError(f"no cause with id {cause_id!r}", tip=f"list them with '{TOOL_NAME} causes'")
        write_output(render_record_text(record), None)
        return 0

    run_safely(body, debug=False)


@app.command("schema", help="Print the JSON Schema of the --format json report.")
def schema_command() -> None:
    """Print the report's JSON Schema."""
    from codedeploy_doctor.schema import report_schema

    write_output(json.dumps(report_schema(), indent=2) + "\n", None)


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point."""
    app(args=list(argv) if argv is not None else None, prog_name=TOOL_NAME)
