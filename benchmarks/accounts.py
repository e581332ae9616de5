"""One snapshot served as a live AWS account, with latency, for the benchmark's live workloads.

CodeDeploy is ``tests/fakes/codedeploy_world.py`` and ELBv2, Classic ELB and EC2 are
``tests/fakes/traffic_world.py``, as everywhere in the tests. The few calls those fakes do not
serve are answered here from the snapshot's ``traffic`` section, through the same seam (botocore's
``before-call``), with the same latency, counting and output-shape validation: CodeDeploy
GetDeploymentConfig, ECS DescribeServices and Lambda GetAlias.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.codedeploy_world import CodeDeployWorld, FakeAwsError
from tests.fakes.traffic_world import TrafficWorld


@dataclass
class AccountCodeDeploy(CodeDeployWorld):
    """CodeDeployWorld that also answers GetDeploymentConfig."""

    deployment_configs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def _op_GetDeploymentConfig(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params["deploymentConfigName"]
        config = self.deployment_configs.get(name)
        if config is None:
            raise FakeAwsError("DeploymentConfigDoesNotExistException", f"No deployment configuration found for name: {name}")
        return {"deploymentConfigInfo": config}


@dataclass
class AccountTraffic(TrafficWorld):
    """TrafficWorld that also answers ECS DescribeServices and Lambda GetAlias."""

    services: list[dict[str, Any]] = field(default_factory=list)
    aliases: list[dict[str, Any]] = field(default_factory=list)

    def _ecs_DescribeServices(self, params: dict[str, Any]) -> dict[str, Any]:
        found, failures = [], []
        for name in params.get("services") or []:
            service = next((s for s in self.services if name in (s.get("serviceName"), s.get("serviceArn"))), None)
            if service is None:
                failures.append({"arn": name, "reason": "MISSING"})
            else:
                found.append(service)
        return {"services": found, "failures": failures}

    def _lambda_GetAlias(self, params: dict[str, Any]) -> dict[str, Any]:
        function, name = params["FunctionName"], params["Name"]
        short = function.split(":")[6] if function.startswith("arn:") else function
        for alias in self.aliases:
            if alias.get("Name") == name and str(alias.get("AliasArn", "")).endswith(f":function:{short}:{name}"):
                return dict(alias)
        raise FakeAwsError("ResourceNotFoundException", f"Alias not found: {function}:{name}", status=404)


def account(
    snapshot: Mapping[str, Any], *, latency: float = 0.0, page_size: int = 100
) -> tuple[AccountCodeDeploy, AccountTraffic]:
    """The CodeDeploy and traffic fakes serving ``snapshot`` (copied: the fakes may be changed by a test)."""
    data = copy.deepcopy(dict(snapshot))
    codedeploy = AccountCodeDeploy(latency=latency, page_size=page_size)
    codedeploy.add_snapshot(data)
    traffic = data.get("traffic") or {}
    config = traffic.get("deploymentConfig")
    if isinstance(config, dict) and isinstance(config.get("deploymentConfigName"), str):
        codedeploy.deployment_configs[config["deploymentConfigName"]] = config
    elbv2 = traffic.get("elbv2") or {}
    rules = dict(elbv2.get("rules") or {})
    for listener in elbv2.get("listeners") or []:
        # Every listener has its default rule; a snapshot records rules only when they were read.
        arn = listener["ListenerArn"]
        rules.setdefault(arn, [_default_rule(listener)])
    world = AccountTraffic(
        target_groups=list(elbv2.get("targetGroups") or []),
        target_health=dict(elbv2.get("targetHealth") or {}),
        listeners=list(elbv2.get("listeners") or []),
        rules=rules,
        classic_health=dict((traffic.get("elb") or {}).get("instanceHealth") or {}),
        instances={i["InstanceId"]: i for i in (traffic.get("ec2") or {}).get("instances") or []},
        services=list((traffic.get("ecs") or {}).get("services") or []),
        aliases=list((traffic.get("lambda") or {}).get("aliases") or []),
        latency=latency,
    )
    return codedeploy, world


def _default_rule(listener: Mapping[str, Any]) -> dict[str, Any]:
    arn = str(listener["ListenerArn"])
    return {
        "RuleArn": arn.replace(":listener/", ":listener-rule/") + "/0000000000000000",
        "Priority": "default",
        "Conditions": [],
        "Actions": list(listener.get("DefaultActions") or []),
        "IsDefault": True,
    }
