"""Match failure evidence against cause records: which records fire, how strongly, and why.

Ranking follows evidence strength (docs/causes.md, "How a failure is ranked"):

1. A record from a ``--catalog`` file ranks before every built-in record that fires.
2. Then by the strongest evidence a record matched: a line of the failure's own text (message,
   logTail, an agent log) beats a line of the deployment's summary, which beats a hint text
   (a line that points at several causes), which beats a diagnostics error code, which beats an
   error family's line, which beats an exit code, which beats an agent warning line (a WARN the
   agent printed and recovered from), a script name, an instance fact, a deployment error code,
   the event or its status. An error family's line is weaker than any specific record's line of
   the same source, so the most specific cause that fits is named first.
3. A record's ``priority`` breaks ties inside a kind of evidence (it never crosses kinds).
4. A symptom (a hook-level cause such as a failed health check) ranks after a cause proven by
   another piece of evidence in the same failure: that one is its root cause.
5. Generic (fallback) records always rank last; one ends every list.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final

from codedeploy_doctor.catalog.captures import clean_captures
from codedeploy_doctor.catalog.codes import (
    deployment_code_meaning,
    diagnostics_code_meaning,
    exit_code_meaning,
    extract_exit_code,
)
from codedeploy_doctor.catalog.model import CauseMatch, FailureEvidence
from codedeploy_doctor.catalog.prefilter import candidates
from codedeploy_doctor.catalog.records import CauseRecord, Conditions, fill_details
from codedeploy_doctor.catalog.regex_safety import TextPattern
from codedeploy_doctor.lifecycle import AGENT_EVENT_ALIASES

MAX_SCAN_CHARS: Final = 65536
"""Only the last 64 KB of the message, of the logTail and of the extra log lines are scanned."""
MAX_SUMMARY_CHARS: Final = 16384
"""Only the last 16 KB of the deployment's error and status messages are scanned."""
MAX_LINE_CHARS: Final = 4096
"""Longer lines are cut to their first 4 KB before matching."""
EVIDENCE_CHARS: Final = 300
"""Evidence lines are cut to this length."""
MAX_EVIDENCE: Final = 5
"""At most this many evidence items per match."""

MAX_SCANNED_HITS: Final = 50
"""At most this many matched lines per pattern block are weighed to pick the evidence."""

_TIER_LOG_TEXT: Final = 700
_TIER_SUMMARY_TEXT: Final = 600
_TIER_HINT_TEXT: Final = 550
_TIER_ERROR_CODE: Final = 500
_TIER_FAMILY_LOG_TEXT: Final = 490
_TIER_EXIT_CODE: Final = 480
_TIER_FAMILY_SUMMARY_TEXT: Final = 475
_TIER_WARNING_TEXT: Final = 470
_TIER_FAMILY_WARNING_TEXT: Final = 460
_TIER_SCRIPT_NAME: Final = 450
_TIER_FACT: Final = 420
_TIER_DEPLOYMENT_CODE: Final = 400
_TIER_EVENT: Final = 300
_TIER_EVENT_STATUS: Final = 250
_TIER_DEPLOYMENT_STATUS: Final = 200
_TIER_SCOPE: Final = 100
_TIER_WEIGHT: Final = 1000
"""Tiers are scaled past any priority (0-99) and signal-count bonus, so priority never crosses a tier."""

_WARNING_WORDS: Final = frozenset({"w,", "warn", "warning", "[warn]", "[warning]", "warn:", "warning:", "<warn>"})
"""Level words that mark a logger's warning line (the agent's ``W, [...] WARN -- :`` or ``WARN [...]``)."""


@dataclass(frozen=True)
class PreparedEvidence:
    """Evidence normalised once for every record: folded codes, capped lines, the exit code."""

    evidence: FailureEvidence
    """The original evidence."""
    platform: str
    event: str
    event_status: str
    error_code: str
    deployment_error_code: str
    deployment_status: str
    exit_code: int | None
    """The exit code the diagnostics message names."""
    own_lines: tuple[str, ...]
    """Lines of the diagnostics message and logTail, capped."""
    extra_lines: tuple[str, ...]
    """The last extra log lines (``--agent-log``, CloudWatch Logs), deduplicated and capped."""
    summary_lines: tuple[str, ...]
    """Lines of the deployment error message and status messages, capped."""
    script_name: str


