"""The terminal report: what failed, where, why, and whether production is safe, in five seconds.

Built from Rich ``Text`` objects, never from markup strings, so untrusted text cannot style
itself; every untrusted string goes through the text policy first.
"""

from __future__ import annotations

import io

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from codedeploy_doctor.render import MAX_MEMBERS_SHOWN, RenderOptions
from codedeploy_doctor.render.verdict import verdict_tone, verdict_words
from codedeploy_doctor.report import BlueTraffic, Cause, LifecycleEventFailure, Report

TONE_STYLE = {"good": "bold green", "warn": "bold yellow", "bad": "bold red", "neutral": "bold"}
"""Rich style per verdict tone."""
LOG_TAIL_LINES = 20


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
    for block in _blocks(report, options):
        parts = block.renderables if isinstance(block, Group) else [block]
        for part in parts:
            # Text is not re-wrapped (it would lose its indent and split paths and timestamps);
            # the terminal folds long lines itself. Tables are laid out to the width.
            console.print(part, soft_wrap=isinstance(part, Text))
    return buffer.getvalue()


def _blocks(report: Report, options: RenderOptions) -> list[RenderableType]:
    safe = options.policy
    blocks: list[RenderableType] = [_headline(report, options), _production_line(report.blue_traffic, options)]
    if report.first_failure:
        blocks.append(_first_failure(report.first_failure, options, has_locations=bool(report.log_locations)))
    if report.causes:
        blocks.append(_causes(report.causes, options))
    # Notes qualify the cause's fix (which bundle the failed script came from): after it, not before.
    for note in report.notes:
        blocks.append(Text.assemble(("Note: ", "bold yellow"), f"{safe(note)}\n"))
    if report.failure_groups:
        blocks.append(_groups(report, options))
    if report.blue_traffic.environments or report.blue_traffic.checks:
        blocks.append(_traffic(report.blue_traffic, options))
    blocks.append(_deployment(report, options))
    if report.log_locations and report.first_failure:
        lines = Text("Where to look next\n", style="bold")
        for location in report.log_locations:
            lines.append(f"  {safe(location)}\n")
        blocks.append(lines)
    if report.warnings:
        warnings = Text("Warnings\n", style="bold yellow")
        for warning in report.warnings:
            warnings.append(f"  ! {safe(warning)}\n")
        blocks.append(warnings)
    return blocks


def _headline(report: Report, options: RenderOptions) -> Text:
    safe = options.policy
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
    if summary.error_code:
        text.append(f"\n  {safe(summary.error_code)}", style="red")
        if summary.error_message:
            text.append(f": {safe(summary.error_message)}")
    return text


def _production_line(traffic: BlueTraffic, options: RenderOptions) -> Text:
    safe = options.policy
    text = Text("\nProduction: ", style="bold")
    text.append(verdict_words(traffic), style=TONE_STYLE[verdict_tone(traffic)])
    text.append(f" — {safe(traffic.summary)}")
    basis = "confirmed against the traffic layer" if traffic.basis == "traffic-layer" else "inferred from CodeDeploy events only"
    text.append(f" ({basis})\n", style="dim")
    return text


def _first_failure(failure: LifecycleEventFailure, options: RenderOptions, *, has_locations: bool) -> Text:
    safe = options.policy
    stuck = f"Stuck: first event that did not succeed ({safe(failure.status)})"
    title = "First failure" if failure.status == "Failed" else stuck
    text = Text(f"{title}\n", style="bold")
    text.append(f"  {safe(failure.target_id)}", style="bold")
    if failure.target_label:
        text.append(f" ({safe(failure.target_label)})")
    text.append(f"  {safe(failure.lifecycle_event)}", style="bold cyan")
    if failure.error_code:
        text.append(f"  {safe(failure.error_code)}", style="red")
    if failure.script_name:
        text.append(f"  {safe(failure.script_name)}")
    when = failure.end_time or failure.start_time
    if when:
        text.append(f"  at {safe(when)}", style="dim")
    text.append("\n")
    if failure.message:
        text.append(f"  {safe(failure.message)}\n")
    if failure.log_tail and failure.log_tail.strip():
        lines = safe(failure.log_tail).rstrip("\n").split("\n")
        shown = lines[-LOG_TAIL_LINES:]
        counted = f"last {len(shown)} of {len(lines)} lines" if len(shown) < len(lines) else f"{len(lines)} lines"
        text.append(f"  Log tail ({counted}):\n", style="dim")
        for line in shown:
            text.append("  │ ", style="dim")
            text.append(f"{line}\n")
    elif failure.status == "Failed":
        hint = ": see 'Where to look next'" if has_locations else ""
        text.append(f"  (no log tail{hint})\n", style="dim")
    return text


