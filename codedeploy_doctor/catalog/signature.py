"""A key two failures share only when the catalog ranks the same causes first for both.

Grouping needs each failed target's top cause. Thousands of targets often fail alike but not
identically: their log tails differ in timestamps, request ids, host names. The catalog reads a
text only through its patterns: which patterns match which lines decides which records fire and
how they score; the rest of a line is shown as evidence, never weighed. So a failure's *cause
signature* is everything else the matcher reads (platform, event, status, codes, exit code,
script name, instance facts, the deployment's summary) plus, for each text it scans (message and
log tail, extra log lines, deployment messages), the patterns that match each line, in line
order. Two failures with equal signatures get the same cause ids from :func:`match_all`, in the
same order, with the same confidence and score; only the evidence lines quoted may differ.
Working a signature out costs one pass of the pattern prefilter over the text and a search of
the few patterns it keeps, a fraction of a full match.
"""

from __future__ import annotations

from collections.abc import Iterable

from codedeploy_doctor.catalog.matching import prepare
from codedeploy_doctor.catalog.model import FailureEvidence
from codedeploy_doctor.catalog.prefilter import PatternIndex, fold, prime
from codedeploy_doctor.catalog.records import CauseRecord
from codedeploy_doctor.catalog.regex_safety import TextPattern

LineSignature = tuple[tuple[int, ...], ...]
"""For each line where some pattern matches, the numbers of the patterns that match it."""


class CauseSignatures:
    """Works out cause signatures against one catalog's records."""

    def __init__(self, records: Iterable[CauseRecord]) -> None:
        patterns: list[TextPattern] = []
        for record in records:
            for block in (record.when, record.signals, record.unless, *record.any_of):
                patterns.extend((*block.patterns, *block.hint_patterns))
        self._index: PatternIndex = prime(patterns)
        self._shared: dict[tuple[str, ...], LineSignature] = {}

    def of(self, evidence: FailureEvidence) -> tuple[object, ...]:
        """The failure's cause signature (hashable)."""
        prepared = prepare(evidence)
        return (
            evidence.platform,
            evidence.lifecycle_event,
            evidence.event_status,
            evidence.error_code,
            evidence.script_name,
            evidence.deployment_error_code,
            evidence.deployment_error_message,
            evidence.status_messages,
            evidence.deployment_status,
            prepared.exit_code,
            tuple(sorted(evidence.instance_facts.items())),
            self.lines(prepared.own_lines),
            self._shared_lines(prepared.extra_lines),
            self._shared_lines(prepared.summary_lines),
        )

    def lines(self, lines: tuple[str, ...]) -> LineSignature:
        """The patterns matching each line, for the lines some pattern matches, in order."""
        if not lines:
            return ()
        numbers = self._index.numbers(fold("\n".join(lines)))
        if not numbers:
            return ()
        numbered = [(number, self._index.patterns[number]) for number in numbers]
        signature: list[tuple[int, ...]] = []
        for line in lines:
            hits = tuple(number for number, pattern in numbered if pattern.search(line))
            if hits:
                signature.append(hits)
        return tuple(signature)

    def _shared_lines(self, lines: tuple[str, ...]) -> LineSignature:
        # Extra logs and the deployment's messages are usually the same for every failure.
        signature = self._shared.get(lines)
        if signature is None:
            signature = self._shared[lines] = self.lines(lines)
        return signature
