"""A stand-in for ``codedeploy_doctor.aws.traffic.collect_traffic``, used only while that module is absent.

It makes the traffic calls a Server blue/green diagnosis needs, as early as their inputs allow,
so the benchmark's call and round-trip figures include traffic checks either way:

- DescribeTargetGroups by the deployment's target group names, as soon as the deployment is
  known (beside the target listings);
- then DescribeTargetHealth of each target group and DescribeInstances of the listed Blue
  instances, in parallel (beside BatchGetDeploymentTargets).

The benchmark reports which traffic collector ran. Once the real one exists it is used instead.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

from codedeploy_doctor.aws.context import CollectionContext

INSTANCE_IDS_PER_CALL = 100
"""Blue instance ids sent in one DescribeInstances call (the listing's first page at most)."""


def collect_traffic(
    ctx: CollectionContext,
    deployment: dict[str, Any],
    group_future: Future[dict[str, Any] | None],
    listing_future: Future[dict[str, list[str]]],
    targets_future: Future[list[dict[str, Any]]],
) -> dict[str, Any]:
    """Collect the target groups' health and the Blue instances' state."""
    names = [
        str(info["name"])
        for info in ((deployment.get("loadBalancerInfo") or {}).get("targetGroupInfoList") or [])
        if isinstance(info, dict) and info.get("name")
    ]
    groups_future = ctx.submit(ctx.try_call, "elbv2", "DescribeTargetGroups", Names=names) if names else None
    traffic: dict[str, Any] = {}
    listing = listing_future.result()
    blue_ids = listing.get("Blue", [])[:INSTANCE_IDS_PER_CALL]
    instances_future = ctx.submit(ctx.try_call, "ec2", "DescribeInstances", InstanceIds=blue_ids) if blue_ids else None
    if groups_future is not None:
        groups = (groups_future.result() or {}).get("TargetGroups")
        if groups is not None:
            health_futures = {
                group["TargetGroupArn"]: ctx.submit(ctx.try_call, "elbv2", "DescribeTargetHealth", TargetGroupArn=group["TargetGroupArn"])
                for group in groups
            }
            health = {arn: (future.result() or {}).get("TargetHealthDescriptions") for arn, future in health_futures.items()}
            traffic["elbv2"] = {
                "targetGroups": groups,
                "targetHealth": {arn: descriptions for arn, descriptions in health.items() if descriptions is not None},
            }
    if instances_future is not None:
        reservations = (instances_future.result() or {}).get("Reservations")
        if reservations is not None:
            traffic["ec2"] = {"instances": [i for r in reservations for i in r.get("Instances") or []]}
    return traffic
