"""Evidence beyond CodeDeploy for Server (EC2, on-premises) failures: the revision bundle, Auto Scaling, the instances.

Runs on its own thread (like the traffic collector: nothing waits inside the shared pool), from
right after GetDeployment: the Auto Scaling reads start the moment the deployment group is read,
beside the target listing; the revision and instance reads start the moment the failed targets
are read, and need at most one more round trip (the bundle's directory, then its entries). Every
call goes through ``ctx.try_call`` (or records its failure): a denied read is a warning naming
its action, never fatal. The result is the snapshot's ``evidence`` sections ``revision``,
``autoscaling``, ``ssm`` and ``onPremises`` (docs/snapshot.md).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

from codedeploy_doctor.aws.context import CollectionContext
from codedeploy_doctor.aws.forensics_autoscaling import autoscaling_names, start_autoscaling
from codedeploy_doctor.aws.instance_facts import start_instance_facts
from codedeploy_doctor.aws.revision import collect_revision
from codedeploy_doctor.snapshot import JsonObject

FAILED = frozenset({"Failed", "Stopped"})
"""Deployment statuses with a failure to explain (a running one needs a failed target too)."""

ForensicsCollector = Callable[
    [CollectionContext, JsonObject, "Future[JsonObject | None]", "Future[list[JsonObject]]"],
    JsonObject,
]
"""The signature of :func:`collect_forensics` (the collector's ``forensics`` option)."""


def _value(future: Future[Any]) -> Any:
    try:
        return future.result()
    except Exception:  # noqa: BLE001 - a failed group or target read only means less to explain with
        return None


def collect_forensics(
    ctx: CollectionContext,
    deployment: JsonObject,
    group: Future[JsonObject | None],
    targets: Future[list[JsonObject]],
) -> JsonObject:
    """Return the ``evidence`` sections this failure needs; never raises for a failed call."""
    overview = deployment.get("deploymentOverview") if isinstance(deployment.get("deploymentOverview"), dict) else {}
    failing = deployment.get("status") in FAILED or (overview or {}).get("Failed", 0) > 0
    if not failing or (deployment.get("computePlatform") or "Server") != "Server":
        return {}
    evidence: JsonObject = {}
    names = autoscaling_names(deployment, _value(group))
    autoscaling = start_autoscaling(ctx, deployment, names) if names else None
    read: Sequence[JsonObject] = _value(targets) or []
    instances = start_instance_facts(ctx, read)
    revision = collect_revision(ctx, deployment, read)
    if revision is not None:
        evidence["revision"] = revision
    evidence.update(instances())
    if autoscaling is not None:
        section = autoscaling()
        if section:
            evidence["autoscaling"] = section
    return evidence


class ForensicsThread:
    """:func:`collect_forensics` (or a stand-in) running on its own thread."""

    def __init__(
        self,
        collector: ForensicsCollector,
        ctx: CollectionContext,
        deployment: JsonObject,
        group: Future[JsonObject | None],
        targets: Future[list[JsonObject]],
    ) -> None:
        self._result: JsonObject = {}

        def run() -> None:
            try:
                self._result = collector(ctx, deployment, group, targets)
            except BaseException:  # noqa: BLE001 - the main thread raises the failure that stopped the run
                self._result = {}

        self._thread = threading.Thread(target=run, name="cd-doctor-forensics", daemon=True)
        self._thread.start()

    def result(self) -> JsonObject:
        """Wait for the thread and return the evidence sections."""
        self._thread.join()
        return self._result
