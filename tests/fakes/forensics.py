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
