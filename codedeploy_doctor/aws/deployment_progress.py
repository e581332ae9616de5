"""Reading a running deployment for ``--watch``: GetDeployment each poll, a few active targets when needed.

``render.watch_view`` shows what it reads.

A poll is one GetDeployment. The lifecycle event each active target is in costs one
ListDeploymentTargets (InProgress targets, first page) and one BatchGetDeploymentTargets of at
most :data:`ACTIVE_SAMPLE` ids; the watcher asks for it only when the counts changed or a live
view shows it. Those two calls are not core: when they fail the view simply shows no targets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from codedeploy_doctor.aws.clients import ClientFactory
from codedeploy_doctor.aws.context import NEVER_A_WARNING
from codedeploy_doctor.aws.failures import translate
from codedeploy_doctor.ids import DeploymentId
from codedeploy_doctor.snapshot import JsonObject, to_jsonable

ACTIVE_SAMPLE = 25
"""Active targets read per poll at most: one BatchGetDeploymentTargets call."""


class DeploymentProgressSource:
    """A :class:`codedeploy_doctor.watch.ProgressSource` backed by CodeDeploy through the client seam."""

    def __init__(self, factory: ClientFactory, deployment_id: DeploymentId, *, sample: int = ACTIVE_SAMPLE) -> None:
        self._factory = factory
        self._deployment_id = deployment_id
        self._sample = max(1, min(sample, ACTIVE_SAMPLE))

    def _client(self) -> Any:
        return self._factory.client("codedeploy")

    def deployment(self) -> JsonObject:
        """Read the deployment now; failures become typed errors (the watcher retries transient ones)."""
        try:
            response = self._client().get_deployment(deploymentId=self._deployment_id)
        except Exception as exc:
            raise translate(exc, "codedeploy", "GetDeployment", region=self._factory.region) from exc
        info = to_jsonable(response).get("deploymentInfo")
        return info if isinstance(info, dict) else {"deploymentId": self._deployment_id, "status": "Unknown"}

    def active_targets(self) -> Sequence[JsonObject]:
        """Read up to :data:`ACTIVE_SAMPLE` InProgress targets with their lifecycle events; [] when unreadable."""
        try:
            listed = self._client().list_deployment_targets(
                deploymentId=self._deployment_id, targetFilters={"TargetStatus": ["InProgress"]}
            )
            ids = [str(target_id) for target_id in listed.get("targetIds") or []][: self._sample]
            if not ids:
                return []
            batch = self._client().batch_get_deployment_targets(deploymentId=self._deployment_id, targetIds=ids)
        except NEVER_A_WARNING:
            raise
        except Exception:  # noqa: BLE001 - the event column is a nicety: a failed read leaves it empty
            return []
        targets = to_jsonable(batch).get("deploymentTargets") or []
        return [target for target in targets if isinstance(target, dict)]
