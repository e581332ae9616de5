"""A fake traffic layer (ELBv2, Classic ELB, EC2, Auto Scaling) served through real boto3 clients.

Like ``codedeploy_world`` it answers at botocore's ``before-call`` event, after botocore has
validated and serialized the request, and it validates every response against the operation's
output shape of the installed botocore model before returning it (timestamps as ``datetime``,
as botocore's parser gives them). Each call is counted, can be delayed (``latency`` seconds) and
can be made to fail (``faults``), so the collector's traffic checks and the benchmark see the
same costs as the CodeDeploy calls.

The request parameters are taken from the ``before-parameter-build`` event (stashed in the
request context) rather than decoded back from the query-protocol form body: botocore has
already serialized them, which proves they fit the model.

Why not moto? moto serves these services in process, but each call costs several milliseconds
of moto's own work on top of botocore's, it cannot inject a per-call latency, and its data must
be built through write calls (create load balancer, register targets, run instances), which is
slow for thousands of instances. A world of plain response objects builds in milliseconds at
any size. What it does like AWS:

- elbv2 DescribeTargetGroups by ``Names`` or ``TargetGroupArns`` (an unknown one is
  ``TargetGroupNotFound``), DescribeTargetHealth for a target group, all registered targets or
  the ``Targets`` asked for (one not registered is ``unused`` / ``Target.NotRegistered``),
  DescribeListeners and DescribeRules;
- elb DescribeInstanceHealth of a Classic load balancer (``LoadBalancerNotFound`` otherwise);
- ec2 DescribeInstances by ``InstanceIds`` (an unknown id is ``InvalidInstanceID.NotFound``),
  in one reservation per call, or every instance paged by ``MaxResults``/``NextToken``;
- autoscaling DescribeAutoScalingGroups by name.

ECS and Lambda calls are answered, but only with ``UnsupportedOperation`` (so they never reach
the network): nothing here needs them yet.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import AWSResponse

from tests.fakes.seam import FakeAwsError, answer, error_answer

HOST = "traffic.fake.invalid"

SERVICES = frozenset({"elbv2", "elb", "ec2", "autoscaling", "ecs", "lambda"})
"""boto3 service names this world answers (ECS and Lambda only with ``UnsupportedOperation``)."""

_PARAMS_KEY = "cd_doctor_fake_params"

Fault = Callable[[str, str, dict[str, Any]], "FakeAwsError | None"]
"""Decides, per call (service, operation, params), whether to fail it."""


@dataclass
class TrafficWorld:
    """Target groups, their registered targets, Classic ELBs, instances and ASGs."""

    target_groups: list[dict[str, Any]] = field(default_factory=list)
    """TargetGroup objects as DescribeTargetGroups returns them."""
    target_health: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """TargetHealthDescriptions per target group ARN."""
    listeners: list[dict[str, Any]] = field(default_factory=list)
    """Listener objects as DescribeListeners returns them."""
    rules: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Rule objects per listener ARN."""
    classic_health: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """InstanceStates per Classic load balancer name."""
    instances: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Instance objects by id (timestamps as datetimes or ISO strings)."""
    auto_scaling_groups: list[dict[str, Any]] = field(default_factory=list)
    """AutoScalingGroup objects."""
    latency: float = 0.0
    """Seconds every call takes."""
    page_size: int = 1000
    """Instances a DescribeInstances page holds when paged with MaxResults."""
    faults: list[Fault] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    """Calls served, keyed ``service:Operation``."""
    in_flight_max: int = 0
    _in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- the seam -------------------------------------------------------------------------

    def attach(self, service: str, client: Any) -> None:
        """ClientFactory hook: serve the traffic services' calls of ``client`` from this world."""
        if service not in SERVICES:
            return
        service_id = client.meta.service_model.service_id.hyphenize()
        client.meta.events.register(f"before-parameter-build.{service_id}", _stash_params)
        client.meta.events.register(f"before-call.{service_id}", self._handler(service))

    def _handler(self, service: str) -> Callable[..., tuple[AWSResponse, dict[str, Any]]]:
        def before_call(model: Any, context: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
            return self._serve(service, model, dict(context.get(_PARAMS_KEY) or {}))

        return before_call

    def _serve(self, service: str, model: Any, params: dict[str, Any]) -> tuple[AWSResponse, dict[str, Any]]:
        operation = model.name
        with self._lock:
            self.calls[f"{service}:{operation}"] += 1
            self._in_flight += 1
            self.in_flight_max = max(self.in_flight_max, self._in_flight)
        try:
            if self.latency:
                time.sleep(self.latency)
            for fault in self.faults:
                error = fault(service, operation, params)
                if error is not None:
                    raise error
            return answer(model.output_shape, self.handle(service, operation, params), host=HOST)
        except FakeAwsError as error:
            return error_answer(error, host=HOST)
        finally:
            with self._lock:
                self._in_flight -= 1

    # -- the operations -------------------------------------------------------------------

    def handle(self, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Serve one operation with parameters already validated by botocore."""
        handler = getattr(self, f"_{service}_{operation}", None)
        if handler is None:
            raise FakeAwsError("UnsupportedOperation", f"the fake does not serve {service}:{operation}")
        result: dict[str, Any] = handler(params)
        return result

    def _elbv2_DescribeTargetGroups(self, params: dict[str, Any]) -> dict[str, Any]:
        names, arns = params.get("Names"), params.get("TargetGroupArns")
        if not names and not arns:
            return {"TargetGroups": list(self.target_groups)}
        found = []
        for wanted, key in ((names or [], "TargetGroupName"), (arns or [], "TargetGroupArn")):
            for value in wanted:
                group = next((g for g in self.target_groups if g.get(key) == value), None)
                if group is None:
                    raise FakeAwsError("TargetGroupNotFound", f"One or more target groups not found: {value}")
                found.append(group)
        return {"TargetGroups": found}

    def _elbv2_DescribeTargetHealth(self, params: dict[str, Any]) -> dict[str, Any]:
        arn = params["TargetGroupArn"]
        registered = self.target_health.get(arn)
        if registered is None:
            raise FakeAwsError("TargetGroupNotFound", f"Target groups '{arn}' not found")
        wanted = params.get("Targets")
        if not wanted:
            return {"TargetHealthDescriptions": list(registered)}
        by_id = {description["Target"]["Id"]: description for description in registered}
        answer = []
        for target in wanted:
            description = by_id.get(target["Id"])
            if description is None:
                description = {
                    "Target": dict(target),
                    "TargetHealth": {
                        "State": "unused",
                        "Reason": "Target.NotRegistered",
                        "Description": "Target is not registered to the target group",
                    },
                }
            answer.append(description)
        return {"TargetHealthDescriptions": answer}

    def _elbv2_DescribeListeners(self, params: dict[str, Any]) -> dict[str, Any]:
        arns = params.get("ListenerArns")
        balancer = params.get("LoadBalancerArn")
        found = [
            listener
            for listener in self.listeners
            if (not arns or listener.get("ListenerArn") in arns) and (not balancer or listener.get("LoadBalancerArn") == balancer)
        ]
        if arns and len(found) < len(arns):
            raise FakeAwsError("ListenerNotFound", "One or more listeners not found")
        return {"Listeners": found}

    def _elbv2_DescribeRules(self, params: dict[str, Any]) -> dict[str, Any]:
        listener = params.get("ListenerArn")
        if listener is not None:
            if listener not in self.rules:
                raise FakeAwsError("ListenerNotFound", f"Listener '{listener}' not found")
            return {"Rules": list(self.rules[listener])}
        wanted = set(params.get("RuleArns") or [])
        return {"Rules": [rule for rules in self.rules.values() for rule in rules if rule.get("RuleArn") in wanted]}

    def _elb_DescribeInstanceHealth(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params["LoadBalancerName"]
        states = self.classic_health.get(name)
        if states is None:
            raise FakeAwsError("LoadBalancerNotFound", f"There is no ACTIVE Load Balancer named '{name}'")
        wanted = {item["InstanceId"] for item in params.get("Instances") or []}
        return {"InstanceStates": [state for state in states if not wanted or state.get("InstanceId") in wanted]}

    def _ec2_DescribeInstances(self, params: dict[str, Any]) -> dict[str, Any]:
        ids = params.get("InstanceIds")
        if ids:
            missing = [instance_id for instance_id in ids if instance_id not in self.instances]
            if missing:
                named = f"ID '{missing[0]}' does not" if len(missing) == 1 else f"IDs '{', '.join(missing)}' do not"
                raise FakeAwsError("InvalidInstanceID.NotFound", f"The instance {named} exist")
            chosen = [self.instances[instance_id] for instance_id in ids]
            return {"Reservations": [_reservation(chosen)]}
        every = sorted(self.instances)
        start = int(params.get("NextToken") or 0)
        size = min(int(params.get("MaxResults") or self.page_size), self.page_size)
        page = [self.instances[instance_id] for instance_id in every[start : start + size]]
        response: dict[str, Any] = {"Reservations": [_reservation(page)] if page else []}
        if start + size < len(every):
            response["NextToken"] = str(start + size)
        return response

    def _autoscaling_DescribeAutoScalingGroups(self, params: dict[str, Any]) -> dict[str, Any]:
        names = params.get("AutoScalingGroupNames")
        groups = [g for g in self.auto_scaling_groups if not names or g.get("AutoScalingGroupName") in names]
        return {"AutoScalingGroups": groups}


def _stash_params(params: Mapping[str, Any], context: dict[str, Any], **_: Any) -> None:
    context[_PARAMS_KEY] = dict(params)


def _reservation(instances: list[dict[str, Any]]) -> dict[str, Any]:
    return {"ReservationId": "r-0123456789abcdef0", "OwnerId": "123456789012", "Groups": [], "Instances": instances}
