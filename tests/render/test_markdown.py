"""The Markdown report: ticket-ready layout, and no untrusted text can escape its cell or block.

Checked by parsing the output with a CommonMark + GFM-tables parser (markdown-it, the one Rich
ships with) and looking at the tokens: cells stay cells, the log tail stays in its <pre>, no
link, image or HTML comes from the data. Golden files: ``UPDATE_GOLDEN=1`` rewrites them.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from codedeploy_doctor.diagnosis import diagnose
from codedeploy_doctor.render import OutputFormat, RenderOptions, renderer_for
from codedeploy_doctor.render.markdown import authored_text, code_span, escape_text, link, log_block, render
from codedeploy_doctor.report import (
    BlueTraffic,
    Cause,
    DeploymentSummary,
    Environment,
    EnvironmentMember,
    FailureGroup,
    LifecycleEventFailure,
    Report,
    RollbackSummary,
    TrafficCheck,
)
from codedeploy_doctor.sanitize import TextPolicy
from codedeploy_doctor.snapshot import load_snapshot
from tests.support import fixture_paths

GOLDEN = Path(__file__).parent / "golden"

HOSTILE = [
    "```\n# Injected heading\n```",
    "~~~ fence",
    "</details><script>alert(1)</script>",
    "</pre></details>\n\n# out",
    "<img src=x onerror=alert(1)>",
    "| col | col |\n|---|---|",
    "[link](javascript:alert(1))",
    "![img](https://evil.example/x.png)",
    "[bold]red[/bold] [link=https://evil.example]x[/link]",
    "line one\nline two\n\n- list item\n1. ordered",
    "**bold** _em_ ~~strike~~ `code` $x$",
    "@everyone ping @acme/platform-team and see #123 and !45",
    "::error title=fake::injected annotation",
    "##[error]legacy injected annotation",
    "&lt; &amp; &#60;script&#62;",
    "\\` \\| \\\\",
    "<!-- hidden --> text",
    "> quoted\n>",
    "    indented code",
    "=====\n-----",
]


def md_parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def inline_text(token: Any) -> str:
    """What a reader sees of an inline token: text and code, without our empty HTML comments."""
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append("\n")
        elif child.type == "html_inline":
            assert child.content == "<!-- -->", f"HTML from the data: {child.content!r}"
        elif child.type in ("strong_open", "strong_close", "em_open", "em_close"):
            continue
        elif child.type == "link_open":
            href = child.attrs.get("href", "")
            assert str(href).startswith("https://docs."), f"a link from the data: {href!r}"
        elif child.type == "link_close":
            continue
        else:
            raise AssertionError(f"unexpected inline token {child.type}: {child.content!r}")
    return "".join(parts)


def in_code_cell(text: str, *, in_table: bool = True) -> str:
    """What ``text`` shown as code reads as (prose when a code span cannot hold it)."""
    line = re.sub(r"\s*\n\s*", " ", text)
    return " ".join(line.split()) if (in_table and "|" in line) or "##[" in line else line.strip()


def authored(text: str) -> str:
    """What catalog prose reads as: single-backtick spans lose their backticks."""
    return re.sub(r"(?<!`)`([^`\n]+)`(?!`)", r"\1", text)


def hostile_report(text: str) -> Report:
    return Report(
        deployment=DeploymentSummary(
            id="d-A1B2C3D4E",
            application=f"app {text}",
            deployment_group=f"group {text}",
            status="Failed",
            compute_platform="Server",
            deployment_type="BLUE_GREEN",
            deployment_option="WITH_TRAFFIC_CONTROL",
            error_code=f"HEALTH_CONSTRAINTS {text}",
            error_message=f"message {text}",
            create_time="2026-11-28T08:57:12.431Z",
            complete_time="2026-11-28T09:04:59.104Z",
            creator=f"user {text}",
            rollback=RollbackSummary(deployment_id=f"d-R0LLBACK1 {text}", status="Succeeded", message=f"rolled {text}"),
            overview={"Failed": 1, "Succeeded": 3},
            status_messages=(f"status {text}",),
            revision=f"s3://bucket/key.zip {text}",
        ),
        first_failure=LifecycleEventFailure(
            target_id=f"i-0123456789abcdef0 {text}",
            target_label="Green",
            target_type="InstanceTarget",
            lifecycle_event=f"ValidateService {text}",
            status="Failed",
            error_code=f"ScriptFailed {text}",
            script_name=f"scripts/validate.sh {text}",
            message=f"Script failed {text}",
            log_tail=f"first log line\n{text}\nlast log line\n",
            start_time="2026-11-28T09:03:00Z",
            end_time="2026-11-28T09:05:00Z",
        ),
        failure_groups=(
            FailureGroup(
                lifecycle_event=f"ValidateService {text}",
                error_code=f"ScriptFailed {text}",
                cause_id="health-check-connection-refused",
                target_count=12,
                target_ids=tuple(f"i-{n:017x} {text}" if n == 3 else f"i-{n:017x}" for n in range(12)),
            ),
        ),
        causes=(
            Cause(
                id="health-check-connection-refused",
                title=f"Title {text}",
                confidence="high",
                explanation=f"Explanation with `code` and {text}",
                fix=(f"Step one {text}", "Step `two`"),
                evidence=(f"evidence {text}", "plain evidence"),
                docs=("https://docs.aws.amazon.com/codedeploy/latest/userguide/troubleshooting.html", f"javascript:{text}"),
                where=f"where {text}",
            ),
            Cause(
                id="script-failed-unrecognized",
                title=f"Other {text}",
                confidence="low",
                explanation="",
                fix=(),
                evidence=(),
                docs=(),
            ),
        ),
        blue_traffic=BlueTraffic(
            verdict="not-serving",
            summary=f"summary {text}",
            basis="traffic-layer",
            checks=(TrafficCheck(source=f"elbv2:DescribeTargetHealth {text}", ok=False, detail=f"detail {text}"),),
            environments=(
                Environment(
                    label="Blue",
                    members=(
                        EnvironmentMember(id=f"i-blue {text}", health=f"unhealthy {text}", detail=f"d {text}"),
                        EnvironmentMember(id="i-blue-2", health="healthy"),
                    ),
                    traffic_share=100.0,
                ),
                Environment(label="Green", members=(), traffic_share=0.0, summary=f"empty {text}"),
            ),
            blue_termination=f"termination {text}",
        ),
        warnings=(f"warning {text}",),
        api_calls=7,
        deployment_failed=True,
        targets_total=40,
        targets_examined=13,
        log_locations=(f"i-0123: /var/log/x.log {text}",),
    )


def render_md(report: Report, *, redact: bool = True) -> str:
    return render(report, RenderOptions(policy=TextPolicy(redact_secrets=redact)))


def table_rows(tokens: list[Any]) -> list[list[str]]:
    """Every table's rows (header included), as lists of cell texts."""
    rows: list[list[str]] = []
    current: list[str] | None = None
    for token in tokens:
        if token.type == "tr_open":
            current = []
        elif token.type == "tr_close" and current is not None:
            rows.append(current)
            current = None
        elif token.type == "inline" and current is not None:
            current.append(inline_text(token))
    return rows


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_cannot_escape_its_cell_or_block(text: str) -> None:
    output = render_md(hostile_report(text), redact=False)
    tokens = md_parser().parse(output)
    cleaned = TextPolicy(redact_secrets=False)(text)
    one_line = " ".join(cleaned.split())

    # Headings: only ours.
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert all(
        h.startswith(
            (
                "❌ cd-doctor",
                "First failure",
                "Likely cause",
                "Production",
                "Failed targets",
                "Deployment",
                "Where to look",
                "Warnings",
            )
        )
        for h in headings
    ), headings
    assert len(headings) == 8

    # Raw HTML blocks: only the log tail's <details>/<pre>, whose text is the log tail verbatim.
    blocks = [t.content for t in tokens if t.type == "html_block"]
    assert len(blocks) == 3, blocks
    assert blocks[0].startswith("<details>\n<summary>Log tail (")
    assert blocks[1].startswith("<pre>\n") and blocks[1].rstrip("\n").endswith("</pre>")
    assert blocks[2].strip() == "</details>"
    pre = blocks[1].rstrip("\n")[len("<pre>\n") : -len("</pre>")]
    assert "<" not in pre and ">" not in pre
    assert html.unescape(pre) == f"first log line\n{cleaned}\nlast log line\n"

    # Tables: the shape is fixed whatever the data.
    rows = table_rows(tokens)
    widths = [len(row) for row in rows]
    assert widths == [7, 7, 5, 5, 5, 5, 6, 6], widths
    first = rows[1]
    assert first[0] == in_code_cell(f"i-0123456789abcdef0 {cleaned}")
    assert first[2] == in_code_cell(f"ValidateService {cleaned}")
    assert rows[-1][0] == "12" and rows[-1][5].endswith("+2 more")

    # Prose reads exactly as the data, with no markup taking effect.
    paragraphs = [inline_text(tokens[i + 1]) for i, t in enumerate(tokens) if t.type == "paragraph_open"]
    assert f"Message: Script failed {one_line}" in paragraphs
    # Catalog prose keeps its `code` spans (single backticks); everything else reads as written.
    assert authored(f"Explanation with `code` and {one_line}") in paragraphs
    items = [inline_text(tokens[i + 2]) for i, t in enumerate(tokens) if t.type == "list_item_open"]
    assert authored(f"Step one {one_line}") in items
    assert in_code_cell(f"evidence {cleaned}", in_table=False) in items
    assert f"⚠️ warning {one_line}" in items

    # No line a GitHub Actions runner would read as a workflow command.
    assert "##[" not in output
    assert not any(line.lstrip().startswith("::") for line in output.splitlines())

    rendered = md_parser().render(output)
    assert "<script" not in rendered and "<img" not in rendered and "javascript:" not in re.sub(r"&[a-z]+;|<[^>]+>", "", "")
    assert 'href="javascript' not in rendered and "<a href" not in rendered.replace('<a href="https://docs.', "")


