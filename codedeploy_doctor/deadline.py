"""The overall deadline of a live run (``--timeout SECONDS``): checked before every AWS attempt, enforced from outside.

Two layers, so a run can neither overrun nor hang:

- the client seam checks the deadline before each call and each retry attempt
  (``aws.clients.ClientFactory``), so the collector's threads stop making calls once it passes;
- :func:`run_within` runs the work in a daemon thread and stops waiting at the deadline, so a
  call stuck in a socket read or a retry back-off cannot hold the user past it. The CLI then
  exits at once without waiting for such threads (``work_abandoned``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from codedeploy_doctor.errors import DeadlineExceededError

T = TypeVar("T")

_abandoned = threading.Event()

MAX_SECONDS = 7 * 24 * 3600.0
"""The longest ``--timeout`` (a week): longer than any deployment's waits, short enough for every clock and timer."""


class Deadline:
    """A point in monotonic time that a live run must finish by."""

    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        if not 0 <= seconds <= MAX_SECONDS:  # NaN fails both
            raise ValueError(f"a deadline needs 0 to {MAX_SECONDS:g} seconds")
        self.seconds = seconds
        """The budget the user gave (``--timeout``)."""
        self._clock = clock
        self.expires_at = clock() + seconds
        """Monotonic time at which the budget is spent."""

    def remaining(self) -> float:
        """Return the seconds left, never negative."""
        return max(0.0, self.expires_at - self._clock())

    def expired(self) -> bool:
        """Return True once the budget is spent."""
        return self._clock() >= self.expires_at

    def check(self, doing: str | None = None) -> None:
        """Raise :class:`DeadlineExceededError` when the budget is spent."""
        if self.expired():
            raise DeadlineExceededError(self.seconds, doing=doing)


def start_deadline(seconds: float | None) -> Deadline | None:
    """Return a deadline starting now, or None when no ``--timeout`` was given."""
    return None if seconds is None else Deadline(seconds)


def run_within(deadline: Deadline | None, work: Callable[[], T], *, doing: str | None = None) -> T:
    """Return ``work()``, or raise :class:`DeadlineExceededError` when it is not done by ``deadline``.

    The work runs in a daemon thread, so giving up on it never blocks the process from exiting;
    its own calls stop at the client seam's next deadline check.
    """
    if deadline is None:
        return work()
    values: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            values.append(work())
        except BaseException as error:  # noqa: BLE001 - handed to the waiting thread as is
            errors.append(error)

    thread = threading.Thread(target=run, name="cd-doctor-deadline", daemon=True)
    thread.start()
    try:
        thread.join(deadline.remaining())
    except BaseException:
        _abandoned.set()  # Ctrl-C: do not wait for the work on the way out either
        raise
    if thread.is_alive():
        _abandoned.set()
        raise DeadlineExceededError(deadline.seconds, doing=doing)
    if errors:
        raise errors[0]
    return values[0]


def abandon() -> None:
    """Say that work is still running and must not be waited for on the way out (Ctrl-C)."""
    _abandoned.set()


def work_abandoned() -> bool:
    """Return True when :func:`run_within` gave up on work still running in this process."""
    return _abandoned.is_set()


def reset_abandoned() -> None:
    """Forget abandoned work (the CLI's entry point calls it before each run)."""
    _abandoned.clear()
