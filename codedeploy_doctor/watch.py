"""Following a deployment that is still running (``--watch``): polling with backoff until it ends.

The poller asks a :class:`ProgressSource` (``aws.deployment_progress`` reads CodeDeploy) for the
deployment, backing off from 2 s to 15 s between polls (tenacity), until the deployment reaches
a terminal status or ``--timeout`` expires. The sleep function and the clocks are injected, so
tests run instantly. It reports each poll to a :class:`ProgressView` (``render.watch_view``).

``Ready`` counts as terminal: a blue/green deployment waiting for someone to reroute traffic
does not end by itself. ``Baking`` does not: it ends on its own after the bake time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Protocol

from tenacity import RetryCallState, Retrying, retry_if_exception_type, retry_if_result, wait_exponential

from codedeploy_doctor.deployment_facts import DEPLOYMENT_TERMINAL
from codedeploy_doctor.errors import AwsUnavailableError
from codedeploy_doctor.lifecycle import order_for
from codedeploy_doctor.snapshot import JsonObject

TERMINAL_STATUSES = DEPLOYMENT_TERMINAL
"""Deployment statuses after which there is nothing more to wait for."""

DONE_TARGET_STATUSES = ("Succeeded", "Failed", "Skipped", "Ready")
"""Target statuses that count as done in the progress bar."""

OVERVIEW_ORDER = ("Succeeded", "Failed", "Skipped", "Ready", "InProgress", "Pending")
"""Order of the per-status counts shown."""

MIN_WAIT = 2.0
"""Seconds before the second poll; the wait doubles from there."""

MAX_WAIT = 15.0
"""Longest wait between two polls."""

MAX_FAILED_POLLS = 5
"""Polls in a row that may fail (network, throttling, 5xx) before --watch gives up with exit 3 and the last error."""

TARGETS_SHOWN = 8
"""Active targets listed in the live view (3 in a plain line)."""

Clock = Callable[[], float]
"""Monotonic seconds, for the timeout and the backoff."""

WallClock = Callable[[], dt.datetime]
"""The current time (aware), for elapsed time since the deployment was created."""


@dataclass(frozen=True)
class TargetProgress:
    """Where one active target is: its status and the lifecycle event it is in."""

    target_id: str
    """Instance id, ``cluster:service`` or ``function:alias``."""
    status: str
    """Target status: InProgress, Pending..."""
    lifecycle_event: str | None
    """The event running now (or the next one to run), None when unknown."""
    label: str | None = None
    """Blue or Green, when the target has one."""


@dataclass(frozen=True)
class Progress:
    """One poll's view of a deployment."""

    deployment_id: str
    """The deployment id."""
    status: str
    """Deployment status: Created, Queued, InProgress, Baking, Ready, Succeeded, Failed, Stopped."""
    overview: Mapping[str, int] = field(default_factory=dict)
    """``deploymentOverview``: targets per status."""
    application: str | None = None
    """Application name."""
    deployment_group: str | None = None
    """Deployment group name."""
    create_time: dt.datetime | None = None
    """When the deployment was created."""
    targets: tuple[TargetProgress, ...] = ()
    """A sample of the active targets, with the event each is in."""

    @property
    def terminal(self) -> bool:
        """True when the deployment will not change by itself any more."""
        return self.status in TERMINAL_STATUSES

    @property
    def total(self) -> int:
        """Targets in the deployment."""
        return sum(self.overview.values())

    @property
    def done(self) -> int:
        """Targets that have finished (succeeded, failed, skipped or ready)."""
        return sum(self.overview.get(status, 0) for status in DONE_TARGET_STATUSES)

    def counts(self) -> list[tuple[str, int]]:
        """Non-zero counts per target status, in a stable order."""
        known = [(status, self.overview.get(status, 0)) for status in OVERVIEW_ORDER]
        other = [(status, count) for status, count in self.overview.items() if status not in OVERVIEW_ORDER]
        return [(status, count) for status, count in (*known, *other) if count]


class ProgressSource(Protocol):
    """Where polls read from: CodeDeploy in real runs, a fake world in tests."""

    def deployment(self) -> JsonObject:
        """Read the deployment's ``DeploymentInfo`` now (GetDeployment); typed errors on failure."""
        ...

    def active_targets(self) -> Sequence[JsonObject]:
        """Read a bounded sample of the targets still running, as ``DeploymentTarget`` objects."""
        ...


class ProgressView(Protocol):
    """What the poller reports to: a live view, plain lines, or nothing."""

    follows_events: bool
    """True when the view shows each target's event: targets are then read on every poll."""

    def __enter__(self) -> ProgressView:
        """Start showing."""
        ...

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        """Stop showing (also on Ctrl-C)."""
        ...

    def update(self, progress: Progress) -> None:
        """Show a new poll's result."""
        ...

    def note(self, message: str) -> None:
        """Show a transient problem (a poll that failed and will be retried)."""
        ...


