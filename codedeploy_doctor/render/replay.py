"""The replay banner: a report from a snapshot file says so, and how old the snapshot is."""

from __future__ import annotations

from codedeploy_doctor.report import ReplayInfo
from codedeploy_doctor.timefmt import parse_time


def format_age(seconds: float) -> str:
    """``just now``, ``12 min ago``, ``3 h ago`` or ``6 d ago`` (a clock behind the snapshot reads ``just now``)."""
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 2 * 86400:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} d ago"


def replay_banner(replay: ReplayInfo) -> str:
    """E.g. ``replay of a snapshot recorded 2026-11-28 09:05 UTC, 3 h ago (not live)``."""
    moment = parse_time(replay.recorded_at)
    if moment is None:
        return "replay of a snapshot (when it was recorded is not known) (not live)"
    when = moment.strftime("%Y-%m-%d %H:%M UTC")
    age = f", {format_age(replay.age_seconds)}" if replay.age_seconds is not None else ""
    return f"replay of a snapshot recorded {when}{age} (not live)"
