"""Reliability tests: fast but real botocore retries, and a count of the fault matrix's cells.

botocore's retry handling runs unchanged in these tests (adaptive mode, its retry quota and
its throttling detection); only its waits are removed: the back-off delay is zero and the
adaptive token bucket never blocks, so a cell that retries six times still takes milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.retries import bucket, standard


@pytest.fixture(autouse=True)
def _no_retry_waits(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Zero back-off and a never-blocking rate limiter: the retries happen, the sleeps do not."""
    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0.0)
    monkeypatch.setattr(bucket.TokenBucket, "acquire", lambda self, amount=1, block=True: True)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    yield


@pytest.fixture
def shared_session(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Let every ClientFactory share one model loader: service models load once, not once per run.

    Each run still gets its own botocore session: boto3 registers its S3 handlers on the botocore
    session it wraps, and a second boto3 session on the same one makes every S3 client fail.
    """
    real = boto3.Session

    def session(**kwargs: Any) -> boto3.Session:
        core = botocore.session.get_session()
        core.register_component("data_loader", _SHARED.setdefault("loader", core.get_component("data_loader")))
        return real(botocore_session=core, **kwargs)

    monkeypatch.setattr(boto3, "Session", session)
    yield


_SHARED: dict[str, Any] = {}