@dataclass(frozen=True)
class WatchResult:
    """How the wait ended."""

    progress: Progress
    """The last poll's result."""
    timed_out: bool
    """True when --timeout expired before the deployment ended."""
    polls: int
    """GetDeployment calls made."""
    waited: float
    """Seconds spent watching."""


def progress_from(deployment: JsonObject, targets: Sequence[JsonObject] = ()) -> Progress:
    """Build a :class:`Progress` from ``DeploymentInfo`` and ``DeploymentTarget`` objects."""
    overview_raw = deployment.get("deploymentOverview")
    overview = {str(k): v for k, v in overview_raw.items() if isinstance(v, int)} if isinstance(overview_raw, dict) else {}
    platform = deployment.get("computePlatform") if isinstance(deployment.get("computePlatform"), str) else None
    return Progress(
        deployment_id=str(deployment.get("deploymentId") or "unknown"),
        status=str(deployment.get("status") or "Unknown"),
        overview=overview,
        application=_text(deployment.get("applicationName")),
        deployment_group=_text(deployment.get("deploymentGroupName")),
        create_time=_time(deployment.get("createTime")),
        targets=tuple(progress for progress in (target_progress(t, platform) for t in targets) if progress is not None),
    )


def target_progress(target: JsonObject, platform: str | None = None) -> TargetProgress | None:
    """Where one ``DeploymentTarget`` is: the event in progress, else the first one still pending."""
    kinds = ("instanceTarget", "ecsTarget", "lambdaTarget", "cloudFormationTarget")
    body = next((target[key] for key in kinds if isinstance(target.get(key), dict)), None)
    if body is None or not isinstance(body.get("targetId"), str):
        return None
    events = [event for event in body.get("lifecycleEvents") or [] if isinstance(event, dict)]
    rank = {name: index for index, name in enumerate(order_for(platform))}
    events.sort(key=lambda event: rank.get(str(event.get("lifecycleEventName")), len(rank)))
    current = next((e for e in events if e.get("status") == "InProgress"), None) or next(
        (e for e in events if e.get("status") == "Pending"), None
    )
    return TargetProgress(
        target_id=body["targetId"],
        status=str(body.get("status") or "Unknown"),
        lifecycle_event=_text(current.get("lifecycleEventName")) if current else None,
        label=_text(body.get("instanceLabel")),
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


class Watcher:
    """Polls a deployment until it ends or the timeout expires."""

    def __init__(
        self,
        source: ProgressSource,
        view: ProgressView,
        *,
        timeout: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Clock = time.monotonic,
        min_wait: float = MIN_WAIT,
        max_wait: float = MAX_WAIT,
    ) -> None:
        self._source = source
        self._view = view
        self._timeout = timeout
        self._sleep = sleep
        self._clock = clock
        self._min_wait = min_wait
        self._max_wait = max_wait
        self._polls = 0
        self._failures = 0
        self._last: Progress | None = None

    def run(self) -> WatchResult:
        """Poll until the deployment ends; the view is closed on the way out, also on Ctrl-C."""
        start = self._clock()
        deadline = None if self._timeout is None else start + max(0.0, self._timeout)
        backoff = wait_exponential(multiplier=self._min_wait, min=self._min_wait, max=self._max_wait)

        def stop(state: RetryCallState) -> bool:
            if self._failures >= MAX_FAILED_POLLS:
                return True  # the last error is raised: AWS has not answered for a while
            return deadline is not None and self._clock() >= deadline

        def wait(state: RetryCallState) -> float:
            delay = float(backoff(state))
            return delay if deadline is None else min(delay, max(0.0, deadline - self._clock()))

        retrying = Retrying(
            sleep=self._sleep,
            stop=stop,
            wait=wait,
            retry=retry_if_result(lambda progress: not progress.terminal) | retry_if_exception_type(AwsUnavailableError),
            # On timeout: the last poll's progress, or the last poll's error.
            retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
        )
        with self._view:
            progress: Progress = retrying(self._poll)
        return WatchResult(progress=progress, timed_out=not progress.terminal, polls=self._polls, waited=self._clock() - start)

    def _poll(self) -> Progress:
        self._polls += 1
        try:
            deployment = self._source.deployment()
            progress = progress_from(deployment)
            previous = self._last
            changed = previous is None or previous.overview != progress.overview or previous.status != progress.status
            if not progress.terminal and progress.overview.get("InProgress", 0) > 0:
                if changed or self._view.follows_events:
                    progress = progress_from(deployment, self._source.active_targets())
                elif previous is not None:
                    progress = dataclasses.replace(progress, targets=previous.targets)
        except AwsUnavailableError as error:
            self._failures += 1
            if self._failures < MAX_FAILED_POLLS:
                self._view.note(f"poll failed ({self._failures} in a row), retrying: {error.one_line()}")
            raise
        self._failures = 0
        self._last = progress
        self._view.update(progress)
        return progress
