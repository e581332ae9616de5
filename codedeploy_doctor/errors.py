"""The error tree: every failure a user can meet, with advice and its exit code.

The CLI turns these into exit codes in exactly one place (``cli.run_safely``).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes (the README's "Exit codes" table)."""

    OK = 0
    """The deployment did not fail."""
    FAILED_BLUE_SAFE = 1
    """The deployment failed; the original environment still serves, or the question does not apply."""
    BAD_INPUT = 2
    """Usage error or bad input."""
    CANNOT_DIAGNOSE = 3
    """Credentials, permission on a core call, not found, network, throttling past retries."""
    FAILED_BLUE_AT_RISK = 4
    """The deployment failed and the original environment is not confirmed serving."""


class DoctorError(Exception):
    """Base of every error cd-doctor reports to a user as one line plus a tip."""

    exit_code: ExitCode = ExitCode.CANNOT_DIAGNOSE

    def __init__(self, message: str, *, tip: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        """What went wrong, one line."""
        self.tip = tip
        """What to try next, or None."""

    def one_line(self) -> str:
        """Return the message and its tip on one line, as printed to stderr.

        Messages quote AWS's own words, which are untrusted: control characters and secrets
        are removed and line breaks folded, so the result is always exactly one safe line.
        """
        from codedeploy_doctor.sanitize import TextPolicy

        safe = TextPolicy()
        message = safe(self.message)
        # One full stop before the tip, whatever the message ends with.
        text = f"{message.rstrip().rstrip('.')}. Tip: {safe(self.tip)}" if self.tip else message
        return " ".join(text.split())


class BadInputError(DoctorError):
    """The user's input (id, snapshot, catalog, option) is malformed."""

    exit_code = ExitCode.BAD_INPUT


class CannotDiagnoseError(DoctorError):
    """A core AWS call failed, so no diagnosis is possible."""

    exit_code = ExitCode.CANNOT_DIAGNOSE


class CredentialsError(CannotDiagnoseError):
    """No usable AWS credentials (missing, expired SSO session or token)."""


class AccessDeniedError(CannotDiagnoseError):
    """A core call was denied; ``action`` names the IAM action to grant."""

    def __init__(self, message: str, *, action: str, tip: str | None = None) -> None:
        super().__init__(message, tip=tip or f"grant {action} to the identity running cd-doctor (see docs/iam-policy.json)")
        self.action = action
        """The IAM action that was denied, e.g. ``codedeploy:GetDeployment``."""


class DeploymentNotFoundError(CannotDiagnoseError):
    """The deployment does not exist in the Region that was asked."""


class AwsUnavailableError(CannotDiagnoseError):
    """Network failure, timeout, AWS 5xx or throttling past every retry."""


class DeadlineExceededError(AwsUnavailableError):
    """The run did not finish within ``--timeout`` seconds."""

    def __init__(self, seconds: float, *, doing: str | None = None) -> None:
        what = f" while {doing}" if doing else ""
        super().__init__(
            f"no diagnosis within --timeout {seconds:g}s{what}",
            tip="AWS may be slow or throttling: retry with a larger --timeout, or --debug to see the calls",
        )
        self.seconds = seconds
        """The deadline that was exceeded, in seconds."""


class ReadOnlyViolation(DoctorError):
    """Code tried to call an AWS operation outside the read-only allowlist (a bug): refused before sending."""

    exit_code = ExitCode.CANNOT_DIAGNOSE

    def __init__(self, service: str, operation: str) -> None:
        super().__init__(
            f"refused to call {service}:{operation}: cd-doctor only reads (a bug in cd-doctor)",
            tip="report it; nothing was sent to AWS",
        )
        self.service = service
        """boto3 service name of the refused call."""
        self.operation = operation
        """Operation name of the refused call."""
