"""A key two failures share only when the catalog ranks the same causes first for both.

Grouping needs each failed target's top cause. Thousands of targets often fail alike but not
identically: their log tails differ in timestamps, request ids, host names. The matcher reads a
line of text only through: which patterns match it (which records fire, the first pattern of a
block ranks the line), whether it is a logger's warning line, and its evidence cut (the first
``EVIDENCE_CHARS`` characters: equal cuts are one piece of evidence; a cut that reads like a
plain fact proves nothing). A line no pattern matches is never read. So a failure's *cause
signature* is everything else the matcher reads (platform, event, status, codes, exit code,
script name, instance facts, the deployment's messages) plus, for each line some pattern
matches, in order: the patterns, the warning flag, the weak-fact flag and which earlier
matched line (of any text) has the same cut. Two failures with equal signatures get the same
cause ids from :func:`match_all`, in the same order, with the same confidence and score; only
the evidence quoted and the details read from it may differ. Working a signature out costs one
pass of the pattern prefilter over the text and a search of the few patterns it keeps, a
fraction of a full match. A test compares grouping by signature with matching every target.
"""

from __future__ import annotations

from collections.abc import Iterable

from codedeploy_doctor.catalog.matching import _WEAK_FACTS, EVIDENCE_CHARS, is_warning_line, prepare
from codedeploy_doctor.catalog.model import FailureEvidence
from codedeploy_doctor.catalog.prefilter import PatternIndex, fold, prime
from codedeploy_doctor.catalog.records import CauseRecord
from codedeploy_doctor.catalog.regex_safety import TextPattern

MatchedLine = tuple[tuple[int, ...], bool, bool, str]
"""One line some pattern matches: the numbers of those patterns, warning, weak fact, its evidence cut."""


class CauseSignatures:
    """Works out cause signatures against one catalog's records."""

    def __init__(self, records: Iterable[CauseRecord]) -> None:
        patterns: list[TextPattern] = []
        for record in records:
            for block in (record.when, record.signals, record.unless, *record.any_of):
                patterns.extend((*block.patterns, *block.hint_patterns))
        self._index: PatternIndex = prime(patterns)
        self._shared: dict[tuple[str, ...], tuple[MatchedLine, ...]] = {}

    def of(self, evidence: FailureEvidence) -> tuple[object, ...]:
        """The failure's cause signature (hashable)."""
        prepared = prepare(evidence)
        texts = (
            self.lines(prepared.own_lines),
            self._shared_lines(prepared.extra_lines),
            self._shared_lines(prepared.summary_lines),
        )
        first_of: dict[str, int] = {}
        shape: list[tuple[tuple[tuple[int, ...], bool, bool, int], ...]] = []
        position = 0
        for matched in texts:
            entries = []
            for numbers, warning, weak, cut in matched:
                entries.append((numbers, warning, weak, first_of.setdefault(cut, position)))
                position += 1
            shape.append(tuple(entries))
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
            tuple(shape),
        )

    def lines(self, lines: tuple[str, ...]) -> tuple[MatchedLine, ...]:
        """The lines some pattern matches, in order, as the matcher sees them."""
        if not lines:
            return ()
        joined = "\n".join(lines)
        index = self._index
        numbers = index.numbers(fold(joined))
        if not numbers:
            return ()
        # One search of the joined text rules a pattern out for every line at once.
        numbered = [
            (number, index.patterns[number])
            for number in numbers
            if number not in index.joinable or index.patterns[number].search(joined)
        ]
        matched: list[MatchedLine] = []
        for line in lines:
            hits = tuple(number for number, pattern in numbered if pattern.search(line))
            if hits:
                stripped = line.strip()
                cut = stripped if len(stripped) <= EVIDENCE_CHARS else stripped[: EVIDENCE_CHARS - 1]
                matched.append((hits, is_warning_line(cut), cut.startswith(_WEAK_FACTS), cut))
        return tuple(matched)

    def _shared_lines(self, lines: tuple[str, ...]) -> tuple[MatchedLine, ...]:
        # Extra logs and the deployment's messages are usually the same for every failure.
        matched = self._shared.get(lines)
        if matched is None:
            matched = self._shared[lines] = self.lines(lines)
        return matched
