"""The line that matters: the one log line that carries the failure, picked with no I/O.

The top cause's evidence wins when one of its lines is in the log tail (the latest one: the
state the script was in when it gave up). Otherwise every line is scored:

- error words (``error``, ``fatal``, ``failed``, ``denied``, ``refused``, ``timed out``,
  ``no such file``, ``not found``, ``cannot``, ``killed``...): 3;
- an exit status (``exit code 1``, ``exit status 2``, ``exited with 137``, ``returned 1``): 2;
- a stack trace's head (``Traceback (most recent call last)``, ``Exception in thread``) or its
  exception line (``ValueError: ...``, ``java.lang.NullPointerException``): 3;
- the script's stderr (a ``[stderr]`` prefix): 1, and 1 more for the last stderr line before
  the script exited.

The highest score wins; ties go to the later line (nearer the failure). A tail where no line
scores has no line that matters. Lines from other logs (``--agent-log``, CloudWatch Logs) are
used the same way when the tail is empty.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from codedeploy_doctor.report import Cause, KeyLine, LifecycleEventFailure, tail_lines
from codedeploy_doctor.snapshot import Snapshot

_ERROR_WORDS = re.compile(
    r"\b(?:error|errors|err|fatal|failed|failure|fail|denied|refused|unreachable|timed out|timeout|"
    r"no such file|not found|cannot|can't|could not|unable|killed|panic|segmentation fault|"
    r"out of memory|oom|aborted|invalid|forbidden|unauthorized)\b",
    re.I,
)
_EXIT_STATUS = re.compile(r"\b(?:exit(?:ed)?(?: with)?(?: code| status)?|returned(?: code)?)[ :=]+-?\d+\b", re.I)
_TRACE_HEAD = re.compile(
    r"Traceback \(most recent call last\)|Exception in thread|^\s*(?:[\w$]+\.)*[\w$]*(?:Error|Exception)\b\s*(?::|$)"
)
_STDERR = re.compile(r"^\s*\[stderr\]", re.I)


def score_line(line: str) -> int:
    """How strongly one line looks like the failure (0: not at all)."""
    score = 0
    if _ERROR_WORDS.search(line):
        score += 3
    if _EXIT_STATUS.search(line):
        score += 2
    body = _STDERR.sub("", line)
    if _TRACE_HEAD.search(body):
        score += 3
    if _STDERR.match(line):
        score += 1
    return score


def _latest_evidence(lines: Sequence[str], evidence: Sequence[str]) -> int | None:
    wanted = {item.strip() for item in evidence if item.strip()}
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].strip() in wanted:
            return index
    return None


def _best_scored(lines: Sequence[str]) -> int | None:
    scores = [score_line(line) for line in lines]
    last_stderr = next((index for index in range(len(lines) - 1, -1, -1) if _STDERR.match(lines[index])), None)
    if last_stderr is not None:
        scores[last_stderr] += 1
    best = max(scores, default=0)
    if best <= 0:
        return None
    return max(index for index, score in enumerate(scores) if score == best)


def pick_key_line(log_tail: str | None, evidence: Sequence[str] = (), extra_lines: Sequence[str] = ()) -> KeyLine | None:
    """The line that matters in a failure's log tail (else in the other logs), or None."""
    lines = tail_lines(log_tail)
    sources: tuple[tuple[Literal["logTail", "extraLogs"], list[str], bool], ...] = (
        ("logTail", lines, True),
        ("extraLogs", list(extra_lines), False),
    )
    for source, candidates, indexed in sources:
        if not candidates:
            continue
        index = _latest_evidence(candidates, evidence)
        from_evidence = index is not None
        if index is None:
            index = _best_scored(candidates)
        if index is not None:
            return KeyLine(
                text=candidates[index], source=source, line_index=index if indexed else None, from_evidence=from_evidence
            )
    return None


def key_line_for(snapshot: Snapshot, first: LifecycleEventFailure | None, causes: Sequence[Cause]) -> KeyLine | None:
    """The line that matters for a report: in the first failure's tail, else in the extra logs."""
    if first is None:
        return None
    extra: list[str] = []
    for log in snapshot.extra_logs:
        lines = log.get("lines")
        if isinstance(lines, list):
            extra.extend(line for line in lines if isinstance(line, str))
    evidence = causes[0].evidence if causes else ()
    return pick_key_line(first.log_tail, evidence, extra)