def test_newlines_in_a_cell_do_not_split_the_row() -> None:
    output = render_md(hostile_report("a\nb\n\nc | d"))
    rows = table_rows(md_parser().parse(output))
    assert rows[1][0] == "i-0123456789abcdef0 a b c | d"


def test_log_tail_block_survives_fences_and_blank_lines() -> None:
    tail = "````\n```\n</pre>\n\n</details>\n# not a heading\n\n    indented\n::warning::x\n  ##[group]x"
    lines = log_block(tail, "Log tail")
    tokens = md_parser().parse("\n".join(lines) + "\n\nafter\n")
    assert [t.type for t in tokens][:3] == ["html_block", "html_block", "html_block"]
    assert html.unescape(tokens[1].content.split("\n", 1)[1].rsplit("</pre>", 1)[0]) == tail + "\n"
    assert tokens[-2].content == "after"


def test_secrets_are_masked_by_default_and_kept_with_no_redact() -> None:
    secret = "AKIAIOSFODNN7EXAMPLE password=hunter2hunter2"
    masked = render_md(hostile_report(secret))
    assert "AKIAIOSFODNN7EXAMPLE" not in masked and "hunter2" not in masked
    assert "AKIAIOSFODNN7EXAMPLE" in render_md(hostile_report(secret), redact=False)


