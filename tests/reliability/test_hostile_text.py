"""Untrusted text is safe in every format: the hostile corpus through every renderer.

Each hostile text is put into every untrusted field a snapshot has (names, messages, status
messages, script names, log tails, error codes, call errors, extra logs, traffic names), the
snapshot is diagnosed, and the report is rendered in every format. Whatever the text:

- no renderer raises, and the output is valid UTF-8 of bounded size, produced in bounded time;
- no terminal control survives (escape sequences, C0/C1 controls, bidi overrides, invisibles);
  with colour on, the only escapes left are Rich's own SGR colour codes;
- the JSON report parses and fits the published schema;
- Rich markup prints literally; in Markdown, hostile HTML stays text (no raw HTML token carries
  it), and no heading, emphasis, link or image is built from it;
- the access key id hidden in the corpus is masked.
"""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from codedeploy_doctor.cli import app
from codedeploy_doctor.diagnosis import diagnose
from codedeploy_doctor.render import OutputFormat, RenderOptions, renderer_for
from codedeploy_doctor.report import Report
from codedeploy_doctor.sanitize import MAX_TEXT, TextPolicy, clean
from codedeploy_doctor.snapshot import snapshot_from_json
from tests.reliability.harness import assert_valid_report
from tests.reliability.hostile_texts import HOSTILE_BYTES, HOSTILE_TEXTS, MARKER, SECRET_IN_HOSTILE
from tests.support import load_fixture_json

FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\U000e0000-\U000e007f]"
)
"""Characters no output may contain (tab and newline aside)."""

RICH_SGR = re.compile(r"\x1b\[[0-9;]*m")
"""The only escape sequence a coloured text report may hold: Rich's own colours."""

MAX_OUTPUT = 4_000_000
"""Characters a report may take whatever its input (about 40 fields at MAX_TEXT each, and margin)."""

RENDER_BUDGET_SECONDS = 30.0
"""A generous bound that only a quadratic blow-up would exceed."""


def _put_everywhere(snapshot: dict[str, Any], text: str) -> dict[str, Any]:
    snapshot = copy.deepcopy(snapshot)
    deployment = snapshot["deployment"]
    for key in ("applicationName", "deploymentGroupName", "creator", "description", "deploymentConfigName"):
        deployment[key] = text
    deployment["errorInformation"] = {"code": text, "message": text}
    deployment["deploymentStatusMessages"] = [text, text]
    rollback = snapshot.get("rollbackDeployment")
    if isinstance(rollback, dict):
        rollback["errorInformation"] = {"code": text, "message": text}
        rollback["status"] = text
    for target in snapshot["targets"]:
        for body in target.values():
            if not isinstance(body, dict):
                continue
            for event in body.get("lifecycleEvents") or []:
                diagnostics = event.setdefault("diagnostics", {})
                if event.get("status") != "Succeeded":
                    diagnostics.update(
                        errorCode=text, scriptName=text, message=text, logTail=f"first log line\n{text}\nlast log line"
                    )
    snapshot["errors"] = [
        {"service": "elbv2", "operation": "DescribeTargetHealth", "code": text, "message": text},
        {"service": text, "operation": text, "code": "AccessDenied", "message": text},
    ]
    snapshot["extraLogs"] = [{"source": text, "lines": [text, f"ERROR {text}"]}]
    for group in (snapshot.get("traffic") or {}).get("elbv2", {}).get("targetGroups", []):
        group["TargetGroupName"] = text
    return snapshot


@cache
def _base() -> dict[str, Any]:
    return load_fixture_json("traffic-server-bg-rolled-back")


@cache
def _report(name: str) -> Report:
    return diagnose(snapshot_from_json(_put_everywhere(_base(), HOSTILE_TEXTS[name])))


def _renders(report: Report, *, redact: bool = True) -> Iterator[tuple[str, str]]:
    policy = TextPolicy(redact_secrets=redact)
    for output_format in OutputFormat:
        started = time.monotonic()
        yield output_format.value, renderer_for(output_format)(report, RenderOptions(color=False, width=100, policy=policy))
        assert time.monotonic() - started < RENDER_BUDGET_SECONDS
    yield "text+colour", renderer_for(OutputFormat.TEXT)(report, RenderOptions(color=True, width=100, policy=policy))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@cache
def _markdown() -> MarkdownIt:
    # As GitHub renders it: CommonMark with raw HTML allowed, tables and strikethrough.
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def _escaped_pre(block: str) -> bool:
    """A ``<pre>`` block whose content is entity-escaped: text shown verbatim, not markup."""
    inner = block.strip()
    if not (inner.startswith("<pre>") and inner.endswith("</pre>")):
        return False
    inner = inner[len("<pre>") : -len("</pre>")]
    return "<" not in inner and ">" not in inner


