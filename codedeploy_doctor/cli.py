"""The command line: parse, run, render, and turn every error into an exit code in one place.

boto3 is imported only on the live path, so ``--help``, ``--version``, ``--replay`` and the
catalog commands start fast.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn, Optional

import typer
from typer.core import TyperGroup

from codedeploy_doctor import TOOL_NAME, __version__, cli_coercion
from codedeploy_doctor.errors import BadInputError, DoctorError, ExitCode
from codedeploy_doctor.files import write_output
from codedeploy_doctor.render import OutputFormat

MAIN_HELP = f"""Why did this AWS CodeDeploy deployment fail, and is production still safe?

Usage: {TOOL_NAME} DEPLOYMENT_ID [OPTIONS]   (or: {TOOL_NAME} --replay FILE)

Examples:

  {TOOL_NAME} d-A1B2C3D4E

  {TOOL_NAME} d-A1B2C3D4E --region eu-west-1 --format json --output report.json

  {TOOL_NAME} d-A1B2C3D4E --record incident.json

  {TOOL_NAME} --replay fixtures/server-bluegreen-validateservice-green.json
      (a bundled example: the file is in the repository's fixtures/ folder)

Exit codes: 0 not failed, 1 failed but Blue confirmed serving all production (or no Blue),
2 bad input, 3 could not diagnose, 4 failed and production not confirmed safe (page).

Run '{TOOL_NAME} diagnose --help' for every option of the main command.
"""

DIAGNOSE_HELP = f"""Diagnose a deployment (the default command: '{TOOL_NAME} d-XXXXXXXXX').

Examples:

\b
  {TOOL_NAME} d-A1B2C3D4E --region eu-west-1
  {TOOL_NAME} d-A1B2C3D4E --format markdown --output incident.md
  {TOOL_NAME} d-A1B2C3D4E --record incident.json      # attach it to the ticket
  {TOOL_NAME} --replay incident.json                  # a colleague replays it, offline
  {TOOL_NAME} d-A1B2C3D4E --watch --timeout 1800      # wait for a running deployment
  {TOOL_NAME} --latest --application shop-web --deployment-group prod --only-failed

--watch gives up with exit 3 after 5 failed polls in a row (network, throttling).

Exit codes: 0 not failed, 1 failed but Blue confirmed serving all production (or no Blue),
2 bad input, 3 could not diagnose, 4 failed and production not confirmed safe (page).
"""

CAUSES_HELP = f"""List the known causes in the catalog.

Examples:

\b
  {TOOL_NAME} causes
  {TOOL_NAME} causes --json
  {TOOL_NAME} causes --catalog team-causes.json
"""

EXPLAIN_HELP = f"""Explain one known cause: why it happens and how to fix it.

Examples:

\b
  {TOOL_NAME} explain script-failed-unrecognized
  {TOOL_NAME} explain our-cause --catalog team-causes.json
"""

LINT_HELP = f"""Check a revision bundle before it is deployed: its AppSpec file, hook scripts and files.

PATH is a bundle directory, a .zip, .tar or .tgz, or an appspec.yml alone. Offline: no AWS call.

Examples:

\b
  {TOOL_NAME} lint build/app.zip
  {TOOL_NAME} lint . --format json

Exit codes: 0 no findings, 1 findings, 2 bad input (PATH is not a bundle). See docs/lint.md.
"""

SCHEMA_HELP = f"""Print the JSON Schema of the --format json report.

Examples:

\b
  {TOOL_NAME} schema > cd-doctor-report.schema.json
  {TOOL_NAME} d-A1B2C3D4E -f json | check-jsonschema --schemafile cd-doctor-report.schema.json -
"""


STDOUT = Path("-")
"""``-o -``: the report goes to stdout."""


class DefaultCommandGroup(TyperGroup):
    """A group whose first argument is a deployment id unless it names a sub-command."""

    default_command = "diagnose"

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # click.Context (typer vendors click)
        """Route ``cd-doctor d-XXXX ...`` and ``cd-doctor --replay F`` to the default command.

        A first word that is no deployment id but close to a sub-command's name (``cause``) is a
        typo, not an id: the error says which command was meant.
        """
        if args and args[0] not in self.commands and args[0] not in ROOT_OPTIONS:
            suggestion = did_you_mean(args[0], list(self.commands))
            if suggestion is not None:
                raise BadInputError(f"no command {args[0]!r}; did you mean '{TOOL_NAME} {suggestion}'?")
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


ROOT_OPTIONS = ("--help", "-h", "--version", "-V", "--install-completion", "--show-completion")
"""Options of cd-doctor itself (not of the default command)."""


def did_you_mean(word: str, commands: Sequence[str]) -> str | None:
    """The sub-command a mistyped first word probably meant; None for anything id-like or option-like."""
    import difflib

    if word.startswith("-") or re.fullmatch(r"d-\w*", word) or not re.fullmatch(r"[a-z][a-z-]*", word):
        return None
    matches = difflib.get_close_matches(word, commands, n=1, cutoff=0.6)
    return matches[0] if matches else None


def env_catalog(catalog_files: Sequence[Path] | None) -> tuple[Path, ...]:
    """The --catalog files, else the team catalog named by ``CD_DOCTOR_CATALOG`` (unset or empty: none)."""
    if catalog_files:
        return tuple(catalog_files)
    named = os.environ.get("CD_DOCTOR_CATALOG", "").strip()
    return (Path(named),) if named else ()


cli_coercion.install()  # plain option values without pydantic: codedeploy_doctor/cli_coercion.py

app = typer.Typer(
    cls=DefaultCommandGroup,
    help=MAIN_HELP,
    add_completion=True,
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
    say_error(error)
    raise typer.Exit(int(error.exit_code))


def say_error(error: DoctorError) -> None:
    """Print the error's one line to stderr and, on GitHub Actions, its annotation."""
    typer.echo(f"{TOOL_NAME}: error: {error.one_line()}", err=True)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        from codedeploy_doctor.render.ci_summary import error_annotation

        typer.echo(error_annotation(error), err=True)


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
            import traceback

            traceback.print_exception(error)
        bug = DoctorError(f"internal error: {type(error).__name__}: {error}", tip="rerun with --debug and report it")
        typer.echo(f"{TOOL_NAME}: {bug.one_line()}", err=True)
        raise typer.Exit(int(ExitCode.CANNOT_DIAGNOSE)) from None
    raise typer.Exit(code)


def use_color(no_color: bool, stream: Any = None) -> bool:
    """Colour only on a terminal (or with FORCE_COLOR set, for ``less -R``), never with NO_COLOR set or --no-color."""
    stream = stream or sys.stdout
    if no_color or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "") not in ("", "0", "false"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def terminal_width() -> int:
    """The terminal's width when stdout is one, else 100 columns (files and pipes)."""
    if sys.stdout.isatty():
        import shutil

        return max(60, shutil.get_terminal_size((100, 24)).columns)
    return 100


@app.command("diagnose", help=DIAGNOSE_HELP, short_help="Diagnose a deployment (the default command).")
def diagnose_command(
    deployment_id: Annotated[
        Optional[str],
        typer.Argument(
            metavar="DEPLOYMENT_ID",
            help="Deployment id, e.g. d-A1B2C3D4E (or its CodeDeploy console URL or ARN: the Region comes with it).",
            show_default=False,
        ),
    ] = None,
    region: Annotated[
        Optional[str], typer.Option(metavar="REGION", help="AWS Region (default: AWS_REGION / the profile's).")
    ] = None,
    profile: Annotated[Optional[str], typer.Option(metavar="PROFILE", help="AWS profile (default: AWS_PROFILE).")] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", case_sensitive=False, help="Report format (any case).")
    ] = OutputFormat.TEXT,
    output: Annotated[
        Optional[Path],
        typer.Option("--output", "-o", metavar="FILE", help="Write the report to FILE ('-': stdout, the default)."),
    ] = None,
    record: Annotated[
        Optional[Path], typer.Option(metavar="FILE", help="Also save what was collected as a snapshot FILE (redacted).")
    ] = None,
    replay: Annotated[
        Optional[Path],
        typer.Option(metavar="FILE", help="Diagnose a snapshot FILE offline, no AWS calls ('-': stdin)."),
    ] = None,
    agent_log: Annotated[
        Optional[list[Path]],
        typer.Option("--agent-log", metavar="FILE", help="An agent or deployments log copied from an instance (repeatable)."),
    ] = None,
    log_group: Annotated[
        Optional[str],
        typer.Option(
            "--log-group", metavar="NAME", help="CloudWatch Logs group with the agent's logs (streams named after the instance)."
        ),
    ] = None,
    catalog_file: Annotated[
        Optional[list[Path]],
        typer.Option(
            "--catalog",
            metavar="FILE",
            help="A catalog FILE of your own causes; they win. Repeatable (default: CD_DOCTOR_CATALOG).",
        ),
    ] = None,
    watch: Annotated[
        bool, typer.Option("--watch", help="Follow a running deployment (progress on stderr), then diagnose it when it ends.")
    ] = False,
    timeout: Annotated[
        Optional[float],
        typer.Option(
            "--timeout",
            metavar="SECONDS",
            help="Give up a live run after SECONDS (exit 3). With --watch: wait at most SECONDS, then diagnose.",
        ),
    ] = None,
    latest: Annotated[
        bool, typer.Option("--latest", help="Diagnose the most recent deployment of --application/--deployment-group.")
    ] = False,
    application: Annotated[
        Optional[str], typer.Option("--application", metavar="NAME", help="Application name (with --latest).")
    ] = None,
    deployment_group: Annotated[
        Optional[str], typer.Option("--deployment-group", metavar="NAME", help="Deployment group name (with --latest).")
    ] = None,
    only_failed: Annotated[
        bool, typer.Option("--only-failed", help="With --latest: the most recent failed or stopped one.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="One line instead of the report: verdict, first failure, cause.")
    ] = False,
    no_color: Annotated[
        bool, typer.Option("--no-color", help="No colour (also when NO_COLOR is set; FORCE_COLOR forces it).")
    ] = False,
    no_redact: Annotated[bool, typer.Option("--no-redact", help="Do not mask secrets in the report and snapshot.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
) -> None:
    """Diagnose a deployment."""
    from codedeploy_doctor.app import DiagnoseRequest, run_diagnosis

    if output == STDOUT:
        output = None  # -o -: stdout, as with no -o

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
        catalog_file=env_catalog(catalog_file),
        color=use_color(no_color) if output is None else False,
        no_color=no_color,
        redact=not no_redact,
        width=terminal_width() if output is None else 100,
        watch=watch,
        timeout=timeout,
        latest=latest,
        application=application,
        deployment_group=deployment_group,
        only_failed=only_failed,
        quiet=quiet,
    )
    run_safely(lambda: run_diagnosis(request), debug=debug)


@app.command("causes", help=CAUSES_HELP, short_help="List the known causes in the catalog.")
def causes_command(
    catalog_file: Annotated[
        Optional[list[Path]], typer.Option("--catalog", metavar="FILE", help="Add a catalog FILE of your own (repeatable).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the known causes."""
    from codedeploy_doctor.catalog import format_cause_list, load_catalog

    def body() -> int:
        catalog = load_catalog(env_catalog(catalog_file))
        rows = format_cause_list(catalog)
        if as_json:
            write_output(json.dumps([{"id": cid, "title": title} for cid, title in rows], indent=2) + "\n", None)
        else:
            width = max(len(cid) for cid, _ in rows)
            write_output("".join(f"{cid:<{width}}  {title}\n" for cid, title in rows), None)
        return 0

    run_safely(body, debug=False)


@app.command("explain", help=EXPLAIN_HELP, short_help="Explain one known cause: why it happens and how to fix it.")
def explain_command(
    cause_id: Annotated[str, typer.Argument(metavar="CAUSE_ID", help="A cause id from 'cd-doctor causes'.", show_default=False)],
    catalog_file: Annotated[
        Optional[list[Path]], typer.Option("--catalog", metavar="FILE", help="Add a catalog FILE of your own (repeatable).")
    ] = None,
) -> None:
    """Explain one cause."""
    from codedeploy_doctor.catalog import load_catalog
    from codedeploy_doctor.catalog.docs import render_record_text

    def body() -> int:
        catalog = load_catalog(env_catalog(catalog_file))
        record = catalog.get(cause_id)
        if record is None:
            from codedeploy_doctor.traffic import rule_by_id
            from codedeploy_doctor.traffic.docs import render_rule_text

            rule = rule_by_id(cause_id)
            if rule is not None:  # a verdict rule (blueTraffic.rule; docs/verdicts.md)
                write_output(render_rule_text(rule), None)
                return 0
            raise BadInputError(f"no cause with id {cause_id!r}", tip=f"list them with '{TOOL_NAME} causes'")
        write_output(render_record_text(record), None)
        return 0

    run_safely(body, debug=False)


@app.command("lint", help=LINT_HELP, short_help="Check a revision bundle (directory, zip, tar, appspec.yml) offline.")
def lint_command(
    path: Annotated[Path, typer.Argument(help="Bundle directory, .zip, .tar, .tgz or AppSpec file.", show_default=False)],
    output_format: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """Lint a bundle."""
    from codedeploy_doctor.lint import lint_path, render_json, render_text

    def body() -> int:
        if output_format not in ("text", "json"):
            raise BadInputError(f"--format must be text or json, not {output_format!r}")
        result = lint_path(path)
        write_output(render_json(result) if output_format == "json" else render_text(result), None)
        return result.exit_code

    run_safely(body, debug=False)


@app.command("schema", help=SCHEMA_HELP, short_help="Print the JSON Schema of the --format json report.")
def schema_command() -> None:
    """Print the report's JSON Schema."""
    from codedeploy_doctor.schema import report_schema

    write_output(json.dumps(report_schema(), indent=2) + "\n", None)


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point."""
    from codedeploy_doctor.deadline import reset_abandoned, work_abandoned

    reset_abandoned()
    try:
        sys.exit(_run_command_line(list(argv) if argv is not None else None))
    except SystemExit as done:
        if work_abandoned():
            # --timeout gave up on calls still in flight: exit now rather than wait for their sockets.
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(done.code if isinstance(done.code, int) else int(ExitCode.CANNOT_DIAGNOSE))
        raise


def _run_command_line(args: list[str] | None) -> int:
    """Run the click command; a usage error is one line on stderr and exit 2, like every other bad input."""
    import importlib

    try:  # typer ships its own copy of click in recent versions, and uses plain click before
        click_errors = importlib.import_module("typer._click.exceptions")
    except ImportError:  # pragma: no cover - depends on the installed typer
        click_errors = importlib.import_module("click.exceptions")

    command = typer.main.get_command(app)
    try:
        code = command.main(args=args, prog_name=TOOL_NAME, standalone_mode=False)
    except click_errors.NoArgsIsHelpError as shown:
        shown.show()  # the help text itself: not an error worth one line
        return int(shown.exit_code)
    except click_errors.ClickException as bad:
        context = getattr(bad, "ctx", None)
        path = context.command_path if context is not None else TOOL_NAME
        # The default sub-command is invisible to the user: name what they typed.
        path = TOOL_NAME if path == f"{TOOL_NAME} diagnose" else path
        # Every click error is about the command line (options, arguments, their values): bad input.
        error = BadInputError(f"{bad.format_message()} (see '{path} --help')")
        say_error(error)
        return int(error.exit_code)
    except DoctorError as error:  # raised while routing the arguments (a mistyped sub-command)
        say_error(error)
        return int(error.exit_code)
    except typer.Abort:
        sys.stderr.write(f"{TOOL_NAME}: interrupted\n")
        return 130
    return code if isinstance(code, int) else 0
