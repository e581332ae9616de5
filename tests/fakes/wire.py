"""AWS over the wire, in process: answers at botocore's ``before-send`` with real protocol bodies.

The other fakes answer at ``before-call`` with parsed dicts, which skips botocore's HTTP layer:
no parser runs and, above all, no retry. This one answers each *attempt* at ``before-send``
(where botocore would open a socket) with an HTTP status, headers and a body in the service's
own protocol, so botocore's parsers, its error detection and its real retry handling (adaptive
mode: back-off, retry quota, throttling detection, client-side rate limiting) all run:

- ``json`` (CodeDeploy, ECS, CloudWatch Logs) and ``rest-json`` (Lambda): JSON bodies, errors as
  ``__type`` / ``x-amzn-ErrorType``;
- ``query`` (ELBv2, Classic ELB) and ``ec2`` (EC2): XML bodies written from the output shape
  (result wrapper, ``member``/``item`` list elements, ``locationName``s), errors as
  ``ErrorResponse`` / ``Response/Errors``;
- ``smithy-rpc-v2-cbor`` (what CodeDeploy may resolve to in another botocore): CBOR bodies;
- ``rest-xml`` with a streaming payload (S3 GetObject): the payload as the body, the other
  members as headers (``Content-Range``...), errors as ``<Error>`` XML.

Data comes from a ``Backend`` (``(service, operation, params) -> response dict`` raising
``FakeAwsError``), usually the existing worlds' ``handle`` methods. Faults decide per attempt
(``Attempt.number`` comes from botocore's own ``amz-sdk-request: attempt=N`` header) whether to
answer with an error status or to raise a connection error or a read timeout, as urllib3 would.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from botocore.awsrequest import AWSResponse
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError
from botocore.model import OperationModel, Shape

from tests.fakes.codedeploy_world import FakeAwsError

Backend = Callable[[str, str, dict[str, Any]], dict[str, Any]]
"""Serves one call: (boto3 service name, operation, API parameters) -> response in AWS's shape."""

Transform = Callable[[str, str, dict[str, Any], Shape | None], dict[str, Any]]
"""Rewrites a successful response before it is encoded (unknown enum values, missing fields)."""


@dataclass(frozen=True)
class Attempt:
    """One HTTP attempt of one logical call."""

    service: str
    operation: str
    params: dict[str, Any]
    number: int
    """1 for the first attempt, 2 for the first retry..., from botocore's ``amz-sdk-request`` header."""


Fault = Callable[[Attempt], "FakeAwsError | BaseException | None"]
"""Decides, per attempt, how to fail it: an AWS error response, an exception to raise, or None."""

_ATTEMPT = re.compile(r"attempt=(\d+)")


@dataclass
class WireFake:
    """Serves every attached client's calls at ``before-send``, one HTTP attempt at a time."""

    backend: Backend
    faults: list[Fault] = field(default_factory=list)
    transforms: list[Transform] = field(default_factory=list)
    sends: Counter[str] = field(default_factory=Counter)
    """HTTP attempts, keyed ``service:Operation`` (retries included)."""
    calls: Counter[str] = field(default_factory=Counter)
    """Logical calls (first attempts), keyed ``service:Operation``."""
    _current: threading.local = field(default_factory=threading.local)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def attach(self, service: str, client: Any) -> None:
        """ClientFactory hook: answer this client's calls on the wire."""
        service_id = client.meta.service_model.service_id.hyphenize()
        model = client.meta.service_model

        def remember(params: Mapping[str, Any], model: OperationModel, **_: Any) -> None:
            # The call runs on this thread from here to its last attempt's before-send.
            self._current.call = (model.name, dict(params))

        def send(request: Any, **_: Any) -> AWSResponse:
            operation, params = self._current.call
            number = _attempt_number(request.headers.get("amz-sdk-request"))
            return self._answer(Attempt(service, operation, params, number), model.operation_model(operation), request.url)

        client.meta.events.register(f"before-parameter-build.{service_id}", remember)
        client.meta.events.register(f"before-send.{service_id}", send)

    def _answer(self, attempt: Attempt, operation: OperationModel, url: str) -> AWSResponse:
        key = f"{attempt.service}:{attempt.operation}"
        with self._lock:
            self.sends[key] += 1
            if attempt.number == 1:
                self.calls[key] += 1
        protocol = operation.service_model.resolved_protocol
        for fault in self.faults:
            outcome = fault(attempt)
            if isinstance(outcome, FakeAwsError):
                return error_response(protocol, operation, outcome, url)
            if outcome is not None:
                raise outcome
        try:
            response = self.backend(attempt.service, attempt.operation, attempt.params)
        except FakeAwsError as error:
            return error_response(protocol, operation, error, url)
        for transform in self.transforms:
            response = transform(attempt.service, attempt.operation, response, operation.output_shape)
        return success_response(protocol, operation, response, url)


