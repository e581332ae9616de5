"""Exit-code and error-code meanings used in explanations."""

from __future__ import annotations

import pytest

from codedeploy_doctor.catalog import exit_code_meaning
from codedeploy_doctor.catalog.codes import deployment_code_meaning, diagnostics_code_meaning, extract_exit_code


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (1, "general error"),
        (2, "syntax error"),
        (126, "could not be executed"),
        (127, "command not found"),
        (130, "SIGINT"),
        (137, "SIGKILL"),
        (139, "SIGSEGV"),
        (143, "SIGTERM"),
        (255, "out of range"),
        (3, "application-specific"),
        (-1, "Windows"),
        (3221225477, "Windows"),
    ],
)
def test_exit_code_meaning(code: int, words: str) -> None:
    assert words in exit_code_meaning(code)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Script at specified location: a.sh failed with exit code 127", 127),
        ("Script at specified location: a.sh run as user app failed with exit code 1", 1),
        ("process exited with code 137", 137),
        ("Exit status: 2", 2),
        ("nothing here", None),
        (None, None),
    ],
)
def test_extract_exit_code(text: str | None, code: int | None) -> None:
    assert extract_exit_code(text) == code


def test_code_meanings_cover_the_service_model() -> None:
    for code in ("Success", "ScriptMissing", "ScriptNotExecutable", "ScriptTimedOut", "ScriptFailed", "UnknownError"):
        assert diagnostics_code_meaning(code)
    for code in (
        "AGENT_ISSUE",
        "HEALTH_CONSTRAINTS",
        "IAM_ROLE_PERMISSIONS",
        "TIMEOUT",
        "MANUAL_STOP",
        "CLOUDFORMATION_STACK_FAILURE",
    ):
        assert deployment_code_meaning(code)
    assert deployment_code_meaning("NOT_A_CODE") is None
