"""Collect one deployment into a snapshot with as few sequential round trips as the API allows.

Round trip 1 reads the deployment. Round trip 2 runs in parallel: the deployment group, the
rollback deployment, one ListDeploymentTargets per needed filter (failed targets first; Blue
targets for blue/green), and the traffic checks that need only the deployment. Round trip 3
batch-gets the listed targets, 25 ids a call, several calls in flight, while the traffic checks
that needed ids run beside them. Work is bounded: at most ``detail_limit`` targets are read in
detail; the rest are only counted (from ``deploymentOverview``) and the report says so.
Beside the traffic checks, the forensics collector (``aws.forensics``) reads why a failure
happened beyond CodeDeploy (stopped ECS tasks, alarms, hook functions) into ``evidence``.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from codedeploy_doctor.aws.answers import checked_deployment
from codedeploy_doctor.aws.clients import ClientFactory
from codedeploy_doctor.aws.context import MAX_WORKERS, CollectionContext, chunks
from codedeploy_doctor.aws.failures import call_error, error_code, translate
from codedeploy_doctor.aws.forensics_server import ForensicsCollector, ForensicsThread
from codedeploy_doctor.aws.logs import collect_log_lines
from codedeploy_doctor.deadline import abandon
from codedeploy_doctor.diagnosis.targets import target_view
from codedeploy_doctor.ids import DeploymentId
from codedeploy_doctor.snapshot import INCOMPLETE_ANSWER, CallError, Collection, JsonObject, Snapshot

BATCH_LIMIT = 25
"""BatchGetDeploymentTargets accepts at most 25 target ids a call."""

DETAIL_LIMIT = 250
"""Failed (or stuck) targets read in detail; beyond this they are only counted."""

BLUE_SAMPLE = 25
"""Blue targets read in detail (their BlockTraffic events) in a blue/green deployment."""

BLUE_LIST_PAGES = 1
"""Pages of Blue target ids listed: enough to check Blue in the traffic layer, bounded."""

FAILED_STATUSES = ("Failed",)
STUCK_STATUSES = ("Pending", "InProgress", "Unknown", "Skipped", "Ready")
TERMINAL_FAILED = frozenset({"Failed", "Stopped"})
NOT_STARTED = frozenset({"Created", "Queued"})
"""Deployment statuses with no target yet: ListDeploymentTargets would answer DeploymentNotStartedException."""
STUCK_FILTER = {"TargetStatus": list(STUCK_STATUSES)}
DETAIL_ORDER = ("Failed", "Stuck", "InProgress", "All")
"""Listings read in detail, in the order :func:`select_detail_ids` takes their ids."""


@dataclass(frozen=True)
class TargetQuery:
    """One ListDeploymentTargets query the collector needs."""

    key: str
    """Name of the listing in the snapshot's ``collection.listed`` (Failed, Stuck, Blue, All)."""
    filters: dict[str, list[str]]
    """``targetFilters`` to send; empty means every target."""
    limit: int
    """Stop listing after this many ids."""
    max_pages: int | None = None
    """Stop listing after this many pages (None: until ``limit``)."""


TrafficCollector = Callable[
    [CollectionContext, JsonObject, "Future[JsonObject | None]", "Future[dict[str, list[str]]]", "Future[list[JsonObject]]"],
    JsonObject,
]
"""The traffic collector's signature (``aws.traffic.collect_traffic``)."""


class CollectionAborted(Exception):
    """Handed to the traffic thread's futures when the main thread stops collecting (Ctrl-C)."""


def plan_target_queries(deployment: JsonObject, *, detail_limit: int = DETAIL_LIMIT) -> list[TargetQuery]:
    """Decide which target listings a diagnosis needs, from the deployment alone."""
    platform = deployment.get("computePlatform") or "Server"
    status = deployment.get("status")
    overview = deployment.get("deploymentOverview") or {}
    blue_green = (deployment.get("deploymentStyle") or {}).get("deploymentType") == "BLUE_GREEN"
    if status in NOT_STARTED:
        return []
    if platform in ("ECS", "Lambda"):
        # One target per service or function: listing everything is one call.
        return [TargetQuery("All", {}, detail_limit)]
    queries: list[TargetQuery] = []
    failed_known = isinstance(overview.get("Failed"), int)
    if not failed_known or overview.get("Failed", 0) > 0:
        queries.append(TargetQuery("Failed", {"TargetStatus": list(FAILED_STATUSES)}, detail_limit))
    if status in TERMINAL_FAILED and failed_known and overview.get("Failed", 0) == 0:
        # Failed with no failed target: the agent never answered, or targets were skipped.
        queries.append(TargetQuery("Stuck", STUCK_FILTER, detail_limit))
    elif status not in TERMINAL_FAILED and status != "Succeeded" and not queries:
        # Running with nothing failed: one batch of the targets at work is enough to show progress.
        queries.append(TargetQuery("InProgress", {"TargetStatus": ["InProgress", "Pending"]}, min(detail_limit, BATCH_LIMIT)))
    if blue_green and status != "Succeeded":
        queries.append(TargetQuery("Blue", {"ServerInstanceLabel": ["Blue"]}, BLUE_SAMPLE * 40, BLUE_LIST_PAGES))
    return queries


