"""The live path: make the client seam from the user's AWS configuration and collect."""

from __future__ import annotations

from collections.abc import Sequence

from codedeploy_doctor.aws.clients import ClientFactory, ClientHook
from codedeploy_doctor.aws.collect import Collector
from codedeploy_doctor.deadline import Deadline
from codedeploy_doctor.ids import DeploymentId
from codedeploy_doctor.snapshot import Snapshot


def make_factory(
    *, region: str | None, profile: str | None, client_hooks: Sequence[ClientHook] = (), deadline: Deadline | None = None
) -> ClientFactory:
    """Make the client seam from the user's AWS configuration; a bad profile or config is a typed error."""
    from botocore.exceptions import BotoCoreError

    from codedeploy_doctor.aws.failures import translate

    try:
        return ClientFactory(region=region, profile=profile, client_hooks=client_hooks, deadline=deadline)
    except BotoCoreError as exc:
        raise translate(exc, "codedeploy", "GetDeployment", region=region) from exc


def collect_live(
    deployment_id: DeploymentId,
    *,
    region: str | None,
    profile: str | None,
    log_group: str | None = None,
    factory: ClientFactory | None = None,
) -> Snapshot:
    """Collect a deployment from AWS with the standard credential chain and configuration.

    ``factory`` reuses a client seam already made (``--latest`` and ``--watch`` make it first).
    """
    if factory is None:
        factory = make_factory(region=region, profile=profile)
    from codedeploy_doctor.aws.forensics import collect_evidence
    from codedeploy_doctor.aws.forensics_server import collect_forensics
    from codedeploy_doctor.aws.traffic import collect_traffic

    return Collector(
        factory, traffic=collect_traffic, evidence=collect_evidence, forensics=collect_forensics, log_group=log_group
    ).collect(deployment_id)