def _attempt_number(header: str | bytes | None) -> int:
    text = header.decode() if isinstance(header, bytes) else (header or "attempt=1")
    found = _ATTEMPT.search(text)
    return int(found.group(1)) if found else 1


# --- faults -----------------------------------------------------------------------------------

THROTTLING_CODE = {
    "codedeploy": ("ThrottlingException", 400),
    "elbv2": ("Throttling", 400),
    "elb": ("Throttling", 400),
    "ec2": ("RequestLimitExceeded", 503),
    "ecs": ("ThrottlingException", 400),
    "lambda": ("TooManyRequestsException", 429),
    "logs": ("ThrottlingException", 400),
    "cloudwatch": ("Throttling", 400),
    "s3": ("SlowDown", 503),
    "autoscaling": ("Throttling", 400),
    "ssm": ("ThrottlingException", 400),
}
"""What each service answers when it throttles (code, HTTP status)."""

ACCESS_DENIED_CODE = {
    "codedeploy": ("AccessDeniedException", 400),
    "elbv2": ("AccessDenied", 403),
    "elb": ("AccessDenied", 403),
    "ec2": ("UnauthorizedOperation", 403),
    "ecs": ("AccessDeniedException", 400),
    "lambda": ("AccessDeniedException", 403),
    "logs": ("AccessDeniedException", 400),
    "cloudwatch": ("AccessDenied", 403),
    "s3": ("AccessDenied", 403),
    "autoscaling": ("AccessDenied", 403),
    "ssm": ("AccessDeniedException", 400),
}
"""What each service answers when IAM denies the call (code, HTTP status)."""

CallMatcher = Callable[[str, str, dict[str, Any]], bool]


def on(service: str, operation: str, where: Callable[[dict[str, Any]], bool] | None = None) -> CallMatcher:
    """Match the calls of one operation, optionally only those whose parameters pass ``where``."""

    def matches(call_service: str, call_operation: str, params: dict[str, Any]) -> bool:
        return call_service == service and call_operation == operation and (where is None or where(params))

    return matches


def throttled(match: CallMatcher, *, attempts: int | None = None) -> Fault:
    """Throttle the matching calls' first ``attempts`` attempts (all of them when None)."""

    def fault(attempt: Attempt) -> FakeAwsError | None:
        if not match(attempt.service, attempt.operation, attempt.params):
            return None
        if attempts is not None and attempt.number > attempts:
            return None
        code, status = THROTTLING_CODE[attempt.service]
        return FakeAwsError(code, "Rate exceeded", status)

    return fault


def denied(match: CallMatcher) -> Fault:
    """Deny the matching calls, as IAM does."""

    def fault(attempt: Attempt) -> FakeAwsError | None:
        if not match(attempt.service, attempt.operation, attempt.params):
            return None
        code, status = ACCESS_DENIED_CODE[attempt.service]
        message = (
            "User: arn:aws:sts::123456789012:assumed-role/oncall/jane is not authorized to perform: "
            f"{attempt.service}:{attempt.operation} because no identity-based policy allows the action"
        )
        return FakeAwsError(code, message, status)

    return fault


def server_error(match: CallMatcher, *, status: int = 500) -> Fault:
    """Answer the matching calls with an AWS-side failure on every attempt."""

    def fault(attempt: Attempt) -> FakeAwsError | None:
        if not match(attempt.service, attempt.operation, attempt.params):
            return None
        return FakeAwsError("InternalFailure", "We encountered an internal error. Please try again.", status)

    return fault


def connection_refused(match: CallMatcher) -> Fault:
    """Fail the matching calls' every attempt as an unreachable endpoint does."""

    def fault(attempt: Attempt) -> BaseException | None:
        if not match(attempt.service, attempt.operation, attempt.params):
            return None
        return EndpointConnectionError(endpoint_url=f"https://{attempt.service}.us-east-1.amazonaws.com/")

    return fault


def read_timeout(match: CallMatcher) -> Fault:
    """Fail the matching calls' every attempt as a read timeout does."""

    def fault(attempt: Attempt) -> BaseException | None:
        if not match(attempt.service, attempt.operation, attempt.params):
            return None
        return ReadTimeoutError(endpoint_url=f"https://{attempt.service}.us-east-1.amazonaws.com/")

    return fault


# --- responses --------------------------------------------------------------------------------

_NAMESPACES = {
    "elbv2": "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/",
    "elb": "http://elasticloadbalancing.amazonaws.com/doc/2012-06-01/",
    "ec2": "http://ec2.amazonaws.com/doc/2016-11-15/",
    "autoscaling": "http://autoscaling.amazonaws.com/doc/2011-01-01/",
}


