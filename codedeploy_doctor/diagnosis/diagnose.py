"""``diagnose(snapshot) -> Report``: the whole diagnosis, with no I/O."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from codedeploy_doctor.call_warnings import warning_for
from codedeploy_doctor.catalog import Catalog, builtin_catalog
from codedeploy_doctor.catalog.model import CauseMatch
from codedeploy_doctor.diagnosis.evidence import EvidenceReader
from codedeploy_doctor.diagnosis.first_failure import first_failed, first_not_succeeded
from codedeploy_doctor.diagnosis.forensic_facts import forensic_notes as bundle_forensic_notes
from codedeploy_doctor.diagnosis.forensics import forensic_notes
from codedeploy_doctor.diagnosis.grouping import GROUP_SAMPLE, failure_groups
from codedeploy_doctor.diagnosis.key_line import key_line_for
from codedeploy_doctor.diagnosis.previous_revision import CAUSE_ID as PREVIOUS_REVISION_CAUSE
from codedeploy_doctor.diagnosis.previous_revision import previous_deployment_id, previous_revision_note, runs_previous_revision
from codedeploy_doctor.diagnosis.summary import ENDED_WELL, FAILED_STATUSES, deployment_summary
from codedeploy_doctor.diagnosis.targets import foreign_target_ids, target_views, without_foreign
from codedeploy_doctor.lifecycle import NO_SCRIPT_EVENTS
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
    # A target that names another deployment is no part of this one: left out, with a warning.
    foreign = foreign_target_ids(snapshot.targets, snapshot.deployment_id)
    if foreign:
        snapshot = dataclasses.replace(snapshot, targets=without_foreign(snapshot.targets, snapshot.deployment_id))
    summary = deployment_summary(snapshot)
    platform = summary.compute_platform
    views = target_views(snapshot.targets)
    first = first_failed(views, platform, summary.deployment_type)
    # A deployment still running with a failed target is already failing (README, exit codes: 0 is
    # "in progress with no failed target"). One that succeeded despite a failed target (within
    # its minimum healthy hosts) did not fail: the failed target is still reported.
    deployment_failed = summary.status in FAILED_STATUSES or (first is not None and summary.status not in ENDED_WELL)
    if first is None and deployment_failed:
        first = first_not_succeeded(views, platform, summary.deployment_type)
    reader = EvidenceReader(snapshot)
    first_matches = catalog.match(reader.evidence_for(summary, first))
    grouping = failure_groups(snapshot, summary, views, catalog, first_matches, first, reader)
    groups = grouping.groups
    causes = rank_causes(catalog, first_matches, groups, first) if (first or deployment_failed) else ()
    warnings = [warning_for(error) for error in snapshot.errors]
    warnings.extend(collection_warnings(snapshot, summary))
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        warnings.append(f"left out {len(foreign)} target(s) that belong to another deployment (deploymentId): {shown}")
    bundle_notes, bundle_warnings = bundle_forensic_notes(snapshot, {line for cause in causes for line in cause.evidence})
    warnings.extend(bundle_warnings)
    if grouping.inferred:
        warnings.append(
            f"{grouping.inferred} failed targets were given their group's cause without being matched one by one "
            f"(each group's first {GROUP_SAMPLE} agreed)"
        )
    overview_total = sum(summary.overview.values())
    note = previous_revision_note(first, snapshot.deployment_id, explain=catalog.get(PREVIOUS_REVISION_CAUSE) is not None)
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
        notes=((note,) if note else ()) + forensic_notes(snapshot) + tuple(bundle_notes),
        key_line=key_line_for(snapshot, first, causes),
    )


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
    """Warnings about partial data: no deployment status, bounded collection, missing deployment group."""
    warnings: list[str] = []
    if not summary.status:
        warnings.append(
            "the snapshot's deployment has no status: whether it failed is judged from its targets alone "
            "(GetDeployment always returns one; a hand-written snapshot should copy it)"
        )
    collection = snapshot.collection
    if collection is not None and collection.truncated:
        failed_total = summary.overview.get("Failed")
        if failed_total:
            # Count the failed targets read, not the Blue sample read beside them.
            read = sum(1 for view in target_views(snapshot.targets) if view.status == "Failed")
            what = f"{read} of {failed_total} failed targets"
        else:
            what = f"{collection.fetched} targets"
        warnings.append(f"read {what} in detail (bounded); groups and first failure are built from them")
    group_call_failed = any(error.operation == "GetDeploymentGroup" for error in snapshot.errors)
    if snapshot.deployment_group is None and snapshot.api_calls and not group_call_failed:
        warnings.append("the deployment group could not be read; load balancer and alarm details may be missing")
    return warnings


def log_locations(snapshot: Snapshot, first: LifecycleEventFailure | None) -> tuple[str, ...]:
    """Where to look when the log tail is not enough: files on the instance, or the hook function's logs."""
    if first is None:
        return ()
    if first.target_type in ("ECSTarget", "LambdaTarget"):
        return _hook_log_locations(first)
    if first.target_type not in (None, "InstanceTarget"):
        return ()
    group_id = None
    if snapshot.deployment_group is not None:
        group_id = snapshot.deployment_group.get("deploymentGroupId")
    group_id = group_id or snapshot.deployment.get("deploymentGroupId") or "<deployment-group-id>"
    root = f"/opt/codedeploy-agent/deployment-root/{group_id}"
    agent = f"{first.target_id}: {AGENT_LOG} (the agent's own log)"
    everything = f"{first.target_id}: {DEPLOYMENTS_LOG} (every deployment's scripts)"
    if first.status in ("Pending", "Skipped", "Unknown") and not (first.error_code or first.script_name or first.log_tail):
        # The event never ran (or never reported): no script output of it exists; the agent knows why.
        return (agent, everything)
    if runs_previous_revision(first):
        previous = previous_deployment_id(first, snapshot.deployment_id)
        if previous:
            where = f"{root}/{previous}/logs/scripts.log (the previous revision's folder: {first.lifecycle_event} logs there)"
        else:
            where = (
                f"{root}/<last successful deployment id>/logs/scripts.log ({first.lifecycle_event} logs in the previous "
                f"revision's folder, named in /opt/codedeploy-agent/deployment-root/deployment-instructions/"
                f"{group_id}_last_successful_install)"
            )
        return (f"{first.target_id}: {where}", everything, agent)
    scripts = f"{root}/{snapshot.deployment_id}/logs/scripts.log"
    return (f"{first.target_id}: {scripts} (this deployment's scripts)", everything, agent)


_HOOK_NAME = re.compile(r"\bhook (?P<name>[A-Za-z0-9_-]{1,140}) reported\b")


def _hook_log_locations(first: LifecycleEventFailure) -> tuple[str, ...]:
    """ECS and Lambda hooks are Lambda functions: their own CloudWatch Logs say why they failed."""
    locations: list[str] = []
    if first.lifecycle_event not in NO_SCRIPT_EVENTS:
        match = _HOOK_NAME.search(first.message or "")
        when = f" around {first.end_time or first.start_time}" if (first.end_time or first.start_time) else ""
        if match:
            locations.append(
                f"CloudWatch Logs group /aws/lambda/{match['name']}{when} (the {first.lifecycle_event} hook function's log)"
            )
        else:
            locations.append(
                f"CloudWatch Logs groups /aws/lambda/<function> of the {first.lifecycle_event} hooks named in the AppSpec{when}"
            )
    if first.target_type == "ECSTarget":
        locations.append(
            f"{first.target_id}: the replacement task set's container logs (the task definition's log configuration)"
        )
    return tuple(locations)
