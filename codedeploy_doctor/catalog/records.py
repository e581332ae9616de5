"""Cause records and their match conditions, parsed and validated from catalog JSON.

A catalog file is ``{"format": "cd-doctor.catalog/1", "causes": [record, ...]}``. Each record
has three condition blocks, all optional (see docs/causes.md, "Writing your own records"):

- ``when``: every condition listed must hold (a filter);
- ``signals``: at least one condition listed must hold, and each that holds is evidence;
- ``anyOf``: a list of blocks; a block whose conditions all hold counts as one signal (so a
  record can say "ScriptTimedOut *and* a deregistration script" next to plain signals);
- ``unless``: if any condition listed holds, the record does not fire.

A record is one of four kinds: a specific cause (the default), an error ``family`` (it
recognises a kind of error from any line, and ranks below every specific cause with the same
kind of evidence), a ``symptom`` (a hook-level cause such as a failed health check: another
cause proven by another line of the same text is its root cause and ranks before it), or a
``generic`` fallback. ``details`` are sentences with ``{name}`` placeholders filled from the
named groups (``(?P<name>...)``) of the patterns that matched.

Regular expressions are compiled once, case-insensitively, when the catalog is loaded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, cast

from codedeploy_doctor.catalog.regex_safety import TextPattern, backtracking_risk
from codedeploy_doctor.report import Confidence

CATALOG_FORMAT: Final = "cd-doctor.catalog/1"
"""The ``format`` value every catalog file carries."""

CAUSE_ID: Final = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
"""Stable kebab-case ids."""

_CONFIDENCES: Final = ("high", "medium", "low")

_LIST_KEYS: Final = {
    "platforms": "platforms",
    "events": "events",
    "eventStatuses": "event_statuses",
    "errorCodes": "error_codes",
    "deploymentErrorCodes": "deployment_error_codes",
    "deploymentStatuses": "deployment_statuses",
}
_SCOPES: Final = ("target", "deployment")

_PLACEHOLDER: Final = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]{0,40})\}")
"""A ``{name}`` placeholder in a ``details`` sentence."""

DERIVED_CAPTURES: Final = frozenset({"who"})
"""Placeholders filled from other captures rather than a pattern group (``who`` from ``principal``)."""

ORIGINS: Final = ("builtin", "user")
"""Where a record comes from: the shipped catalog, or a ``--catalog`` file."""


class CatalogFormatError(ValueError):
    """A catalog document is invalid; the message names the record and the reason."""


@dataclass(frozen=True)
class Conditions:
    """One block of match conditions; an empty block holds for every failure.

    Names (events, codes, statuses, platforms) compare case-insensitively.
    """

    platforms: tuple[str, ...] = ()
    """Compute platforms (Server, ECS, Lambda)."""
    events: tuple[str, ...] = ()
    """Lifecycle events; the agent's old names (BeforeELBRemove...) are mapped."""
    event_statuses: tuple[str, ...] = ()
    """Event statuses (Failed, Pending, Skipped, Unknown...)."""
    error_codes: tuple[str, ...] = ()
    """``diagnostics.errorCode`` values."""
    deployment_error_codes: tuple[str, ...] = ()
    """``errorInformation.code`` values."""
    deployment_statuses: tuple[str, ...] = ()
    """Deployment statuses (Failed, Stopped...)."""
    exit_codes: frozenset[int] = frozenset()
    """Exit codes named in the diagnostics message."""
    scope: str | None = None
    """``target`` (the evidence is one lifecycle event) or ``deployment`` (no event)."""
    patterns: tuple[TextPattern, ...] = ()
    """Searched line by line in message, logTail, extra log lines, the deployment's error
    message and status messages."""
    hint_patterns: tuple[TextPattern, ...] = ()
    """Searched like ``patterns``, for texts that point at several causes (CodeDeploy's generic
    "make sure the agent is running and can connect"): a match ranks just below a text match
    but leaves the record's own ``confidence``, where a ``patterns`` match is always high."""
    script_patterns: tuple[TextPattern, ...] = ()
    """Searched in ``diagnostics.scriptName``."""
    facts: tuple[tuple[str, TextPattern], ...] = ()
    """Instance facts: (key, pattern the whole value must match); a missing fact never matches."""

    def is_empty(self) -> bool:
        """Tell whether the block lists no condition at all."""
        return not (
            self.platforms
            or self.events
            or self.event_statuses
            or self.error_codes
            or self.deployment_error_codes
            or self.deployment_statuses
            or self.exit_codes
            or self.scope
            or self.patterns
            or self.hint_patterns
            or self.script_patterns
            or self.facts
        )

    def describe(self) -> list[str]:
        """One human-readable line per condition, for documentation."""
        lines: list[str] = []
        for key, attr in _LIST_KEYS.items():
            values = cast("tuple[str, ...]", getattr(self, attr))
            if values:
                lines.append(f"{key}: {', '.join(values)}")
        if self.exit_codes:
            lines.append(f"exitCodes: {', '.join(str(code) for code in sorted(self.exit_codes))}")
        if self.scope:
            lines.append(f"scope: {self.scope}")
        lines.extend(f"pattern: `{pattern.pattern}`" for pattern in self.patterns)
        lines.extend(f"hint pattern: `{pattern.pattern}`" for pattern in self.hint_patterns)
        lines.extend(f"scriptName pattern: `{pattern.pattern}`" for pattern in self.script_patterns)
        lines.extend(f"instance fact {key}: `{pattern.pattern}`" for key, pattern in self.facts)
        return lines