def success_response(protocol: str, operation: OperationModel, response: dict[str, Any], url: str) -> AWSResponse:
    """A 200 answer carrying ``response`` in the protocol's wire format."""
    shape = operation.output_shape
    request_id = str(uuid.uuid4())
    if protocol in ("json", "rest-json"):
        content_type = "application/x-amz-json-1.1" if protocol == "json" else "application/json"
        body = json.dumps(_jsonable(response, shape)).encode()
        return _response(url, 200, {"x-amzn-RequestId": request_id, "Content-Type": content_type}, body)
    if protocol == "query":
        name = operation.name
        wrapper = shape.serialization.get("resultWrapper", f"{name}Result") if shape is not None else f"{name}Result"
        inner = _xml_members(shape, response) if shape is not None else ""
        namespace = _NAMESPACES.get(operation.service_model.endpoint_prefix, "")
        body = (
            f'<{name}Response xmlns="{namespace}"><{wrapper}>{inner}</{wrapper}>'
            f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{name}Response>"
        )
        return _response(url, 200, {"Content-Type": "text/xml"}, body.encode())
    if protocol == "ec2":
        name = operation.name
        inner = _xml_members(shape, response) if shape is not None else ""
        body = f'<{name}Response xmlns="{_NAMESPACES["ec2"]}"><requestId>{request_id}</requestId>{inner}</{name}Response>'
        return _response(url, 200, {"Content-Type": "text/xml;charset=UTF-8"}, body.encode())
    if protocol == "rest-xml" and shape is not None and shape.serialization.get("payload"):
        # A streaming payload (s3:GetObject): the body is the payload, the other members are headers.
        body = bytes(response.get(shape.serialization["payload"], b""))
        headers = {"x-amz-request-id": request_id}
        for name, member in shape.members.items():  # type: ignore[attr-defined]
            if member.serialization.get("location") == "header" and name in response:
                headers[member.serialization["name"]] = str(response[name])
        return _response(url, 206 if "ContentRange" in response else 200, headers, body)
    if protocol == "smithy-rpc-v2-cbor":
        from botocore.serialize import RpcV2CBORSerializer

        encoded = bytearray()
        if shape is not None:
            RpcV2CBORSerializer()._serialize_data_item(encoded, _cbor_ready(response, shape), shape)
        headers = {"x-amzn-RequestId": request_id, "smithy-protocol": "rpc-v2-cbor", "Content-Type": "application/cbor"}
        return _response(url, 200, headers, bytes(encoded))
    raise AssertionError(f"the wire fake does not speak {protocol}")


