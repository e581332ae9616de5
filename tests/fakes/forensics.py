"""What moto lacks for the forensics collectors, served at ``before-call`` beside moto.

moto serves S3 (ranged GETs included), EC2 and most of Auto Scaling. It has no scaling activity
history, no ``ssm:DescribeInstanceInformation`` and no ``codedeploy:BatchGetOnPremisesInstances``:
:class:`Answers` serves chosen operations (validated against botocore's output shapes, like the
other fakes) and lets every other call through to moto; it can also fail a chosen call with an
AWS error (``s3:GetObject`` denied on another team's bucket). :class:`OnPremWorld` is the fake
CodeDeploy world with on-premises instances.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.codedeploy_world import CodeDeployWorld
from tests.fakes.seam import FakeAwsError, answer, error_answer

Handler = Callable[[dict[str, Any]], dict[str, Any]]
"""API parameters -> response in AWS's shape (or raise :class:`FakeAwsError`)."""


@dataclass
class Answers:
    """Serves the (service, operation) pairs in ``handlers``; every other call goes on to moto."""

    handlers: dict[tuple[str, str], Handler] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    _current: threading.local = field(default_factory=threading.local)

    def attach(self, service: str, client: Any) -> None:
        """ClientFactory hook."""
        service_id = client.meta.service_model.service_id.hyphenize()

        def remember(params: dict[str, Any], model: Any, **_: Any) -> None:
            self._current.params = dict(params)

        def before_call(model: Any, **_: Any) -> Any:
            handler = self.handlers.get((service, model.name))
            if handler is None:
                return None
            self.calls[f"{service}:{model.name}"] += 1
            try:
                return answer(model.output_shape, handler(self._current.params), host=f"{service}.fake.invalid")
            except FakeAwsError as error:
                return error_answer(error, host=f"{service}.fake.invalid")

        client.meta.events.register(f"before-parameter-build.{service_id}", remember)
        client.meta.events.register_first(f"before-call.{service_id}", before_call)


def denied(service: str, operation: str) -> Handler:
    """A handler that answers AccessDenied, as S3 does for a bucket of another account."""
    code = "AccessDenied" if service == "s3" else "AccessDeniedException"

    def handler(params: dict[str, Any]) -> dict[str, Any]:
        raise FakeAwsError(code, f"User is not authorized to perform: {service}:{operation}", 403)

    return handler


@dataclass
class OnPremWorld(CodeDeployWorld):
    """The fake CodeDeploy world, with registered (or deregistered) on-premises instances."""

    on_premises: dict[str, dict[str, Any]] = field(default_factory=dict)

    def _op_BatchGetOnPremisesInstances(self, params: dict[str, Any]) -> dict[str, Any]:
        names = params.get("instanceNames") or []
        if len(names) > 100:
            raise FakeAwsError(
                "BatchLimitExceededException", "The maximum number of names or IDs allowed for this request (100) was exceeded."
            )
        return {"instanceInfos": [self.on_premises[name] for name in names if name in self.on_premises]}


def zip_from_evidence(section: dict[str, Any]) -> bytes:
    """A zip bundle with the listing, modes and contents (first KB, appspec) a snapshot's ``evidence.revision`` records."""
    import io
    import zipfile

    heads = {item["path"]: item.get("head") or "" for item in section.get("entries") or []}
    if section.get("appspecPath"):
        heads[section["appspecPath"]] = section.get("appspec") or ""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in section.get("listing") or []:
            if item["path"].endswith("/") and item.get("mode") is None:
                continue  # a folder the archive implies, not one it lists
            info = zipfile.ZipInfo(item["path"], date_time=(2026, 12, 4, 10, 0, 0))
            info.create_system = 3
            info.external_attr = (item.get("mode") or 0o100644) << 16
            archive.writestr(info, heads.get(item["path"], "").encode("utf-8"))
    return buffer.getvalue()


class ForensicAccount:
    """S3 (the bundle), Auto Scaling, SSM and on-premises instances, answered from a snapshot's ``evidence``."""

    def __init__(self, snapshot: dict[str, Any]) -> None:
        evidence = snapshot.get("evidence") or {}
        revision = evidence.get("revision") or {}
        self.bundles: dict[tuple[str, str], bytes] = {}
        location = ((snapshot.get("deployment") or {}).get("revision") or {}).get("s3Location") or {}
        if revision.get("listing") and location:
            self.bundles[(location["bucket"], location["key"])] = zip_from_evidence(revision)
        self.autoscaling = evidence.get("autoscaling") or {}
        self.ssm = (evidence.get("ssm") or {}).get("instanceInformation") or []
        self.on_premises = (evidence.get("onPremises") or {}).get("instances") or []

    def serves(self, service: str, operation: str) -> bool:
        """True for the calls this account answers."""
        return service in ("s3", "autoscaling", "ssm") or (service, operation) == ("codedeploy", "BatchGetOnPremisesInstances")

    def handle(self, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Serve one call (a ``wire.Backend``)."""
        if (service, operation) == ("s3", "GetObject"):
            return self._get_object(params)
        if (service, operation) == ("ssm", "DescribeInstanceInformation"):
            wanted = {v for f in params.get("Filters") or [] if f.get("Key") == "InstanceIds" for v in f.get("Values") or []}
            return {"InstanceInformationList": [i for i in self.ssm if not wanted or i.get("InstanceId") in wanted]}
        if operation == "BatchGetOnPremisesInstances":
            names = set(params.get("instanceNames") or [])
            return {"instanceInfos": [i for i in self.on_premises if i.get("instanceName") in names]}
        if operation == "DescribeAutoScalingGroups":
            names = set(params.get("AutoScalingGroupNames") or [])
            return {"AutoScalingGroups": [g for g in self.autoscaling.get("groups") or [] if g["AutoScalingGroupName"] in names]}
        if operation == "DescribeLifecycleHooks":
            name = params["AutoScalingGroupName"]
            return {
                "LifecycleHooks": [h for h in self.autoscaling.get("lifecycleHooks") or [] if h["AutoScalingGroupName"] == name]
            }
        if operation == "DescribeScalingActivities":
            name = params["AutoScalingGroupName"]
            return {"Activities": [a for a in self.autoscaling.get("activities") or [] if a["AutoScalingGroupName"] == name]}
        raise FakeAwsError("UnsupportedOperation", f"the fake does not serve {service}:{operation}")

    def _get_object(self, params: dict[str, Any]) -> dict[str, Any]:
        data = self.bundles.get((params["Bucket"], params["Key"]))
        if data is None:
            raise FakeAwsError("NoSuchKey", "The specified key does not exist.", 404)
        spec = str(params.get("Range") or "")
        total = len(data)
        if spec.startswith("bytes=-"):
            start, end = max(0, total - int(spec[7:])), total - 1
        elif spec.startswith("bytes="):
            first, _, last = spec[6:].partition("-")
            start, end = int(first), min(total - 1, int(last or total - 1))
        else:
            return {"Body": data, "ContentLength": total}
        body = data[start : end + 1]
        return {"Body": body, "ContentLength": len(body), "ContentRange": f"bytes {start}-{end}/{total}"}
