"""A fake CodeDeploy that serves snapshot files as a world, through real boto3 clients.

moto implements no CodeDeploy targets or lifecycle events, so this fake serves them. It sits at
botocore's ``before-call`` event, the seam botocore's own ``Stubber`` uses: request parameters
have already been validated against the service model and serialized by botocore (CBOR for
CodeDeploy), and every response is validated against the operation's output shape before it is
returned, with timestamps as ``datetime`` like the real parser gives. What it does like AWS:

- ListDeploymentTargets pages with an opaque ``nextToken`` (``page_size`` ids a page; AWS does
  not document its page size) and applies ``targetFilters`` (values OR-ed within a filter,
  filters AND-ed); a bad token is ``InvalidNextTokenException``; an unknown filter name
  ``InvalidTargetFilterNameException``;
- BatchGetDeploymentTargets refuses more than 25 ids with
  ``DeploymentTargetListSizeExceededException``; unknown ids are
  ``DeploymentTargetDoesNotExistException``;
- ListDeployments filters by group, ``includeOnlyStatuses`` and ``createTimeRange``, pages with
  ``nextToken`` and lists newest first (``deployments_order="oldest-first"`` flips it: AWS
  documents no order); unknown applications and groups are AWS's errors;
- unknown deployments are ``DeploymentDoesNotExistException``, unknown groups
  ``DeploymentGroupDoesNotExistException``;
- every call is counted, can be delayed (``latency``) and can be made to fail (``faults``).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import botocore.session
from botocore.awsrequest import AWSResponse

from tests.fakes.seam import FakeAwsError, answer, error_answer

BATCH_LIMIT = 25
SERVICE_ID = "codedeploy"
HOST = "codedeploy.fake.invalid"

_MODEL = botocore.session.get_session().get_service_model("codedeploy")


Fault = Callable[[str, dict[str, Any]], "FakeAwsError | None"]
"""Decides, per call (operation, params), whether to fail it."""


@dataclass
class CodeDeployWorld:
    """Deployments, groups and targets, served like CodeDeploy would."""

    deployments: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    targets: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    page_size: int = 100
    deployments_order: str = "newest-first"
    latency: float = 0.0
    faults: list[Fault] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    in_flight_max: int = 0
    _in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_snapshots(cls, snapshots: Iterable[Mapping[str, Any]], **options: Any) -> CodeDeployWorld:
        """Build a world from snapshot JSON objects (fixtures)."""
        world = cls(**options)
        for snapshot in snapshots:
            world.add_snapshot(snapshot)
        return world

    def add_snapshot(self, snapshot: Mapping[str, Any]) -> None:
        """Add one snapshot's deployment, group, rollback deployment and targets."""
        deployment = snapshot["deployment"]
        deployment_id = deployment["deploymentId"]
        self.deployments[deployment_id] = deployment
        group = snapshot.get("deploymentGroup")
        if group:
            self.groups[(group["applicationName"], group["deploymentGroupName"])] = group
        rollback = snapshot.get("rollbackDeployment")
        if rollback:
            self.deployments[rollback["deploymentId"]] = rollback
            self.targets.setdefault(rollback["deploymentId"], {})
        by_id: dict[str, dict[str, Any]] = {}
        for target in snapshot.get("targets", []):
            body = _body(target)
            by_id[body["targetId"]] = target
        self.targets[deployment_id] = by_id

    # -- the seam -------------------------------------------------------------------------

    def attach(self, service: str, client: Any) -> None:
        """ClientFactory hook: serve CodeDeploy calls of ``client`` from this world."""
        if service != "codedeploy":
            return
        client.meta.events.register(f"before-call.{SERVICE_ID}", self._before_call)

    def _before_call(self, model: Any, params: Any, **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        operation = model.name
        # botocore serialized the request already (CBOR body); read back the validated parameters.
        api_params = _decode_params(model, params)
        with self._lock:
            self.calls[operation] += 1
            self._in_flight += 1
            self.in_flight_max = max(self.in_flight_max, self._in_flight)
        try:
            if self.latency:
                time.sleep(self.latency)
            for fault in self.faults:
                error = fault(operation, api_params)
                if error is not None:
                    raise error
            return answer(model.output_shape, self.handle(operation, api_params), host=HOST)
        except FakeAwsError as error:
            return error_answer(error, host=HOST)
        finally:
            with self._lock:
                self._in_flight -= 1

    # -- the operations -------------------------------------------------------------------

    def handle(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Serve one operation with parameters already validated by botocore."""
        handler = getattr(self, f"_op_{operation}", None)
        if handler is None:
            raise FakeAwsError("UnsupportedOperation", f"the fake does not serve {operation}")
        result: dict[str, Any] = handler(params)
        return result

    def _deployment(self, deployment_id: str) -> dict[str, Any]:
        deployment = self.deployments.get(deployment_id)
        if deployment is None:
            raise FakeAwsError("DeploymentDoesNotExistException", f"The deployment {deployment_id} could not be found.")
        return deployment

    def _op_GetDeployment(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"deploymentInfo": self._deployment(params["deploymentId"])}

    def _op_GetDeploymentGroup(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (params["applicationName"], params["deploymentGroupName"])
        group = self.groups.get(key)
        if group is None:
            raise FakeAwsError("DeploymentGroupDoesNotExistException", f"No deployment group found for name: {key[1]}")
        return {"deploymentGroupInfo": group}

    def _op_ListDeploymentTargets(self, params: dict[str, Any]) -> dict[str, Any]:
        deployment_id = params["deploymentId"]
        if self._deployment(deployment_id).get("status") in ("Created", "Queued"):
            raise FakeAwsError("DeploymentNotStartedException", "The specified deployment has not started.")
        filters = params.get("targetFilters") or {}
        for name in filters:
            if name not in ("TargetStatus", "ServerInstanceLabel"):
                raise FakeAwsError("InvalidTargetFilterNameException", f"The target filter name {name} is invalid.")
        ids = sorted(target_id for target_id, target in self.targets.get(deployment_id, {}).items() if _matches(target, filters))
        start = 0
        token = params.get("nextToken")
        if token:
            start = _decode_token(token, deployment_id, filters)
        page = ids[start : start + self.page_size]
        response: dict[str, Any] = {"targetIds": page}
        if start + self.page_size < len(ids):
            response["nextToken"] = _encode_token(start + self.page_size, deployment_id, filters)
        return response

    def _op_BatchGetDeploymentTargets(self, params: dict[str, Any]) -> dict[str, Any]:
        deployment_id = params["deploymentId"]
        self._deployment(deployment_id)
        target_ids = params.get("targetIds") or []
        if not target_ids:
            raise FakeAwsError("DeploymentTargetIdRequiredException", "A deployment target ID was not provided.")
        if len(target_ids) > BATCH_LIMIT:
            raise FakeAwsError(
                "DeploymentTargetListSizeExceededException",
                f"The maximum number of targets that can be specified is {BATCH_LIMIT}.",
            )
        known = self.targets.get(deployment_id, {})
        found = []
        for target_id in target_ids:
            if target_id not in known:
                raise FakeAwsError("DeploymentTargetDoesNotExistException", f"The target {target_id} does not exist.")
            found.append(known[target_id])
        return {"deploymentTargets": found}

    def _op_ListDeployments(self, params: dict[str, Any]) -> dict[str, Any]:
        wanted = set(params.get("includeOnlyStatuses") or [])
        app, group = params.get("applicationName"), params.get("deploymentGroupName")
        known = {(d.get("applicationName"), d.get("deploymentGroupName")) for d in self.deployments.values()} | set(self.groups)
        if app and app not in {known_app for known_app, _ in known}:
            raise FakeAwsError("ApplicationDoesNotExistException", f"No application found for name: {app}")
        if app and group and (app, group) not in known:
            raise FakeAwsError("DeploymentGroupDoesNotExistException", f"No Deployment Group found for name: {group}")
        window = params.get("createTimeRange") or {}
        start, end = _moment(window.get("start")), _moment(window.get("end"))
        chosen = [
            d
            for d in self.deployments.values()
            if (not app or d.get("applicationName") == app)
            and (not group or d.get("deploymentGroupName") == group)
            and (not wanted or d.get("status") in wanted)
            and (start is None or (_moment(d.get("createTime")) or start) >= start)
            and (end is None or (_moment(d.get("createTime")) or end) <= end)
        ]
        # AWS documents no order; in practice it lists newest first. Tests can flip it.
        chosen.sort(key=lambda d: str(d.get("createTime", "")), reverse=self.deployments_order == "newest-first")
        ids = [d["deploymentId"] for d in chosen]
        scope = f"list-deployments:{app}/{group}"
        filters = {"statuses": sorted(wanted), "window": [str(start), str(end)]}
        offset = _decode_token(params["nextToken"], scope, filters) if params.get("nextToken") else 0
        response: dict[str, Any] = {"deployments": ids[offset : offset + self.page_size]}
        if offset + self.page_size < len(ids):
            response["nextToken"] = _encode_token(offset + self.page_size, scope, filters)
        return response


def _moment(value: Any) -> dt.datetime | None:
    """A request or stored timestamp (datetime, epoch seconds or ISO-8601 string) as an aware datetime."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    if isinstance(value, (int, float)):
        return dt.datetime.fromtimestamp(value, dt.timezone.utc)
    return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _body(target: Mapping[str, Any]) -> dict[str, Any]:
    for key in ("instanceTarget", "ecsTarget", "lambdaTarget", "cloudFormationTarget"):
        if isinstance(target.get(key), dict):
            return dict(target[key])
    raise ValueError("target without a detail object")


def _matches(target: Mapping[str, Any], filters: Mapping[str, list[str]]) -> bool:
    body = _body(target)
    statuses = filters.get("TargetStatus")
    if statuses and body.get("status") not in statuses:
        return False
    labels = filters.get("ServerInstanceLabel")
    return not (labels and body.get("instanceLabel") not in labels)


def _encode_token(offset: int, deployment_id: str, filters: Mapping[str, list[str]]) -> str:
    raw = json.dumps({"o": offset, "d": deployment_id, "f": filters}, sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode_token(token: str, deployment_id: str, filters: Mapping[str, list[str]]) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        if data["d"] != deployment_id or data["f"] != json.loads(json.dumps(filters, sort_keys=True)):
            raise ValueError("token for another query")
        return int(data["o"])
    except (ValueError, KeyError, TypeError) as exc:
        raise FakeAwsError("InvalidNextTokenException", "The next token was specified in an invalid format.") from exc


def _decode_params(model: Any, request_dict: Any) -> dict[str, Any]:
    """Recover the API parameters from botocore's serialized request (CBOR or JSON body).

    Decoding what botocore serialized (instead of reading the caller's arguments) proves the
    request survives the real serializer of whichever protocol the client chose.
    """
    body = request_dict.get("body", b"")
    if isinstance(body, str):
        body = body.encode()
    if not body:
        return {}
    # The client picks the wire protocol from the model's list (CBOR or JSON): follow the request.
    headers = request_dict.get("headers") or {}
    content_type = str(headers.get("Content-Type", ""))
    if content_type == "application/cbor":
        from botocore.parsers import RpcV2CBORParser

        parser = RpcV2CBORParser()
        stream = parser.get_peekable_stream_from_bytes(body)
        decoded: dict[str, Any] = parser.parse_data_item(stream)
        return decoded
    loaded: dict[str, Any] = json.loads(body)
    return loaded
