"""Typed errors with advice, exit codes in one place, no traceback unless --debug."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    CredentialRetrievalError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
    SSOTokenLoadError,
    TokenRetrievalError,
    UnauthorizedSSOTokenError,
)
from typer.testing import CliRunner

from codedeploy_doctor import app as app_module
from codedeploy_doctor.aws.failures import translate
from codedeploy_doctor.cli import app
from codedeploy_doctor.errors import (
    AccessDeniedError,
    AwsUnavailableError,
    BadInputError,
    CredentialsError,
    DeadlineExceededError,
    DeploymentNotFoundError,
    DoctorError,
    ExitCode,
    ReadOnlyViolation,
)
from tests.fakes.codedeploy_world import FakeAwsError
from tests.fakes.wire import on
from tests.reliability.harness import Scenario, run_live
from tests.support import FIXTURES, load_fixture_json


def _client_error(code: str, message: str = "msg", status: int = 400, operation: str = "GetDeployment") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}, operation)


CASES: list[tuple[str, BaseException, type[DoctorError], list[str]]] = [
    ("no credentials", NoCredentialsError(), CredentialsError, ["no AWS credentials found", "AWS_PROFILE", "aws sso login"]),
    (
        "partial credentials",
        PartialCredentialsError(provider="env", cred_var="AWS_SECRET_ACCESS_KEY"),
        CredentialsError,
        ["no AWS credentials"],
    ),
    ("sso token missing", SSOTokenLoadError(error_msg="Token for corp does not exist"), CredentialsError, ["aws sso login"]),
    ("sso token expired", UnauthorizedSSOTokenError(), CredentialsError, ["SSO session has expired", "aws sso login"]),
    ("token refresh failed", TokenRetrievalError(provider="sso", error_msg="expired"), CredentialsError, ["aws sso login"]),
    (
        "credential_process failed",
        CredentialRetrievalError(provider="process", error_msg="exit 1"),
        CredentialsError,
        ["could not get AWS credentials"],
    ),
    (
        "ExpiredToken",
        _client_error("ExpiredTokenException", "The security token included in the request is expired"),
        CredentialsError,
        ["expired", "aws sso login"],
    ),
    (
        "invalid keys",
        _client_error("UnrecognizedClientException", "The security token included in the request is invalid"),
        CredentialsError,
        ["does not accept these credentials"],
    ),
    (
        "access denied",
        _client_error("AccessDeniedException", "User: arn:aws:iam::1:user/x is not authorized"),
        AccessDeniedError,
        ["access denied to codedeploy:GetDeployment", "grant codedeploy:GetDeployment", "docs/iam-policy.json"],
    ),
    (
        "not found",
        _client_error("DeploymentDoesNotExistException", "The deployment d-AAAAAAAAA could not be found."),
        DeploymentNotFoundError,
        ["not found in Region eu-west-1", "--region", "looked in eu-west-1"],
    ),
    (
        "throttled",
        _client_error("ThrottlingException", "Rate exceeded"),
        AwsUnavailableError,
        ["throttled by AWS past all retries"],
    ),
    ("429", _client_error("SomethingNew", "slow down", 429), AwsUnavailableError, ["throttled"]),
    ("5xx", _client_error("InternalFailure", "oops", 503), AwsUnavailableError, ["AWS answered 503 InternalFailure", "retry"]),
    (
        "connect timeout",
        ConnectTimeoutError(endpoint_url="https://codedeploy.eu-west-1.amazonaws.com"),
        AwsUnavailableError,
        ["timed out in eu-west-1", "network"],
    ),
    (
        "read timeout",
        ReadTimeoutError(endpoint_url="https://codedeploy.eu-west-1.amazonaws.com"),
        AwsUnavailableError,
        ["timed out in eu-west-1"],
    ),
    (
        "unreachable",
        EndpointConnectionError(endpoint_url="https://codedeploy.eu-west-1.amazonaws.com"),
        AwsUnavailableError,
        ["cannot reach the AWS endpoint for codedeploy in eu-west-1", "proxy"],
    ),
    ("no region", NoRegionError(), BadInputError, ["no AWS Region", "--region"]),
    ("bad profile", ProfileNotFound(profile="nope"), BadInputError, ["nope", "list-profiles"]),
    ("other client error", _client_error("ValidationException", "bad"), AwsUnavailableError, ["codedeploy:GetDeployment failed"]),
    ("a bug", ValueError("surprise"), AwsUnavailableError, ["ValueError: surprise"]),
]


@pytest.mark.parametrize(("label", "exc", "kind", "words"), CASES, ids=[c[0] for c in CASES])
def test_every_failure_becomes_a_typed_error_with_advice(
    label: str, exc: BaseException, kind: type[DoctorError], words: list[str]
) -> None:
    error = translate(exc, "codedeploy", "GetDeployment", region="eu-west-1")
    assert type(error) is kind
    line = error.one_line()
    assert "\n" not in line
    for word in words:
        assert word in line, line
    expected = ExitCode.BAD_INPUT if issubclass(kind, BadInputError) else ExitCode.CANNOT_DIAGNOSE
    assert error.exit_code == expected
    if kind is not BadInputError:
        assert ". Tip: " in line or (kind is AwsUnavailableError and label in ("other client error", "a bug"))


def test_typed_errors_pass_through_translate_unchanged() -> None:
    for error in (ReadOnlyViolation("codedeploy", "StopDeployment"), DeadlineExceededError(5)):
        assert translate(error, "codedeploy", "GetDeployment", region=None) is error


def test_one_line_is_one_safe_line_even_when_aws_says_otherwise() -> None:
    hostile = "denied\n\x1b[31mred\x1b]0;title\x07 AKIAIOSFODNN7EXAMPLE\r\nnext"
    line = translate(_client_error("AccessDenied", hostile), "elbv2", "DescribeTargetHealth", region="us-east-1").one_line()
    assert "\n" not in line and "\x1b" not in line and "\x07" not in line
    assert "AKIAIOSFODNN7EXAMPLE" not in line and "****" in line


def test_every_error_class_carries_an_exit_code_from_the_contract() -> None:
    def subclasses(cls: type[DoctorError]) -> set[type[DoctorError]]:
        found = set(cls.__subclasses__())
        for sub in list(found):
            found |= subclasses(sub)
        return found

    for cls in subclasses(DoctorError):
        assert cls.exit_code in (ExitCode.BAD_INPUT, ExitCode.CANNOT_DIAGNOSE), cls


# --- the live path, end to end ---------------------------------------------------------------


def test_unknown_deployment_names_the_region_used(capsys: pytest.CaptureFixture[str]) -> None:
    asked = Scenario("asked", load_fixture_json("server-succeeded"))
    outcome = run_live(
        asked,
        capsys,
        faults=[
            lambda attempt: (
                FakeAwsError("DeploymentDoesNotExistException", f"The deployment {asked.deployment_id} could not be found.")
                if on("codedeploy", "GetDeployment")(attempt.service, attempt.operation, attempt.params)
                else None
            )
        ],
    )
    assert outcome.code == 3
    assert outcome.stdout == ""
    assert outcome.stderr.count("\n") == 1
    assert "deployment not found in Region us-east-1" in outcome.stderr
    assert "pass --region with the Region the deployment ran in" in outcome.stderr


def test_expired_session_token_says_to_log_in_again(capsys: pytest.CaptureFixture[str]) -> None:
    scenario = Scenario("s", load_fixture_json("server-succeeded"))
    outcome = run_live(
        scenario,
        capsys,
        faults=[lambda attempt: FakeAwsError("ExpiredTokenException", "The security token included in the request is expired")],
    )
    assert outcome.code == 3
    assert "aws sso login" in outcome.stderr and outcome.stderr.count("\n") == 1


def test_no_credentials_at_all(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    outcome = run_live(Scenario("s", load_fixture_json("server-succeeded")), capsys)
    assert outcome.code == 3
    assert outcome.stderr.startswith("cd-doctor: error: no AWS credentials found. Tip: ")
    assert sum(outcome.fake.sends.values()) == 0, "nothing is sent unsigned"


def test_expired_sso_login_says_aws_sso_login(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "config"
    config.write_text(
        "[profile oncall]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = ReadOnly\nregion = us-east-1\n"
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.aws/sso/cache: the login has expired or never happened
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    scenario = Scenario("s", load_fixture_json("server-succeeded"), extra={"profile": "oncall"})
    outcome = run_live(scenario, capsys)
    assert outcome.code == 3, outcome.stderr
    assert "aws sso login" in outcome.stderr and outcome.stderr.count("\n") == 1
    assert "Traceback" not in outcome.stderr


# --- the CLI: tracebacks only with --debug ----------------------------------------------------


@pytest.fixture
def broken_diagnosis(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*_: Any, **__: Any) -> Any:
        raise RuntimeError("boom \x1b[31m in the diagnosis")

    monkeypatch.setattr(app_module, "diagnose", explode)


def _replay_args(*extra: str) -> list[str]:
    return ["--replay", str(FIXTURES / "server-succeeded.json"), *extra]


@pytest.mark.usefixtures("broken_diagnosis")
def test_a_bug_is_one_line_and_exit_3_without_debug() -> None:
    result = CliRunner().invoke(app, _replay_args())
    assert result.exit_code == 3
    assert "Traceback" not in result.output
    assert (
        result.stderr == "cd-doctor: internal error: RuntimeError: boom in the diagnosis. Tip: rerun with --debug and report it\n"
    )
    assert result.stdout == ""


@pytest.mark.usefixtures("broken_diagnosis")
def test_debug_shows_the_traceback_and_keeps_the_exit_code() -> None:
    result = CliRunner().invoke(app, _replay_args("--debug"))
    assert result.exit_code == 3
    assert "Traceback (most recent call last)" in result.stderr
    assert "RuntimeError" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("cd-doctor: internal error: RuntimeError")


def test_typed_error_with_debug_shows_where_it_came_from(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    quiet = CliRunner().invoke(app, ["--replay", str(bad)])
    loud = CliRunner().invoke(app, ["--replay", str(bad), "--debug"])
    assert quiet.exit_code == loud.exit_code == 2
    assert "Traceback" not in quiet.stderr and "Traceback" in loud.stderr
    assert quiet.stderr.startswith("cd-doctor: error: ") and quiet.stderr.count("\n") == 1


def test_interrupt_is_exit_130_without_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_: Any, **__: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(app_module, "diagnose", interrupted)
    result = CliRunner().invoke(app, _replay_args())
    assert result.exit_code == 130
    assert result.stderr == "cd-doctor: interrupted\n"