def prepare(evidence: FailureEvidence) -> PreparedEvidence:
    """Normalise evidence for matching (done once per failure, not once per record)."""
    event = evidence.lifecycle_event or ""
    event = AGENT_EVENT_ALIASES.get(event, event)
    summary = "\n".join([evidence.deployment_error_message or "", *evidence.status_messages])
    return PreparedEvidence(
        evidence=evidence,
        platform=(evidence.platform or "").casefold(),
        event=event.casefold(),
        event_status=(evidence.event_status or "").casefold(),
        error_code=(evidence.error_code or "").casefold(),
        deployment_error_code=(evidence.deployment_error_code or "").casefold(),
        deployment_status=(evidence.deployment_status or "").casefold(),
        exit_code=extract_exit_code(evidence.message),
        own_lines=_lines(evidence.message) + _lines(evidence.log_tail),
        extra_lines=_extra_lines(evidence.extra_log_lines + evidence.forensics),
        summary_lines=_lines(summary, MAX_SUMMARY_CHARS),
        script_name=evidence.script_name or "",
    )


def _lines(text: str | None, limit: int = MAX_SCAN_CHARS) -> tuple[str, ...]:
    if not text:
        return ()
    tail = text[-limit:]
    return tuple(line[:MAX_LINE_CHARS] for line in tail.splitlines() if line.strip())


def _extra_lines(lines: tuple[str, ...]) -> tuple[str, ...]:
    """Keep the newest lines within the scan budget, each once (agents repeat one error while polling)."""
    kept: dict[str, None] = {}
    budget = MAX_SCAN_CHARS
    for line in reversed(lines):
        if budget <= 0:
            break
        cut = line.strip()[:MAX_LINE_CHARS]
        if cut and cut not in kept:
            kept[cut] = None
            budget -= len(cut)
    return tuple(reversed(kept))


@dataclass
class _Hits:
    """What one condition block matched: the best tier, evidence, and how many conditions."""

    tier: int = 0
    count: int = 0
    text_matched: bool = False

    def __post_init__(self) -> None:
        self.lines: list[str] = []
        self.facts: list[str] = []
        self.captures: dict[str, str] = {}
        self.line_captures: dict[str, tuple[tuple[str, str], ...]] = {}

    def add(self, tier: int, evidence: list[str], *, text: bool = False, proof: bool | None = None) -> None:
        """Count one condition that held; a matched text is proof (high confidence) unless it is a hint."""
        self.tier = max(self.tier, tier)
        self.count += 1
        self.text_matched = self.text_matched or (text if proof is None else proof)
        target = self.lines if text else self.facts
        for item in evidence:  # a log repeats itself (retry loops): each line once
            if item not in target:
                target.append(item)

    def merge(self, other: _Hits) -> None:
        self.tier = max(self.tier, other.tier)
        self.count += max(other.count, 1)
        self.text_matched = self.text_matched or other.text_matched
        self.lines += [item for item in other.lines if item not in self.lines]
        self.facts += [item for item in other.facts if item not in self.facts]
        for name, value in other.captures.items():
            self.captures.setdefault(name, value)
        for line, pairs in other.line_captures.items():
            self.line_captures.setdefault(line, pairs)

    @property
    def evidence(self) -> list[str]:
        """Matched lines first (the most telling evidence), then codes and facts."""
        return self.lines + [item for item in self.facts if item not in self.lines]


def _among(value: str, names: tuple[str, ...]) -> bool:
    return any(value == name.casefold() for name in names)


def _evidence_line(line: str) -> str:
    line = line.strip()
    return line if len(line) <= EVIDENCE_CHARS else line[: EVIDENCE_CHARS - 1] + "…"


def is_warning_line(line: str) -> bool:
    """Tell whether a log line is a logger's warning (its level word among its first four words)."""
    return any(word.casefold() in _WARNING_WORDS for word in line[:120].split()[:4])


@dataclass(frozen=True)
class LineHit:
    """One line a pattern block matched, with what ranks it as evidence."""

    line: str
    """The evidence line (stripped, cut to ``EVIDENCE_CHARS``)."""
    pattern_index: int
    """Index of the first pattern that matched: records list their most specific patterns first."""
    warning: bool
    """The line is a logger's warning (the agent printed it and went on)."""
    captures: tuple[tuple[str, str], ...] = field(default=())
    """Named groups the pattern captured on this line."""