class Collector:
    """Collects a deployment into a :class:`Snapshot` through one :class:`ClientFactory`."""

    def __init__(
        self,
        factory: ClientFactory,
        *,
        traffic: TrafficCollector | None = None,
        evidence: TrafficCollector | None = None,
        forensics: ForensicsCollector | None = None,
        log_group: str | None = None,
        detail_limit: int = DETAIL_LIMIT,
        max_workers: int = MAX_WORKERS,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc),
    ) -> None:
        self._factory = factory
        self._traffic = traffic
        self._evidence = evidence
        self._forensics = forensics
        self._log_group = log_group
        self._detail_limit = detail_limit
        self._max_workers = max_workers
        self._clock = clock

    def collect(self, deployment_id: DeploymentId) -> Snapshot:
        """Collect everything the diagnosis needs; core failures raise typed errors."""
        pool = ThreadPoolExecutor(self._max_workers, thread_name_prefix="cd-doctor")
        interrupted = False
        try:
            ctx = CollectionContext(self._factory, pool)
            deployment = checked_deployment(self._core(ctx, "GetDeployment", deploymentId=deployment_id), deployment_id)
            group_future = ctx.submit(self._deployment_group, ctx, deployment)
            rollback_future = ctx.submit(self._rollback_deployment, ctx, deployment)
            queries = plan_target_queries(deployment, detail_limit=self._detail_limit)
            # The listing read first in detail is batch-got page by page, while its later pages are listed.
            lead = next((query for key in DETAIL_ORDER for query in queries if query.key == key), None)
            early = _EarlyBatches(self, ctx, deployment_id, min(lead.limit, self._detail_limit) if lead else 0)
            listing_futures = {
                query.key: ctx.submit(self._list_targets, ctx, deployment_id, query, early.page if query is lead else None)
                for query in queries
            }
            listing_future: Future[dict[str, list[str]]] = Future()
            targets_future: Future[list[JsonObject]] = Future()
            traffic_result: dict[str, JsonObject] = {}
            traffic_thread = self._start_traffic(ctx, deployment, group_future, listing_future, targets_future, traffic_result)
            # Why it failed beyond CodeDeploy (aws.forensics), beside the traffic checks.
            evidence_thread = self._start_traffic(
                ctx, deployment, group_future, listing_future, targets_future, traffic_result, self._evidence, "evidence"
            )
            forensics = None
            if self._forensics is not None:
                forensics = ForensicsThread(self._forensics, ctx, deployment, group_future, targets_future)
            try:
                listed = {key: future.result() for key, future in listing_futures.items()}
                nothing_failed = not any(ids for key, (ids, _) in listed.items() if key != "Blue")
                if deployment.get("status") in TERMINAL_FAILED and nothing_failed and not {"Stuck", "All"} & set(listed):
                    # The overview promised failed targets the listing lacks: read the stuck ones instead.
                    stuck = TargetQuery("Stuck", STUCK_FILTER, self._detail_limit)
                    listed["Stuck"] = self._list_targets(ctx, deployment_id, stuck)
                listing = {key: ids for key, (ids, _complete) in listed.items()}
                listing_future.set_result(listing)
                detail_ids = early.asked_with(select_detail_ids(listing, self._detail_limit))
                targets = early.targets() + self._batch_get(ctx, deployment_id, detail_ids[len(early.asked) :])
                missing = _not_returned(detail_ids, targets, set(listing.get("Blue", [])))
                if missing:
                    ctx.record(
                        CallError(
                            service="codedeploy",
                            operation="BatchGetDeploymentTargets",
                            code=INCOMPLETE_ANSWER,
                            message=f"{len(missing)} of the targets asked for were not returned: "
                            + ", ".join(missing[:5])
                            + (f" and {len(missing) - 5} more" if len(missing) > 5 else ""),
                        )
                    )
                targets_future.set_result(targets)
                extra_logs = collect_log_lines(ctx, self._log_group, targets) if self._log_group else []
            except BaseException as exc:
                # Wake the traffic thread so it never waits on data that will not come; it gets an
                # ordinary exception (a KeyboardInterrupt belongs to the main thread alone).
                interrupted = not isinstance(exc, Exception)
                reason = exc if isinstance(exc, Exception) else CollectionAborted("collection interrupted")
                for future in (listing_future, targets_future):
                    if not future.done():
                        future.set_exception(reason)
                raise
            finally:
                for thread in (traffic_thread, evidence_thread):
                    if thread is not None and not interrupted:
                        thread.join()
            group = group_future.result()
            rollback = rollback_future.result()
            server_evidence = forensics.result() if forensics is not None else {}
        finally:
            if interrupted:
                # Ctrl-C: drop queued calls and do not wait for those in flight (nor let exit wait).
                abandon()
            pool.shutdown(wait=not interrupted, cancel_futures=interrupted)
        # Blue is listed one page on purpose and a running deployment's targets are sampled: only
        # the failure listings count as truncation, and so do failed targets asked for but not returned.
        truncated = any(not complete for key, (_ids, complete) in listed.items() if key in ("Failed", "Stuck", "All"))
        truncated = truncated or bool(missing)
        return Snapshot(
            deployment=deployment,
            targets=tuple(targets),
            deployment_group=group,
            rollback_deployment=rollback,
            traffic=traffic_result.get("traffic", {}),
            evidence={**traffic_result.get("evidence", {}), **server_evidence},
            errors=tuple(ctx.errors),
            region=self._factory.region,
            recorded_at=_iso(self._clock()),
            collection=Collection(
                strategy="filtered",
                listed={key: len(ids) for key, ids in listing.items()},
                fetched=len(targets),
                truncated=truncated,
                blue_target_ids=tuple(listing.get("Blue", [])),
                blue_listed_in_full="Blue" in listed and listed["Blue"][1],
            ),
            api_calls=self._factory.total_calls,
            extra_logs=tuple(extra_logs),
        )

    def _core(self, ctx: CollectionContext, operation: str, **params: Any) -> JsonObject:
        try:
            return ctx.call("codedeploy", operation, **params)
        except Exception as exc:
            raise translate(exc, "codedeploy", operation, region=self._factory.region) from exc

    def _deployment_group(self, ctx: CollectionContext, deployment: JsonObject) -> JsonObject | None:
        application = deployment.get("applicationName")
        group = deployment.get("deploymentGroupName")
        if not application or not group:
            return None
        response = ctx.try_call("codedeploy", "GetDeploymentGroup", applicationName=application, deploymentGroupName=group)
        return (response or {}).get("deploymentGroupInfo")

    def _rollback_deployment(self, ctx: CollectionContext, deployment: JsonObject) -> JsonObject | None:
        rollback_id = (deployment.get("rollbackInfo") or {}).get("rollbackDeploymentId")
        if not rollback_id:
            return None
        response = ctx.try_call("codedeploy", "GetDeployment", deploymentId=rollback_id)
        return (response or {}).get("deploymentInfo")

    def _list_targets(
        self,
        ctx: CollectionContext,
        deployment_id: str,
        query: TargetQuery,
        on_page: Callable[[list[str]], None] | None = None,
    ) -> tuple[list[str], bool]:
        """List target ids for one query; also say whether the listing is complete.

        ``on_page`` gets each page's ids as it arrives (the first listing read in detail is batch-got early).
        """
        ids: list[str] = []
        token: str | None = None
        pages = 0
        restarted = False
        while True:
            params: dict[str, Any] = {"deploymentId": deployment_id}
            if query.filters:
                params["targetFilters"] = query.filters
            if token:
                params["nextToken"] = token
            try:
                response = ctx.call("codedeploy", "ListDeploymentTargets", **params)
            except Exception as exc:
                code = error_code(exc)
                if code == "DeploymentNotStartedException":
                    return [], True  # no target yet: nothing to list, and nothing is lost
                if code == "InvalidNextTokenException" and token and not restarted:
                    # Tokens can expire between pages: list again from the start, once.
                    ids, token, pages, restarted = [], None, 0, True
                    continue
                if code == "InvalidNextTokenException" and ids:
                    ctx.record(call_error("codedeploy", "ListDeploymentTargets", exc))
                    return ids[: query.limit], False  # keep what was listed; the report says it is partial
                raise translate(exc, "codedeploy", "ListDeploymentTargets", region=self._factory.region) from exc
            page = list(response.get("targetIds") or [])
            ids.extend(page)
            if on_page is not None:
                on_page(page)
            pages += 1
            token = response.get("nextToken")
            if not token:
                return ids[: query.limit], len(ids) <= query.limit
            if len(ids) >= query.limit or (query.max_pages is not None and pages >= query.max_pages):
                return ids[: query.limit], False

    def _batch_get(self, ctx: CollectionContext, deployment_id: str, target_ids: Sequence[str]) -> list[JsonObject]:
        futures = [
            ctx.submit(self._core, ctx, "BatchGetDeploymentTargets", deploymentId=deployment_id, targetIds=chunk)
            for chunk in chunks(target_ids, BATCH_LIMIT)
        ]
        targets: list[JsonObject] = []
        for future in futures:
            targets.extend(future.result().get("deploymentTargets") or [])
        return targets

    def _start_traffic(
        self,
        ctx: CollectionContext,
        deployment: JsonObject,
        group: Future[JsonObject | None],
        listing: Future[dict[str, list[str]]],
        targets: Future[list[JsonObject]],
        result: dict[str, JsonObject],
        collector: TrafficCollector | None = None,
        key: str = "traffic",
    ) -> threading.Thread | None:
        """Run the traffic collector (or another of its signature) in its own thread; ``result[key]`` gets its section."""
        traffic = collector if key != "traffic" else self._traffic
        if traffic is None:
            return None

        def run() -> None:
            try:
                result[key] = traffic(ctx, deployment, group, listing, targets)
            except BaseException:  # noqa: BLE001 - the main thread raises the failure that stopped the run
                result[key] = {}

        thread = threading.Thread(target=run, name=f"cd-doctor-{key}", daemon=True)
        thread.start()
        return thread


