"""Record when each AWS call starts and ends, and count the sequential round trips among them.

The recorder is a ClientFactory hook, like the fakes: it stamps a call's start at ``before-call``
(registered first, so before the fake's handler sleeps its latency) and its end at
``after-call`` (registered last), correlated through botocore's per-request context.

Round trips on the critical path are the longest chain of calls in which each call started
after the previous one had ended. A call that needed another's answer can only start once that
call ended; calls sent together overlap, because each lasts at least the injected latency and
they all start within a few milliseconds. So with a latency well above the scheduling jitter
(50 ms against ~1-5 ms) the chain length is the number of sequential waves the collector
waited for. A fully sequential script scores one round trip per call.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

_START_KEY = "cd_doctor_bench_start"


@dataclass(frozen=True)
class CallSpan:
    """One AWS call: which, and when it started and ended (``time.perf_counter`` seconds)."""

    call: str
    """``service:Operation``."""
    start: float
    end: float


@dataclass
class CallTimeline:
    """Every call made through the clients it is attached to, with its time span."""

    spans: list[CallSpan] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def attach(self, service: str, client: Any) -> None:
        """ClientFactory hook: stamp every call of ``client``."""
        service_id = client.meta.service_model.service_id.hyphenize()
        events = client.meta.events
        events.register_first(f"before-call.{service_id}", _stamp_start)
        events.register_last(f"after-call.{service_id}", self._stamp_end(service))

    def _stamp_end(self, service: str) -> Any:
        def stamp_end(model: Any, context: dict[str, Any], **_: Any) -> None:
            end = time.perf_counter()
            span = CallSpan(f"{service}:{model.name}", context.get(_START_KEY, end), end)
            with self._lock:
                self.spans.append(span)

        return stamp_end

    @property
    def calls(self) -> Counter[str]:
        """Calls made, keyed ``service:Operation``."""
        with self._lock:
            return Counter(span.call for span in self.spans)

    def round_trips(self) -> int:
        """Length of the longest chain of calls each starting after the previous one ended."""
        with self._lock:
            spans = sorted(self.spans, key=lambda span: span.start)
        return longest_chain(spans)

    def waves(self) -> list[list[str]]:
        """Calls grouped by their depth in the longest chain ending at them (for reports and debugging)."""
        with self._lock:
            spans = sorted(self.spans, key=lambda span: span.start)
        depths = _depths(spans)
        grouped: dict[int, list[str]] = {}
        for span, depth in zip(spans, depths, strict=True):
            grouped.setdefault(depth, []).append(span.call)
        return [sorted(grouped[depth]) for depth in sorted(grouped)]


def _stamp_start(context: dict[str, Any], **_: Any) -> None:
    context[_START_KEY] = time.perf_counter()


def _depths(spans: list[CallSpan]) -> list[int]:
    # spans sorted by start; depth[i] = 1 + the deepest span that ended before span i started.
    # Quadratic, which is fine for the few hundred calls of the largest naive run.
    depths: list[int] = []
    for index, span in enumerate(spans):
        before = [depths[other] for other in range(index) if spans[other].end <= span.start]
        depths.append(max(before, default=0) + 1)
    return depths


def longest_chain(spans: list[CallSpan]) -> int:
    """Longest chain of spans (sorted by start) in which each starts after the previous ended."""
    return max(_depths(spans), default=0)
