"""The views of ``--watch`` on stderr (stdout is for the report), and the one line at the end.

- on a terminal, a Rich live view: targets by status, a progress bar, the lifecycle event each
  active target is in, elapsed time; it disappears when the deployment ends;
- otherwise (CI logs, pipes), one plain line each time something changes.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import IO, Any

from codedeploy_doctor import TOOL_NAME
from codedeploy_doctor.sanitize import TextPolicy
from codedeploy_doctor.watch import TARGETS_SHOWN, Progress, ProgressSource, ProgressView, WallClock, Watcher, WatchResult


def format_elapsed(seconds: float) -> str:
    """``1h02m03s``, ``12m03s`` or ``45s``."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m{secs:02d}s"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class _Elapsed:
    """Elapsed time since the deployment was created (or since the watch began)."""

    def __init__(self, now: WallClock) -> None:
        self._now = now
        self._started = now()

    def __call__(self, progress: Progress | None) -> str:
        since = progress.create_time if progress and progress.create_time else self._started
        return format_elapsed((self._now() - since).total_seconds())


class PlainView:
    """One line on a stream each time the deployment's status, counts or active events change."""

    follows_events = False

    def __init__(self, stream: IO[str], *, policy: TextPolicy | None = None, now: WallClock = _now) -> None:
        self._stream = stream
        self._policy = policy or TextPolicy()
        self._elapsed = _Elapsed(now)
        self._last_line: str | None = None

    def __enter__(self) -> PlainView:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        return None

    def describe(self, progress: Progress) -> str:
        """Describe one poll in a line, without the elapsed time."""
        safe = self._policy
        counts = ", ".join(f"{safe(status)} {count}" for status, count in progress.counts())
        line = f"{safe(progress.deployment_id)} {safe(progress.status)}"
        if progress.total:
            line += f": {progress.done}/{progress.total} targets done ({counts})"
        active = [t for t in progress.targets if t.lifecycle_event][:3]
        if active:
            line += "; now: " + ", ".join(f"{safe(t.target_id)} {safe(t.lifecycle_event)}" for t in active)
        return line

    def update(self, progress: Progress) -> None:
        """Print a line when something changed since the last one."""
        line = self.describe(progress)
        if line != self._last_line:
            self._last_line = line
            self._write(f"[{self._elapsed(progress)}] {line}")

    def note(self, message: str) -> None:
        """Print a problem line."""
        self._write(f"[{self._elapsed(None)}] {self._policy(message)}")

    def _write(self, line: str) -> None:
        self._stream.write(line + "\n")
        self._stream.flush()


class LiveView:
    """A Rich live view on a terminal: header, progress bar, counts and active targets."""

    follows_events = True

    def __init__(
        self, console: Any, *, policy: TextPolicy | None = None, now: WallClock = _now, auto_refresh: bool = True
    ) -> None:
        from rich.live import Live

        self._policy = policy or TextPolicy()
        self._elapsed = _Elapsed(now)
        self._progress: Progress | None = None
        self._note: str | None = None
        self._live = Live(
            get_renderable=self.renderable,
            console=console,
            transient=True,
            auto_refresh=auto_refresh,
            refresh_per_second=2,
            redirect_stdout=False,
            redirect_stderr=False,
        )

    def __enter__(self) -> LiveView:
        self._live.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self._live.stop()

    def update(self, progress: Progress) -> None:
        """Show a new poll's result."""
        self._progress = progress
        self._note = None
        self._live.refresh()

    def note(self, message: str) -> None:
        """Show a problem under the view until the next successful poll."""
        self._note = self._policy(message)
        self._live.refresh()

    def renderable(self) -> Any:
        """Build what the live view shows now (from Text objects: no markup is interpreted)."""
        from rich.console import Group
        from rich.progress_bar import ProgressBar
        from rich.table import Table
        from rich.text import Text

        safe = self._policy
        progress = self._progress
        header = Text("Watching ", style="bold")
        if progress is None:
            header.append("… waiting for the first answer from CodeDeploy", style="dim")
            return header
        header.append(safe(progress.deployment_id), style="bold")
        where = " / ".join(safe(part) for part in (progress.application, progress.deployment_group) if part)
        if where:
            header.append(f"  {where}")
        header.append(f"  {safe(progress.status)}", style="bold cyan")
        header.append(f"  {self._elapsed(progress)}", style="dim")
        parts: list[Any] = [header]
        if progress.total:
            bar = Table.grid(padding=(0, 1))
            bar.add_row(
                ProgressBar(total=progress.total, completed=progress.done, width=30),
                Text(f"{progress.done}/{progress.total} targets done"),
            )
            parts.append(bar)
            counts = Text("  ")
            for index, (status, count) in enumerate(progress.counts()):
                if index:
                    counts.append(" · ", style="dim")
                counts.append(f"{safe(status)} {count}", style=_status_style(status))
            parts.append(counts)
        if progress.targets:
            table = Table(box=None, show_header=False, padding=(0, 2, 0, 2))
            for target in progress.targets[:TARGETS_SHOWN]:
                label = f" ({safe(target.label)})" if target.label else ""
                table.add_row(
                    Text(safe(target.target_id) + label),
                    Text(safe(target.lifecycle_event or "?"), style="cyan"),
                    Text(safe(target.status), style=_status_style(target.status)),
                )
            parts.append(table)
            hidden = progress.overview.get("InProgress", 0) - min(len(progress.targets), TARGETS_SHOWN)
            if hidden > 0:
                parts.append(Text(f"  (+{hidden} more in progress)", style="dim"))
        if self._note:
            parts.append(Text(f"  {self._note}", style="yellow"))
        parts.append(Text("  Ctrl-C to stop watching", style="dim"))
        return Group(*parts)


def _status_style(status: str) -> str:
    return {"Succeeded": "green", "Failed": "red", "InProgress": "cyan", "Skipped": "yellow", "Ready": "green"}.get(status, "")


def make_view(
    stream: IO[str] | None = None, *, policy: TextPolicy | None = None, now: WallClock = _now, no_color: bool = False
) -> ProgressView:
    """Choose a live view when ``stream`` (default stderr) is a terminal, plain lines otherwise."""
    stream = stream or sys.stderr
    isatty = getattr(stream, "isatty", None)
    if isatty is not None and isatty():
        from rich.console import Console

        console = Console(file=stream, highlight=False, markup=False, emoji=False, no_color=no_color or None)
        if not console.is_dumb_terminal:
            return LiveView(console, policy=policy, now=now)
    return PlainView(stream, policy=policy, now=now)


def describe_end(result: WatchResult, policy: TextPolicy | None = None) -> str:
    """Describe, in the one line printed, how the wait ended."""
    safe = policy or TextPolicy()
    progress = result.progress
    if result.timed_out:
        return (
            f"still {safe(progress.status)} after waiting {format_elapsed(result.waited)} (--timeout): "
            f"diagnosing {safe(progress.deployment_id)} as it stands"
        )
    return f"{safe(progress.deployment_id)} ended {safe(progress.status)}: diagnosing"


def watch_deployment(
    source: ProgressSource,
    *,
    timeout: float | None,
    policy: TextPolicy,
    stream: IO[str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    no_color: bool = False,
) -> WatchResult:
    """Follow a deployment on ``stream`` (default stderr) until it ends or ``timeout`` expires; one line at the end."""
    stream = stream or sys.stderr
    view = make_view(stream, policy=policy, no_color=no_color)
    result = Watcher(source, view, timeout=timeout, sleep=sleep, clock=clock).run()
    stream.write(f"{TOOL_NAME}: {describe_end(result, policy)}\n")
    stream.flush()
    return result