@lru_cache(maxsize=8192)
def _search(patterns: tuple[TextPattern, ...], lines: tuple[str, ...]) -> tuple[LineHit, ...]:
    """Lines where a pattern matches, best evidence first (cached: many targets share one agent log).

    Best first: a line that is not a warning, then the line whose pattern comes first in the
    record, then the line that comes first in the text. Each line once.
    """
    found: list[tuple[tuple[bool, int, int], LineHit]] = []
    seen: set[str] = set()
    possible = frozenset(candidates(patterns, lines))  # only those that may match (catalog/prefilter.py)
    if not possible:
        return ()
    numbered = [(index, pattern) for index, pattern in enumerate(patterns) if pattern in possible]
    for position, line in enumerate(lines):
        for index, pattern in numbered:
            matched = pattern.search(line)
            if matched is None:
                continue
            cut = _evidence_line(line)
            if cut not in seen:
                seen.add(cut)
                warning = is_warning_line(cut)
                captures = _captures(matched)
                found.append(((warning, index, position), LineHit(cut, index, warning, captures)))
            break
        if len(found) >= MAX_SCANNED_HITS:
            break
    found.sort(key=lambda item: item[0])
    return tuple(hit for _, hit in found[:MAX_EVIDENCE])


def _captures(matched: object) -> tuple[tuple[str, str], ...]:
    """The named groups a match captured (Python's and RE2's match objects both have ``groupdict``)."""
    groupdict = getattr(matched, "groupdict", None)
    found = groupdict() if callable(groupdict) else {}
    return tuple((name, value) for name, value in found.items() if isinstance(value, str) and value)


def _text_tier(hits: tuple[LineHit, ...], *, own: bool, family: bool) -> int:
    """The tier of the best matched line: where it came from, a warning or not, family or not."""
    if all(hit.warning for hit in hits):
        return _TIER_FAMILY_WARNING_TEXT if family else _TIER_WARNING_TEXT
    if family:
        return _TIER_FAMILY_LOG_TEXT if own else _TIER_FAMILY_SUMMARY_TEXT
    return _TIER_LOG_TEXT if own else _TIER_SUMMARY_TEXT


def _check(
    block: Conditions, prepared: PreparedEvidence, *, need_all: bool, blocking: bool = False, family: bool = False
) -> _Hits | None:
    """Evaluate a condition block against the evidence.

    With ``need_all`` every listed condition must hold (else None); without it, at least one
    must (else None). An empty block holds. An unknown platform satisfies a platform filter,
    except in a ``blocking`` (``unless``) block, where it must not veto a record. A ``family``
    record's lines rank below a specific record's lines of the same source.
    """
    hits = _Hits()
    listed = 0
    ev = prepared.evidence

    def condition(holds: bool, tier: int, evidence: list[str], *, text: bool = False, proof: bool | None = None) -> None:
        nonlocal listed
        listed += 1
        if holds:
            hits.add(tier, evidence, text=text, proof=proof)

    if block.platforms:
        unknown = not prepared.platform
        condition((unknown and not blocking) or _among(prepared.platform, block.platforms), 0, [])
    if block.scope:
        is_target = bool(prepared.event)
        condition(is_target == (block.scope == "target"), _TIER_SCOPE, [])
    if block.events:
        condition(_among(prepared.event, block.events), _TIER_EVENT, [f"lifecycle event = {ev.lifecycle_event}"])
    if block.event_statuses:
        condition(
            _among(prepared.event_status, block.event_statuses),
            _TIER_EVENT_STATUS,
            [f"event status = {ev.event_status}"],
        )
    if block.error_codes:
        condition(
            _among(prepared.error_code, block.error_codes),
            _TIER_ERROR_CODE,
            [f"diagnostics.errorCode = {ev.error_code}"],
        )
    if block.exit_codes:
        code = prepared.exit_code
        condition(
            code is not None and code in block.exit_codes,
            _TIER_EXIT_CODE,
            [f"exit code {code} ({exit_code_meaning(code)})"] if code is not None else [],
        )
    if block.deployment_error_codes:
        condition(
            _among(prepared.deployment_error_code, block.deployment_error_codes),
            _TIER_DEPLOYMENT_CODE,
            [f"errorInformation.code = {ev.deployment_error_code}"],
        )
    if block.deployment_statuses:
        condition(
            _among(prepared.deployment_status, block.deployment_statuses),
            _TIER_DEPLOYMENT_STATUS,
            [f"deployment status = {ev.deployment_status}"],
        )
    if block.patterns:
        log_found = _best(_search(block.patterns, prepared.own_lines) + _search(block.patterns, prepared.extra_lines))
        summary_found = () if log_found else _search(block.patterns, prepared.summary_lines)
        found = log_found or summary_found
        condition(
            bool(found),
            _text_tier(found, own=bool(log_found), family=family) if found else 0,
            [hit.line for hit in found],
            text=True,
        )
        _keep_captures(hits, found)
    if block.hint_patterns:
        hinted = _best(
            _search(block.hint_patterns, prepared.own_lines)
            + _search(block.hint_patterns, prepared.extra_lines)
            + _search(block.hint_patterns, prepared.summary_lines)
        )
        condition(bool(hinted), _TIER_HINT_TEXT, [hit.line for hit in hinted], text=True, proof=False)
        _keep_captures(hits, hinted)
    if block.script_patterns:
        name = prepared.script_name
        condition(
            bool(name) and any(pattern.search(name[:MAX_LINE_CHARS]) for pattern in block.script_patterns),
            _TIER_SCRIPT_NAME,
            [f"diagnostics.scriptName = {_evidence_line(name)}"],
        )
    for key, pattern in block.facts:
        value = ev.instance_facts.get(key)
        condition(
            value is not None and pattern.fullmatch(value[:MAX_LINE_CHARS]) is not None,
            _TIER_FACT,
            [ev.fact_notes.get(key) or f"instance {key} = {value or '(none)'}"],
        )

    if need_all:
        return hits if hits.count == listed else None
    return hits if listed == 0 or hits.count > 0 else None


