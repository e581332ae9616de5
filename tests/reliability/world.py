"""One snapshot served as a whole AWS account: CodeDeploy, ELBv2, Classic ELB, EC2, ECS, Lambda, Logs, CloudWatch, and the
forensics reads (S3, Auto Scaling, SSM, on-premises instances: ``tests.fakes.forensics.ForensicAccount``).

CodeDeploy, ELBv2, Classic ELB and EC2 are answered by the project's fakes (``CodeDeployWorld``,
``TrafficWorld``); ECS DescribeServices, Lambda GetAlias, CodeDeploy GetDeploymentConfig and
Logs FilterLogEvents, which they do not serve, are answered here from the snapshot's ``traffic``
section; what the forensics collector reads is answered from its ``evidence`` (``EvidenceWorld``).
``SnapshotAccount.handle`` is a ``wire.Backend``: the wire fake puts it on the network.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from tests.fakes.codedeploy_world import CodeDeployWorld, FakeAwsError
from tests.fakes.evidence_world import EvidenceWorld
from tests.fakes.forensics import ForensicAccount
from tests.fakes.traffic_world import TrafficWorld


class SnapshotAccount:
    """Every service cd-doctor reads, answering from one snapshot (and its rollback deployment)."""

    def __init__(self, snapshot: Mapping[str, Any], *, log_lines: tuple[str, ...] = ()) -> None:
        snapshot = copy.deepcopy(dict(snapshot))
        self.snapshot = snapshot
        self.codedeploy = CodeDeployWorld.from_snapshots([snapshot])
        traffic = snapshot.get("traffic") or {}
        elbv2 = traffic.get("elbv2") or {}
        self.traffic = TrafficWorld(
            target_groups=list(elbv2.get("targetGroups") or []),
            target_health=dict(elbv2.get("targetHealth") or {}),
            listeners=list(elbv2.get("listeners") or []),
            rules=dict(elbv2.get("rules") or {}),
            classic_health=dict((traffic.get("elb") or {}).get("instanceHealth") or {}),
            instances={i["InstanceId"]: i for i in (traffic.get("ec2") or {}).get("instances") or []},
        )
        self.services = list((traffic.get("ecs") or {}).get("services") or [])
        self.aliases = list((traffic.get("lambda") or {}).get("aliases") or [])
        self.deployment_config = traffic.get("deploymentConfig")
        self.log_lines = log_lines
        self.evidence = EvidenceWorld(snapshot)
        self.forensics = ForensicAccount(snapshot)

    def handle(self, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Serve one call (a ``wire.Backend``)."""
        if self.forensics.serves(service, operation):
            return self.forensics.handle(service, operation, params)
        if self.evidence.serves(service, operation, params):
            return self.evidence.handle(service, operation, params)
        if service == "codedeploy":
            if operation == "GetDeploymentConfig":
                return self._deployment_config(params)
            return self.codedeploy.handle(operation, params)
        if service == "ecs" and operation == "DescribeServices":
            return self._describe_services(params)
        if service == "lambda" and operation == "GetAlias":
            return self._get_alias(params)
        if service == "logs" and operation == "FilterLogEvents":
            return self._filter_log_events(params)
        return self.traffic.handle(service, operation, params)

    def _deployment_config(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params["deploymentConfigName"]
        config = self.deployment_config
        if not isinstance(config, dict) or config.get("deploymentConfigName") != name:
            config = {"deploymentConfigName": name, "computePlatform": "Server"}
        return {"deploymentConfigInfo": config}

    def _describe_services(self, params: dict[str, Any]) -> dict[str, Any]:
        wanted = params.get("services") or []
        found, failures = [], []
        for name in wanted:
            service = next(
                (s for s in self.services if name in (s.get("serviceName"), s.get("serviceArn"))),
                None,
            )
            if service is None:
                failures.append({"arn": name, "reason": "MISSING"})
            else:
                found.append(service)
        return {"services": found, "failures": failures}

    def _get_alias(self, params: dict[str, Any]) -> dict[str, Any]:
        function, name = params["FunctionName"], params["Name"]
        for alias in self.aliases:
            arn = str(alias.get("AliasArn", ""))
            if alias.get("Name") == name and (f":function:{function}:" in arn or arn.endswith(f"{function}:{name}")):
                return dict(alias)
        raise FakeAwsError("ResourceNotFoundException", f"Alias not found: {function}:{name}", 404)

    def _filter_log_events(self, params: dict[str, Any]) -> dict[str, Any]:
        prefix = params.get("logStreamNamePrefix") or ""
        start = int(params.get("startTime") or 0)
        events = [
            {
                "logStreamName": f"{prefix}-codedeploy-agent-deployments",
                "timestamp": start + n,
                "message": line,
                "eventId": str(n),
            }
            for n, line in enumerate(self.log_lines)
        ]
        return {"events": events, "searchedLogStreams": []}
