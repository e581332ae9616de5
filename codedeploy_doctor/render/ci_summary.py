"""GitHub Actions: the job summary, one annotation for the failure, and no workflow-command injection.

- ``GITHUB_STEP_SUMMARY`` set: the Markdown report is appended to that file (whatever
  ``--format`` is), so the diagnosis shows on the run's summary page.
- ``GITHUB_ACTIONS=true``: an ``::error`` annotation names the first failure and the likely
  cause (and a second one when production is not confirmed safe: exit code 4). Annotations go
  to **stderr**: the runner reads workflow commands from both stdout and stderr of a step
  (``actions/runner``: ``ScriptHandler`` hands both streams to an ``OutputManager`` that runs
  ``ActionCommandManager.TryProcessCommand`` on every line), and stdout carries the report only
  (README, "Output"). Data and properties are escaped as the runner unescapes them
  (``%``→``%25``, CR→``%0D``, LF→``%0A``; in properties also ``:``→``%3A`` and ``,``→``%2C``).
- The runner also treats any *report* line that starts with ``::`` (after leading spaces) or
  contains ``##[`` as a command. A log line can hold either, so on GitHub Actions the report on
  stdout is guarded (:func:`guard_workflow_commands`); the Markdown renderer never emits either.

Nothing here changes the exit code: a summary file that cannot be written is a warning.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import IO

from codedeploy_doctor import TOOL_NAME
from codedeploy_doctor.errors import DoctorError, ExitCode
from codedeploy_doctor.render import OutputFormat, RenderOptions
from codedeploy_doctor.render.mitigation import mitigation_commands
from codedeploy_doctor.render.verdict import report_verdict_words
from codedeploy_doctor.render.where import fitted
from codedeploy_doctor.report import Report, exit_code_for
from codedeploy_doctor.sanitize import TextPolicy

SUMMARY_LIMIT = 1024 * 1024
"""Bytes GitHub accepts in one step's summary; a longer report is replaced by a short note."""

ANNOTATION_LIMIT = 4000
"""Characters kept of an annotation message (GitHub shows a few lines of it)."""

_COMMAND_LINE = re.compile(r"^(\s*):(?=:)", re.M)


def on_github_actions(environ: Mapping[str, str]) -> bool:
    """Tell whether this runs inside a GitHub Actions job (the runner sets ``GITHUB_ACTIONS=true``)."""
    return environ.get("GITHUB_ACTIONS") == "true"


def escape_data(text: str) -> str:
    """Escape a workflow command's message as the runner unescapes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value (``title=...``) as the runner unescapes it."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(command: str, message: str, **properties: str) -> str:
    """One workflow command line, e.g. ``::error title=...::message``, every value escaped."""
    # The runner trims the property list, so surrounding whitespace of a value would be lost anyway.
    props = ",".join(f"{name}={escape_property(value.strip())}" for name, value in properties.items() if value.strip())
    return f"::{command}{' ' + props if props else ''}::{escape_data(message)}"


def guard_workflow_commands(text: str, output_format: OutputFormat) -> str:
    r"""Keep a report printed in a GitHub Actions log from being read as workflow commands.

    JSON: ``##[`` inside strings becomes ``#\u0023[`` (the same JSON value); no JSON line can
    start with ``::``. Text and Markdown: a line starting with ``::`` gets a space between the
    colons and ``##[`` becomes ``# #[``: visible, but nothing a hostile log line can use.
    """
    if output_format is OutputFormat.JSON:
        return text.replace("##[", "#\\u0023[")
    return _COMMAND_LINE.sub(r"\1: ", text).replace("##[", "# #[")


def failure_annotations(report: Report, policy: TextPolicy) -> list[str]:
    """Build the ``::error`` lines for a failed deployment (none when it did not fail)."""
    if not report.deployment_failed:
        return []
    safe = policy
    summary = report.deployment
    status = safe(summary.status or "Unknown")
    title = f"CodeDeploy {safe(summary.id)} {status}"
    failure = report.first_failure
    if failure:
        title += f": {safe(failure.lifecycle_event)} on {safe(failure.target_id)}"
        if failure.error_code:
            title += f" ({safe(failure.error_code)})"
    lines: list[str] = []
    if summary.error_code or summary.error_message:
        lines.append(": ".join(safe(part) for part in (summary.error_code, summary.error_message) if part))
    if failure:
        first = f"First failure: {safe(failure.target_id)}"
        if failure.target_label:
            first += f" ({safe(failure.target_label)})"
        first += f" {safe(failure.lifecycle_event)} {safe(failure.status)}"
        if failure.script_name:
            first += f" {safe(failure.script_name)}"
        if failure.message:
            first += f": {safe(failure.message)}"
        lines.append(first)
    if report.causes:
        cause = report.causes[0]
        lines.append(f"Likely cause: {safe(cause.title)} ({safe(cause.id)}, {cause.confidence} confidence)")
        if cause.fix:
            lines.append(f"Fix: {fitted(report, safe(cause.fix[0]))}")
    if report.key_line is not None:
        lines.append(f"The line that matters: {safe(report.key_line.text)}")
    traffic = report.blue_traffic
    lines.append(f"Production: {safe(report_verdict_words(report))}: {safe(traffic.summary)}")
    details = "Details: the job summary"
    if report.causes:
        details += f", or run '{TOOL_NAME} explain {safe(report.causes[0].id)}'"
    lines.append(details)
    message = "\n".join(lines)[:ANNOTATION_LIMIT]
    commands = [workflow_command("error", message, title=title)]
    if exit_code_for(report) == ExitCode.FAILED_BLUE_AT_RISK:
        commands.append(
            workflow_command(
                "error",
                "\n".join(
                    [
                        f"{safe(report_verdict_words(report))} ({traffic.basis}): {safe(traffic.summary)}",
                        *(
                            f"To put production back (copy, run yourself): {safe(command)}"
                            for command in mitigation_commands(report)
                        ),
                    ]
                ),
                title=f"Production not confirmed safe after {safe(summary.id)}",
            )
        )
    return commands


def error_annotation(error: DoctorError) -> str:
    """Build the ``::error`` line for a run that could not diagnose (exit 2 or 3)."""
    return workflow_command("error", TextPolicy()(error.one_line()), title=f"{TOOL_NAME} could not diagnose")


def append_step_summary(markdown: str, path: str) -> str | None:
    """Append the Markdown report to the job summary file; return a warning instead of raising."""
    data = markdown if markdown.endswith("\n") else markdown + "\n"
    try:
        used = os.path.getsize(path) if os.path.exists(path) else 0
        if used + len(data.encode("utf-8")) + 1 > SUMMARY_LIMIT:
            data = f"\n_{TOOL_NAME}: the report is too large for the job summary; see the job log._\n"
        with open(path, "a", encoding="utf-8") as handle:
            handle.write("\n" + data)
    except OSError as exc:
        return f"cannot write the job summary {path}: {exc.strerror or exc}"
    return None


def publish(report: Report, options: RenderOptions, *, environ: Mapping[str, str], stderr: IO[str]) -> None:
    """Write the job summary and the annotations when running in GitHub Actions."""
    summary_path = environ.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        from codedeploy_doctor.render import markdown

        problem = append_step_summary(markdown.render(report, options), summary_path)
        if problem:
            stderr.write(f"{TOOL_NAME}: warning: {problem}\n")
    if on_github_actions(environ):
        for line in failure_annotations(report, options.policy):
            stderr.write(line + "\n")
    stderr.flush()
