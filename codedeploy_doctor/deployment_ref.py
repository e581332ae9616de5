"""What a user may paste where a deployment id is expected: the id, an ARN, or a console URL.

- ``d-A1B2C3D4E`` as it is;
- an ARN that names a deployment (``arn:aws:codedeploy:eu-west-1:123456789012:deployment/d-A1B2C3D4E``
  or any ARN ending in the id): the Region is its fourth field;
- a CodeDeploy console URL (``https://eu-west-1.console.aws.amazon.com/codesuite/codedeploy/
  deployments/d-A1B2C3D4E?region=eu-west-1``): the Region is its ``region`` parameter, or the
  host's first label.

The id found is checked like a typed one (``ids.parse_deployment_id``); the Region is only a
default for ``--region``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from codedeploy_doctor.ids import DeploymentId, parse_deployment_id

_ID_IN_TEXT = re.compile(r"(?<![A-Za-z0-9-])d-[A-Z0-9]{9}(?![A-Za-z0-9])")
_REGION = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d")


@dataclass(frozen=True)
class DeploymentRef:
    """A deployment id and, when the pasted text named one, its Region."""

    deployment_id: DeploymentId
    """The deployment id."""
    region: str | None
    """The Region from an ARN or console URL, or None."""


def parse_deployment_ref(text: str) -> DeploymentRef:
    """Read an id, ARN or console URL; ``ValueError`` (saying what an id looks like) when none is there."""
    value = text.strip()
    if value.startswith("arn:"):
        fields = value.split(":", 5)
        found = _ID_IN_TEXT.findall(fields[5]) if len(fields) == 6 and fields[2] == "codedeploy" else []
        if len(found) == 1:
            region = fields[3] if _REGION.fullmatch(fields[3]) else None
            return DeploymentRef(parse_deployment_id(found[0]), region)
        raise ValueError(f"{value!r} is not the ARN of a CodeDeploy deployment (no d-XXXXXXXXX id in it)")
    if value.startswith(("https://", "http://")):
        url = urlsplit(value)
        host = url.hostname or ""
        if not (host == "console.aws.amazon.com" or host.endswith(".console.aws.amazon.com")):
            raise ValueError(f"{value!r} is not an AWS console URL")
        found = sorted(set(_ID_IN_TEXT.findall(url.path + "#" + url.fragment)))
        if len(found) != 1:
            raise ValueError(f"{value!r} does not name one deployment (open the deployment's own page and copy its URL)")
        regions = [region for region in parse_qs(url.query).get("region", []) if _REGION.fullmatch(region)]
        label = host.split(".", 1)[0]
        region = regions[0] if regions else (label if _REGION.fullmatch(label) else None)
        return DeploymentRef(parse_deployment_id(found[0]), region)
    return DeploymentRef(parse_deployment_id(value), None)