def _markup_built_from_marker(markdown: str) -> list[str]:
    """Elements the marker ended up inside of, as markup: raw HTML, headings, emphasis, links, images."""
    problems = []
    tokens = _markdown().parse(markdown)
    for index, token in enumerate(tokens):
        if token.type in ("html_block", "html_inline") and MARKER in token.content and not _escaped_pre(token.content):
            problems.append(f"raw HTML: {token.content[:80]!r}")
        if token.type == "heading_open" and MARKER in tokens[index + 1].content:
            problems.append(f"heading: {tokens[index + 1].content[:80]!r}")
        for child in token.children or []:
            if child.type == "html_inline" and MARKER in child.content:
                problems.append(f"inline HTML: {child.content[:80]!r}")
            if child.type in ("link_open", "image") and ("evil" in str(child.attrs) or MARKER in str(child.attrs)):
                problems.append(f"{child.type}: {child.attrs}")
        if token.children:
            open_marks = []
            for child in token.children:
                if child.type in ("strong_open", "em_open", "s_open"):
                    open_marks.append(child.type)
                elif child.type in ("strong_close", "em_close", "s_close") and open_marks:
                    open_marks.pop()
                elif open_marks and MARKER in child.content:
                    problems.append(f"{open_marks[-1]} around the marker")
    html = _markdown().render(markdown)
    # Untrusted "<" reaches the HTML as "&lt;": a real tag here was built from hostile text.
    for needle in ("<script", "<iframe", "<img", 'href="javascript', 'src="javascript'):
        if needle in html:
            problems.append(f"HTML output holds {needle}")
    return problems


@pytest.mark.parametrize("name", sorted(HOSTILE_TEXTS))
def test_hostile_text_is_harmless_in_every_format(name: str) -> None:
    text = HOSTILE_TEXTS[name]
    report = _report(name)
    for kind, output in _renders(report):
        output.encode("utf-8")  # no lone surrogates
        assert len(output) < MAX_OUTPUT, f"{kind}: {len(output)} characters"
        visible = RICH_SGR.sub("", output) if kind == "text+colour" else output
        found = FORBIDDEN.search(visible)
        assert found is None, (
            f"{kind}: {found.group()!r} at {found.start()}: {visible[max(0, found.start() - 40) : found.start() + 40]!r}"
        )
        assert "\r" not in output
        if SECRET_IN_HOSTILE in text:
            assert SECRET_IN_HOSTILE not in output, kind
        if kind == "json":
            data = assert_valid_report(json.loads(output))
            for value in _strings(data):
                assert FORBIDDEN.search(value) is None and len(value) <= MAX_TEXT + 100
        if kind == "markdown":
            assert _markup_built_from_marker(output) == [], name
        if kind.startswith("text") and name == "rich-markup":
            assert f"[bold red]{MARKER}[/]" in output and "[link=https://evil.example]" in output


def test_rich_markup_prints_literally_in_the_text_report() -> None:
    report = _report("rich-markup")
    for color in (False, True):
        output = renderer_for(OutputFormat.TEXT)(report, RenderOptions(color=color, width=120))
        assert f"[bold red]{MARKER}[/]" in RICH_SGR.sub("", output)
        assert "\x1b]8;" not in output, "no hyperlink was made from [link=...]"


def test_megabyte_lines_are_cut_not_carried() -> None:
    for name in ("megabyte-line", "megabyte-of-escapes", "many-short-lines"):
        for kind, output in _renders(_report(name)):
            assert HOSTILE_TEXTS[name] not in output, kind
            assert "characters cut]" in output or name == "megabyte-of-escapes", kind


def test_no_redact_keeps_secrets_but_still_cleans() -> None:
    report = _report("megabyte-no-spaces-with-secret-at-cut")
    for kind, output in _renders(report, redact=False):
        visible = RICH_SGR.sub("", output) if kind == "text+colour" else output
        assert FORBIDDEN.search(visible) is None, kind
    plain = TextPolicy(redact_secrets=False)(f"{chr(27)}[31mkey AKIAIOSFODNN7EXAMPLE")
    assert plain == "key AKIAIOSFODNN7EXAMPLE"


@pytest.mark.parametrize("name", sorted(HOSTILE_BYTES))
def test_hostile_bytes_decode_safely(name: str) -> None:
    cleaned = clean(HOSTILE_BYTES[name])
    cleaned.encode("utf-8")
    assert FORBIDDEN.search(cleaned) is None


