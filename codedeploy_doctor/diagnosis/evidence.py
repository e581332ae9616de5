"""What the catalog may read about one failure: diagnostics, deployment facts, extra logs, facts, forensics.

Facts are the instance's, the bundle's and Auto Scaling's (``diagnosis.forensic_facts``).

A diagnosis asks this for every failed target. What the answers share is worked out once per
snapshot by an :class:`EvidenceReader`: each extra log
filtered to this deployment once (not once per failure), and the forensic lines (``diagnosis.forensics``)
once per lifecycle event.
"""

from __future__ import annotations

from codedeploy_doctor.bundle.facts import Facts
from codedeploy_doctor.catalog.model import FailureEvidence
from codedeploy_doctor.diagnosis.forensic_facts import facts_for
from codedeploy_doctor.diagnosis.forensics import forensic_lines
from codedeploy_doctor.diagnosis.log_window import deployment_window, filter_lines
from codedeploy_doctor.report import DeploymentSummary, LifecycleEventFailure
from codedeploy_doctor.snapshot import JsonObject, Snapshot


class EvidenceReader:
    """Builds failure evidence from one snapshot, reading what failures share only once."""

    def __init__(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot
        self._window = deployment_window(snapshot.deployment)
        self._logs = [(log.get("targetId"), _string_lines(log)) for log in snapshot.extra_logs]
        self._pieces: dict[tuple[int, bool], tuple[tuple[str, ...], bool]] = {}
        self._joined: dict[tuple[int, ...], tuple[str, ...]] = {}
        self._forensics: dict[str | None, tuple[str, ...]] = {}

    def evidence_for(self, summary: DeploymentSummary, failure: LifecycleEventFailure | None) -> FailureEvidence:
        """What the catalog may read about one failure (or about the deployment when there is none)."""
        target_id = failure.target_id if failure else None
        log_lines = self.extra_log_lines(target_id)
        facts = self.facts(failure, log_lines)
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
            extra_log_lines=log_lines,
            instance_facts=facts.values,
            fact_notes=facts.notes,
            forensics=self.forensics(failure),
        )

    def facts(self, failure: LifecycleEventFailure | None, log_lines: tuple[str, ...] | None = None) -> Facts:
        """Facts about the failing target (EC2, Auto Scaling, SSM, on-premises) and the bundle, for the catalog."""
        if log_lines is None:
            log_lines = self.extra_log_lines(failure.target_id if failure else None)
        return facts_for(self._snapshot, failure, log_lines)

    def forensics(self, failure: LifecycleEventFailure | None) -> tuple[str, ...]:
        """Lines read beyond CodeDeploy about this failure: the same for every failure at one event."""
        event = failure.lifecycle_event if failure else None
        lines = self._forensics.get(event)
        if lines is None:
            lines = self._forensics[event] = forensic_lines(self._snapshot, failure)
        return lines

    def extra_log_lines(self, target_id: str | None) -> tuple[str, ...]:
        """Lines from extra logs (``--agent-log``, CloudWatch Logs) about this deployment and target.

        An agent log copied from an instance holds weeks of history: an old error must not become
        today's cause. See :func:`codedeploy_doctor.diagnosis.log_window.lines_for_deployment`:
        the logs that concern the target are filtered as one log, each piece once per snapshot.
        """
        chosen = self.log_key(target_id)
        joined = self._joined.get(chosen)
        if joined is None:
            kept: list[str] = []
            inside = True
            for index in chosen:
                piece, inside = self._piece(index, inside)
                kept.extend(piece)
            joined = self._joined[chosen] = tuple(kept)
        return joined

    def log_key(self, target_id: str | None) -> tuple[int, ...]:
        """Which extra logs concern this target (by position): targets with the same key share their lines."""
        if not self._logs:
            return ()
        return tuple(index for index, (owner, _) in enumerate(self._logs) if not (owner and target_id and owner != target_id))

    def _piece(self, index: int, inside: bool) -> tuple[tuple[str, ...], bool]:
        key = (index, inside)
        if key not in self._pieces:
            lines = self._logs[index][1]
            self._pieces[key] = filter_lines(lines, self._snapshot.deployment_id, self._window, inside=inside)
        return self._pieces[key]


def _string_lines(log: JsonObject) -> tuple[str, ...]:
    raw = log.get("lines")
    return tuple(line for line in raw if isinstance(line, str)) if isinstance(raw, list) else ()


def evidence_for(snapshot: Snapshot, summary: DeploymentSummary, failure: LifecycleEventFailure | None) -> FailureEvidence:
    """What the catalog may read about one failure (a one-off; many failures share an :class:`EvidenceReader`)."""
    return EvidenceReader(snapshot).evidence_for(summary, failure)


def extra_log_lines(snapshot: Snapshot, target_id: str | None) -> tuple[str, ...]:
    """Lines from extra logs about this deployment and target (see :meth:`EvidenceReader.extra_log_lines`)."""
    return EvidenceReader(snapshot).extra_log_lines(target_id)
