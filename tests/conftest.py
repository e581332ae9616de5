"""Test-wide setup: no real AWS credentials, config or network, ever."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import botocore.httpsession
import pytest

from tests.support import NetworkUsedError


@pytest.fixture(autouse=True)
def _offline_aws(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """Point boto3 at fake credentials and empty config files, whatever the machine has."""
    if request.node.get_closest_marker("aws"):
        yield  # opt-in real-AWS tests keep the user's configuration
        return
    empty = tmp_path_factory.getbasetemp() / "empty-aws-config"
    empty.touch()
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("NO_COLOR", "1")
    yield


@pytest.fixture(autouse=True)
def _no_network(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's HTTP send is the network boundary: fakes and moto answer before it, or the test fails."""
    if request.node.get_closest_marker("aws"):
        return

    def refuse(self: Any, request: Any) -> Any:
        raise NetworkUsedError(f"a test tried to reach the network: {request.method} {request.url}")

    monkeypatch.setattr(botocore.httpsession.URLLib3Session, "send", refuse)
