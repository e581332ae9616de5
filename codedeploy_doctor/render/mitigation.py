"""When the verdict pages: the AWS CLI commands that put production back, to copy (cd-doctor never runs them).

Which commands fit depends on the platform and on where the deployment is:

- still running (InProgress, Ready, Baking...): stop it and let CodeDeploy roll back
  (``aws deploy stop-deployment --auto-rollback-enabled``);
- Lambda, ended with weight on the failed version: point the alias back at the original version
  and drop the extra weight (``aws lambda update-alias``);
- ECS, ended with production on the replacement: re-route the production listener to the
  original target group (``aws elbv2 modify-listener``);
- Server, ended: redeploy the last good revision (CodeDeploy's own rollback does that).

Every value in a command comes from AWS and is untrusted: it is cleaned by the caller's text
policy, and a value that is not a plain identifier becomes a ``<placeholder>``, so nothing in a
command can run something else when pasted into a shell.
"""

from __future__ import annotations

import re

from codedeploy_doctor.deployment_facts import DEPLOYMENT_RUNNING
from codedeploy_doctor.report import Report

RUNNING = DEPLOYMENT_RUNNING
"""Deployment statuses in which stopping the deployment still helps."""

_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:/@+=-]{0,255}")
"""A value safe to paste unquoted into a shell command."""

_ALIAS = re.compile(r"\balias ([A-Za-z0-9_-]+):([A-Za-z0-9_-]+)\b")

_VERSION = re.compile(r"^version (\S+)$")


def _arg(value: str | None, placeholder: str) -> str:
    """A value fit to paste unquoted in a shell, else a placeholder to fill in."""
    if value and _PLAIN.fullmatch(value):
        return value
    return f"<{placeholder}>"


def mitigation_commands(report: Report) -> tuple[str, ...]:
    """The commands to copy when the verdict pages (exit 4 on a failed deployment); () otherwise."""
    if not report.deployment_failed or report.blue_traffic.confirmed_safe:
        return ()
    summary = report.deployment
    deployment_id = _arg(summary.id, "deployment-id")
    if summary.status in RUNNING:
        return (f"aws deploy stop-deployment --deployment-id {deployment_id} --auto-rollback-enabled",)
    if summary.rollback is not None and summary.rollback.status in (None, "Created", "Queued", "InProgress"):
        return ()  # CodeDeploy is already rolling back: nothing to add but watching it.
    platform = summary.compute_platform
    failure = report.first_failure
    if platform == "Lambda":
        function, _, alias = (failure.target_id if failure else "").partition(":")
        named = _ALIAS.search(" ".join([report.blue_traffic.summary, *(c.detail for c in report.blue_traffic.checks)]))
        if named is not None:
            function, alias = named.group(1), named.group(2)
        blue = next((env for env in report.blue_traffic.environments if env.label == "Blue"), None)
        version = None
        if blue is not None and blue.members:
            match = _VERSION.match(blue.members[0].id)
            version = match.group(1) if match else None
        return (
            f"aws lambda update-alias --function-name {_arg(function, 'function')} --name {_arg(alias, 'alias')} "
            f"--function-version {_arg(version, 'original version')} --routing-config AdditionalVersionWeights={{}}",
        )
    if platform == "ECS":
        return (
            "aws elbv2 modify-listener --listener-arn <production listener ARN> "
            "--default-actions Type=forward,TargetGroupArn=<original (Blue) target group ARN>",
        )
    application = _arg(summary.application, "application")
    group = _arg(summary.deployment_group, "deployment-group")
    return (
        f"aws deploy get-deployment-group --application-name {application} --deployment-group-name {group} "
        "--query deploymentGroupInfo.lastSuccessfulDeployment",
        f"aws deploy create-deployment --application-name {application} --deployment-group-name {group} "
        "--revision <the last successful deployment's revision>",
    )
