"""The terminal report: what failed, why, what to do, and whether production is safe, on one screen.

The first screen (24 lines at 80 columns for the bundled blue/green example) holds the headline,
the production verdict (with the mitigation to copy when it pages), the likely cause with its
most important fix step, the line that matters from the log (marked ``▶``) and where to look.
The details follow: the log tail with the lines quoted as evidence marked ``*``, every fix
step, the failed targets, Blue/Green (or the original fleet), the checks and the deployment.

Built from Rich ``Text`` objects, never from markup strings, so untrusted text cannot style
itself; every untrusted string goes through the text policy first. Prose is wrapped at word
boundaries to the width with a hanging indent; nothing is padded to a fixed width (no trailing
spaces), and ids are never cut.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from rich.console import Console
from rich.text import Text

from codedeploy_doctor.render import MAX_MEMBERS_SHOWN, RenderOptions
from codedeploy_doctor.render.mitigation import mitigation_commands
from codedeploy_doctor.render.replay import replay_banner
from codedeploy_doctor.render.verdict import in_place, report_verdict_words, verdict_tone
from codedeploy_doctor.render.where import fitted, where_to_look
from codedeploy_doctor.report import BlueTraffic, Cause, Environment, LifecycleEventFailure, Report, tail_lines
from codedeploy_doctor.sanitize import TextPolicy

TONE_STYLE = {"good": "bold green", "warn": "bold yellow", "bad": "bold red", "neutral": "bold"}
"""Rich style per verdict tone."""

LOG_TAIL_LINES = 20
"""Last lines of the log tail shown in the details (lines quoted as evidence are shown as well)."""

KEY_MARK = "▶"
"""Marks the line that matters."""

EVIDENCE_MARK = "*"
"""Marks a log line quoted as evidence."""

DETAIL_MIN = 16
"""Columns the Blue/Green table's detail needs beside the other columns; else it goes below its row."""

CHECK_WORDS = {True: "for    ", False: "AGAINST"}
"""How a check reads: it counts for production being safe, or against it (never a pass/fail glyph)."""


class _Page:
    """Lines of Rich text wrapped to a width with hanging indents; nothing padded."""

    def __init__(self, console: Console, width: int) -> None:
        self.console = console
        self.width = max(20, width)
        self.lines: list[Text] = []

    def blank(self) -> None:
        if self.lines and self.lines[-1].plain:
            self.lines.append(Text(""))

    def para(self, text: Text | str, *, indent: int = 0, hang: int | None = None, style: str = "") -> None:
        """Add ``text`` wrapped at word boundaries: first line at ``indent``, the rest at ``hang``."""
        body = text.copy() if isinstance(text, Text) else Text(text, style=style)
        body.expand_tabs(4)
        hang = indent + 2 if hang is None else hang
        first_width = self.width - indent
        for number, line in enumerate(self._wrap(body, first_width, self.width - hang)):
            prefix = " " * (indent if number == 0 else hang)
            self.lines.append(Text(prefix) + line)

    def _wrap(self, text: Text, first: int, rest: int) -> list[Text]:
        return [_strip(text[start:end]) for start, end in wrap_spans(text.plain, max(10, first), max(10, rest))]

    def render(self) -> str:
        while self.lines and not self.lines[-1].plain:
            self.lines.pop()
        for line in self.lines:
            self.console.print(line, soft_wrap=True, crop=False)
        return ""


_WORD = re.compile(r"\S+")


def wrap_spans(plain: str, first: int, rest: int) -> list[tuple[int, int]]:
    """Where to cut ``plain`` into lines: at spaces, a word longer than a line folded where it stands.

    Returns ``(start, end)`` offsets; the first line holds ``first`` columns, the others ``rest``.
    The first line keeps its leading spaces (an indent or a column).
    """
    spans: list[tuple[int, int]] = []
    start: int | None = 0
    end = 0
    width = first
    for match in _WORD.finditer(plain):
        word_start, word_end = match.span()
        while True:
            if start is None:
                start, end = word_start, word_start
            if word_end - start <= width:
                end = word_end
                break
            if end > start and word_end - word_start <= rest:  # the word goes to the next line
                spans.append((start, end))
                start, width = None, rest
                continue
            cut = start + width  # a word longer than a whole line: fold it where it stands
            spans.append((start, cut))
            word_start, start, width = cut, None, rest
    if start is not None:
        spans.append((start, end))
    return spans or [(0, 0)]


def _strip(line: Text) -> Text:
    line.rstrip()
    return line


