"""Report warnings for AWS calls that failed while collecting (pure: no boto3)."""

from __future__ import annotations

from typing import Final

from codedeploy_doctor.iam import iam_action
from codedeploy_doctor.snapshot import INCOMPLETE_ANSWER, CallError

ACCESS_DENIED_CODES: Final = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException", "AuthorizationError"}
)
"""Error codes AWS services use for a denied action."""

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
"""Error codes AWS services use for throttling."""


def warning_for(error: CallError) -> str:
    """Return the one-line report warning for a call that failed, naming the IAM action involved."""
    if error.code == INCOMPLETE_ANSWER:
        return f"{error.operation} answered without some of what was asked: {error.message}"
    action = iam_action(error.service, error.operation)
    if error.code in ACCESS_DENIED_CODES:
        return f"could not call {error.operation}: {error.code} (grant {action})"
    if error.code in THROTTLING_CODES:
        return f"could not call {error.operation}: throttled past all retries ({action})"
    detail = f": {error.message}" if error.message else ""
    return f"could not call {error.operation}: {error.code}{detail} ({action})"
