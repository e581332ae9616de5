"""IAM action names for AWS operations (pure: the report's warnings name them, the allowlist's policy lists them)."""

from __future__ import annotations

from typing import Final

IAM_PREFIX: Final[dict[str, str]] = {
    "codedeploy": "codedeploy",
    "elbv2": "elasticloadbalancing",
    "elb": "elasticloadbalancing",
    "ec2": "ec2",
    "ecs": "ecs",
    "lambda": "lambda",
    "logs": "logs",
    "cloudwatch": "cloudwatch",
    "s3": "s3",
    "autoscaling": "autoscaling",
    "ssm": "ssm",
}
"""IAM action prefix per boto3 service name."""


def iam_action(service: str, operation: str) -> str:
    """Return the IAM action for a boto3 service and operation, e.g. ``ec2:DescribeInstances``."""
    return f"{IAM_PREFIX.get(service, service)}:{operation}"
