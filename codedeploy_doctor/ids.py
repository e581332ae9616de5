"""Deployment ids: the one identifier a user types, checked before any AWS call."""

from __future__ import annotations

import re
from typing import NewType

DeploymentId = NewType("DeploymentId", str)
"""A CodeDeploy deployment id such as ``d-A1B2C3D4E``."""

_DEPLOYMENT_ID = re.compile(r"d-[A-Z0-9]{9}")

DEPLOYMENT_ID_HELP = "a deployment id is 'd-' followed by 9 upper-case letters or digits, e.g. d-A1B2C3D4E"


def is_deployment_id(text: str) -> bool:
    """Return True when ``text`` has the exact shape of a CodeDeploy deployment id."""
    return _DEPLOYMENT_ID.fullmatch(text) is not None


def parse_deployment_id(text: str) -> DeploymentId:
    """Return ``text`` as a :data:`DeploymentId` or raise ``ValueError`` explaining the shape."""
    if not is_deployment_id(text):
        raise ValueError(f"{text!r} is not a deployment id: {DEPLOYMENT_ID_HELP}")
    return DeploymentId(text)
