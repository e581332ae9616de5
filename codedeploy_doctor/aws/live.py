"""The live path: make the client seam from the user's AWS configuration and collect."""

from __future__ import annotations

from codedeploy_doctor.aws.clients import ClientFactory
from codedeploy_doctor.aws.collect import Collector
from codedeploy_doctor.ids import DeploymentId
from codedeploy_doctor.snapshot import Snapshot


def collect_live(
    deployment_id: DeploymentId, *, region: str | None, profile: str | None, log_group: str | None = None
) -> Snapshot:
    """Collect a deployment from AWS with the standard credential chain and configuration."""
    from botocore.exceptions import BotoCoreError

    from codedeploy_doctor.aws.failures import translate

    try:
        factory = ClientFactory(region=region, profile=profile)
    except BotoCoreError as exc:
        raise translate(exc, "codedeploy", "GetDeployment", region=region) from exc
    from codedeploy_doctor.aws.traffic import collect_traffic

    return Collector(factory, traffic=collect_traffic, log_group=log_group).collect(deployment_id)
