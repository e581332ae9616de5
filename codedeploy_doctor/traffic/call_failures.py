"""Words for a traffic call that failed while collecting, without importing botocore.

``aws.failures.warning_for`` produces the report warning from the same ``CallError``; this
pure copy lets the verdict name the failed call and the IAM action to grant in its checks,
and a test keeps the two texts equal.
"""

from __future__ import annotations

from typing import Final

from codedeploy_doctor.snapshot import CallError

ACCESS_DENIED_CODES: Final = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException", "AuthorizationError"}
)
"""Error codes that mean the identity may not make the call."""

THROTTLING_CODES: Final = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "RequestThrottled",
        "SlowDown",
    }
)
"""Error codes that mean AWS throttled the call past every retry."""

_IAM_PREFIX: Final = {"elbv2": "elasticloadbalancing", "elb": "elasticloadbalancing"}


def iam_action(service: str, operation: str) -> str:
    """The IAM action of a boto3 service and operation, e.g. ``elasticloadbalancing:DescribeTargetHealth``."""
    return f"{_IAM_PREFIX.get(service, service)}:{operation}"


def describe_call_failure(error: CallError) -> str:
    """One line naming the failed call and what to do, worded like the report warning."""
    action = iam_action(error.service, error.operation)
    if error.code in ACCESS_DENIED_CODES:
        return f"could not call {error.operation}: {error.code} (grant {action})"
    if error.code in THROTTLING_CODES:
        return f"could not call {error.operation}: throttled past all retries ({action})"
    return f"could not call {error.operation}: {error.code}: {error.message} ({action})"
