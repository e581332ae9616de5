"""Read-only by construction: the guard at the client seam, and an IAM policy that is exactly what the code calls.

The policy test reads the package's source (AST, not regular expressions) for every AWS call it
can make: ``ctx.call``/``try_call``/``_core`` with literal service and operation names, and
direct client method calls (``client.get_deployment(...)``) resolved against botocore's models.
That set must equal the allowlist, and ``docs/iam-policy.json`` must equal the policy generated
from the allowlist: a new call without a policy update, or a stale permission, fails here.
"""

from __future__ import annotations

import ast
import itertools
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from botocore import xform_name

from codedeploy_doctor.aws.clients import ClientFactory
from codedeploy_doctor.aws.readonly import IAM_PREFIX, READ_ONLY_OPERATIONS, READ_PREFIXES, iam_action, iam_policy, policy_json
from codedeploy_doctor.errors import ReadOnlyViolation
from tests.fakes.wire import WireFake
from tests.reliability.world import SnapshotAccount
from tests.support import REPO, load_fixture_json

PACKAGE = REPO / "codedeploy_doctor"
SERVICES = sorted(IAM_PREFIX)


@cache
def _session() -> boto3.Session:
    return boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")


def _factory(*hooks: Any) -> ClientFactory:
    return ClientFactory(session=_session(), client_hooks=hooks)


# --- the guard --------------------------------------------------------------------------------

WRITES = [
    ("codedeploy", "stop_deployment", {"deploymentId": "d-AAAAAAAAA"}),
    ("codedeploy", "create_deployment", {"applicationName": "a", "deploymentGroupName": "g"}),
    ("codedeploy", "continue_deployment", {"deploymentId": "d-AAAAAAAAA"}),
    ("codedeploy", "delete_deployment_group", {"applicationName": "a", "deploymentGroupName": "g"}),
    ("codedeploy", "get_application", {"applicationName": "a"}),  # a read, but not one cd-doctor needs
    (
        "elbv2",
        "deregister_targets",
        {"TargetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/x/1", "Targets": [{"Id": "i-1"}]},
    ),
    ("elbv2", "modify_listener", {"ListenerArn": "arn:aws:elasticloadbalancing:us-east-1:1:listener/app/x/1/2"}),
    ("ec2", "terminate_instances", {"InstanceIds": ["i-0123456789abcdef0"]}),
    ("ecs", "update_service", {"service": "s"}),
    ("lambda", "update_alias", {"FunctionName": "f", "Name": "live"}),
    ("logs", "delete_log_group", {"logGroupName": "g"}),
    ("s3", "put_object", {"Bucket": "b", "Key": "k"}),
    ("iam", "create_user", {"UserName": "u"}),
]


@pytest.mark.parametrize(("service", "method", "params"), WRITES, ids=[f"{s}:{m}" for s, m, _ in WRITES])
def test_the_guard_refuses_anything_off_the_allowlist_before_it_is_sent(
    service: str, method: str, params: dict[str, Any]
) -> None:
    account = SnapshotAccount(load_fixture_json("server-succeeded"))
    fake = WireFake(account.handle)
    built: list[str] = []

    def watch(service_name: str, client: Any) -> None:
        fake.attach(service_name, client)
        client.meta.events.register("before-call", lambda model, **_: built.append(model.name))

    factory = _factory(watch)
    with pytest.raises(ReadOnlyViolation) as caught:
        getattr(factory.client(service), method)(**params)
    assert caught.value.exit_code == 3
    assert sum(fake.sends.values()) == 0, "nothing reached the wire"
    assert built == [], "the request was not even serialized"
    assert factory.total_calls == 0
    assert "cd-doctor only reads" in caught.value.one_line()


def test_the_guard_lets_allowlisted_reads_through() -> None:
    account = SnapshotAccount(load_fixture_json("server-succeeded"))
    fake = WireFake(account.handle)
    factory = _factory(fake.attach)
    deployment_id = account.snapshot["deployment"]["deploymentId"]
    info = factory.client("codedeploy").get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    assert info["deploymentId"] == deployment_id
    assert factory.calls == {"codedeploy:GetDeployment": 1}


def test_a_guard_failure_in_a_non_core_call_is_not_swallowed_as_a_warning() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from codedeploy_doctor.aws.context import CollectionContext

    with ThreadPoolExecutor(1) as pool:
        ctx = CollectionContext(_factory(), pool)
        with pytest.raises(ReadOnlyViolation):
            ctx.try_call("codedeploy", "StopDeployment", deploymentId="d-AAAAAAAAA")
        assert ctx.errors == []