def test_hostile_agent_log_file_through_the_cli(tmp_path: Path) -> None:
    log = tmp_path / "agent.log"
    log.write_bytes(
        b"\n".join(HOSTILE_BYTES.values())
        + b"\n"
        + "\n".join(HOSTILE_TEXTS[n] for n in ("osc8-hyperlink", "rich-markup", "html-script", "bidi-rlo")).encode(
            "utf-8", "surrogatepass"
        )
    )
    snapshot = tmp_path / "snap.json"
    snapshot.write_text(json.dumps(_base()), encoding="utf-8")
    for output_format in ("text", "json", "markdown"):
        result = CliRunner().invoke(app, ["--replay", str(snapshot), "--agent-log", str(log), "--format", output_format])
        assert result.exit_code in (0, 1, 4), result.stderr
        assert FORBIDDEN.search(result.stdout) is None
        assert "Traceback" not in result.stderr


def test_error_messages_on_stderr_are_cleaned_too(tmp_path: Path) -> None:
    hostile_name = tmp_path / "snap\x1b]0;pwned\x07.json"
    result = CliRunner().invoke(app, ["--replay", str(hostile_name)])
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert result.stderr.count("\n") == 1


# --- invisible characters: the whole class, not a list --------------------------------------

# Default_Ignorable_Code_Point characters outside Cf (Unicode's DerivedCoreProperties.txt).
_DEFAULT_IGNORABLE_NOT_CF = [
    *(0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180F, 0x3164, 0xFFA0),
    *range(0xFE00, 0xFE10),
    *range(0xFFF0, 0xFFF9),
    *range(0xE0080, 0xE1000),
]


def _invisible_code_points() -> list[int]:
    import unicodedata

    classes = ("Cc", "Cf", "Zl", "Zp")
    found = [cp for cp in range(0x110000) if unicodedata.category(chr(cp)) in classes and chr(cp) not in "\t\n\r"]
    return sorted({*found, *_DEFAULT_IGNORABLE_NOT_CF})


def test_every_invisible_or_line_moving_character_is_removed() -> None:
    invisible = _invisible_code_points()
    assert {0x00AD, 0x034F, 0x115F, 0x3164, 0x2028, 0x2029, 0x200B, 0x202E, 0xE0041} <= set(invisible)
    # At the end of a text: ESC and the C1 introducers also take what follows them (an escape sequence).
    survivors = [f"U+{cp:04X}" for cp in invisible if clean(f"ab{chr(cp)}") != "ab"]
    assert survivors == [], f"{len(survivors)} invisible characters survive cleaning: {survivors[:20]}"
    # Visible text around them is untouched, and so are ordinary letters of every script.
    assert clean("naïve 日本語 עברית ﷺ ❤ 👍🏽") == "naïve 日本語 עברית ﷺ ❤ 👍🏽"


# --- single-line fields: a name cannot start a line of its own ------------------------------

FAKE_VERDICT = "Production: Blue still serving (confirmed against the traffic layer) FAKE"


def _name_with_line_breaks(separator: str) -> str:
    return f"shop-web{separator}{FAKE_VERDICT}{separator}"


@pytest.mark.parametrize("separator", ["\n", "\r\n", "\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1e"])
def test_a_name_with_line_breaks_cannot_print_a_fake_verdict_line(separator: str) -> None:
    snapshot = _put_everywhere(_base(), _name_with_line_breaks(separator))
    for target in snapshot["targets"]:
        body = target["instanceTarget"]
        body["targetId"] = body["targetId"] + separator + FAKE_VERDICT
    report = diagnose(snapshot_from_json(snapshot))
    outputs = dict(_renders(report))
    for line in outputs["text"].splitlines():
        assert not line.startswith("Production:") or "FAKE" not in line, line
    in_pre = False
    for line in outputs["markdown"].splitlines():
        in_pre = (in_pre or line.startswith("<pre>")) and not line.startswith("</pre>")
        assert in_pre or not line.lstrip("> -*#|").startswith("Production:") or "FAKE" not in line, line
    data = json.loads(outputs["json"])

    def walk(value: Any, key: str) -> None:
        if isinstance(value, str) and key != "logTail":
            assert "\n" not in value and "\u2028" not in value, (key, value)
        elif isinstance(value, dict):
            for name, item in value.items():
                walk(item, name)
        elif isinstance(value, list):
            for item in value:
                walk(item, key)

    walk(data, "")
    # The log tail is several lines by nature and keeps its line breaks.
    assert data["firstFailure"]["logTail"].count("\n") >= 2