class _EarlyBatches:
    """Batch-gets full batches of one listing's ids as its pages arrive, before the listing ends.

    The ids are taken in the order :func:`select_detail_ids` takes them (that listing comes
    first), without repeats and up to the detail limit, so the batches sent early are exactly
    the first batches the whole listing would have given: no call is added, but the failed
    targets of the first pages are read while the later pages are listed.
    """

    def __init__(self, collector: Collector, ctx: CollectionContext, deployment_id: str, limit: int) -> None:
        self._collector = collector
        self._ctx = ctx
        self._deployment_id = deployment_id
        self._limit = limit
        self._lock = threading.Lock()
        self._waiting: list[str] = []
        self._taken: set[str] = set()
        self._futures: list[Future[JsonObject]] = []
        self.asked: list[str] = []
        """Ids sent in early batches, in order."""

    def page(self, ids: Sequence[str]) -> None:
        """Take one page of ids; send every full batch."""
        with self._lock:
            for target_id in ids:
                if len(self._taken) >= self._limit:
                    break
                if target_id not in self._taken:
                    self._taken.add(target_id)
                    self._waiting.append(target_id)
            while len(self._waiting) >= BATCH_LIMIT:
                chunk, self._waiting = self._waiting[:BATCH_LIMIT], self._waiting[BATCH_LIMIT:]
                self.asked.extend(chunk)
                self._futures.append(
                    self._ctx.submit(
                        self._collector._core,
                        self._ctx,
                        "BatchGetDeploymentTargets",
                        deploymentId=self._deployment_id,
                        targetIds=chunk,
                    )
                )

    def asked_with(self, detail_ids: Sequence[str]) -> list[str]:
        """Every id to read: those sent early, then the rest of ``detail_ids`` (same order when nothing was relisted)."""
        with self._lock:
            sent = set(self.asked)
            return [*self.asked, *(target_id for target_id in detail_ids if target_id not in sent)]

    def targets(self) -> list[JsonObject]:
        """The targets the early batches returned, in order (a failed batch raises here, as any core call)."""
        targets: list[JsonObject] = []
        for future in self._futures:
            targets.extend(future.result().get("deploymentTargets") or [])
        return targets


def _not_returned(asked: Sequence[str], targets: Sequence[JsonObject], blue: set[str]) -> list[str]:
    """Failed or stuck ids asked for that BatchGetDeploymentTargets did not return (Blue samples do not count)."""
    returned = {view.target_id for view in (target_view(target) for target in targets) if view is not None}
    return [target_id for target_id in asked if target_id not in returned and target_id not in blue]


def select_detail_ids(listing: dict[str, list[str]], limit: int) -> list[str]:
    """Ids to read in detail: failed or stuck ones first, then a sample of Blue, without repeats."""
    chosen: list[str] = []
    seen: set[str] = set()

    def take(ids: Iterable[str], budget: int) -> None:
        for target_id in ids:
            if budget <= 0:
                return
            if target_id not in seen:
                seen.add(target_id)
                chosen.append(target_id)
                budget -= 1

    for key in DETAIL_ORDER:
        take(listing.get(key, []), limit - len(chosen))
    # Fill the last batch with Blue targets (free), but read at least BLUE_SAMPLE of them.
    room_in_batch = (-len(chosen)) % BATCH_LIMIT
    take(listing.get("Blue", []), max(room_in_batch, BLUE_SAMPLE if not chosen else room_in_batch))
    return chosen


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")
