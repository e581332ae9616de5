"""The read-only allowlist: every AWS operation cd-doctor may call, and nothing else.

The client seam refuses any other operation before it is sent, and ``docs/iam-policy.json``
is generated from this table (a test keeps the two equal).
"""

from __future__ import annotations

from typing import Final

from codedeploy_doctor.iam import IAM_PREFIX, iam_action

__all__ = ["IAM_PREFIX", "READ_ONLY_OPERATIONS", "READ_PREFIXES", "iam_action", "iam_policy", "is_allowed", "policy_json"]

READ_ONLY_OPERATIONS: Final[dict[str, frozenset[str]]] = {
    "codedeploy": frozenset(
        {
            "GetDeployment",
            "GetDeploymentGroup",
            "GetDeploymentConfig",
            "ListDeploymentTargets",
            "BatchGetDeploymentTargets",
            "ListDeployments",
            "BatchGetOnPremisesInstances",
        }
    ),
    "elbv2": frozenset({"DescribeTargetGroups", "DescribeTargetHealth", "DescribeListeners", "DescribeRules"}),
    "elb": frozenset({"DescribeInstanceHealth"}),
    "ec2": frozenset({"DescribeInstances"}),
    "ecs": frozenset({"DescribeServices", "DescribeTaskSets", "ListTasks", "DescribeTasks"}),
    "lambda": frozenset({"GetAlias", "GetFunctionConfiguration"}),
    "logs": frozenset({"FilterLogEvents"}),
    "cloudwatch": frozenset({"DescribeAlarms", "DescribeAlarmHistory"}),
    "s3": frozenset({"GetObject"}),
    "autoscaling": frozenset({"DescribeAutoScalingGroups", "DescribeLifecycleHooks", "DescribeScalingActivities"}),
    "ssm": frozenset({"DescribeInstanceInformation"}),
}
"""Allowed operations per boto3 service name."""

READ_PREFIXES: Final = ("Get", "List", "Describe", "BatchGet", "Filter")
"""Verbs that read; every allowlisted operation starts with one of them."""


def is_allowed(service: str, operation: str) -> bool:
    """Return True when ``operation`` of ``service`` is on the read-only allowlist."""
    return operation in READ_ONLY_OPERATIONS.get(service, frozenset()) and operation.startswith(READ_PREFIXES)


def iam_policy() -> dict[str, object]:
    """Return the least-privilege IAM policy covering every operation on the allowlist, one statement per service."""
    by_prefix: dict[str, set[str]] = {}
    for service, operations in READ_ONLY_OPERATIONS.items():
        by_prefix.setdefault(IAM_PREFIX.get(service, service), set()).update(iam_action(service, op) for op in operations)
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": f"CdDoctorRead{_SID_NAMES.get(prefix, prefix.title())}", "Effect": "Allow", "Action": sorted(actions)}
            | {"Resource": "*"}
            for prefix, actions in sorted(by_prefix.items())
        ],
    }


_SID_NAMES: Final = {
    "codedeploy": "CodeDeploy",
    "elasticloadbalancing": "LoadBalancing",
    "ec2": "EC2",
    "ecs": "ECS",
    "logs": "Logs",
    "cloudwatch": "CloudWatch",
    "s3": "S3",
    "autoscaling": "AutoScaling",
    "ssm": "SSM",
}


def policy_json() -> str:
    """Return the policy as ``docs/iam-policy.json`` holds it (``python -m codedeploy_doctor.aws.readonly``)."""
    import json

    return json.dumps(iam_policy(), indent=2) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(policy_json())
