"""Helpers shared by tests: fixtures on disk, and an offline client seam."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3

from codedeploy_doctor.aws.clients import ClientFactory, ClientHook

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"


def fixture_paths() -> list[Path]:
    """Every snapshot fixture, sorted by name."""
    return sorted(FIXTURES.glob("*.json"))


def load_fixture_json(name: str) -> dict[str, Any]:
    """A fixture's JSON object, by file name with or without .json."""
    path = FIXTURES / (name if name.endswith(".json") else f"{name}.json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


class NetworkUsedError(AssertionError):
    """A request reached botocore's HTTP layer: no fake answered it."""


def offline_factory(*hooks: ClientHook, **options: Any) -> ClientFactory:
    """A ClientFactory with fake credentials whose clients are answered by ``hooks`` (or moto).

    The network itself is refused for every test by the conftest (botocore's HTTP send raises).
    """
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
    return ClientFactory(session=session, client_hooks=hooks, **options)
