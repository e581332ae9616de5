"""A deployment without id and status is no deployment: a snapshot is refused (exit 2), a live answer stops the run (exit 3).

The live cases go through the real boto3 stack: the wire fake answers every call in CodeDeploy's
own protocol, and a hook in front of it answers GetDeployment with what a broken network gives
(a body cut short, a proxy's HTML login page with HTTP 200, an empty object, another deployment).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from tests.reliability.harness import Outcome, Scenario, run_live
from tests.support import load_fixture_json

FAILED = load_fixture_json("server-inplace-scripttimedout")
DEPLOYMENT_ID = FAILED["deployment"]["deploymentId"]


class _Body:
    """A raw HTTP body as urllib3 would hand it to botocore."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body

    def read(self, *_: Any) -> bytes:
        return self._body


def _get_deployment_answers(status: int, content_type: str, body: bytes) -> Callable[[str, Any], None]:
    """A client hook: GetDeployment of the deployment itself is answered with ``body``; every other call goes on."""

    def attach(service: str, client: Any) -> None:
        if service != "codedeploy":
            return
        operation: dict[str, str] = {}

        def remember(params: dict[str, Any], model: Any, **_: Any) -> None:
            operation["name"] = model.name

        def send(request: Any, **_: Any) -> AWSResponse | None:
            if operation.get("name") != "GetDeployment":
                return None
            headers = {"Content-Type": content_type, "x-amzn-RequestId": "5f1c0e9a-0000-4000-8000-000000000000"}
            return AWSResponse(request.url, status, headers, _Body(body))  # type: ignore[arg-type]

        client.meta.events.register("before-parameter-build.codedeploy", remember)
        client.meta.events.register("before-send.codedeploy", send)

    return attach


def _run(capsys: pytest.CaptureFixture[str], hook: Callable[[str, Any], None]) -> Outcome:
    return run_live(Scenario("broken-answer", copy.deepcopy(FAILED)), capsys, hooks=(hook,))


def _assert_no_diagnosis(outcome: Outcome, *words: str) -> None:
    assert outcome.code == 3, (outcome.code, outcome.stdout[:300], outcome.stderr)
    assert outcome.stdout == ""
    assert "Traceback" not in outcome.stderr
    lines = outcome.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("cd-doctor: error: "), outcome.stderr
    for word in words:
        assert word in lines[0], lines[0]


GOOD_BODY = json.dumps({"deploymentInfo": FAILED["deployment"]}).encode()

BROKEN_ANSWERS: dict[str, tuple[int, str, bytes, str]] = {
    "truncated-body": (200, "application/x-amz-json-1.1", GOOD_BODY[: len(GOOD_BODY) // 2], "answered without a deployment"),
    "html-login-page": (
        200,
        "text/html; charset=utf-8",
        b"<!DOCTYPE html><html><head><title>Sign in to the proxy</title></head><body><form></form></body></html>",
        "answered without a deployment",
    ),
    "empty-object": (200, "application/x-amz-json-1.1", b"{}", "answered without a deployment"),
    "empty-body": (200, "application/x-amz-json-1.1", b"", "answered without a deployment"),
    "empty-deployment": (200, "application/x-amz-json-1.1", b'{"deploymentInfo": {}}', "has no 'deploymentId' and no 'status'"),
    "no-status": (
        200,
        "application/x-amz-json-1.1",
        json.dumps({"deploymentInfo": {"deploymentId": DEPLOYMENT_ID}}).encode(),
        "has no 'status'",
    ),
    "another-deployment": (
        200,
        "application/x-amz-json-1.1",
        json.dumps({"deploymentInfo": {**FAILED["deployment"], "deploymentId": "d-ZZZZZZZZZ"}}).encode(),
        "another deployment (d-ZZZZZZZZZ)",
    ),
}


@pytest.mark.parametrize("name", sorted(BROKEN_ANSWERS))
def test_an_unusable_live_answer_is_exit_3_never_a_report(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, content_type, body, words = BROKEN_ANSWERS[name]
    _assert_no_diagnosis(_run(capsys, _get_deployment_answers(status, content_type, body)), DEPLOYMENT_ID, words)


def test_the_same_answer_unbroken_is_diagnosed(capsys: pytest.CaptureFixture[str]) -> None:
    # The hook itself is sound: the real body through it gives the real diagnosis.
    outcome = _run(capsys, _get_deployment_answers(200, "application/x-amz-json-1.1", GOOD_BODY))
    assert outcome.code in (1, 4), outcome.stderr
    assert outcome.report is not None and outcome.report["deploymentFailed"] is True
