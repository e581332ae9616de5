"""Failed targets grouped by (event, error code, cause), with the catalog's cost bounded.

Matching the whole catalog costs about 2 ms a target. Identical evidence is matched once
(exact). Above :data:`SAMPLE_ABOVE` failures (only large hand-written or replayed snapshots:
a live run reads at most 250 targets in detail), a group of targets failing at the same event,
error code and script whose first :data:`GROUP_SAMPLE` members all matched one cause gives the
rest that cause without matching them, and the report says how many were inferred that way.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from codedeploy_doctor.catalog import Catalog
from codedeploy_doctor.catalog.model import CauseMatch, FailureEvidence
from codedeploy_doctor.diagnosis.evidence import evidence_for
from codedeploy_doctor.diagnosis.first_failure import event_failure, failed_events, first_not_succeeded
from codedeploy_doctor.diagnosis.targets import TargetView
from codedeploy_doctor.report import DeploymentSummary, FailureGroup, LifecycleEventFailure
from codedeploy_doctor.snapshot import Snapshot

SAMPLE_ABOVE = 250
"""Failures beyond which groups that agree are not matched target by target."""

GROUP_SAMPLE = 25
"""Members of a group that must agree on one cause before the rest inherit it."""


@dataclass(frozen=True)
class Grouping:
    """The failure groups, and how many targets' causes were inferred from their group."""

    groups: tuple[FailureGroup, ...]
    """Largest first."""
    inferred: int = 0
    """Targets given their group's cause without being matched (0 below :data:`SAMPLE_ABOVE`)."""


def _evidence_key(evidence: FailureEvidence) -> tuple[object, ...]:
    return (
        evidence.lifecycle_event,
        evidence.event_status,
        evidence.error_code,
        evidence.script_name,
        evidence.message,
        evidence.log_tail,
        evidence.extra_log_lines,
        tuple(sorted(evidence.instance_facts.items())),
    )


class _CauseAssigner:
    """Gives each failure its top cause id, matching as little as correctness allows."""

    def __init__(self, snapshot: Snapshot, summary: DeploymentSummary, catalog: Catalog, *, sample: bool) -> None:
        self._snapshot = snapshot
        self._summary = summary
        self._catalog = catalog
        self._sample = sample
        self._by_evidence: dict[tuple[object, ...], str | None] = {}
        self._seen: dict[tuple[object, ...], Counter[str | None]] = defaultdict(Counter)
        self.inferred = 0

    def cause_of(self, failure: LifecycleEventFailure) -> str | None:
        signature = (failure.lifecycle_event, failure.error_code, failure.script_name, failure.status)
        seen = self._seen[signature]
        if self._sample and sum(seen.values()) >= GROUP_SAMPLE and len(seen) == 1:
            self.inferred += 1
            return next(iter(seen))
        evidence = evidence_for(self._snapshot, self._summary, failure)
        key = _evidence_key(evidence)
        if key not in self._by_evidence:
            matches = self._catalog.match(evidence)
            self._by_evidence[key] = matches[0].cause_id if matches else None
        cause_id = self._by_evidence[key]
        seen[cause_id] += 1
        return cause_id


def failure_groups(
    snapshot: Snapshot,
    summary: DeploymentSummary,
    views: Sequence[TargetView],
    catalog: Catalog,
    first_matches: Sequence[CauseMatch],
    first: LifecycleEventFailure | None,
) -> Grouping:
    """Group failed targets by (event, error code, cause); stuck targets when none failed."""
    failures = [event_failure(view, event) for view, event in failed_events(views)]
    if not failures and first is not None and first.status != "Failed":
        # No Failed event: group targets by where they are stuck.
        stuck = (first_not_succeeded([view], summary.compute_platform, summary.deployment_type) for view in views)
        failures = [failure for failure in stuck if failure is not None]
    assigner = _CauseAssigner(snapshot, summary, catalog, sample=len(failures) > SAMPLE_ABOVE)
    buckets: dict[tuple[str, str | None, str | None, str], list[str]] = defaultdict(list)
    for failure in failures:
        if first is not None and (failure.target_id, failure.lifecycle_event) == (first.target_id, first.lifecycle_event):
            cause_id = first_matches[0].cause_id if first_matches else None
        else:
            cause_id = assigner.cause_of(failure)
        buckets[(failure.lifecycle_event, failure.error_code, cause_id, failure.status)].append(failure.target_id)
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
    ordered = sorted(groups, key=lambda g: (-g.target_count, g.lifecycle_event, g.error_code or "", g.cause_id or ""))
    return Grouping(groups=tuple(ordered), inferred=assigner.inferred)
