"""The text report's layout: the first screen at 80x24, wrapping, ids whole, no padding, check words."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from codedeploy_doctor.diagnosis import diagnose
from codedeploy_doctor.render import RenderOptions, markdown, text
from codedeploy_doctor.render.text import wrap_spans
from codedeploy_doctor.report import ReplayInfo, Report
from codedeploy_doctor.snapshot import load_snapshot
from tests.support import FIXTURES, fixture_paths

FLAGSHIP = FIXTURES / "server-bluegreen-validateservice-green.json"


def report_for(path: Path) -> Report:
    return diagnose(load_snapshot(path))


def render(report: Report, width: int = 80) -> str:
    return text.render(report, RenderOptions(color=False, width=width))


def test_the_first_screen_at_80x24_holds_what_on_call_needs() -> None:
    report = dataclasses.replace(
        report_for(FLAGSHIP), replay=ReplayInfo(recorded_at="2026-11-28T09:08:15.504000Z", age_seconds=3 * 3600 + 60)
    )
    lines = render(report).splitlines()
    screen = "\n".join(lines[:24])
    # Prose wraps within 80 columns; only a single word longer than the line (a path) runs over, whole.
    assert all(len(line) <= 80 or " " not in line.strip() for line in lines[:24])
    assert lines[0].startswith("✗ d-4HQ8N2ZRT FAILED")
    assert "replay of a snapshot recorded 2026-11-28 09:08 UTC, 3 h ago" in screen
    assert "Production: Blue still serving" in screen
    # The health page names the database timing out: that root cause leads, the failed check follows.
    top = report.causes[0]
    flat = re.sub(r"\n\s+", " ", screen)
    assert top.id == "network-unreachable" and f"Likely cause: {top.title}" in flat
    assert f"Fix: {top.fix[0][:60]}" in flat  # its one most important fix step
    key = report.key_line
    assert key is not None and re.sub(r"\s", "", f"▶ {key.text}") in re.sub(r"\s", "", screen)  # the line that matters, marked
    assert "Where to look on i-02f6e9b4d8a1c3e57" in screen
    # Every place to look is on the first screen, whole.
    for location in report.log_locations:
        path = location.split(": ", 1)[1].split(" (", 1)[0]
        assert path in screen.split(), path  # whole, as one word: it pastes as printed
    # The details come after the first screen's content, not before.
    assert "── Details" not in "\n".join(lines[:22])
    details = "\n".join(lines[24:])
    for heading in ("Log tail", "Fix:", "Blue / Green", "Checks", "Deployment"):
        assert heading in details


def test_the_first_screen_came_after_a_twenty_line_tail_before() -> None:
    """Before the layout change the likely cause started below line 24 at 80 columns."""
    lines = render(report_for(FLAGSHIP)).splitlines()
    cause = next(number for number, line in enumerate(lines) if line.startswith("Likely cause:"))
    assert cause < 24


@pytest.mark.parametrize("path", fixture_paths(), ids=lambda p: p.stem)
@pytest.mark.parametrize("width", [80, 120])
def test_no_padding_no_overlong_prose_and_ids_whole(path: Path, width: int) -> None:
    report = report_for(path)
    output = render(report, width)
    lines = output.splitlines()
    assert not [line for line in lines if line != line.rstrip()], "no trailing spaces (no padding to a width)"
    words = set(re.findall(r"\S+", output))
    ids = [member.id for env in report.blue_traffic.environments for member in env.members if " " not in member.id]
    for member_id in ids:
        assert any(member_id in word for word in words), f"{member_id} cut"
    commands = [line for line in lines if line.lstrip().startswith("aws ")]  # commands are never wrapped
    too_long = [line for line in lines if len(line) > width and line not in commands]
    # Only a single word longer than the line may run over; prose wraps.
    assert all(" " not in line.strip()[: width // 2] or len(line) <= width for line in too_long)


@pytest.mark.parametrize("path", fixture_paths(), ids=lambda p: p.stem)
def test_every_quoted_evidence_line_is_shown(path: Path) -> None:
    report = report_for(path)
    if not report.causes or report.first_failure is None or not report.first_failure.log_tail:
        return
    output = render(report, 1000)
    tail = report.first_failure.log_tail.splitlines()
    for evidence in report.causes[0].evidence:
        if evidence in tail:
            assert f"* │ {evidence}" in output or f"▶ │ {evidence}" in output, evidence


def test_checks_read_for_or_against_never_as_passed_or_failed() -> None:
    output = render(report_for(FLAGSHIP), 120)
    checks = output.split("Checks", 1)[1].split("\n\n", 1)[0]
    assert "✓" not in checks and "✗" not in checks
    assert "for     elbv2:DescribeTargetHealth: 0/2 Green instances healthy" in checks


def test_in_place_reports_are_not_titled_blue_green() -> None:
    output = render(report_for(FIXTURES / "traffic-server-inplace-capacity.json"), 100)
    assert "Blue / Green" not in output and "Original fleet and capacity" in output
    assert "Production: capacity reduced" in output


def test_a_partial_verdict_says_how_much_is_on_the_failed_version() -> None:
    ecs = render(report_for(FIXTURES / "ecs-half-shifted.json"), 100)
    assert "Blue partly serving: 50% of production on the failed version" in ecs
    canary = render(report_for(FIXTURES / "lambda-canary-weighted.json"), 100)
    assert "Blue partly serving: 10% of production on the failed version" in canary


def test_a_paging_verdict_prints_the_mitigation_to_copy() -> None:
    canary = render(report_for(FIXTURES / "lambda-canary-weighted.json"), 100)
    assert (
        "    aws lambda update-alias --function-name checkout-api --name live --function-version 7 "
        "--routing-config AdditionalVersionWeights={}"
    ) in canary
    ecs = render(report_for(FIXTURES / "ecs-half-shifted.json"), 100)
    assert "    aws elbv2 modify-listener --listener-arn <production listener ARN>" in ecs
    assert "aws " not in render(report_for(FLAGSHIP), 100).split("── Details")[0]  # exit 1: no mitigation


def test_one_line_is_one_line() -> None:
    report = report_for(FLAGSHIP)
    assert report.first_failure is not None
    one = dataclasses.replace(report, first_failure=dataclasses.replace(report.first_failure, log_tail="only line\n"))
    output = render(dataclasses.replace(one, key_line=None), 100)
    assert "Log tail (1 line" in output and "1 lines" not in output


@pytest.mark.parametrize(
    ("plain", "first", "rest", "expected"),
    [
        ("alpha beta gamma", 10, 10, ["alpha beta", "gamma"]),
        ("alpha beta gamma", 5, 10, ["alpha", "beta gamma"]),
        ("  indented text", 10, 10, ["  indented", "text"]),
        ("x /a/very/long/path/name", 10, 10, ["x /a/very/", "long/path/", "name"]),
        ("", 10, 10, [""]),
    ],
)
def test_wrap_spans_cut_at_spaces_and_fold_only_overlong_words(plain: str, first: int, rest: int, expected: list[str]) -> None:
    assert [plain[start:end] for start, end in wrap_spans(plain, first, rest)] == expected


def test_a_classic_load_balancer_gets_classic_commands_and_no_script_log() -> None:
    """Before: elbv2 advice and scripts.log for an AllowTraffic failure behind a Classic Load Balancer."""
    report = report_for(FIXTURES / "traffic-server-classic-elb.json")
    assert report.first_failure is not None and report.first_failure.lifecycle_event == "AllowTraffic"
    output = render(report, 120)
    screen = output.split("── Details")[0]
    assert "aws elb describe-instance-health --load-balancer-name shop-legacy-prod --instances i-0d83c6a1e5f2b9740" in screen
    assert "elbv2" not in output.split("Docs:")[0]
    assert "scripts.log" not in screen


def test_windows_paths_only_for_windows_instances() -> None:
    linux = report_for(FLAGSHIP)
    assert "Windows" not in render(linux, 120) and "C:\\" not in render(linux, 120)
    assert linux.first_failure is not None
    windows = dataclasses.replace(
        linux, first_failure=dataclasses.replace(linux.first_failure, script_name="scripts/validate_service.ps1")
    )
    screen = render(windows, 200).split("── Details")[0]
    assert "C:\\ProgramData\\Amazon\\CodeDeploy\\log\\codedeploy-agent-log.txt" in screen
    assert "/var/log/aws" not in screen


def test_one_where_to_look_list() -> None:
    output = render(report_for(FLAGSHIP), 120)
    assert output.count("Where to look") == 1 and "Look at:" not in output
    markdown_output = markdown.render(report_for(FLAGSHIP), RenderOptions())
    assert markdown_output.count("### Where to look") == 1 and "Look at:" not in markdown_output
