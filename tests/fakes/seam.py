"""What every fake at botocore's ``before-call`` seam shares: AWS errors and model-checked answers.

A handler registered at ``before-call`` returns ``(http_response, parsed)`` in place of a real
call, as botocore's ``Stubber`` does. The answer is given the types botocore's parser would
give (timestamps as datetimes) and validated against the operation's output shape, so a fake
cannot drift from the service model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.model import Shape
from botocore.validate import ParamValidator


class FakeAwsError(Exception):
    """An AWS error response: code, message and HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def to_wire(value: Any, shape: Shape | None) -> Any:
    """Give timestamps as datetimes, like botocore's parser does."""
    if shape is None:
        return value
    if shape.type_name == "timestamp" and isinstance(value, str):
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if shape.type_name == "structure" and isinstance(value, Mapping):
        members = shape.members  # type: ignore[attr-defined]
        return {key: to_wire(item, members.get(key)) for key, item in value.items()}
    if shape.type_name == "list" and isinstance(value, list):
        return [to_wire(item, shape.member) for item in value]  # type: ignore[attr-defined]
    if shape.type_name == "map" and isinstance(value, Mapping):
        return {key: to_wire(item, shape.value) for key, item in value.items()}  # type: ignore[attr-defined]
    return value


def answer(shape: Shape | None, response: dict[str, Any], *, host: str) -> tuple[AWSResponse, dict[str, Any]]:
    """A successful answer, checked against the output shape (a mismatch is a bug in the fake)."""
    wire: dict[str, Any] = to_wire(response, shape)
    if shape is not None:
        report = ParamValidator().validate(wire, shape)
        if report.has_errors():
            raise AssertionError(f"the fake's response does not fit {shape.name}:\n{report.generate_report()}")
    return AWSResponse(f"https://{host}/", 200, {}, None), wire


def error_answer(error: FakeAwsError, *, host: str) -> tuple[AWSResponse, dict[str, Any]]:
    """An error answer: botocore raises the ClientError (or the modeled exception) from it."""
    body = {"Error": {"Code": error.code, "Message": error.message}, "ResponseMetadata": {"HTTPStatusCode": error.status}}
    return AWSResponse(f"https://{host}/", error.status, {}, None), body
