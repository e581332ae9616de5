"""Shared machinery for collectors: bounded parallel calls, error capture, and futures.

Collectors run as soon as what they need is known: each one waits on the futures of the data
it depends on and submits its own calls, so independent calls share a round trip.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from botocore import xform_name

from codedeploy_doctor.aws.clients import ClientFactory
from codedeploy_doctor.aws.failures import call_error
from codedeploy_doctor.errors import DeadlineExceededError, ReadOnlyViolation
from codedeploy_doctor.snapshot import CallError, JsonObject, to_jsonable

T = TypeVar("T")

NEVER_A_WARNING: tuple[type[BaseException], ...] = (ReadOnlyViolation, DeadlineExceededError)
"""Failures that end the run even in a non-core call: a bug, or the run's --timeout."""

MAX_WORKERS = 12
"""Calls in flight at once: enough for one round trip's calls, few enough to avoid throttling."""


@dataclass
class CollectionContext:
    """What a collector gets: the client seam, a bounded pool and a place to record errors."""

    factory: ClientFactory
    """The one client seam."""
    executor: ThreadPoolExecutor
    """Bounded pool shared by every collector."""
    errors: list[CallError] = field(default_factory=list)
    """Failed non-core calls, in the order they failed."""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        """Run ``fn`` on the shared pool."""
        return self.executor.submit(fn, *args, **kwargs)

    def call(self, service: str, operation: str, **params: Any) -> JsonObject:
        """Make one core call; exceptions propagate for the caller to translate."""
        client = self.factory.client(service)
        method = getattr(client, xform_name(operation))
        return dict(to_jsonable(method(**params)))

    def try_call(self, service: str, operation: str, **params: Any) -> JsonObject | None:
        """Make one non-core call; a failure is recorded and None returned."""
        try:
            return self.call(service, operation, **params)
        except NEVER_A_WARNING:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure of a non-core call degrades to a warning
            self.record(call_error(service, operation, exc))
            return None

    def record(self, error: CallError) -> None:
        """Record a failed non-core call."""
        with self._lock:
            self.errors.append(error)


def chunks(items: Sequence[str], size: int) -> list[list[str]]:
    """``items`` in lists of at most ``size`` (the per-call limit of a batch API)."""
    return [list(items[start : start + size]) for start in range(0, len(items), size)]
