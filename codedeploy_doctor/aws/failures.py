"""Turning botocore exceptions into cd-doctor's typed errors (core calls) and recorded call errors (the rest).

A core call's failure ends the run: :func:`translate` gives it a one-line message that names
what failed (the IAM action, the Region) and a tip that says what to do. A non-core call's
failure becomes a :class:`CallError` in the snapshot (:func:`call_error`), which the report turns
into a warning (``call_warnings.warning_for``), so replaying the snapshot gives the same warning.
"""

from __future__ import annotations

from typing import Final

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    CredentialRetrievalError,
    EndpointConnectionError,
    HTTPClientError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    SSOError,
    TokenRetrievalError,
)
from botocore.exceptions import (
    ConnectionError as BotoConnectionError,
)

from codedeploy_doctor.call_warnings import ACCESS_DENIED_CODES, THROTTLING_CODES
from codedeploy_doctor.errors import (
    AccessDeniedError,
    AwsUnavailableError,
    BadInputError,
    CredentialsError,
    DeploymentNotFoundError,
    DoctorError,
)
from codedeploy_doctor.iam import iam_action
from codedeploy_doctor.snapshot import CallError

EXPIRED_CODES: Final = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired"})
"""Error codes for credentials that were valid once and have expired."""

INVALID_CREDENTIALS_CODES: Final = frozenset(
    {"InvalidClientTokenId", "UnrecognizedClientException", "InvalidAccessKeyId", "SignatureDoesNotMatch", "AuthFailure"}
)
"""Error codes for credentials AWS does not accept at all."""

NOT_FOUND_CODES: Final = frozenset({"DeploymentDoesNotExistException", "InvalidDeploymentIdException"})
"""Error codes GetDeployment answers for a deployment id it does not know in this Region."""

SERVER_ERROR_CODES: Final = frozenset(
    {"InternalFailure", "InternalError", "InternalServerError", "ServiceUnavailable", "ServiceUnavailableException"}
)
"""Error codes of AWS-side failures, when the HTTP status is not at hand."""

SSO_LOGIN_TIP: Final = "run 'aws sso login' (with --profile NAME if you use one), then retry"


def error_code(exc: BaseException) -> str:
    """Return a short code for any exception an AWS call can raise (the AWS code, or the class name)."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code") or "Unknown")
    return type(exc).__name__


def error_message(exc: BaseException) -> str:
    """Return the AWS message (without botocore's 'An error occurred...' wrapper) when there is one."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Message") or exc)
    return str(exc)


def call_error(service: str, operation: str, exc: BaseException) -> CallError:
    """Record a failed non-core call for the snapshot's ``errors``."""
    return CallError(service=service, operation=operation, code=error_code(exc), message=error_message(exc))


def translate(exc: BaseException, service: str, operation: str, *, region: str | None) -> DoctorError:
    """Turn an exception from a core call into a typed error whose one line says what to do."""
    if isinstance(exc, DoctorError):
        return exc  # already typed: the read-only guard, the deadline
    action = iam_action(service, operation)
    where = region or "the default Region"
    credentials = _credentials_error(exc)
    if credentials is not None:
        return credentials
    if isinstance(exc, ProfileNotFound):
        return BadInputError(str(exc), tip="list profiles with 'aws configure list-profiles'")
    if isinstance(exc, NoRegionError):
        return BadInputError("no AWS Region configured", tip="pass --region or set AWS_REGION")
    if isinstance(exc, (ConnectTimeoutError, ReadTimeoutError)):
        return AwsUnavailableError(
            f"{action} timed out in {where} after every retry ({type(exc).__name__})",
            tip="check network access to AWS (VPN, proxy, HTTPS_PROXY), then retry",
        )
    if isinstance(exc, (EndpointConnectionError, BotoConnectionError, HTTPClientError)):
        return AwsUnavailableError(
            f"cannot reach the AWS endpoint for {service} in {where}: {type(exc).__name__}",
            tip="check network, proxy and --region (and AWS_ENDPOINT_URL if set)",
        )
    if isinstance(exc, ClientError):
        return _client_error(exc, service, action, where)
    if isinstance(exc, BotoCoreError):
        return AwsUnavailableError(f"{action} failed: {exc}")
    return AwsUnavailableError(f"{action} failed: {type(exc).__name__}: {exc}")


def _credentials_error(exc: BaseException) -> CredentialsError | None:
    if isinstance(exc, (SSOError, TokenRetrievalError)):
        return CredentialsError("your AWS SSO session has expired or is not logged in", tip=SSO_LOGIN_TIP)
    if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
        return CredentialsError(
            "no AWS credentials found", tip="set AWS_PROFILE or pass --profile, or run 'aws configure' / 'aws sso login'"
        )
    if isinstance(exc, CredentialRetrievalError):
        return CredentialsError(f"could not get AWS credentials: {exc}", tip="check the profile's credential_process or role")
    return None


def _client_error(exc: ClientError, service: str, action: str, where: str) -> DoctorError:
    code = error_code(exc)
    message = error_message(exc)
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if code in NOT_FOUND_CODES and service == "codedeploy":
        return DeploymentNotFoundError(
            f"deployment not found in Region {where}: {message}",
            tip="pass --region with the Region the deployment ran in (cd-doctor looked in " + where + ")",
        )
    if code in ACCESS_DENIED_CODES:
        return AccessDeniedError(f"access denied to {action}: {message}", action=action)
    if code in EXPIRED_CODES:
        return CredentialsError(
            f"your AWS session or token has expired ({code})", tip=f"{SSO_LOGIN_TIP}; or refresh your temporary credentials"
        )
    if code in INVALID_CREDENTIALS_CODES:
        return CredentialsError(
            f"AWS does not accept these credentials ({code}): {message}",
            tip="check AWS_PROFILE/--profile and the access keys, or run 'aws sso login'",
        )
    if code in THROTTLING_CODES or status == 429:
        return AwsUnavailableError(
            f"{action} was throttled by AWS past all retries ({code})",
            tip="other tools may be calling CodeDeploy heavily: wait a minute and retry",
        )
    if (isinstance(status, int) and status >= 500) or code in SERVER_ERROR_CODES:
        return AwsUnavailableError(
            f"AWS answered {status or 'a server error'} {code} for {action} after every retry",
            tip="an AWS-side problem: retry in a minute, and check the AWS Health Dashboard",
        )
    return AwsUnavailableError(f"{action} failed: {code}: {message}")