def error_response(protocol: str, operation: OperationModel, error: FakeAwsError, url: str) -> AWSResponse:
    """An error answer (status, code, message) in the protocol's wire format."""
    request_id = str(uuid.uuid4())
    if protocol == "json":
        body = json.dumps({"__type": error.code, "message": error.message}).encode()
        return _response(url, error.status, {"x-amzn-RequestId": request_id, "Content-Type": "application/x-amz-json-1.1"}, body)
    if protocol == "rest-json":
        body = json.dumps({"Type": "User", "message": error.message}).encode()
        headers = {"x-amzn-RequestId": request_id, "x-amzn-ErrorType": f"{error.code}:", "Content-Type": "application/json"}
        return _response(url, error.status, headers, body)
    if protocol == "query":
        namespace = _NAMESPACES.get(operation.service_model.endpoint_prefix, "")
        body = (
            f'<ErrorResponse xmlns="{namespace}"><Error><Type>Sender</Type><Code>{escape(error.code)}</Code>'
            f"<Message>{escape(error.message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        return _response(url, error.status, {"Content-Type": "text/xml"}, body.encode())
    if protocol == "ec2":
        body = (
            f"<Response><Errors><Error><Code>{escape(error.code)}</Code><Message>{escape(error.message)}</Message>"
            f"</Error></Errors><RequestID>{request_id}</RequestID></Response>"
        )
        return _response(url, error.status, {"Content-Type": "text/xml;charset=UTF-8"}, body.encode())
    if protocol == "rest-xml":
        body = (
            f"<Error><Code>{escape(error.code)}</Code><Message>{escape(error.message)}</Message>"
            f"<RequestId>{request_id}</RequestId></Error>"
        )
        return _response(url, error.status, {"Content-Type": "application/xml"}, body.encode())
    if protocol == "smithy-rpc-v2-cbor":
        body = _cbor_map(
            {"__type": f"com.amazonaws.{operation.service_model.endpoint_prefix}#{error.code}", "message": error.message}
        )
        headers = {"x-amzn-RequestId": request_id, "smithy-protocol": "rpc-v2-cbor", "Content-Type": "application/cbor"}
        return _response(url, error.status, headers, body)
    raise AssertionError(f"the wire fake does not speak {protocol}")


def _response(url: str, status: int, headers: dict[str, str], body: bytes) -> AWSResponse:
    return AWSResponse(url, status, headers, _Raw(body))


class _Raw:
    """The raw-stream half of an HTTP response, as urllib3 gives it to botocore."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body

    def read(self, amt: int | None = None, *_: Any) -> bytes:
        size = len(self._body) if amt is None else amt
        body, self._body = self._body[:size], self._body[size:]
        return body


def _timestamp(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    if isinstance(value, (int, float)):
        return dt.datetime.fromtimestamp(value, tz=dt.timezone.utc)
    return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _jsonable(value: Any, shape: Shape | None) -> Any:
    """JSON wire form: timestamps as epoch seconds, unknown members kept as they are."""
    if shape is None:
        return value
    kind = shape.type_name
    if kind == "timestamp" and value is not None:
        return _timestamp(value).timestamp()
    if kind == "structure" and isinstance(value, Mapping):
        members = shape.members  # type: ignore[attr-defined]
        return {
            members[key].serialization.get("name", key) if key in members else key: _jsonable(item, members.get(key))
            for key, item in value.items()
            if item is not None
        }
    if kind == "list" and isinstance(value, list):
        return [_jsonable(item, shape.member) for item in value]  # type: ignore[attr-defined]
    if kind == "map" and isinstance(value, Mapping):
        return {key: _jsonable(item, shape.value) for key, item in value.items()}  # type: ignore[attr-defined]
    if kind == "blob" and isinstance(value, (bytes, str)):
        return base64.b64encode(value.encode() if isinstance(value, str) else value).decode()
    return value


def _xml_members(shape: Shape, value: Mapping[str, Any]) -> str:
    members = shape.members  # type: ignore[attr-defined]
    parts = []
    for key, item in value.items():
        member = members.get(key)
        if member is None or item is None:
            continue  # the XML protocols carry only modelled members
        name = member.serialization.get("name", key)
        if member.type_name == "list" and member.serialization.get("flattened"):
            item_name = member.member.serialization.get("name", name)
            parts.extend(_xml(member.member, element, item_name) for element in item)
        else:
            parts.append(_xml(member, item, name))
    return "".join(parts)


def _xml(shape: Shape, value: Any, name: str) -> str:
    kind = shape.type_name
    if kind == "structure":
        inner = _xml_members(shape, value) if isinstance(value, Mapping) else ""
    elif kind == "list":
        item_name = shape.member.serialization.get("name", "member")  # type: ignore[attr-defined]
        inner = "".join(_xml(shape.member, element, item_name) for element in value or [])  # type: ignore[attr-defined]
    elif kind == "map":
        key_name = shape.key.serialization.get("name", "key")  # type: ignore[attr-defined]
        value_name = shape.value.serialization.get("name", "value")  # type: ignore[attr-defined]
        inner = "".join(
            f"<entry>{_xml(shape.key, k, key_name)}{_xml(shape.value, v, value_name)}</entry>"  # type: ignore[attr-defined]
            for k, v in (value or {}).items()
        )
    elif kind == "timestamp":
        inner = _timestamp(value).isoformat().replace("+00:00", "Z")
    elif kind == "boolean":
        inner = "true" if value else "false"
    elif kind == "blob":
        inner = base64.b64encode(value.encode() if isinstance(value, str) else value).decode()
    else:
        inner = escape(str(value))
    return f"<{name}>{inner}</{name}>"


def _cbor_ready(value: Any, shape: Shape | None) -> Any:
    """Timestamps as datetimes and unknown members dropped: what botocore's CBOR serializer takes."""
    if shape is None:
        return value
    kind = shape.type_name
    if kind == "timestamp":
        return _timestamp(value)
    if kind == "structure" and isinstance(value, Mapping):
        members = shape.members  # type: ignore[attr-defined]
        return {key: _cbor_ready(item, members[key]) for key, item in value.items() if key in members and item is not None}
    if kind == "list" and isinstance(value, list):
        return [_cbor_ready(item, shape.member) for item in value]  # type: ignore[attr-defined]
    if kind == "map" and isinstance(value, Mapping):
        return {key: _cbor_ready(item, shape.value) for key, item in value.items()}  # type: ignore[attr-defined]
    return value


def _cbor_map(value: Mapping[str, str]) -> bytes:
    """A CBOR map of text strings (an RPCv2 error body)."""

    def head(major: int, length: int) -> bytes:
        if length < 24:
            return bytes([major << 5 | length])
        if length < 256:
            return bytes([major << 5 | 24, length])
        return bytes([major << 5 | 25]) + length.to_bytes(2, "big")

    out = bytearray(head(5, len(value)))
    for key, item in value.items():
        for text in (key, item):
            encoded = text.encode()
            out += head(3, len(encoded)) + encoded
    return bytes(out)
