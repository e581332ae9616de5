"""The one seam where AWS clients are made: region, profile, retries, timeouts, read-only guard.

Tests and the benchmark inject fakes here (``ClientFactory(client_hooks=...)``) and nowhere else.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from codedeploy_doctor import __version__
from codedeploy_doctor.aws.readonly import is_allowed
from codedeploy_doctor.errors import ReadOnlyViolation

if TYPE_CHECKING:
    from botocore.client import BaseClient

ClientHook = Callable[[str, "BaseClient"], None]
"""Called with (service name, client) for every client made; tests attach fakes this way."""

DEFAULT_MAX_ATTEMPTS = 6
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 20.0
MAX_POOL_CONNECTIONS = 16


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
    ) -> None:
        self._session = session or boto3.Session(profile_name=profile, region_name=region)
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
            for hook in self._hooks:
                hook(service, client)
            self._clients[service] = client
            return client

    def _guard(self, service: str) -> Callable[..., None]:
        def guard(model: Any, **_: Any) -> None:
            operation = str(model.name)
            if not is_allowed(service, operation):
                raise ReadOnlyViolation(f"refused to call {service}:{operation}: cd-doctor only reads")
            with self._lock:
                self.calls[f"{service}:{operation}"] += 1

        return guard


def service_id(client: Any) -> str:
    """The hyphenated service id botocore uses in event names (``codedeploy``, ``elastic-load-balancing-v2``)."""
    return str(client.meta.service_model.service_id.hyphenize())
