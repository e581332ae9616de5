"""The Markdown report, for incident tickets, pull requests and CI job summaries.

It renders on GitHub and GitLab (CommonMark + GFM tables) and stays readable when pasted into
Jira. Every untrusted string goes through the text policy first (control characters, secrets),
then through one of three escapers, so that no log line can change the layout:

- :func:`escape_text` for prose (messages, titles, summaries): one line; ``& < >`` become
  entities, every Markdown special is backslash-escaped, a leading list or heading marker is
  escaped, and ``@name``/``#123``/``!123`` get an empty HTML comment after the sign, because a
  backslash does not stop GitHub and GitLab from turning them into mentions and references.
- :func:`code_span` for identifiers (ids, event names, error codes, paths): a backtick fence
  longer than any backtick run inside; inside a table, text with a ``|`` falls back to prose.
- :func:`log_block` for the log tail: an entity-escaped ``<pre>`` inside a collapsed
  ``<details>``, so neither ``</pre>``, ``</details>``, a code fence nor a blank line in the
  log can end the block early.

The output never has a line that starts with ``::`` and never contains ``##[``, so printing it
in a GitHub Actions log cannot inject workflow commands (the runner reads them from stdout and
stderr; see ``ci_summary``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from codedeploy_doctor import TOOL_NAME, __version__
from codedeploy_doctor.render import MAX_MEMBERS_SHOWN, RenderOptions
from codedeploy_doctor.render.mitigation import mitigation_commands
from codedeploy_doctor.render.replay import replay_banner
from codedeploy_doctor.render.verdict import in_place, report_verdict_words, verdict_tone
from codedeploy_doctor.render.where import fitted, where_to_look
from codedeploy_doctor.report import Cause, LifecycleEventFailure, Report, tail_lines
from codedeploy_doctor.sanitize import TextPolicy

TONE_MARK = {"good": "🟢", "warn": "🟡", "bad": "🔴", "neutral": "⚪"}
"""The mark before the production verdict, per tone."""

BASIS_WORDS = {
    "traffic-layer": "confirmed against the traffic layer",
    "codedeploy-only": "inferred from CodeDeploy events only",
}
"""What a verdict rests on, in words."""

MAX_TARGET_IDS = 10
"""Target ids listed per failure group; the rest are counted."""

_SPECIALS = re.compile(r"([\\`*_\[\]{}#|~$])")
"""Markdown characters escaped wherever they are (``& < >`` become entities first)."""

_LEADING_BLOCK = re.compile(r"^(?:([-+=:])|(\d+)([.)]))")
"""A list, setext or ordered-list marker (or a ``::`` workflow command) at the start of a line."""

_REFERENCE = re.compile(r"(@|\\#|!)(?=[A-Za-z0-9_])")
"""Signs that GitHub/GitLab turn into mentions or references even when backslash-escaped."""

_SAFE_URL = re.compile(r"https://[A-Za-z0-9\-._~:/?#@!$&'*+,;=%]+")
"""A link printed as a link: https only, no brackets, spaces or angle brackets."""

_INLINE_CODE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
"""A single-backtick code span in authored catalog text (fix steps, explanations)."""


def escape_text(text: str) -> str:
    """Escape already-cleaned text as one line of Markdown prose that renders exactly as written."""
    return _escape(" ".join(text.split()))


def _escape(line: str) -> str:
    line = html.escape(line, quote=False)
    line = _SPECIALS.sub(r"\\\1", line)
    line = _LEADING_BLOCK.sub(lambda m: f"\\{m.group(1)}" if m.group(1) else f"{m.group(2)}\\{m.group(3)}", line)
    return _REFERENCE.sub(r"\1<!-- -->", line)


def code_span(text: str, *, in_table: bool = False) -> str:
    """Already-cleaned text as an inline code span that nothing inside can close.

    Falls back to :func:`escape_text` when a code span could not hold the text safely: a ``|``
    inside a table cell (GFM splits cells before it parses code spans) or a ``##[`` (a GitHub
    Actions workflow command, which entities cannot hide inside a code span).
    """
    line = re.sub(r"\s*\n\s*", " ", text)
    if not line.strip():
        return escape_text(line)
    if (in_table and "|" in line) or "##[" in line:
        return escape_text(line)
    longest = max((len(run) for run in re.findall(r"`+", line)), default=0)
    fence = "`" * (longest + 1)
    if line[0] in "` " or line[-1] in "` ":
        line = f" {line} "
    return f"{fence}{line}{fence}"


def authored_text(text: str) -> str:
    """Catalog prose (fix steps, explanations): its `backtick` spans stay code, the rest is escaped."""
    line = " ".join(text.split())
    parts: list[str] = []
    position = 0
    for match in _INLINE_CODE.finditer(line):
        parts.append(_escape(line[position : match.start()]))
        parts.append(code_span(match.group(1)))
        position = match.end()
    parts.append(_escape(line[position:]))
    return "".join(parts)


def link(url: str) -> str:
    """Print an https URL as an autolink and anything else as escaped text."""
    if _SAFE_URL.fullmatch(url) and "##" not in url:
        return f"<{url}>"
    return escape_text(url)


def log_block(text: str, summary: str) -> list[str]:
    """Hold ``text`` verbatim in a collapsed block: an entity-escaped ``<pre>`` inside ``<details>``.

    ``summary`` is trusted (written by cd-doctor); it is entity-escaped all the same.
    """
    lines = [_pre_line(line) for line in text.rstrip("\n").split("\n")]
    return [
        "<details>",
        f"<summary>{html.escape(summary)}</summary>",
        "",
        "<pre>",
        *lines,
        "</pre>",
        "",
        "</details>",
    ]


def _pre_line(line: str) -> str:
    escaped = html.escape(line, quote=False).replace("##[", "&#35;#[")
    stripped = escaped.lstrip()
    if stripped.startswith(":"):
        indent = len(escaped) - len(stripped)
        escaped = escaped[:indent] + "&#58;" + stripped[1:]
    return escaped


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], *, right: Sequence[int] = ()) -> list[str]:
    """Lay out a GFM table from already-escaped cells."""
    separator = ["---:" if index in right else "---" for index in range(len(headers))]
    lines = [_row(headers), _row(separator)]
    lines.extend(_row(row) for row in rows)
    return lines


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


class _Escaper:
    """The text policy and the escapers, bound together: every untrusted string passes both."""

    def __init__(self, policy: TextPolicy) -> None:
        self._policy = policy

    def text(self, value: str | None) -> str:
        return escape_text(self._policy(value))

    def code(self, value: str | None, *, in_table: bool = False) -> str:
        cleaned = self._policy(value)
        return code_span(cleaned, in_table=in_table) if cleaned.strip() else ""

    def authored(self, value: str | None) -> str:
        return authored_text(self._policy(value))

    def link(self, value: str | None) -> str:
        return link(self._policy(value).strip())

    def raw(self, value: str | None) -> str:
        return self._policy(value)


def render(report: Report, options: RenderOptions) -> str:
    """Render the report as Markdown."""
    esc = _Escaper(options.policy)
    lines: list[str] = []
    for section in (
        _headline(report, esc),
        _mitigation(report, esc),
        _first_failure(report, report.first_failure, esc) if report.first_failure else [],
        _causes(report, report.causes, esc) if report.causes else [],
        [f"> **Note:** {esc.text(note)}" for note in report.notes],
        _where(report, esc),
        _traffic(report, esc),
        _groups(report, esc) if report.failure_groups else [],
        _deployment(report, esc),
        _bullets("Warnings", [f"⚠️ {esc.text(warning)}" for warning in report.warnings]) if report.warnings else [],
        [f"_Generated by {TOOL_NAME} {__version__} with {report.api_calls} AWS API calls._"],
    ):
        if section:
            lines.extend(section)
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _headline(report: Report, esc: _Escaper) -> list[str]:
    summary = report.deployment
    status = summary.status or "Unknown"
    if report.deployment_failed:
        mark = "❌"
    elif status == "Succeeded":
        mark = "✅"
    else:
        mark = "⏳"
    title = f"## {mark} {TOOL_NAME}: deployment {esc.code(summary.id)} {esc.text(status)}"
    facts = [f"**Status:** {esc.text(status)}" + (f" ({esc.code(summary.error_code)})" if summary.error_code else "")]
    facts.append(f"**Production:** {_verdict(report, esc)}")
    if report.causes:
        cause = report.causes[0]
        facts.append(f"**Likely cause:** {esc.authored(cause.title)} ({esc.code(cause.id)}, {cause.confidence} confidence)")
    where = [
        f"**Application:** {esc.text(summary.application)}" if summary.application else "",
        f"**Deployment group:** {esc.text(summary.deployment_group)}" if summary.deployment_group else "",
    ]
    kind = " ".join(part for part in (summary.compute_platform, summary.deployment_type) if part)
    if kind:
        where.append(f"**Platform:** {esc.text(kind)}")
    lines = [title, ""]
    if report.replay is not None:
        lines += [f"> ⚠️ **{esc.text(replay_banner(report.replay).capitalize())}.**", ""]
    lines.append(" · ".join(facts))
    if any(where):
        lines += ["", " · ".join(part for part in where if part)]
    if summary.error_message:
        lines += ["", f"> {esc.text(summary.error_message)}"]
    return lines


def _mitigation(report: Report, esc: _Escaper) -> list[str]:
    commands = mitigation_commands(report)
    if not commands:
        return []
    # Commands hold only plain identifiers (see render.mitigation): no backtick or fence can occur.
    return [
        "**To put production back** (copy and run it yourself; cd-doctor never does):",
        "",
        "```sh",
        *(esc.raw(c) for c in commands),
        "```",
    ]


def _where(report: Report, esc: _Escaper) -> list[str]:
    places = where_to_look(report, esc.raw)
    if places.empty:
        return []
    title = places.title
    if report.first_failure is not None and title.endswith(esc.raw(report.first_failure.target_id)):
        title = f"Where to look on {esc.code(report.first_failure.target_id)}"
    items = [escape_text(entry) for entry in places.entries]
    if places.pointer:
        items.append(authored_text(places.pointer))
    return _bullets(title, items)


def _key_line(report: Report, failure: LifecycleEventFailure, esc: _Escaper) -> list[str]:
    key = report.key_line
    if key is None:
        return []
    if key.source == "logTail" and key.line_index is not None:
        count = len(tail_lines(failure.log_tail))
        where = f"log tail line {key.line_index + 1} of {count}"
    else:
        where = "from the extra logs"
    why = "quoted as evidence" if key.from_evidence else "picked by its error words"
    return ["", f"**▶ The line that matters** ({where}, {why}): {esc.code(key.text) or '-'}"]


def _first_failure(report: Report, failure: LifecycleEventFailure, esc: _Escaper) -> list[str]:
    has_locations = bool(report.log_locations)
    heading = "### First failure"
    if failure.status != "Failed":
        heading = f"### Stuck: first event that did not succeed ({esc.text(failure.status)})"
    lines = [heading, ""]
    lines += table(
        ["Target", "Label", "Lifecycle event", "Status", "Error code", "Script", "At"],
        [
            [
                cell or "-"
                for cell in (
                    esc.code(failure.target_id, in_table=True),
                    esc.text(failure.target_label),
                    esc.code(failure.lifecycle_event, in_table=True),
                    esc.text(failure.status),
                    esc.code(failure.error_code, in_table=True),
                    esc.code(failure.script_name, in_table=True),
                    esc.text(failure.end_time or failure.start_time),
                )
            ]
        ],
    )
    if failure.message and failure.message.strip():
        lines += ["", f"**Message:** {esc.text(failure.message)}"]
    lines += _key_line(report, failure, esc)
    tail = esc.raw(failure.log_tail)
    if tail.strip():
        count = len(tail.rstrip("\n").split("\n"))
        lines += ["", *log_block(tail, f"Log tail ({count} line{'s' if count != 1 else ''})")]
    elif failure.status == "Failed":
        lines += ["", "_No log tail: see Where to look._" if has_locations else "_No log tail._"]
    return lines


def _causes(report: Report, causes: tuple[Cause, ...], esc: _Escaper) -> list[str]:
    main = causes[0]
    lines = [f"### Likely cause: {esc.authored(main.title)}", ""]
    lines.append(f"{esc.code(main.id)} · {main.confidence} confidence")
    if main.explanation.strip():
        lines += ["", esc.authored(main.explanation)]
    if main.evidence:
        lines += ["", "**Evidence:**", ""]
        lines += [f"- {esc.code(evidence) or '-'}" for evidence in main.evidence]
    if main.fix:
        lines += ["", "**Fix:**", ""]
        lines += [f"{number}. {esc.authored(fitted(report, step))}" for number, step in enumerate(main.fix, start=1)]
    if main.docs:
        lines += ["", "**Docs:** " + " · ".join(esc.link(url) for url in main.docs)]
    others = causes[1:]
    if others:
        also = ", ".join(f"{esc.code(cause.id)} ({cause.confidence}): {esc.authored(cause.title)}" for cause in others)
        lines += ["", f"**Also possible:** {also}"]
    return lines


def _verdict(report: Report, esc: _Escaper) -> str:
    return f"{TONE_MARK[verdict_tone(report.blue_traffic)]} {esc.text(report_verdict_words(report))}"


def _traffic(report: Report, esc: _Escaper) -> list[str]:
    traffic = report.blue_traffic
    fleet = in_place(report)
    basis = BASIS_WORDS.get(traffic.basis, esc.text(traffic.basis))
    words = _verdict(report, esc)
    title = "### Production: original fleet and capacity" if fleet else "### Production: Blue / Green"
    lines = [title, "", f"**{words}:** {esc.text(traffic.summary)} _({basis})_"]
    if traffic.environments:
        rows: list[list[str]] = []
        for env in traffic.environments:
            share = f"{env.traffic_share:g}%" if env.traffic_share is not None else "?"
            label = "original" if fleet and env.label == "Blue" else env.label
            if not env.members:
                rows.append([esc.text(label), share, "", "", esc.text(env.summary)])
            for index, member in enumerate(env.members[:MAX_MEMBERS_SHOWN]):
                rows.append(
                    [
                        esc.text(label) if index == 0 else "",
                        share if index == 0 else "",
                        esc.code(member.id, in_table=True),
                        esc.text(member.health or "?"),
                        esc.text(member.detail),
                    ]
                )
            if len(env.members) > MAX_MEMBERS_SHOWN:
                more = f"… and {len(env.members) - MAX_MEMBERS_SHOWN} more (all are in the JSON report)"
                rows.append(["", "", more, "", ""])
        lines += ["", *table(["Environment", "Traffic", "Member", "Health", "Detail"], rows, right=(1,))]
    if traffic.checks:
        lines += ["", "**Checks** (each counts _for_ or **against** production being safe):", ""]
        for check in traffic.checks:
            word = "_for_" if check.ok else "**against**"
            lines.append(f"- {word} · {esc.code(check.source)}: {esc.text(check.detail)}")
    if traffic.blue_termination:
        lines += ["", f"**Blue termination:** {esc.text(traffic.blue_termination)}"]
    return lines


def _groups(report: Report, esc: _Escaper) -> list[str]:
    rows = []
    for group in report.failure_groups:
        shown = ", ".join(esc.code(target_id, in_table=True) for target_id in group.target_ids[:MAX_TARGET_IDS])
        hidden = group.target_count - min(len(group.target_ids), MAX_TARGET_IDS)
        rows.append(
            [
                str(group.target_count),
                esc.code(group.lifecycle_event, in_table=True),
                esc.text(group.status),
                esc.code(group.error_code, in_table=True) or "-",
                esc.code(group.cause_id, in_table=True) or "-",
                shown + (f" +{hidden} more" if hidden > 0 else ""),
            ]
        )
    lines = ["### Failed targets", ""]
    lines += table(["Targets", "Lifecycle event", "Status", "Error code", "Cause", "Target ids"], rows, right=(0,))
    if report.targets_total and report.targets_total > report.targets_examined:
        lines += ["", f"_{report.targets_examined} of {report.targets_total} targets read in detail._"]
    return lines


def _deployment(report: Report, esc: _Escaper) -> list[str]:
    summary = report.deployment
    items: list[str] = []
    counts = ", ".join(f"{esc.text(status)} {count}" for status, count in summary.overview.items() if count)
    if counts:
        items.append(f"**Targets:** {counts}")
    if summary.revision:
        items.append(f"**Revision:** {esc.text(summary.revision)}")
    if summary.creator or summary.create_time:
        started = f"**Started:** {esc.text(summary.create_time or '?')} by {esc.text(summary.creator or '?')}"
        items.append(f"{started} · **Ended:** {esc.text(summary.complete_time or 'still running')}")
    items += [f"**Status message:** {esc.text(message)}" for message in summary.status_messages[:3]]
    if summary.rollback:
        rollback = summary.rollback
        text = f"**Rollback:** {esc.code(rollback.deployment_id) or '-'}"
        if rollback.status:
            text += f" {esc.text(rollback.status)}"
        if rollback.message:
            text += f" ({esc.text(rollback.message)})"
        items.append(text)
    return _bullets("Deployment", items) if items else []


def _bullets(title: str, items: Sequence[str]) -> list[str]:
    return [f"### {title}", "", *(f"- {item}" for item in items)]
