"""GitHub Actions integration: job summary, annotations, and no workflow-command injection."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from codedeploy_doctor.cli import app
from codedeploy_doctor.diagnosis import diagnose
from codedeploy_doctor.render import OutputFormat, RenderOptions, renderer_for
from codedeploy_doctor.render.ci_summary import (
    SUMMARY_LIMIT,
    append_step_summary,
    escape_data,
    escape_property,
    failure_annotations,
    guard_workflow_commands,
    publish,
    workflow_command,
)
from codedeploy_doctor.sanitize import TextPolicy
from codedeploy_doctor.snapshot import load_snapshot, snapshot_from_json
from tests.support import FIXTURES, load_fixture_json

FLAGSHIP = FIXTURES / "server-bluegreen-validateservice-green.json"
HOSTILE_LINES = "::error title=pwned::fake\n  ::add-mask::x\n##[warning]legacy\nok line ##[group]mid-line"


# -- the runner's side, as actions/runner's ActionCommand parses and unescapes -----------------


def runner_unescape(value: str, *, prop: bool) -> str:
    mappings = [("\r", "%0D"), ("\n", "%0A")] + ([(":", "%3A"), (",", "%2C")] if prop else []) + [("%", "%25")]
    for token, replacement in mappings:
        value = value.replace(replacement, token)
    return value


def runner_parse(line: str) -> tuple[str, dict[str, str], str] | None:
    """``TryParseV2``: None when the line is not a ``::command ...::data`` line."""
    message = line.lstrip()
    if not message.startswith("::"):
        return None
    end = message.find("::", 2)
    if end < 0:
        return None
    info = message[2:end]
    name, _, props_text = info.partition(" ")
    props = {}
    for pair in filter(None, props_text.strip().split(",")):
        key, sep, value = pair.partition("=")
        if sep and value:
            props[key] = runner_unescape(value, prop=True)
    return name, props, runner_unescape(message[end + 2 :], prop=False)


def runner_would_process(line: str) -> bool:
    return runner_parse(line) is not None or "##[" in line


# -- escaping --------------------------------------------------------------------------------


TEXT = st.text(max_size=80)


@settings(max_examples=200, deadline=None)
@given(TEXT, TEXT)
def test_commands_round_trip_through_the_runners_parser(title: str, message: str) -> None:
    line = workflow_command("error", message, title=title)
    assert "\n" not in line and "\r" not in line
    parsed = runner_parse(line)
    assert parsed is not None
    name, props, data = parsed
    assert name == "error"
    assert data == message
    assert props.get("title", "") == title.strip()


def test_escapes_follow_githubs_rules() -> None:
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert escape_data("a:b,c") == "a:b,c"


# -- annotations -----------------------------------------------------------------------------


def test_failed_deployment_gets_an_error_annotation_naming_the_first_failure() -> None:
    report = diagnose(load_snapshot(FLAGSHIP))
    lines = failure_annotations(report, TextPolicy())
    assert lines and all(line.startswith("::error title=") for line in lines)
    parsed = runner_parse(lines[0])
    assert parsed is not None
    _, props, data = parsed
    assert "d-4HQ8N2ZRT" in props["title"] and "ValidateService" in props["title"]
    assert "First failure: i-02f6e9b4d8a1c3e57" in data and "Likely cause:" in data and "Production:" in data


def test_no_annotation_when_the_deployment_did_not_fail() -> None:
    report = diagnose(load_snapshot(FIXTURES / "server-succeeded.json"))
    assert failure_annotations(report, TextPolicy()) == []


def test_annotation_data_is_cleaned_and_redacted() -> None:
    data = load_fixture_json(FLAGSHIP.name)
    event = _failed_event(data)
    event["diagnostics"]["message"] = "\x1b[31mboom\x1b[0m password=hunter2hunter2\n::error::nested"
    report = diagnose(snapshot_from_json(data))
    line = failure_annotations(report, TextPolicy())[0]
    assert "\x1b" not in line and "hunter2" not in line
    parsed = runner_parse(line)
    assert parsed is not None and "::error::nested" in parsed[2]


# -- the report on stdout --------------------------------------------------------------------


def _failed_event(data: dict[str, Any]) -> dict[str, Any]:
    for target in data["targets"]:
        for event in target["instanceTarget"].get("lifecycleEvents", []):
            if event["status"] == "Failed":
                return dict(event)
    raise AssertionError("no failed event")


def hostile_snapshot(tmp_path: Path) -> Path:
    data = load_fixture_json(FLAGSHIP.name)
    event = _failed_event(data)
    event["diagnostics"]["logTail"] = HOSTILE_LINES + "\n" + event["diagnostics"]["logTail"]
    event["diagnostics"]["message"] = "::warning::message starts a line"
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("output_format", list(OutputFormat), ids=lambda f: f.value)
def test_guarded_reports_hold_no_workflow_command(tmp_path: Path, output_format: OutputFormat) -> None:
    report = diagnose(load_snapshot(hostile_snapshot(tmp_path)))
    text = renderer_for(output_format)(report, RenderOptions())
    guarded = guard_workflow_commands(text, output_format)
    assert not any(runner_would_process(line) for line in guarded.splitlines())
    if output_format is OutputFormat.JSON:
        assert json.loads(guarded) == json.loads(text)
    if output_format is OutputFormat.MARKDOWN:
        assert guarded == text, "the Markdown renderer is safe by itself"


# -- the job summary -------------------------------------------------------------------------


def test_publish_appends_the_markdown_summary_and_annotates(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("# Earlier step\n", encoding="utf-8")
    report = diagnose(load_snapshot(FLAGSHIP))
    stderr = io.StringIO()
    environ = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    publish(report, RenderOptions(), environ=environ, stderr=stderr)
    content = summary.read_text(encoding="utf-8")
    assert content.startswith("# Earlier step\n") and "## ❌ cd-doctor: deployment `d-4HQ8N2ZRT` Failed" in content
    assert stderr.getvalue().startswith("::error title=")


def test_publish_does_nothing_outside_github_actions(tmp_path: Path) -> None:
    stderr = io.StringIO()
    publish(diagnose(load_snapshot(FLAGSHIP)), RenderOptions(), environ={}, stderr=stderr)
    assert stderr.getvalue() == ""


def test_unwritable_summary_is_a_warning_not_a_failure(tmp_path: Path) -> None:
    stderr = io.StringIO()
    environ = {"GITHUB_STEP_SUMMARY": str(tmp_path)}  # a directory
    publish(diagnose(load_snapshot(FLAGSHIP)), RenderOptions(), environ=environ, stderr=stderr)
    assert "warning: cannot write the job summary" in stderr.getvalue()


def test_oversized_report_is_replaced_by_a_note(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("x" * (SUMMARY_LIMIT - 100), encoding="utf-8")
    assert append_step_summary("## report\n" + "y" * 500, str(summary)) is None
    tail = summary.read_text(encoding="utf-8")[SUMMARY_LIMIT - 100 :]
    assert "too large for the job summary" in tail and "y" * 10 not in tail


# -- end to end, through the CLI -------------------------------------------------------------


def invoke(*args: str, env: dict[str, str]) -> Any:
    return CliRunner().invoke(app, list(args), prog_name="cd-doctor", env=env)


def test_cli_in_github_actions(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    snapshot = hostile_snapshot(tmp_path)
    plain = invoke("--replay", str(snapshot), "-f", "json", env={})
    result = invoke("--replay", str(snapshot), "-f", "json", env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == plain.exit_code and result.exit_code in (1, 4)
    assert json.loads(result.stdout) == json.loads(plain.stdout), "stdout carries the same report"
    assert not any(runner_would_process(line) for line in result.stdout.splitlines())
    assert [line for line in result.stderr.splitlines() if line.startswith("::error ")], result.stderr
    assert "cd-doctor: deployment `d-4HQ8N2ZRT`" in summary.read_text(encoding="utf-8")
    assert plain.stderr == ""


def test_text_report_in_github_actions_is_guarded(tmp_path: Path) -> None:
    result = invoke("--replay", str(hostile_snapshot(tmp_path)), env={"GITHUB_ACTIONS": "true"})
    assert "message starts a line" in result.stdout
    assert not any(runner_would_process(line) for line in result.stdout.splitlines())


def test_errors_are_annotated_in_github_actions() -> None:
    result = invoke("d-bad", env={"GITHUB_ACTIONS": "true"})
    assert result.exit_code == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith("cd-doctor: error:")
    parsed = runner_parse(lines[1])
    assert parsed is not None and parsed[1]["title"] == "cd-doctor could not diagnose" and "d-bad" in parsed[2]


def test_the_annotation_quotes_the_line_that_matters() -> None:
    report = diagnose(load_snapshot(FIXTURES / "server-bluegreen-validateservice-green.json"))
    (first,) = failure_annotations(report, TextPolicy())
    assert "The line that matters: [stderr]curl: (22) The requested URL returned error: 503" in first


def test_a_paging_annotation_carries_the_mitigation_to_copy() -> None:
    report = diagnose(load_snapshot(FIXTURES / "ecs-half-shifted.json"))
    _, paging = failure_annotations(report, TextPolicy())
    assert "Blue partly serving: 50%25 of production on the failed version" in paging  # % escaped for the runner
    assert "aws elbv2 modify-listener" in paging