def test_terminal_escapes_are_removed() -> None:
    output = render_md(hostile_report("\x1b[31mred\x1b[0m \x1b]8;;https://evil\x07link\x1b]8;;\x07"))
    assert "\x1b" not in output and "\x07" not in output


def test_links_only_for_plain_https_urls() -> None:
    assert link("https://docs.aws.amazon.com/codedeploy/latest/userguide/x.html") == (
        "<https://docs.aws.amazon.com/codedeploy/latest/userguide/x.html>"
    )
    for bad in ("javascript:alert(1)", "http://x", "https://x y", "https://x>y", "https://x/##[error]"):
        assert not link(bad).startswith("<")


PRINTABLE = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\u2028\u2029\x85"),
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(PRINTABLE)
def test_escaped_prose_reads_back_exactly(text: str) -> None:
    expected = " ".join(text.split())
    tokens = md_parser().parse(f"**Label:** {escape_text(text)}\n")
    paragraph = [t for t in tokens if t.type == "inline"]
    assert len(paragraph) == 1
    assert inline_text(paragraph[0]) == f"Label: {expected}".rstrip()


@settings(max_examples=150, deadline=None)
@given(PRINTABLE)
def test_prose_at_the_start_of_a_line_stays_a_paragraph(text: str) -> None:
    expected = " ".join(text.split())
    tokens = md_parser().parse(escape_text(text) + "\n")
    if not expected:
        return
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    assert inline_text(tokens[1]) == expected


@settings(max_examples=150, deadline=None)
@given(PRINTABLE.filter(lambda s: s.strip()), st.booleans())
def test_code_spans_hold_any_text(text: str, in_table: bool) -> None:
    span = code_span(text, in_table=in_table)
    source = f"| a |\n| --- |\n| {span} |\n" if in_table else f"x {span} y\n"
    tokens = md_parser().parse(source)
    inline = [t for t in tokens if t.type == "inline"][-1]
    shown = inline_text(inline)
    falls_back = (in_table and "|" in text) or "##[" in text
    expected = " ".join(text.split()) if falls_back else text
    assert shown == (expected if in_table else f"x {expected} y")


def test_authored_text_keeps_its_code_spans() -> None:
    out = authored_text("Raise `timeout` in appspec.yml (at most `3600` s), see `*notes*`.")
    assert out == "Raise `timeout` in appspec.yml (at most `3600` s), see `*notes*`."
    tokens = md_parser().parse(out + "\n")
    assert [c.type for c in tokens[1].children].count("code_inline") == 3


def test_every_fixture_renders_to_sound_markdown() -> None:
    for path in fixture_paths():
        report = diagnose(load_snapshot(path))
        output = renderer_for(OutputFormat.MARKDOWN)(report, RenderOptions())
        tokens = md_parser().parse(output)
        assert tokens[0].type == "heading_open" and tokens[0].tag == "h2", path.name
        assert report.deployment.id in tokens[1].content
        assert "##[" not in output and not any(line.lstrip().startswith("::") for line in output.splitlines())
        for row in table_rows(tokens):
            assert row, path.name


@pytest.mark.parametrize("name", ["hostile", "plain"])
def test_golden_markdown(name: str) -> None:
    text = "| x | `y` <b>z</b> @someone #1 [a](javascript:b)" if name == "hostile" else "connection refused on port 8080"
    rendered = render_md(hostile_report(text))
    golden = GOLDEN / f"{name}.md"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(rendered, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden.name}: run with UPDATE_GOLDEN=1 and review it"
    assert rendered == golden.read_text(encoding="utf-8"), f"{golden.name} changed: review, then UPDATE_GOLDEN=1"