def _best(hits: tuple[LineHit, ...]) -> tuple[LineHit, ...]:
    """Merge hits from several texts: best evidence first, each line once, at most ``MAX_EVIDENCE``.

    Among equals the order of the texts (message, logTail, agent log) stays.
    """
    unique: dict[str, LineHit] = {}
    for hit in hits:
        unique.setdefault(hit.line, hit)
    ordered = sorted(enumerate(unique.values()), key=lambda item: (item[1].warning, item[1].pattern_index, item[0]))
    return tuple(hit for _, hit in ordered[:MAX_EVIDENCE])


def _keep_captures(hits: _Hits, found: tuple[LineHit, ...]) -> None:
    """Keep the first value of each named group, from the best evidence line down."""
    for hit in found:
        for name, value in hit.captures:
            hits.captures.setdefault(name, value)
        if hit.captures:
            hits.line_captures.setdefault(hit.line, hit.captures)


def match_record(record: CauseRecord, prepared: PreparedEvidence) -> CauseMatch | None:
    """Match one record against prepared evidence; None when it does not fire."""
    if not record.unless.is_empty():
        blocked = _check(record.unless, prepared, need_all=False, blocking=True)
        if blocked is not None and blocked.count > 0:
            return None
    family = record.family
    required = _check(record.when, prepared, need_all=True, family=family)
    if required is None:
        return None
    signals = _check(record.signals, prepared, need_all=False, family=family)
    blocks = [found for block in record.any_of if (found := _check(block, prepared, need_all=True, family=family))]
    wants_signal = bool(record.any_of) or not record.signals.is_empty()
    if wants_signal and not blocks and (signals is None or signals.count == 0):
        return None
    hits = signals or _Hits()
    for block in blocks:
        hits.merge(block)
    hits.merge(required)
    evidence = hits.evidence
    if record.generic:
        return CauseMatch(
            cause_id=record.id,
            confidence=record.confidence,
            evidence=tuple(evidence[:MAX_EVIDENCE]) or _basic_facts(prepared),
            score=record.priority,
            detail=explain_codes(prepared),
            generic=True,
        )
    extra = min(hits.count - 2, 5)
    captures = clean_captures(hits.captures)
    return CauseMatch(
        cause_id=record.id,
        confidence="high" if hits.text_matched else record.confidence,
        evidence=tuple(evidence[:MAX_EVIDENCE]),
        score=_TIER_WEIGHT * hits.tier + record.priority + 2 * max(extra, 0),
        detail=fill_details(record.details, captures) if record.details else None,
        captures=tuple(captures.items()),
        line_captures=tuple((line, pairs) for line, pairs in hits.line_captures.items() if line in evidence[:MAX_EVIDENCE]),
    )


def _basic_facts(prepared: PreparedEvidence) -> tuple[str, ...]:
    ev = prepared.evidence
    facts: list[str] = []
    if ev.lifecycle_event:
        facts.append(f"lifecycle event = {ev.lifecycle_event} ({ev.event_status or 'status unknown'})")
    if ev.error_code:
        facts.append(f"diagnostics.errorCode = {ev.error_code}")
    if ev.message:
        facts.append(_evidence_line(ev.message.splitlines()[0] if ev.message.strip() else ev.message))
    if ev.deployment_error_code:
        facts.append(f"errorInformation.code = {ev.deployment_error_code}")
    return tuple(facts[:MAX_EVIDENCE])


