"""Finding the most recent deployment of a deployment group (``--latest``), for pipelines without the id.

The CodeDeploy API reference does not say in which order ListDeployments returns ids (in
practice it is newest first), so the search does not rest on it alone:

1. it lists deployments created in the last day, then the last 30 days, then at any time, and
   keeps the first window that has any (one ListDeployments page each; usually one call);
2. when that page holds more than one id, it reads the first :data:`MAX_CANDIDATES` with
   GetDeployment, in parallel, and keeps the one created last.

The answer is exact whenever the window holds at most :data:`MAX_CANDIDATES` deployments; for a
group deployed more often than that in a day it relies on the observed newest-first order.
Only ListDeployments and GetDeployment are called (both on the read-only allowlist).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from codedeploy_doctor.aws.clients import ClientFactory
from codedeploy_doctor.aws.failures import error_code, error_message, translate
from codedeploy_doctor.deployment_facts import DEPLOYMENT_FAILED
from codedeploy_doctor.errors import DeploymentNotFoundError, DoctorError
from codedeploy_doctor.ids import DeploymentId, is_deployment_id
from codedeploy_doctor.snapshot import JsonObject, to_jsonable

WINDOWS: tuple[dt.timedelta | None, ...] = (dt.timedelta(days=1), dt.timedelta(days=30), None)
"""createTimeRange windows tried in turn (None: no range)."""

MAX_CANDIDATES = 10
"""Deployments compared by createTime at most (one GetDeployment each, in parallel)."""

FAILED_STATUSES = tuple(sorted(DEPLOYMENT_FAILED))
"""``includeOnlyStatuses`` for ``--only-failed``."""

MISSING_GROUP_CODES = frozenset(
    {
        "ApplicationDoesNotExistException",
        "DeploymentGroupDoesNotExistException",
        "InvalidApplicationNameException",
        "InvalidDeploymentGroupNameException",
    }
)
"""ListDeployments errors that mean the application or group name is wrong (or in another Region)."""


@dataclass(frozen=True)
class LatestDeployment:
    """The deployment ``--latest`` chose."""

    deployment_id: DeploymentId
    """Its id."""
    status: str | None
    """Its status when it was read (None when only listed)."""
    create_time: str | None
    """When it was created (ISO-8601), when it was read."""
    candidates: int
    """How many deployments were compared."""


def find_latest(
    factory: ClientFactory,
    application: str,
    deployment_group: str,
    *,
    only_failed: bool = False,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc),
) -> LatestDeployment:
    """Find the most recent deployment of ``application``/``deployment_group`` (only failed or stopped ones if asked)."""
    client = factory.client("codedeploy")
    ids: list[str] = []
    for window in WINDOWS:
        params: dict[str, Any] = {"applicationName": application, "deploymentGroupName": deployment_group}
        if only_failed:
            params["includeOnlyStatuses"] = list(FAILED_STATUSES)
        if window is not None:
            params["createTimeRange"] = {"start": now() - window}
        try:
            response = client.list_deployments(**params)
        except Exception as exc:
            raise _translate_listing(exc, application, deployment_group, factory.region) from exc
        ids = [str(deployment_id) for deployment_id in response.get("deployments") or [] if is_deployment_id(str(deployment_id))]
        if ids:
            break
    if not ids:
        which = "failed or stopped deployment" if only_failed else "deployment"
        where = factory.region or "the default Region"
        raise DeploymentNotFoundError(
            f"no {which} of {application}/{deployment_group} in {where}",
            tip="check --application, --deployment-group and --region" + ("" if not only_failed else ", or drop --only-failed"),
        )
    candidates = ids[:MAX_CANDIDATES]
    if len(candidates) == 1:
        return LatestDeployment(DeploymentId(candidates[0]), None, None, 1)
    infos = _read_all(factory, candidates)
    if not infos:
        # Every GetDeployment failed: trust the listing order rather than fail.
        return LatestDeployment(DeploymentId(candidates[0]), None, None, len(candidates))
    # max() keeps the first of equal createTimes, i.e. the listing order breaks ties.
    best = max(infos, key=lambda info: _created(info))
    return LatestDeployment(
        DeploymentId(str(best["deploymentId"])),
        str(best.get("status")) if best.get("status") else None,
        str(best.get("createTime")) if best.get("createTime") else None,
        len(candidates),
    )


def _read_all(factory: ClientFactory, deployment_ids: list[str]) -> list[JsonObject]:
    client = factory.client("codedeploy")

    def read(deployment_id: str) -> JsonObject | None:
        try:
            info = to_jsonable(client.get_deployment(deploymentId=deployment_id)).get("deploymentInfo")
        except DoctorError:
            raise
        except Exception:  # noqa: BLE001 - one unreadable candidate does not stop the search
            return None
        return info if isinstance(info, dict) and info.get("deploymentId") else None

    with ThreadPoolExecutor(max_workers=len(deployment_ids), thread_name_prefix="cd-doctor-latest") as pool:
        found = list(pool.map(read, deployment_ids))
    return [info for info in found if info is not None]


def _created(info: JsonObject) -> dt.datetime:
    value = info.get("createTime")
    if isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)
    return dt.datetime.min.replace(tzinfo=dt.timezone.utc)


def _translate_listing(exc: BaseException, application: str, group: str, region: str | None) -> DoctorError:
    if error_code(exc) in MISSING_GROUP_CODES:
        where = region or "the default Region"
        return DeploymentNotFoundError(
            f"no deployment group {application}/{group} in {where}: {error_message(exc)}",
            tip="check the names with 'aws deploy list-deployment-groups --application-name NAME', and --region",
        )
    return translate(exc, "codedeploy", "ListDeployments", region=region)
