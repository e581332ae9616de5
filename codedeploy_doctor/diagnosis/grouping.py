"""Failed targets grouped by (event, error code, cause), with the catalog's cost bounded.

Matching the whole catalog costs about 2 ms a target. Identical evidence is matched once
(exact: looked up before the evidence is even built), and so is evidence that differs only in
what no catalog pattern reads (:mod:`codedeploy_doctor.catalog.signature`: log tails that differ
in timestamps or request ids but match the same patterns on the same lines; worked out above
:data:`SIGNATURES_ABOVE` failures). Above :data:`SAMPLE_ABOVE` failures (only large
hand-written or replayed snapshots: a live run reads at most 250 targets in detail), a group of targets failing at the same event,
error code and script whose first :data:`GROUP_SAMPLE` members all matched one cause gives the
rest that cause without matching them, and the report says how many were inferred that way.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from codedeploy_doctor.catalog import Catalog
from codedeploy_doctor.catalog.model import CauseMatch, FailureEvidence
from codedeploy_doctor.catalog.signature import CauseSignatures
from codedeploy_doctor.diagnosis.evidence import EvidenceReader
from codedeploy_doctor.diagnosis.first_failure import event_failure, failed_events, first_not_succeeded
from codedeploy_doctor.diagnosis.targets import TargetView
from codedeploy_doctor.report import DeploymentSummary, FailureGroup, LifecycleEventFailure
from codedeploy_doctor.snapshot import Snapshot

SAMPLE_ABOVE = 250
"""Failures beyond which groups that agree are not matched target by target."""

GROUP_SAMPLE = 25
"""Members of a group that must agree on one cause before the rest inherit it."""

SIGNATURES_ABOVE = 50
"""Failures beyond which cause signatures (and the pattern prefilter) are worked out: they cost
about 0.1 s once, repaid only over many failures."""


@dataclass(frozen=True)
class Grouping:
    """The failure groups, and how many targets' causes were inferred from their group."""

    groups: tuple[FailureGroup, ...]
    """Largest first."""
    inferred: int = 0
    """Targets given their group's cause without being matched (0 below :data:`SAMPLE_ABOVE`)."""


class _CauseAssigner:
    """Gives each failure its top cause id, matching as little as correctness allows."""

    def __init__(
        self, reader: EvidenceReader, summary: DeploymentSummary, catalog: Catalog, *, sample: bool, signed: bool
    ) -> None:
        self._reader = reader
        self._summary = summary
        self._catalog = catalog
        self._sample = sample
        self._signed = signed
        self._by_failure: dict[tuple[object, ...], str | None] = {}
        self._by_signature: dict[tuple[object, ...], str | None] = {}
        self._signatures: CauseSignatures | None = None
        self._seen: dict[tuple[object, ...], Counter[str | None]] = defaultdict(Counter)
        self.inferred = 0
        self.matched = 0
        """Failures the whole catalog was matched against."""

    def cause_of(self, failure: LifecycleEventFailure) -> str | None:
        signature = (failure.lifecycle_event, failure.error_code, failure.script_name, failure.status)
        seen = self._seen[signature]
        if self._sample and sum(seen.values()) >= GROUP_SAMPLE and len(seen) == 1:
            self.inferred += 1
            return next(iter(seen))
        # Everything the evidence is built from: the failure, the logs and the facts of its target.
        key = (
            failure.lifecycle_event,
            failure.status,
            failure.error_code,
            failure.script_name,
            failure.message,
            failure.log_tail,
            self._reader.log_key(failure.target_id),
            tuple(sorted(self._reader.facts(failure).values.items())),
        )
        if key not in self._by_failure:
            self._by_failure[key] = self._match(self._reader.evidence_for(self._summary, failure))
        cause_id = self._by_failure[key]
        seen[cause_id] += 1
        return cause_id

    def _match(self, evidence: FailureEvidence) -> str | None:
        if not self._signed:
            self.matched += 1
            matches = self._catalog.match(evidence)
            return matches[0].cause_id if matches else None
        if self._signatures is None:
            self._signatures = CauseSignatures(self._catalog.records)
        signature = self._signatures.of(evidence)
        if signature not in self._by_signature:
            self.matched += 1
            matches = self._catalog.match(evidence)
            self._by_signature[signature] = matches[0].cause_id if matches else None
        return self._by_signature[signature]


def failure_groups(
    snapshot: Snapshot,
    summary: DeploymentSummary,
    views: Sequence[TargetView],
    catalog: Catalog,
    first_matches: Sequence[CauseMatch],
    first: LifecycleEventFailure | None,
    reader: EvidenceReader | None = None,
) -> Grouping:
    """Group failed targets by (event, error code, cause); stuck targets when none failed.

    ``reader`` is the snapshot's evidence reader when the caller has one already.
    """
    failures = [event_failure(view, event) for view, event in failed_events(views)]
    if not failures and first is not None and first.status != "Failed":
        # No Failed event: group targets by where they are stuck.
        stuck = (first_not_succeeded([view], summary.compute_platform, summary.deployment_type) for view in views)
        failures = [failure for failure in stuck if failure is not None]
    reader = reader or EvidenceReader(snapshot)
    assigner = _CauseAssigner(
        reader, summary, catalog, sample=len(failures) > SAMPLE_ABOVE, signed=len(failures) > SIGNATURES_ABOVE
    )
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