@dataclass(frozen=True)
class CauseRecord:
    """One known cause: what it is, how to fix it, and the conditions that select it."""

    id: str
    """Stable kebab-case id, never reused."""
    title: str
    """One-line title."""
    explanation: str
    """Why it happens and what CodeDeploy does there."""
    fix: tuple[str, ...]
    """Concrete steps: commands, AppSpec changes."""
    docs: tuple[str, ...]
    """Links to AWS documentation or the agent's repository."""
    where: str | None = None
    """Where to look next when the evidence is not enough (which log, on which machine)."""
    category: str = "Other"
    """Section of the catalog docs (Hook scripts, Agent and instance...)."""
    when: Conditions = field(default_factory=Conditions)
    """Conditions that must all hold."""
    signals: Conditions = field(default_factory=Conditions)
    """Conditions of which at least one must hold (when signals or ``any_of`` are listed)."""
    any_of: tuple[Conditions, ...] = ()
    """Blocks that each count as one signal when all their conditions hold."""
    unless: Conditions = field(default_factory=Conditions)
    """Conditions of which none may hold."""
    priority: int = 0
    """0-99: breaks ties between records whose evidence is of the same kind."""
    confidence: Confidence = "medium"
    """Confidence when only codes or facts matched (a matched text pattern is always high)."""
    generic: bool = False
    """A fallback that restates an error code; ranked after every specific record."""
    family: bool = False
    """An error family: it recognises a kind of error (an IAM denial, a missing path...) from any
    line and ranks below every specific record with the same kind of evidence."""
    symptom: bool = False
    """A hook-level cause (a failed health check, a timeout): a cause proven by another line of
    the same text is its root cause and ranks before it."""
    details: tuple[str, ...] = ()
    """Sentences with ``{name}`` placeholders filled from the patterns' named groups; a sentence
    whose placeholders were not all captured is left out."""
    origin: str = "builtin"
    """``builtin`` or ``user`` (a ``--catalog`` file): user records rank before built-in ones."""

    @property
    def is_catch_all(self) -> bool:
        """A generic record with no condition: it matches every failure."""
        return self.generic and self.when.is_empty() and self.signals.is_empty() and not self.any_of and self.unless.is_empty()


def parse_catalog_document(document: object, source: str) -> tuple[CauseRecord, ...]:
    """Validate a decoded catalog document and build its records.

    Raises ``CatalogFormatError`` with a one-line reason that names ``source`` and the record.
    """
    if not isinstance(document, dict):
        raise CatalogFormatError(f"{source}: the top level must be an object with 'format' and 'causes'")
    doc = cast("dict[str, object]", document)
    if doc.get("format") != CATALOG_FORMAT:
        found = doc.get("format")
        what = "there is no 'format' key" if found is None else f"it is {found!r}"
        raise CatalogFormatError(f"{source}: 'format' must be {CATALOG_FORMAT!r}; {what}")
    unknown = sorted(set(doc) - {"format", "causes", "description"})
    if unknown:
        raise CatalogFormatError(f"{source}: unknown top-level key {unknown[0]!r}")
    raw_causes = doc.get("causes")
    if not isinstance(raw_causes, list):
        raise CatalogFormatError(f"{source}: 'causes' must be a list of records")
    records: list[CauseRecord] = []
    seen: set[str] = set()
    for index, raw in enumerate(cast("list[object]", raw_causes)):
        record = _parse_record(raw, f"{source}: record {index + 1}")
        if record.id in seen:
            raise CatalogFormatError(f"{source}: record {index + 1}: duplicate id {record.id!r}")
        seen.add(record.id)
        records.append(record)
    return tuple(records)