_STATUS_MEANINGS: Final = {
    "Pending": ": it never started, so no agent (or hook) picked it up",
    "InProgress": ": it started and never reported a result",
    "Skipped": ": it did not run because an earlier event failed or the deployment stopped",
    "Unknown": ": its result was never reported (the instance or its agent went away)",
}


def explain_codes(prepared: PreparedEvidence) -> str | None:
    """Sentences explaining the failure's error codes, exit code and event status."""
    ev = prepared.evidence
    parts: list[str] = []
    if ev.error_code:
        meaning = diagnostics_code_meaning(ev.error_code)
        if meaning and ev.error_code != "Success":
            parts.append(f"diagnostics.errorCode {ev.error_code}: {meaning}.")
    if prepared.exit_code is not None:
        parts.append(f"Exit code {prepared.exit_code}: {exit_code_meaning(prepared.exit_code)}.")
    if ev.event_status and ev.event_status not in ("Failed", "Succeeded"):
        meaning = _STATUS_MEANINGS.get(ev.event_status, "")
        parts.append(f"The {ev.lifecycle_event or 'lifecycle'} event's status is {ev.event_status}{meaning}.")
    if ev.deployment_error_code and not ev.lifecycle_event:
        meaning = deployment_code_meaning(ev.deployment_error_code)
        parts.append(
            f"errorInformation.code {ev.deployment_error_code}: "
            f"{meaning or 'a code this version of cd-doctor does not know; read the error message'}."
        )
    return " ".join(parts) or None


def match_all(records: tuple[CauseRecord, ...], evidence: FailureEvidence) -> list[CauseMatch]:
    """Every specific record that fires, best first, then the best generic record."""
    prepared = prepare(evidence)
    specific: list[CauseMatch] = []
    generic: list[CauseMatch] = []
    for record in records:
        found = match_record(record, prepared)
        if found is not None:
            (generic if found.generic else specific).append(found)
    order = {record.id: index for index, record in enumerate(records)}
    builtin = {record.id for record in records if record.origin != "user"}

    def rank(found: CauseMatch) -> tuple[bool, int, int]:
        return (found.cause_id in builtin, -found.score, order[found.cause_id])

    specific.sort(key=rank)
    generic.sort(key=rank)
    symptoms = {record.id for record in records if record.symptom}
    details = {record.id: record.details for record in records if record.details}
    return root_causes_first(specific, symptoms, details) + generic[:1]


_WEAK_FACTS: Final = ("lifecycle event = ", "event status = ", "deployment status = ")
"""Evidence that says where a failure happened, not why: it proves no root cause."""


def root_causes_first(
    ranked: list[CauseMatch], symptoms: set[str], details: dict[str, tuple[str, ...]] | None = None
) -> list[CauseMatch]:
    """Move each symptom after the best cause proven by evidence the symptom did not use.

    A failed health check or a timed-out script is what the hook saw; a cause found on another
    line of the same text (the database timed out, a package lock was held) is why. The root
    cause's own lines then lead its evidence, and its details are read from them.
    """
    ordered = list(ranked)
    for symptom in [found for found in ranked if found.cause_id in symptoms]:
        own = set(symptom.evidence)
        root = next(
            (found for found in ordered if found.cause_id not in symptoms and any(_proves(item, own) for item in found.evidence)),
            None,
        )
        if root is not None and ordered.index(root) > ordered.index(symptom):
            ordered.remove(symptom)
            promoted = _lead_with_own_lines(root, own, (details or {}).get(root.cause_id, ()))
            ordered[ordered.index(root)] = promoted
            ordered.insert(ordered.index(promoted) + 1, symptom)
    return ordered


def _proves(item: str, symptom_evidence: set[str]) -> bool:
    return item not in symptom_evidence and not item.startswith(_WEAK_FACTS)


def _lead_with_own_lines(root: CauseMatch, symptom_evidence: set[str], details: tuple[str, ...]) -> CauseMatch:
    """The root cause with the evidence the symptom did not use first, and details read from it."""
    evidence = tuple(sorted(root.evidence, key=lambda item: not _proves(item, symptom_evidence)))
    by_line = dict(root.line_captures)
    raw: dict[str, str] = {}
    own_lines = [item for item in evidence if _proves(item, symptom_evidence)]
    for line in own_lines if any(line in by_line for line in own_lines) else evidence:
        for name, value in by_line.get(line, ()):
            raw.setdefault(name, value)
    captures = clean_captures(raw)
    return dataclasses.replace(
        root,
        evidence=evidence,
        captures=tuple(captures.items()),
        detail=fill_details(details, captures) if details else root.detail,
    )
