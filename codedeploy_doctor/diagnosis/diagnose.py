"""``diagnose(snapshot) -> Report``: the whole diagnosis, with no I/O."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from codedeploy_doctor.call_warnings import warning_for
from codedeploy_doctor.catalog import Catalog, builtin_catalog
from codedeploy_doctor.catalog.model import CauseMatch, FailureEvidence
from codedeploy_doctor.diagnosis.log_window import deployment_window, lines_for_deployment
from codedeploy_doctor.diagnosis.first_failure import event_failure, failed_events, first_failed, first_not_succeeded
from codedeploy_doctor.diagnosis.summary import FAILED_STATUSES, deployment_summary
from codedeploy_doctor.diagnosis.targets import TargetView, target_views
from codedeploy_doctor.errors import ExitCode
from codedeploy_doctor.report import Cause, DeploymentSummary, FailureGroup, LifecycleEventFailure, Report
from codedeploy_doctor.snapshot import Snapshot
from codedeploy_doctor.traffic import assess_blue_traffic

MAX_CAUSES = 5
"""Causes listed in a report at most."""

AGENT_LOG = "/var/log/aws/codedeploy-agent/codedeploy-agent.log"
DEPLOYMENTS_LOG = "/opt/codedeploy-agent/deployment-root/deployment-logs/codedeploy-agent-deployments.log"


def diagnose(snapshot: Snapshot, catalog: Catalog | None = None) -> Report:
    """Diagnose one deployment from its snapshot."""
    catalog = catalog or builtin_catalog()
    summary = deployment_summary(snapshot)
    platform = summary.compute_platform
    views = target_views(snapshot.targets)
    first = first_failed(views, platform)
    # An in-progress deployment with a failed target is already failing (CONTRACTS §2, exit 0 excludes it).
    deployment_failed = summary.status in FAILED_STATUSES or first is not None
    if first is None and deployment_failed:
        first = first_not_succeeded(views, platform)
    first_matches = catalog.match(evidence_for(snapshot, summary, first))
    groups = failure_groups(snapshot, summary, views, catalog, first_matches, first)
    causes = rank_causes(catalog, first_matches, groups, first) if (first or deployment_failed) else ()
    warnings = [warning_for(error) for error in snapshot.errors]
    warnings.extend(collection_warnings(snapshot, summary))
    overview_total = sum(summary.overview.values())
    return Report(
        deployment=summary,
        first_failure=first,
        failure_groups=groups,
        causes=causes,
        blue_traffic=assess_blue_traffic(snapshot),
        warnings=tuple(warnings),
        api_calls=snapshot.api_calls,
        deployment_failed=deployment_failed,
        targets_total=overview_total or len(views),
        targets_examined=len(views),
        log_locations=log_locations(snapshot, first),
    )


def evidence_for(snapshot: Snapshot, summary: DeploymentSummary, failure: LifecycleEventFailure | None) -> FailureEvidence:
    """What the catalog may read about one failure (or about the deployment when there is none)."""
    target_id = failure.target_id if failure else None
    return FailureEvidence(
        platform=summary.compute_platform,
        lifecycle_event=failure.lifecycle_event if failure else None,
        event_status=failure.status if failure else None,
        error_code=failure.error_code if failure else None,
        script_name=failure.script_name if failure else None,
        message=failure.message if failure else None,
        log_tail=failure.log_tail if failure else None,
        deployment_error_code=summary.error_code,
        deployment_error_message=summary.error_message,
        status_messages=summary.status_messages,
        deployment_status=summary.status,
        extra_log_lines=extra_log_lines(snapshot, target_id),
        instance_facts=instance_facts(snapshot, target_id),
    )


def extra_log_lines(snapshot: Snapshot, target_id: str | None) -> tuple[str, ...]:
    """Lines from extra logs (``--agent-log``, CloudWatch Logs) about this deployment and target.

    An agent log copied from an instance holds weeks of history: an old error must not become
    today's cause. See :func:`codedeploy_doctor.diagnosis.log_window.lines_for_deployment`.
    """
    lines: list[str] = []
    for log in snapshot.extra_logs:
        owner = log.get("targetId")
        if owner and target_id and owner != target_id:
            continue
        raw = log.get("lines")
        if isinstance(raw, list):
            lines.extend(line for line in raw if isinstance(line, str))
    return lines_for_deployment(lines, snapshot.deployment_id, deployment_window(snapshot.deployment))


def instance_facts(snapshot: Snapshot, target_id: str | None) -> dict[str, str]:
    """Facts about the failing instance from ec2 DescribeInstances, when the snapshot has them."""
    if not target_id:
        return {}
    ec2 = snapshot.traffic.get("ec2") if isinstance(snapshot.traffic.get("ec2"), dict) else {}
    instances = ec2.get("instances") if isinstance(ec2, dict) else None
    for instance in instances if isinstance(instances, list) else []:
        if isinstance(instance, dict) and instance.get("InstanceId") == target_id:
            state = instance.get("State")
            profile = instance.get("IamInstanceProfile")
            facts = {"state": str(state.get("Name")) if isinstance(state, dict) else "unknown"}
            facts["iamInstanceProfile"] = str(profile.get("Arn")) if isinstance(profile, dict) else "none"
            return facts
    return {}


def failure_groups(
    snapshot: Snapshot,
    summary: DeploymentSummary,
    views: Sequence[TargetView],
    catalog: Catalog,
    first_matches: Sequence[CauseMatch],
    first: LifecycleEventFailure | None,
) -> tuple[FailureGroup, ...]:
    """Group failed targets by (event, error code, cause); stuck targets when none failed."""
    failures = [event_failure(view, event) for view, event in failed_events(views)]
    if not failures and first is not None and first.status != "Failed":
        # No Failed event: group targets by where they are stuck.
        failures = [f for f in (_first_stuck(view, summary.compute_platform) for view in views) if f is not None]
    buckets: dict[tuple[str, str | None, str | None, str], list[str]] = defaultdict(list)
    for failure in failures:
        if first is not None and (failure.target_id, failure.lifecycle_event) == (first.target_id, first.lifecycle_event):
            matches = first_matches
        else:
            matches = catalog.match(evidence_for(snapshot, summary, failure))
        cause_id = matches[0].cause_id if matches else None
        key = (failure.lifecycle_event, failure.error_code, cause_id, failure.status)
        buckets[key].append(failure.target_id)
    groups = [
        FailureGroup(
            lifecycle_event=event,
            error_code=error_code,
            cause_id=cause_id,
            target_count=len(ids),
            target_ids=tuple(sorted(set(ids))),
            status=status,
        )
        for (event, error_code, cause_id, status), ids in buckets.items()
    ]
    return tuple(sorted(groups, key=lambda g: (-g.target_count, g.lifecycle_event, g.error_code or "", g.cause_id or "")))


def _first_stuck(view: TargetView, platform: str | None) -> LifecycleEventFailure | None:
    return first_not_succeeded([view], platform)


def rank_causes(
    catalog: Catalog,
    first_matches: Sequence[CauseMatch],
    groups: Sequence[FailureGroup],
    first: LifecycleEventFailure | None,
) -> tuple[Cause, ...]:
    """The first failure's causes, most likely first, then other groups' top causes.

    The catalog always ends its matches with a generic record (what the error code means);
    it is shown only when nothing specific matched.
    """
    ordered: list[CauseMatch] = [match for match in first_matches if not match.generic] or list(first_matches)
    seen = {match.cause_id for match in ordered}
    causes = [catalog.to_cause(match) for match in ordered[:MAX_CAUSES]]
    for group in groups:
        if group.cause_id and group.cause_id not in seen and len(causes) < MAX_CAUSES:
            record = catalog.get(group.cause_id)
            if record is None:
                continue
            seen.add(group.cause_id)
            evidence = (f"{group.target_count} target(s) failed at {group.lifecycle_event} with this cause",)
            causes.append(catalog.to_cause(CauseMatch(group.cause_id, "medium", evidence, 0)))
    return tuple(causes)


def collection_warnings(snapshot: Snapshot, summary: DeploymentSummary) -> list[str]:
    """Warnings about partial data: bounded collection, missing deployment group."""
    warnings: list[str] = []
    collection = snapshot.collection
    if collection is not None and collection.truncated:
        failed_total = summary.overview.get("Failed")
        total = f" of {failed_total}" if failed_total else ""
        warnings.append(
            f"read {collection.fetched}{total} failed targets in detail (bounded); groups and first failure are built from them"
        )
    if snapshot.deployment_group is None and snapshot.api_calls:
        warnings.append("the deployment group could not be read; load balancer and alarm details may be missing")
    return warnings


def log_locations(snapshot: Snapshot, first: LifecycleEventFailure | None) -> tuple[str, ...]:
    """Which files to open on which instance when the log tail is not enough (Server only)."""
    if first is None or first.target_type not in (None, "InstanceTarget"):
        return ()
    group_id = None
    if snapshot.deployment_group is not None:
        group_id = snapshot.deployment_group.get("deploymentGroupId")
    group_id = group_id or snapshot.deployment.get("deploymentGroupId") or "<deployment-group-id>"
    scripts = f"/opt/codedeploy-agent/deployment-root/{group_id}/{snapshot.deployment_id}/logs/scripts.log"
    return (
        f"{first.target_id}: {scripts} (this deployment's script output)",
        f"{first.target_id}: {DEPLOYMENTS_LOG} (all deployments' script output)",
        f"{first.target_id}: {AGENT_LOG} (the agent itself: polling, credentials, errors)",
    )


def exit_code_for(report: Report) -> ExitCode:
    """The process exit code for a report (CONTRACTS §2)."""
    if not report.deployment_failed:
        return ExitCode.OK
    traffic = report.blue_traffic
    if traffic.verdict == "not-applicable":
        return ExitCode.FAILED_BLUE_SAFE
    if traffic.verdict in ("serving", "partial") and traffic.basis == "traffic-layer":
        return ExitCode.FAILED_BLUE_SAFE
    return ExitCode.FAILED_BLUE_AT_RISK