_RECORD_KEYS: Final = frozenset(
    {
        "id",
        "title",
        "explanation",
        "fix",
        "docs",
        "where",
        "category",
        "when",
        "signals",
        "anyOf",
        "unless",
        "priority",
        "confidence",
        "generic",
        "family",
        "symptom",
        "details",
    }
)


def _parse_record(raw: object, where: str) -> CauseRecord:
    if not isinstance(raw, dict):
        raise CatalogFormatError(f"{where}: a record must be an object")
    data = cast("dict[str, object]", raw)
    record_id = data.get("id")
    if not isinstance(record_id, str) or not CAUSE_ID.fullmatch(record_id):
        what = "it has none" if record_id is None else f"not {record_id!r}"
        raise CatalogFormatError(f"{where}: 'id' must be a kebab-case string; {what}")
    where = f"{where} ({record_id!r})"
    unknown = sorted(set(data) - _RECORD_KEYS)
    if unknown:
        raise CatalogFormatError(f"{where}: unknown key {unknown[0]!r}")
    title = _text(data, "title", where)
    explanation = _text(data, "explanation", where)
    fix = _text_list(data, "fix", where, required=True)
    docs = _text_list(data, "docs", where, required=True)
    for link in docs:
        if not link.startswith("https://"):
            raise CatalogFormatError(f"{where}: docs link {link!r} must start with https://")
    where_hint = _optional_text(data, "where", where)
    category = _optional_text(data, "category", where) or "Other"
    priority = data.get("priority", 0)
    if not isinstance(priority, int) or isinstance(priority, bool) or not 0 <= priority <= 99:
        raise CatalogFormatError(f"{where}: 'priority' must be an integer from 0 to 99")
    generic = _flag(data, "generic", where)
    family = _flag(data, "family", where)
    symptom = _flag(data, "symptom", where)
    if generic + family + symptom > 1:
        raise CatalogFormatError(f"{where}: a record is at most one of 'generic', 'family' and 'symptom'")
    confidence = data.get("confidence", "low" if generic else "medium")
    if confidence not in _CONFIDENCES:
        raise CatalogFormatError(f"{where}: 'confidence' must be one of {', '.join(_CONFIDENCES)}")
    when = _parse_conditions(data.get("when"), f"{where} 'when'")
    signals = _parse_conditions(data.get("signals"), f"{where} 'signals'")
    unless = _parse_conditions(data.get("unless"), f"{where} 'unless'")
    raw_any_of = data.get("anyOf", [])
    if not isinstance(raw_any_of, list):
        raise CatalogFormatError(f"{where}: 'anyOf' must be a list of condition objects")
    any_of = tuple(
        _parse_conditions(block, f"{where} 'anyOf' {number}")
        for number, block in enumerate(cast("list[object]", raw_any_of), start=1)
    )
    if any(block.is_empty() for block in any_of):
        raise CatalogFormatError(f"{where}: an 'anyOf' block must list at least one condition")
    if not generic and when.is_empty() and signals.is_empty() and not any_of:
        raise CatalogFormatError(f"{where}: a record that is not generic needs 'when', 'signals' or 'anyOf'")
    details = _text_list(data, "details", where, required=False)
    captured = _group_names((when, signals, *any_of)) | DERIVED_CAPTURES
    for sentence in details:
        missing = sorted(set(_PLACEHOLDER.findall(sentence)) - captured)
        if missing:
            raise CatalogFormatError(f"{where}: 'details' placeholder {{{missing[0]}}} is not a named group of any pattern")
    return CauseRecord(
        id=record_id,
        title=title,
        explanation=explanation,
        fix=fix,
        docs=docs,
        where=where_hint,
        category=category,
        when=when,
        signals=signals,
        any_of=any_of,
        unless=unless,
        priority=priority,
        confidence=confidence,
        generic=generic,
        family=family,
        symptom=symptom,
        details=details,
    )


