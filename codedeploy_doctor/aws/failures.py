"""Turning botocore exceptions into cd-doctor's typed errors and report warnings."""

from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    TokenRetrievalError,
    UnauthorizedSSOTokenError,
)

from codedeploy_doctor.aws.readonly import iam_action
from codedeploy_doctor.call_warnings import ACCESS_DENIED_CODES, THROTTLING_CODES
from codedeploy_doctor.errors import (
    AccessDeniedError,
    AwsUnavailableError,
    BadInputError,
    CredentialsError,
    DeploymentNotFoundError,
    DoctorError,
)
from codedeploy_doctor.snapshot import CallError

EXPIRED_CODES = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired", "InvalidClientTokenId", "UnrecognizedClientException"})
NOT_FOUND_CODES = frozenset({"DeploymentDoesNotExistException"})


def error_code(exc: BaseException) -> str:
    """A short code for any exception an AWS call can raise."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code") or "Unknown")
    return type(exc).__name__


def error_message(exc: BaseException) -> str:
    """The AWS message (without botocore's 'An error occurred...' wrapper) when there is one."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Message") or exc)
    return str(exc)


def call_error(service: str, operation: str, exc: BaseException) -> CallError:
    """Record a failed non-core call for the snapshot's ``errors``."""
    return CallError(service=service, operation=operation, code=error_code(exc), message=error_message(exc))


def translate(exc: BaseException, service: str, operation: str, *, region: str | None) -> DoctorError:
    """Turn an exception from a core call into a typed error with advice."""
    action = iam_action(service, operation)
    where = region or "the default Region"
    if isinstance(exc, DoctorError):
        return exc
    if isinstance(exc, (UnauthorizedSSOTokenError, TokenRetrievalError)):
        return CredentialsError(
            "your AWS SSO session has expired or is invalid", tip="run 'aws sso login' (add --profile NAME if you use one)"
        )
    if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
        return CredentialsError(
            "no AWS credentials found", tip="set AWS_PROFILE or pass --profile, or run 'aws configure' / 'aws sso login'"
        )
    if isinstance(exc, ProfileNotFound):
        return BadInputError(str(exc), tip="list profiles with 'aws configure list-profiles'")
    if isinstance(exc, NoRegionError):
        return BadInputError("no AWS Region configured", tip="pass --region or set AWS_REGION")
    if isinstance(exc, (ConnectTimeoutError, ReadTimeoutError)):
        return AwsUnavailableError(f"{action} timed out in {where}", tip="check network access to AWS, or retry with a larger --timeout")
    if isinstance(exc, EndpointConnectionError):
        return AwsUnavailableError(f"cannot reach the AWS endpoint for {service} in {where}", tip="check network, proxy and --region")
    if isinstance(exc, ClientError):
        code = error_code(exc)
        message = error_message(exc)
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in NOT_FOUND_CODES:
            return DeploymentNotFoundError(
                f"deployment not found in {where}: {message}", tip="pass --region with the Region the deployment ran in"
            )
        if code in ACCESS_DENIED_CODES:
            return AccessDeniedError(f"access denied to {action}: {message}", action=action)
        if code in EXPIRED_CODES:
            return CredentialsError(f"AWS rejected the credentials ({code})", tip="refresh them: 'aws sso login' or new keys")
        if code in THROTTLING_CODES:
            return AwsUnavailableError(f"{action} was throttled past all retries", tip="wait a minute and retry")
        if isinstance(status, int) and status >= 500:
            return AwsUnavailableError(f"AWS returned {status} {code} for {action}", tip="retry; check the AWS Health Dashboard")
        return AwsUnavailableError(f"{action} failed: {code}: {message}")
    if isinstance(exc, BotoCoreError):
        return AwsUnavailableError(f"{action} failed: {exc}")
    return AwsUnavailableError(f"{action} failed: {type(exc).__name__}: {exc}")
