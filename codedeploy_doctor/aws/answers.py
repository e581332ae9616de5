"""Checking AWS's answer to GetDeployment before anything is built on it.

A proxy's login page returned with HTTP 200, a truncated body or an empty object all parse
(botocore turns an unreadable JSON body into an answer without ``deploymentInfo``), and an empty
deployment would read as one that did not fail. The answer is held to the same rule as a
snapshot's ``deployment`` (``snapshot.deployment_problem``) and must name the deployment asked
for; otherwise the run stops with exit 3: no diagnosis, never a wrong all-clear.
"""

from __future__ import annotations

from typing import Any

from codedeploy_doctor.errors import CannotDiagnoseError
from codedeploy_doctor.snapshot import GET_DEPLOYMENT_WRAPPER, JsonObject, deployment_problem

UNUSABLE_TIP = (
    "something other than AWS may have answered (a proxy or firewall page: check HTTPS_PROXY and the "
    "endpoint), or the answer was cut short: retry, with --debug to see it"
)


class UnusableAnswerError(CannotDiagnoseError):
    """AWS (or something in its place) answered GetDeployment with no usable deployment."""


def checked_deployment(response: Any, asked: str) -> JsonObject:
    """Return the ``deploymentInfo`` of a GetDeployment answer, checked to be the deployment ``asked`` for."""
    info = response.get(GET_DEPLOYMENT_WRAPPER) if isinstance(response, dict) else None
    if info is None:
        raise UnusableAnswerError(
            f"GetDeployment for {asked} answered without a deployment (empty or unreadable)", tip=UNUSABLE_TIP
        )
    problem = deployment_problem(info, name=GET_DEPLOYMENT_WRAPPER)
    if problem is not None:
        raise UnusableAnswerError(f"GetDeployment for {asked} answered an unusable deployment: {problem}", tip=UNUSABLE_TIP)
    answered = str(info["deploymentId"])
    if answered.strip().upper() != asked.strip().upper():
        raise UnusableAnswerError(f"GetDeployment for {asked} answered about another deployment ({answered})", tip=UNUSABLE_TIP)
    deployment: JsonObject = info
    return deployment