def _flag(data: Mapping[str, object], key: str, where: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise CatalogFormatError(f"{where}: {key!r} must be true or false")
    return value


def _group_names(blocks: tuple[Conditions, ...]) -> set[str]:
    """Named groups of every text pattern in the blocks (what ``details`` may use)."""
    return {name for block in blocks for pattern in block.patterns + block.hint_patterns for name in pattern.groupindex}


def fill_details(details: tuple[str, ...], captures: Mapping[str, str]) -> str | None:
    """The ``details`` sentences whose placeholders were all captured, filled, joined by spaces."""
    filled: list[str] = []
    for sentence in details:
        names = _PLACEHOLDER.findall(sentence)
        if all(captures.get(name) for name in names):
            filled.append(_PLACEHOLDER.sub(lambda found: captures[found.group(1)], sentence))
    return " ".join(filled) or None


def _parse_conditions(raw: object, where: str) -> Conditions:
    if raw is None:
        return Conditions()
    if not isinstance(raw, dict):
        raise CatalogFormatError(f"{where} must be an object")
    data = cast("dict[str, object]", raw)
    known = set(_LIST_KEYS) | {"exitCodes", "scope", "patterns", "hintPatterns", "scriptPatterns", "facts"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise CatalogFormatError(f"{where}: unknown condition {unknown[0]!r}")
    values: dict[str, object] = {}
    for key, attr in _LIST_KEYS.items():
        if key in data:
            values[attr] = _text_list(data, key, where, required=True)
    if "exitCodes" in data:
        codes = data["exitCodes"]
        if (
            not isinstance(codes, list)
            or not codes
            or not all(isinstance(code, int) and not isinstance(code, bool) for code in cast("list[object]", codes))
        ):
            raise CatalogFormatError(f"{where}: 'exitCodes' must be a non-empty list of integers")
        values["exit_codes"] = frozenset(cast("list[int]", codes))
    if "scope" in data:
        scope = data["scope"]
        if scope not in _SCOPES:
            raise CatalogFormatError(f"{where}: 'scope' must be 'target' or 'deployment'")
        values["scope"] = scope
    if "patterns" in data:
        values["patterns"] = tuple(compile_pattern(text, where) for text in _text_list(data, "patterns", where, required=True))
    if "hintPatterns" in data:
        values["hint_patterns"] = tuple(
            compile_pattern(text, where) for text in _text_list(data, "hintPatterns", where, required=True)
        )
    if "scriptPatterns" in data:
        values["script_patterns"] = tuple(
            compile_pattern(text, where) for text in _text_list(data, "scriptPatterns", where, required=True)
        )
    if "facts" in data:
        facts = data["facts"]
        if not isinstance(facts, dict) or not facts:
            raise CatalogFormatError(f"{where}: 'facts' must be a non-empty object of fact name to pattern")
        pairs: list[tuple[str, TextPattern]] = []
        for name, pattern in cast("Mapping[object, object]", facts).items():
            if not isinstance(name, str) or not isinstance(pattern, str):
                raise CatalogFormatError(f"{where}: 'facts' must map names to pattern strings")
            pairs.append((name, compile_pattern(pattern, where)))
        values["facts"] = tuple(pairs)
    return Conditions(**values)  # type: ignore[arg-type]


def compile_pattern(text: str, where: str) -> re.Pattern[str]:
    """Compile one case-insensitive pattern, refusing invalid and backtracking-prone ones."""
    if not text:
        raise CatalogFormatError(f"{where}: empty pattern")
    if len(text) > 1000:
        raise CatalogFormatError(f"{where}: pattern longer than 1000 characters")
    risk = backtracking_risk(text)
    if risk is not None:
        raise CatalogFormatError(f"{where}: pattern {text!r} can hang on long lines: {risk}")
    try:
        return re.compile(text, re.IGNORECASE)
    except re.error as error:
        raise CatalogFormatError(f"{where}: invalid regular expression {text!r}: {error}") from None


def _text(data: Mapping[str, object], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CatalogFormatError(f"{where}: {key!r} must be a non-empty string")
    return value


def _optional_text(data: Mapping[str, object], key: str, where: str) -> str | None:
    if key not in data or data[key] is None:
        return None
    return _text(data, key, where)


def _text_list(data: Mapping[str, object], key: str, where: str, *, required: bool) -> tuple[str, ...]:
    value = data.get(key)
    if value is None and not required:
        return ()
    if not isinstance(value, list) or not value:
        raise CatalogFormatError(f"{where}: {key!r} must be a non-empty list of strings")
    items = cast("list[object]", value)
    if not all(isinstance(item, str) and item.strip() for item in items):
        raise CatalogFormatError(f"{where}: {key!r} must be a non-empty list of strings")
    return tuple(cast("list[str]", items))