def _causes(causes: tuple[Cause, ...], options: RenderOptions) -> RenderableType:
    safe = options.policy
    main = causes[0]
    text = Text("Likely cause: ", style="bold")
    text.append(main.id, style="bold magenta")
    text.append(f" ({main.confidence} confidence)\n", style="dim")
    text.append(f"  {safe(main.title)}\n", style="bold")
    for evidence in main.evidence[:3]:
        text.append("  Evidence: ", style="dim")
        text.append(f"{safe(evidence)}\n")
    text.append(f"  {safe(main.explanation)}\n")
    if main.fix:
        text.append("  Fix:\n", style="bold")
        for number, step in enumerate(main.fix, start=1):
            text.append(f"    {number}. {safe(step)}\n")
    if main.where:
        text.append(f"  Look at: {safe(main.where)}\n", style="dim")
    for link in main.docs[:2]:
        text.append(f"  Docs: {safe(link)}\n", style="dim")
    others = causes[1:]
    if others:
        text.append("  Also possible: ", style="dim")
        text.append(", ".join(f"{c.id} ({c.confidence})" for c in others) + "\n")
        text.append(f"  (cd-doctor explain {others[0].id})\n", style="dim")
    return text


def _groups(report: Report, options: RenderOptions) -> Text:
    safe = options.policy
    text = Text("Failed targets\n", style="bold")
    for group in report.failure_groups:
        noun = "target" if group.target_count == 1 else "targets"
        verb = "failed at" if group.status == "Failed" else f"{safe(group.status).lower()} at"
        text.append(f"  {group.target_count} {noun} {verb} {safe(group.lifecycle_event)}", style="bold")
        if group.error_code:
            text.append(f": {safe(group.error_code)}")
        if group.cause_id:
            text.append(f" → {safe(group.cause_id)}", style="magenta")
        sample = ", ".join(safe(tid) for tid in group.target_ids[:5])
        more = f" +{len(group.target_ids) - 5} more" if len(group.target_ids) > 5 else ""
        text.append(f"\n    {sample}{more}\n", style="dim")
    if report.targets_total and report.targets_total > report.targets_examined:
        text.append(f"  ({report.targets_examined} of {report.targets_total} targets read in detail)\n", style="dim")
    return text


def _traffic(traffic: BlueTraffic, options: RenderOptions) -> RenderableType:
    safe = options.policy
    parts: list[RenderableType] = [Text("Blue / Green", style="bold")]
    if traffic.environments:
        table = Table(box=None, pad_edge=False, show_header=True, header_style="bold", padding=(0, 2, 0, 2))
        table.add_column("Environment")
        table.add_column("Traffic", justify="right")
        table.add_column("Member")
        table.add_column("Health")
        table.add_column("Detail")
        for env in traffic.environments:
            share = f"{env.traffic_share:g}%" if env.traffic_share is not None else "?"
            members = env.members or ()
            if not members:
                table.add_row(Text(safe(env.label)), Text(share), Text("-"), Text("-"), Text(safe(env.summary)))
            for index, member in enumerate(members[:MAX_MEMBERS_SHOWN]):
                table.add_row(
                    Text(safe(env.label) if index == 0 else ""),
                    Text(share if index == 0 else ""),
                    Text(safe(member.id)),
                    Text(safe(member.health or "?"), style=_health_style(member.health)),
                    Text(safe(member.detail)),
                )
            if len(members) > MAX_MEMBERS_SHOWN:
                more = f"… and {len(members) - MAX_MEMBERS_SHOWN} more (all are in --format json)"
                table.add_row(Text(""), Text(""), Text(more, style="dim"), Text(""), Text(""))
        parts.append(table)
    if traffic.checks:
        checks = Text("  Checks:\n", style="dim")
        for check in traffic.checks:
            checks.append("    ✓ " if check.ok else "    ✗ ", style="green" if check.ok else "red")
            checks.append(f"{safe(check.source)}: {safe(check.detail)}\n")
        parts.append(checks)
    if traffic.blue_termination:
        parts.append(Text(f"  Blue termination: {safe(traffic.blue_termination)}\n"))
    return Group(*parts)


def _health_style(health: str | None) -> str:
    if health in ("healthy", "running", "InService", "PRIMARY", "STEADY"):
        return "green"
    if health in (None, "unknown", "?"):
        return "yellow"
    if health in ("initial", "draining", "ACTIVE", "DRAINING", "unused"):
        return "yellow"
    return "red"


def _deployment(report: Report, options: RenderOptions) -> Text:
    safe = options.policy
    summary = report.deployment
    text = Text("Deployment\n", style="bold")
    if summary.overview:
        counts = ", ".join(f"{k} {v}" for k, v in summary.overview.items() if v)
        text.append(f"  Targets: {safe(counts) or 'none'}\n")
    if summary.revision:
        text.append(f"  Revision: {safe(summary.revision)}\n")
    if summary.creator:
        text.append(f"  Started by: {safe(summary.creator)}")
        text.append(f"  {safe(summary.create_time)} → {safe(summary.complete_time or 'still running')}\n", style="dim")
    for message in summary.status_messages[:3]:
        text.append(f"  Status message: {safe(message)}\n")
    if summary.rollback:
        rollback = summary.rollback
        text.append("  Rollback: ", style="bold")
        text.append(f"{safe(rollback.deployment_id or '-')} {safe(rollback.status or '')}".rstrip())
        if rollback.message:
            text.append(f" ({safe(rollback.message)})", style="dim")
        text.append("\n")
    return text
