"""The line that matters: the top cause's evidence when it is in the tail, else the best-scored line."""

from __future__ import annotations

from codedeploy_doctor.diagnosis.key_line import pick_key_line, score_line
from codedeploy_doctor.report import evidence_line_indexes

TAIL = "\n".join(
    [
        "[stdout]starting",
        "[stderr]curl: (7) Failed to connect to localhost port 8080: Connection refused",
        "[stdout]retrying",
        "[stderr]curl: (7) Failed to connect to localhost port 8080: Connection refused",
        "[stdout]giving up",
    ]
)


def test_the_latest_evidence_line_wins() -> None:
    key = pick_key_line(TAIL, ["[stderr]curl: (7) Failed to connect to localhost port 8080: Connection refused"])
    assert key is not None and key.line_index == 3 and key.from_evidence and key.source == "logTail"


def test_without_evidence_in_the_tail_the_score_decides() -> None:
    tail = "[stdout]Installing\n[stderr]npm ERR! code ENOENT\n[stdout]done, exit code 1\n[stderr]warning: deprecated"
    key = pick_key_line(tail, ["lifecycle event = AfterInstall"])
    assert key is not None and key.text == "[stderr]npm ERR! code ENOENT" and not key.from_evidence


def test_a_stack_trace_exception_line_scores_over_its_frames() -> None:
    tail = "\n".join(
        [
            "Traceback (most recent call last):",
            '  File "app.py", line 3, in <module>',
            "ValueError: DATABASE_URL is invalid",
            "[stdout]bye",
        ]
    )
    key = pick_key_line(tail)
    assert key is not None and key.text == "ValueError: DATABASE_URL is invalid"


def test_ties_go_to_the_later_line_and_the_last_stderr_line_counts() -> None:
    assert score_line("[stderr]error: a") == score_line("[stderr]error: b")
    key = pick_key_line("[stderr]error: a\n[stderr]error: b\n[stdout]ok")
    assert key is not None and key.text == "[stderr]error: b"


def test_no_scoring_line_means_no_key_line_and_extra_logs_are_a_fallback() -> None:
    assert pick_key_line("[stdout]all fine\n[stdout]still fine") is None
    key = pick_key_line(None, (), ["2026-11-28 INFO ok", "2026-11-28 ERROR Missing credentials"])
    assert key is not None and key.source == "extraLogs" and key.line_index is None


def test_evidence_positions_are_every_occurrence() -> None:
    evidence = ["[stderr]curl: (7) Failed to connect to localhost port 8080: Connection refused"]
    assert evidence_line_indexes(TAIL, evidence) == {1, 3}
