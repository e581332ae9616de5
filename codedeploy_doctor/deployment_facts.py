"""One reading of CodeDeploy's JSON, shared by the collector, the diagnosis and the verdicts.

The status sets each question needs, and the one-line description of a revision (so a report
never prints the same revision two ways).
"""

from __future__ import annotations

from typing import Any, Final

from codedeploy_doctor.sanitize import readable

DEPLOYMENT_FAILED: Final = frozenset({"Failed", "Stopped"})
"""Deployment statuses that mean it failed or was stopped."""

DEPLOYMENT_ENDED_WELL: Final = frozenset({"Succeeded", "Ready", "Baking"})
"""Statuses of a deployment that did not fail, even if some targets did (minimum healthy hosts held)."""

DEPLOYMENT_RUNNING: Final = frozenset({"Created", "Queued", "InProgress", "Baking", "Ready"})
"""Statuses of a deployment (a rollback, say) that is still under way."""

DEPLOYMENT_TERMINAL: Final = frozenset({"Succeeded", "Failed", "Stopped", "Ready"})
"""Statuses after which there is nothing more to wait for (``Ready`` waits for someone to reroute traffic)."""


def describe_revision(revision: Any) -> str | None:
    """One line naming the revision: S3 object, GitHub commit or inline AppSpec."""
    if not isinstance(revision, dict):
        return None
    s3 = revision.get("s3Location")
    if isinstance(s3, dict):
        where = f"s3://{s3.get('bucket', '?')}/{s3.get('key', '?')}"
        extras = [f"{name}={s3[name]}" for name in ("bundleType", "version", "eTag") if s3.get(name)]
        return f"{where} ({', '.join(extras)})" if extras else where
    github = revision.get("gitHubLocation")
    if isinstance(github, dict):
        return f"github:{github.get('repository', '?')}@{github.get('commitId', '?')}"
    if isinstance(revision.get("appSpecContent"), dict) or isinstance(revision.get("string"), dict):
        return f"inline AppSpec ({revision.get('revisionType', 'AppSpecContent')})"
    kind = revision.get("revisionType")
    return kind if isinstance(kind, str) and readable(kind) else None
