"""The one seam where AWS clients are made: region, profile, retries, timeouts, read-only guard, deadline.

Every client gets, before any hook a test or the benchmark attaches (``client_hooks``):

- the read-only guard, first at ``before-parameter-build``: an operation off the allowlist
  (``aws.readonly``) raises :class:`ReadOnlyViolation` before it is serialized, signed or sent;
- botocore's ``adaptive`` retry mode (exponential back-off with jitter plus client-side rate
  limiting when AWS throttles) and explicit connect and read timeouts, so no call waits forever;
- with a ``--timeout`` deadline, a check before the call and before every retry attempt
  (``before-send``), so the collector's threads stop calling once the deadline passes.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from codedeploy_doctor import __version__
from codedeploy_doctor.aws.readonly import is_allowed
from codedeploy_doctor.deadline import Deadline
from codedeploy_doctor.errors import ReadOnlyViolation

if TYPE_CHECKING:
    from botocore.client import BaseClient

ClientHook = Callable[[str, "BaseClient"], None]
"""Called with (service name, client) for every client made; tests attach fakes this way."""

DEFAULT_MAX_ATTEMPTS = 6
"""Retries per call after its first attempt (botocore's ``max_attempts``): seven attempts in all."""
DEFAULT_CONNECT_TIMEOUT = 5.0
"""Seconds to open a connection to an AWS endpoint."""
DEFAULT_READ_TIMEOUT = 20.0
"""Seconds to wait for AWS to answer on an open connection."""
MIN_TIMEOUT = 1.0
"""Smallest connect/read timeout a short --timeout can bring the defaults down to."""
MAX_POOL_CONNECTIONS = 16
"""HTTP connections kept per client: more than the collector's calls in flight."""


class ClientFactory:
    """Makes configured, read-only, call-counting boto3 clients, one per service."""

    def __init__(
        self,
        *,
        region: str | None = None,
        profile: str | None = None,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        client_hooks: Sequence[ClientHook] = (),
        session: boto3.Session | None = None,
        deadline: Deadline | None = None,
    ) -> None:
        # boto3 itself reads AWS_DEFAULT_REGION and the profile but not AWS_REGION, which the AWS
        # CLI and the other SDKs honour first: do the same (--region still wins).
        region = region or os.environ.get("AWS_REGION") or None
        self._session = session or boto3.Session(profile_name=profile, region_name=region)
        self.deadline = deadline
        """The run's ``--timeout`` deadline, checked before every call and attempt (None: no limit)."""
        if deadline is not None:
            # One attempt must not outlive the whole budget.
            connect_timeout = min(connect_timeout, max(MIN_TIMEOUT, deadline.seconds))
            read_timeout = min(read_timeout, max(MIN_TIMEOUT, deadline.seconds))
        self._config = Config(
            retries={"mode": "adaptive", "max_attempts": max_attempts},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            max_pool_connections=MAX_POOL_CONNECTIONS,
            user_agent_extra=f"cd-doctor/{__version__}",
        )
        self._hooks = tuple(client_hooks)
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        """Logical API calls made, keyed ``service:Operation`` (retries not counted)."""

    @property
    def region(self) -> str | None:
        """The Region clients use (from --region, the profile or the environment)."""
        return self._session.region_name

    @property
    def total_calls(self) -> int:
        """Logical API calls made so far through every client."""
        with self._lock:
            return sum(self.calls.values())

    def client(self, service: str) -> Any:
        """Return the (cached, thread-safe) client for a boto3 service name."""
        with self._lock:
            existing = self._clients.get(service)
            if existing is not None:
                return existing
            client = self._session.client(service, config=self._config)  # type: ignore[call-overload]
            client.meta.events.register_first(f"before-parameter-build.{service_id(client)}", self._guard(service))
            client.meta.events.register_first(f"before-send.{service_id(client)}", self._attempt_check(service))
            for hook in self._hooks:
                hook(service, client)
            self._clients[service] = client
            return client

    def _guard(self, service: str) -> Callable[..., None]:
        """Refuse a non-allowlisted operation before it is built; check the deadline; count the call."""

        def guard(model: Any, **_: Any) -> None:
            operation = str(model.name)
            if not is_allowed(service, operation):
                raise ReadOnlyViolation(service, operation)
            if self.deadline is not None:
                self.deadline.check(f"calling {service}:{operation}")
            with self._lock:
                self.calls[f"{service}:{operation}"] += 1

        return guard

    def _attempt_check(self, service: str) -> Callable[..., None]:
        """Before each attempt (retries included): no attempt starts after the deadline."""

        def check(request: Any, **_: Any) -> None:
            if self.deadline is not None:
                self.deadline.check(f"calling {service}")

        return check


def service_id(client: Any) -> str:
    """Return the hyphenated service id botocore uses in event names (``codedeploy``, ``elastic-load-balancing-v2``)."""
    return str(client.meta.service_model.service_id.hyphenize())