def render(report: Report, options: RenderOptions) -> str:
    """Render the text report."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=options.color,
        no_color=not options.color,
        color_system="standard" if options.color else None,
        width=options.width,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
    )
    page = _Page(console, options.width)
    _first_screen(page, report, options.policy)
    _details(page, report, options.policy)
    page.render()
    return buffer.getvalue()


# The first screen ------------------------------------------------------------------------------


def _first_screen(page: _Page, report: Report, safe: TextPolicy) -> None:
    _headline(page, report, safe)
    page.blank()
    _production(page, report, safe)
    if report.causes:
        page.blank()
        _likely_cause(page, report, report.causes[0], safe)
    for note in report.notes:
        page.para(Text.assemble(("Note: ", "bold yellow"), safe(note)), indent=2, hang=4)
    if report.key_line is not None:
        if not report.causes:
            page.blank()
        _key_line(page, report, safe)  # right under the cause it proves
    places = where_to_look(report, safe)
    if not places.empty:
        page.blank()
        page.para(Text(places.title, style="bold"))
        for entry in places.entries:
            path, gap, rest = entry.partition(" ")
            if entry.startswith("aws "):
                page.lines.append(Text(f"  {entry}"))  # a command pastes as printed: never wrapped
            elif len(path) + 2 > page.width:
                # A path longer than the line pastes whole: on a line of its own, never folded.
                page.lines.append(Text(f"  {path}"))
                if gap:
                    page.para(rest, indent=4, hang=4)
            else:
                page.para(entry, indent=2, hang=4)
        if places.pointer:
            page.para(places.pointer, indent=2, hang=4)


def _headline(page: _Page, report: Report, safe: TextPolicy) -> None:
    summary = report.deployment
    status = safe(summary.status) or "Unknown"
    failed = report.deployment_failed
    text = Text()
    text.append("✗ " if failed else "✓ ", style="bold red" if failed else "bold green")
    text.append(f"{safe(summary.id)} ", style="bold")
    text.append(status.upper() if failed else status, style="bold red" if failed else "bold green")
    where = " / ".join(safe(part) for part in (summary.application, summary.deployment_group) if part)
    if where:
        text.append(f"  {where}")
    kind = " ".join(part for part in (summary.compute_platform, summary.deployment_type) if part)
    if kind:
        text.append(f"  ({safe(kind)})", style="dim")
    page.para(text)
    if summary.error_code:
        error = Text(safe(summary.error_code), style="red")
        message = safe(summary.error_message)
        if message and len(safe(summary.error_code)) + len(message) + 4 <= page.width:
            error.append(f": {message}")
        elif message:
            error.append(" (its message is under Deployment below)", style="dim")
        page.para(error, indent=2)
    failure = report.first_failure
    if failure is not None:
        page.para(_failure_line(failure, safe), indent=2, hang=4)
    if report.replay is not None:
        page.para(Text(replay_banner(report.replay), style="bold yellow"), indent=2, hang=4)


def _failure_line(failure: LifecycleEventFailure, safe: TextPolicy) -> Text:
    verb = "failed" if failure.status == "Failed" else f"did not succeed ({safe(failure.status)})"
    text = Text()
    text.append(safe(failure.lifecycle_event), style="bold cyan")
    text.append(f" {verb} on ")
    text.append(safe(failure.target_id), style="bold")
    if failure.target_label:
        text.append(f" ({safe(failure.target_label)})")
    details = [safe(part) for part in (failure.error_code, failure.script_name) if part]
    if details:
        text.append(": " + ", ".join(details))
    when = failure.end_time or failure.start_time
    if when:
        text.append(f" at {safe(when)}", style="dim")
    return text


def _production(page: _Page, report: Report, safe: TextPolicy) -> None:
    traffic = report.blue_traffic
    text = Text("Production: ", style="bold")
    text.append(report_verdict_words(report), style=TONE_STYLE[verdict_tone(traffic)])
    text.append(f" — {safe(traffic.summary)}")
    text.append(f" ({_basis(traffic)})", style="dim")
    page.para(text)
    commands = mitigation_commands(report)
    if commands:
        page.para(Text("To put production back (copy and run it yourself; cd-doctor never does):", style="bold"), indent=2)
        for command in commands:
            # One line, never wrapped: a command must paste as it was printed (the terminal folds it).
            page.lines.append(Text(f"    {safe(command)}"))


def _basis(traffic: BlueTraffic) -> str:
    return "confirmed against the traffic layer" if traffic.basis == "traffic-layer" else "inferred from CodeDeploy events only"


def _likely_cause(page: _Page, report: Report, cause: Cause, safe: TextPolicy) -> None:
    text = Text("Likely cause: ", style="bold")
    text.append(safe(cause.title), style="bold")
    text.append(" (")
    text.append(cause.id, style="magenta")
    text.append(f", {cause.confidence} confidence)", style="dim")
    page.para(text)
    if cause.fix:
        step = Text("Fix: ", style="bold")
        step.append(fitted(report, safe(cause.fix[0])))
        if len(cause.fix) > 1:
            step.append(f" (step 1 of {len(cause.fix)}, all under Details)", style="dim")
        page.para(step, indent=2, hang=4)


def _key_line(page: _Page, report: Report, safe: TextPolicy) -> None:
    key = report.key_line
    assert key is not None
    if key.source == "logTail" and key.line_index is not None and report.first_failure is not None:
        count = len(tail_lines(report.first_failure.log_tail))
        where = f"log tail line {key.line_index + 1} of {count}"
    else:
        where = "from the extra logs"
    why = "quoted as evidence" if key.from_evidence else "picked by its error words"
    page.para(Text.assemble(("The line that matters", "bold"), (f" ({where}, {why}):", "dim")))
    page.para(Text.assemble((f"{KEY_MARK} ", "bold red"), (safe(key.text), "bold")), indent=0, hang=2)


# The details -----------------------------------------------------------------------------------


def _details(page: _Page, report: Report, safe: TextPolicy) -> None:
    page.blank()
    page.lines.append(Text("── Details " + "─" * max(0, min(page.width, 80) - 11), style="dim"))
    failure = report.first_failure
    if failure is not None:
        page.blank()
        _failure_details(page, report, failure, safe)
    if report.causes:
        page.blank()
        _cause_details(page, report, report.causes, safe)
    if report.failure_groups:
        page.blank()
        _groups(page, report, safe)
    traffic = report.blue_traffic
    if traffic.environments or traffic.checks or traffic.blue_termination:
        page.blank()
        _traffic(page, report, safe)
    page.blank()
    _deployment(page, report, safe)
    if report.warnings:
        page.blank()
        page.para(Text("Warnings", style="bold yellow"))
        for warning in report.warnings:
            page.para(Text(f"! {safe(warning)}"), indent=2, hang=4)


def _failure_details(page: _Page, report: Report, failure: LifecycleEventFailure, safe: TextPolicy) -> None:
    title = "First failure" if failure.status == "Failed" else f"Stuck: first event that did not succeed ({safe(failure.status)})"
    page.para(Text(title, style="bold"))
    page.para(_failure_line(failure, safe), indent=2, hang=4)
    if failure.message:
        page.para(safe(failure.message), indent=2)
    lines = tail_lines(safe(failure.log_tail))
    if not lines:
        if failure.status == "Failed":
            page.para(Text("(no log tail: see where to look, above)", style="dim"), indent=2)
        return
    evidence = report.causes[0].evidence if report.causes else ()
    quoted = evidence_line_indexes(safe(failure.log_tail), [safe(item) for item in evidence])
    key = report.key_line.line_index if report.key_line is not None and report.key_line.source == "logTail" else None
    if key is not None and (key >= len(lines) or safe(report.key_line.text if report.key_line else "") != lines[key]):
        key = next((i for i in range(len(lines) - 1, -1, -1) if report.key_line and lines[i] == safe(report.key_line.text)), None)
    first_shown = max(0, len(lines) - LOG_TAIL_LINES)
    wanted = {*range(first_shown, len(lines)), *quoted, *([key] if key is not None else [])}
    shown = _close_small_gaps(wanted)
    noun = "line" if len(lines) == 1 else "lines"
    counted = f"{len(shown)} of {len(lines)} {noun}" if len(shown) < len(lines) else f"{len(lines)} {noun}"
    legend = f"; {KEY_MARK} the line that matters" if key is not None else ""
    legend += f", {EVIDENCE_MARK} quoted as evidence" if quoted else ""
    page.para(Text(f"Log tail ({counted}{legend}):", style="dim"), indent=2)
    previous = -1
    for index in shown:
        if index > previous + 1:
            gap = index - previous - 1
            page.para(Text(f"  ⋮ ({gap} line{'s' if gap != 1 else ''} not shown)", style="dim"), indent=2)
        previous = index
        if index == key:
            mark, style = KEY_MARK, "bold"
        elif index in quoted:
            mark, style = EVIDENCE_MARK, "bold"
        else:
            mark, style = " ", ""
        line = Text.assemble((f"{mark} ", "bold red" if mark != " " else ""), ("│ ", "dim"), (lines[index], style))
        page.para(line, indent=2, hang=6)


def evidence_line_indexes(log_tail: str | None, evidence: Sequence[str]) -> frozenset[int]:
    """Positions in the log tail of every line quoted as evidence (all of them are shown, marked)."""
    wanted = {item.strip() for item in evidence if item.strip()}
    return frozenset(index for index, line in enumerate(tail_lines(log_tail)) if line.strip() in wanted)


def _close_small_gaps(wanted: set[int], small: int = 2) -> list[int]:
    """The lines to show: the wanted ones, and hidden runs of at most ``small`` lines (a gap marker costs as much)."""
    shown: list[int] = []
    previous = -1
    for index in sorted(wanted):
        if 0 < index - previous - 1 <= small:
            shown.extend(range(previous + 1, index))
        shown.append(index)
        previous = index
    return shown


def _cause_details(page: _Page, report: Report, causes: Sequence[Cause], safe: TextPolicy) -> None:
    main = causes[0]
    text = Text("Likely cause: ", style="bold")
    text.append(main.id, style="bold magenta")
    text.append(f" ({main.confidence} confidence)", style="dim")
    page.para(text)
    page.para(Text(safe(main.title), style="bold"), indent=2)
    for evidence in main.evidence:
        page.para(Text.assemble(("Evidence: ", "dim"), safe(evidence)), indent=2, hang=4)
    if main.explanation.strip():
        page.para(safe(main.explanation), indent=2)
    if main.fix:
        page.para(Text("Fix:", style="bold"), indent=2)
        for number, step in enumerate(main.fix, start=1):
            page.para(f"{number}. {fitted(report, safe(step))}", indent=4, hang=7)
    for link in main.docs:
        page.para(Text(f"Docs: {safe(link)}", style="dim"), indent=2, hang=4)
    others = causes[1:]
    if others:
        also = ", ".join(f"{cause.id} ({cause.confidence})" for cause in others)
        page.para(Text.assemble(("Also possible: ", "dim"), also, (f" (cd-doctor explain {others[0].id})", "dim")), indent=2)


def _groups(page: _Page, report: Report, safe: TextPolicy) -> None:
    page.para(Text("Failed targets", style="bold"))
    for group in report.failure_groups:
        noun = "target" if group.target_count == 1 else "targets"
        verb = "failed at" if group.status == "Failed" else f"{safe(group.status).lower()} at"
        text = Text(f"{group.target_count} {noun} {verb} {safe(group.lifecycle_event)}", style="bold")
        if group.error_code:
            text.append(f": {safe(group.error_code)}")
        if group.cause_id:
            text.append(f" → {safe(group.cause_id)}", style="magenta")
        page.para(text, indent=2)
        sample = ", ".join(safe(tid) for tid in group.target_ids[:5])
        more = f" +{len(group.target_ids) - 5} more" if len(group.target_ids) > 5 else ""
        page.para(Text(f"{sample}{more}", style="dim"), indent=4, hang=4)
    if report.targets_total and report.targets_total > report.targets_examined:
        page.para(Text(f"({report.targets_examined} of {report.targets_total} targets read in detail)", style="dim"), indent=2)


def _traffic(page: _Page, report: Report, safe: TextPolicy) -> None:
    traffic = report.blue_traffic
    fleet = in_place(report)
    page.para(Text("Original fleet and capacity" if fleet else "Blue / Green", style="bold"))
    if traffic.environments:
        _environment_table(page, traffic.environments, safe, fleet=fleet)
    if traffic.checks:
        page.para(Text("Checks (for / AGAINST production being safe):", style="dim"), indent=2)
        for check in traffic.checks:
            word = Text(CHECK_WORDS[check.ok], style="green" if check.ok else "bold red")
            page.para(Text.assemble(word, " ", f"{safe(check.source)}: {safe(check.detail)}"), indent=4, hang=12)
    if traffic.blue_termination:
        page.para(f"Blue termination: {safe(traffic.blue_termination)}", indent=2, hang=4)


def _environment_table(page: _Page, environments: Sequence[Environment], safe: TextPolicy, *, fleet: bool) -> None:
    """Columns sized to their content (ids never cut); the detail wraps under its own column or below."""
    rows: list[tuple[str, str, str, str, str]] = []
    for env in environments:
        label = "original" if fleet and env.label == "Blue" else safe(env.label)
        share = f"{env.traffic_share:g}%" if env.traffic_share is not None else "?"
        if not env.members:
            rows.append((label, share, "-", "-", safe(env.summary)))
        for index, member in enumerate(env.members[:MAX_MEMBERS_SHOWN]):
            rows.append(
                (
                    label if index == 0 else "",
                    share if index == 0 else "",
                    safe(member.id),
                    safe(member.health or "?"),
                    safe(member.detail),
                )
            )
        if len(env.members) > MAX_MEMBERS_SHOWN:
            rows.append(("", "", f"… and {len(env.members) - MAX_MEMBERS_SHOWN} more (all are in --format json)", "", ""))
    headers = ("Environment", "Traffic", "Member", "Health", "Detail")
    widths = [max(len(headers[col]), *(len(row[col]) for row in rows if not row[2].startswith("… and"))) for col in range(4)]
    gap = 2
    detail_at = 2 + sum(widths) + gap * 4
    room = page.width - detail_at
    header = Text("  ") + _cells(headers, widths, gap)
    if room >= DETAIL_MIN:
        header.append(headers[4])
    header.stylize("bold")
    if detail_at - gap > page.width:
        _environment_list(page, rows)
        return
    page.lines.append(_strip(header))
    for row in rows:
        if row[2].startswith("… and"):
            page.para(Text(row[2], style="dim"), indent=2 + widths[0] + widths[1] + 2 * gap)
            continue
        cells = Text("  ") + _cells(row, widths, gap, health_style=_health_style(row[3]))
        if not row[4]:
            _strip(cells)
            page.lines.append(cells)
        elif room >= DETAIL_MIN:
            detail = Text(row[4])
            wrapped = [detail[start:end] for start, end in wrap_spans(row[4], room, room)]
            for number, line in enumerate(wrapped):
                start = cells if number == 0 else Text(" " * detail_at)
                page.lines.append(_strip(start + _strip(line)))
        else:
            _strip(cells)
            page.lines.append(cells)
            page.para(row[4], indent=detail_at if detail_at < page.width // 2 else 6, hang=6)


def _environment_list(page: _Page, rows: Sequence[tuple[str, str, str, str, str]]) -> None:
    """The Blue/Green view as a list, when its columns would not fit the width."""
    for label, share, member, health, detail in rows:
        if label:
            page.para(Text(f"{label} ({share} of traffic)", style="bold"), indent=2)
        line = Text(member)
        if health:
            line.append(f"  {health}", style=_health_style(health))
        if detail:
            line.append(f": {detail}")
        page.para(line, indent=4, hang=6)


def _cells(row: Sequence[str], widths: Sequence[int], gap: int, *, health_style: str = "") -> Text:
    text = Text()
    for col in range(4):
        cell = row[col].rjust(widths[col]) if col == 1 else row[col].ljust(widths[col])
        text.append(cell, style=health_style if col == 3 else "")
        text.append(" " * gap)
    return text


def _health_style(health: str | None) -> str:
    if health in ("healthy", "running", "InService", "PRIMARY", "STEADY"):
        return "green"
    if health in (None, "unknown", "?", "Health", ""):
        return "yellow" if health not in ("Health", "") else ""
    if health in ("initial", "draining", "ACTIVE", "DRAINING", "unused"):
        return "yellow"
    return "red"


def _deployment(page: _Page, report: Report, safe: TextPolicy) -> None:
    summary = report.deployment
    page.para(Text("Deployment", style="bold"))
    if summary.error_code and summary.error_message:
        page.para(f"Error: {safe(summary.error_code)}: {safe(summary.error_message)}", indent=2, hang=4)
    if summary.overview:
        counts = ", ".join(f"{k} {v}" for k, v in summary.overview.items() if v)
        page.para(f"Targets: {safe(counts) or 'none'}", indent=2, hang=4)
    if summary.revision:
        page.para(f"Revision: {safe(summary.revision)}", indent=2, hang=4)
    if summary.creator:
        started = Text(f"Started by: {safe(summary.creator)}")
        started.append(f"  {safe(summary.create_time)} → {safe(summary.complete_time or 'still running')}", style="dim")
        page.para(started, indent=2, hang=4)
    for message in summary.status_messages[:3]:
        page.para(f"Status message: {safe(message)}", indent=2, hang=4)
    if summary.rollback:
        rollback = summary.rollback
        text = Text("Rollback: ", style="bold")
        text.append(f"{safe(rollback.deployment_id or '-')} {safe(rollback.status or '')}".rstrip())
        if rollback.message:
            text.append(f" ({safe(rollback.message)})", style="dim")
        page.para(text, indent=2, hang=4)