def test_every_allowlisted_operation_is_a_read_that_exists_in_botocore() -> None:
    session = botocore.session.get_session()
    for service, operations in READ_ONLY_OPERATIONS.items():
        model = session.get_service_model(service)
        for operation in operations:
            assert operation in model.operation_names, f"{service}:{operation} is not a botocore operation"
            assert operation.startswith(READ_PREFIXES), f"{service}:{operation} is not a read"
            assert not any(word in operation for word in ("Put", "Create", "Delete", "Update", "Stop", "Modify"))


# --- the policy is exactly what the code can call --------------------------------------------


@cache
def _models() -> dict[str, Any]:
    session = botocore.session.get_session()
    return {service: session.get_service_model(service) for service in SERVICES}


@cache
def _method_index() -> dict[str, set[tuple[str, str]]]:
    """snake_case client method -> the (service, Operation) pairs it can mean."""
    index: dict[str, set[tuple[str, str]]] = {}
    for service, model in _models().items():
        for operation in model.operation_names:
            index.setdefault(xform_name(operation), set()).add((service, operation))
    return index


def _python_files() -> Iterator[Path]:
    yield from sorted(PACKAGE.rglob("*.py"))


def _constant(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def calls_in_source() -> tuple[set[tuple[str, str]], list[str]]:
    """Every (service, Operation) the package can call, and the places it could not resolve."""
    found: set[tuple[str, str]] = set()
    unresolved: list[str] = []
    models = _models()
    for path in _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            where = f"{path.relative_to(REPO)}:{node.lineno}"
            args = [_constant(arg) for arg in node.args]
            # ctx.call("elbv2", "DescribeTargetHealth", ...), try_call, submit(ctx.try_call, "logs", ...), call_error(...)
            for first, second in itertools.pairwise(args):
                if first in models and second is not None and second in models[first].operation_names:
                    found.add((first, second))
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            # Collector._core(ctx, "ListDeploymentTargets", ...) is always CodeDeploy.
            if name == "_core":
                for arg in args:
                    if arg is not None and arg in models["codedeploy"].operation_names:
                        found.add(("codedeploy", arg))
            # client.get_deployment(...), client.list_deployments(...)
            if (
                isinstance(node.func, ast.Attribute)
                and name in _method_index()
                and "client" in ast.unparse(node.func.value).lower()
            ):
                candidates = _method_index()[name]
                if len(candidates) == 1:
                    found |= candidates
                else:
                    unresolved.append(f"{where}: {name} could be {sorted(candidates)}")
            if name in ("get_paginator", "get_waiter"):
                unresolved.append(f"{where}: {name} (resolve its operation here)")
    return found, unresolved


def test_the_allowlist_is_exactly_what_the_code_can_call() -> None:
    found, unresolved = calls_in_source()
    assert not unresolved, unresolved
    allowed = {(service, op) for service, ops in READ_ONLY_OPERATIONS.items() for op in ops}
    assert found - allowed == set(), "the code calls operations the guard would refuse"
    assert allowed - found == set(), "the allowlist (and the IAM policy) grants operations no code calls"


def test_docs_iam_policy_json_is_the_generated_policy() -> None:
    shipped = (REPO / "docs" / "iam-policy.json").read_text(encoding="utf-8")
    assert shipped == policy_json(), "regenerate: python -m codedeploy_doctor.aws.readonly > docs/iam-policy.json"
    actions = sorted(a for statement in json.loads(shipped)["Statement"] for a in statement["Action"])
    expected = sorted(iam_action(service, op) for service, ops in READ_ONLY_OPERATIONS.items() for op in ops)
    assert actions == expected
    for statement in iam_policy()["Statement"]:  # type: ignore[attr-defined]
        assert statement["Effect"] == "Allow"
        assert all(action.split(":", 1)[1].startswith(READ_PREFIXES) for action in statement["Action"])


def test_no_client_is_made_outside_the_seam() -> None:
    offenders = []
    for path in _python_files():
        if path == PACKAGE / "aws" / "clients.py":
            continue
        text = path.read_text(encoding="utf-8")
        for needle in (
            "boto3.client(",
            "boto3.resource(",
            "boto3.Session(",
            "botocore.session.get_session(",
            "Session().client(",
        ):
            if needle in text:
                offenders.append(f"{path.relative_to(REPO)}: {needle}")
    assert not offenders, offenders
