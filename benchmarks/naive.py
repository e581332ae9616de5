"""The naive baseline: what a hand-written script does, one call after another, then the same diagnosis.

GetDeployment, then ListDeploymentTargets with no filter following every ``nextToken``, then
BatchGetDeploymentTargets of every id, 25 at a time, sequentially. No traffic check: a script
like that reads CodeDeploy only. The calls go through the same ClientFactory seam as
cd-doctor's, so they are counted, delayed and timed the same way.
"""

from __future__ import annotations

from typing import Any

from codedeploy_doctor.aws.clients import ClientFactory
from codedeploy_doctor.snapshot import Collection, Snapshot, to_jsonable

BATCH = 25


def collect_naive(factory: ClientFactory, deployment_id: str) -> Snapshot:
    """Read the deployment and every one of its targets, sequentially."""
    codedeploy = factory.client("codedeploy")
    deployment = to_jsonable(codedeploy.get_deployment(deploymentId=deployment_id)["deploymentInfo"])
    ids: list[str] = []
    params: dict[str, Any] = {"deploymentId": deployment_id}
    while True:
        page = codedeploy.list_deployment_targets(**params)
        ids.extend(page.get("targetIds") or [])
        if not page.get("nextToken"):
            break
        params["nextToken"] = page["nextToken"]
    targets: list[dict[str, Any]] = []
    for start in range(0, len(ids), BATCH):
        answer = codedeploy.batch_get_deployment_targets(deploymentId=deployment_id, targetIds=ids[start : start + BATCH])
        targets.extend(to_jsonable(answer.get("deploymentTargets") or []))
    return Snapshot(
        deployment=deployment,
        targets=tuple(targets),
        collection=Collection(strategy="all", listed={"All": len(ids)}, fetched=len(targets)),
        api_calls=factory.total_calls,
    )
