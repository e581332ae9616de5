"""No catalog pattern can hang a run.

- Built-in patterns (Python's backtracking ``re``) pass the load-time lint and are timed on
  adversarial 64 KB lines built from their own tokens (``adversarial_regex.py``).
- ``--catalog`` patterns run on RE2: the four patterns that hung cd-doctor on a 41-character
  line now come back at once, and the lint refuses them before they run anyway.

The timing budget, and why it will not flake: every pattern's worst adversarial line is timed
in CPU time (``time.process_time``, which a loaded machine's other processes do not inflate),
best of three. Today's built-in patterns all take under 0.1 s of CPU on a 64 KB line (most
well under 10 ms); the S3 host pattern took about 5 s of CPU before its fix, a polynomial
pattern takes minutes. ``BUDGET_SECONDS`` sits between: 2.5 times the slowest linear pattern,
a twentieth of the first super-linear one.
"""

from __future__ import annotations

import json
import re
import threading
import time
from functools import cache
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codedeploy_doctor.catalog import builtin_catalog, load_catalog
from codedeploy_doctor.catalog.records import CatalogFormatError, Conditions, compile_pattern
from codedeploy_doctor.catalog.regex_safety import Re2Pattern, backtracking_risk, linear_pattern
from codedeploy_doctor.cli import app
from codedeploy_doctor.errors import BadInputError
from tests.reliability.adversarial_regex import SIZE, adversarial_lines, tokens
from tests.support import FIXTURES

BUDGET_SECONDS = 0.25
"""CPU seconds one built-in pattern may take on one adversarial 64 KB line (best of three)."""

HOSTILE_USER_PATTERNS = [r"(a|a)*$", r"(\w+\s?)+$", r"\d*\d*\d*\d*\d*\d*\d*\d*x", r"(.*a){25}"]
"""The patterns that bypassed the old user-catalog check and hung on a 41-character line."""


def _conditions(block: Conditions) -> list[str]:
    found = [pattern.pattern for pattern in (*block.patterns, *block.hint_patterns, *block.script_patterns)]
    return found + [pattern.pattern for _name, pattern in block.facts]


@cache
def _builtin_patterns() -> list[str]:
    found: set[str] = set()
    for record in builtin_catalog().records:
        for block in (record.when, record.signals, record.unless, *record.any_of):
            found.update(_conditions(block))
    return sorted(found)


def test_the_builtin_catalog_has_patterns_to_check() -> None:
    assert len(_builtin_patterns()) > 100


@pytest.mark.parametrize("pattern", _builtin_patterns())
def test_a_builtin_pattern_is_fast_on_adversarial_lines_built_from_its_tokens(pattern: str) -> None:
    compiled = re.compile(pattern, re.IGNORECASE)
    for name, line in adversarial_lines(pattern):
        spent = _cpu_seconds(compiled, line)
        assert spent < BUDGET_SECONDS, f"{spent:.2f} s of CPU on a {SIZE}-character line ({name}): {pattern}"


def _cpu_seconds(compiled: re.Pattern[str], line: str) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        compiled.search(line)
        best = min(best, time.process_time() - started)
        if best < BUDGET_SECONDS:
            break  # under budget once is enough: only a slow pattern is measured again
    return best


def test_the_adversarial_lines_are_built_from_the_patterns_own_tokens() -> None:
    assert tokens(r"s3[\w.-]{0,60}amazonaws\.com.{0,120}(?:timed out|refused)")[:3] == ["s3", "a", "amazonaws.com"]
    lines = dict(adversarial_lines(r"poll_host_command.{0,300}(?:OpenTimeout|ETIMEDOUT)"))
    assert lines["token 0 repeated"].startswith("poll_host_commandpoll_host_command")
    assert all(len(line) == SIZE for line in lines.values())


def test_the_budget_catches_the_patterns_issue_11_named() -> None:
    # The S3 host pattern as it was: over budget on its own adversarial lines (it took seconds).
    before = r"s3[\w.-]{0,60}amazonaws\.com\S{0,40}.{0,80}(?:timed out|timeout|unreachable|refused)"
    compiled = re.compile(before, re.IGNORECASE)
    line = dict(adversarial_lines(before))["first 3 tokens"]
    started = time.process_time()
    compiled.search(line)
    assert time.process_time() - started >= BUDGET_SECONDS
    # ... and the lint refuses it, with the codedeploy-commands one, before anything runs.
    assert "adjacent overlapping quantifiers" in str(backtracking_risk(before))
    codedeploy = r"codedeploy-commands[\w.-]{0,60}amazonaws\.com\S{0,40}.{0,80}(?:timed out|refused)"
    assert "adjacent overlapping quantifiers" in str(backtracking_risk(codedeploy))


@pytest.mark.parametrize(
    ("pattern", "kind"),
    [
        (r"(a|a)*$", "alternatives that can start with the same character"),
        (r"(?:ab|ab)+", "alternatives that can start with the same character"),
        (r"(\w+\s?)+$", "nested quantifiers"),
        (r"(.*a){25}", "nested quantifiers"),
        (r"(a+)+", "nested quantifiers"),
        (r"(?:x[a-z]{1,5}){2,}", "nested quantifiers"),
        (r"\d*\d*\d*\d*\d*\d*\d*\d*x", "adjacent overlapping quantifiers"),
        (r"\S{0,40}.{0,80}timeout", "adjacent overlapping quantifiers"),
        (r"\w+\s?\w+x", "adjacent overlapping quantifiers"),
        (r"(?:error\s*)\s*code", "adjacent overlapping quantifiers"),
        (r"[a-z]{0,9}[A-Z]{0,9}!", "adjacent overlapping quantifiers"),  # case-insensitive: the classes overlap
    ],
)
def test_the_lint_refuses_backtracking_shapes(pattern: str, kind: str) -> None:
    assert kind in str(backtracking_risk(pattern))
    with pytest.raises(CatalogFormatError, match="can hang on long lines"):
        compile_pattern(pattern, "test")


@pytest.mark.parametrize(
    "pattern",
    [
        r"failed to complete in \d+ seconds",
        r"specified location:? \S{1,300} (?:does not exist|not found)",
        r"\d{1,5}\.\d{1,5}",
        r"[a-z]{0,9}\d{0,9}!",
        r"(?:ERROR|WARN)+ x",
        r"poll_host_command(?:(?!poll_host_command).){0,300}(?:OpenTimeout|ETIMEDOUT)",
        r"(?:OFFICIAL_)?(?:0|1\.[0-5])(?:[.-].*)?",
    ],
)
def test_the_lint_accepts_linear_shapes(pattern: str) -> None:
    assert backtracking_risk(pattern) is None


def test_every_builtin_pattern_passes_the_lint() -> None:
    assert {pattern: backtracking_risk(pattern) for pattern in _builtin_patterns() if backtracking_risk(pattern)} == {}


# --- user catalogs: RE2 ------------------------------------------------------------------------


def _user_catalog(tmp_path: Path, patterns: list[str]) -> Path:
    record = {
        "id": "team-deploy-lock",
        "title": "The deploy lock is held",
        "explanation": "Another pipeline holds the lock.",
        "fix": ["Release the lock."],
        "docs": ["https://docs.aws.amazon.com/codedeploy/latest/userguide/troubleshooting.html"],
        "signals": {"patterns": patterns},
    }
    path = tmp_path / "team.json"
    path.write_text(json.dumps({"format": "cd-doctor.catalog/1", "causes": [record]}), encoding="utf-8")
    return path


@pytest.mark.parametrize("pattern", HOSTILE_USER_PATTERNS)
def test_a_hostile_user_pattern_cannot_hang_even_past_the_lint(pattern: str) -> None:
    # RE2 itself: linear whatever the pattern, so even a pattern the lint missed cannot hang.
    compiled = linear_pattern(pattern)
    line = "a" * 40 + "!" if "d" not in pattern else "1" * 40 + "!"
    done = threading.Event()
    threading.Thread(target=lambda: (compiled.search(line * 1000), done.set()), daemon=True).start()
    assert done.wait(30), f"RE2 took more than 30 s on {pattern}"


@pytest.mark.parametrize("pattern", HOSTILE_USER_PATTERNS)
def test_a_hostile_user_pattern_is_refused_at_load_time(pattern: str, tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="can hang on long lines"):
        load_catalog(_user_catalog(tmp_path, [pattern]))


def test_a_user_catalog_runs_on_re2_and_still_matches(tmp_path: Path) -> None:
    catalog = load_catalog(_user_catalog(tmp_path, [r"deploy lock \S{1,40} is held", r"(?-i:LOCKED)\b"]))
    record = catalog.get("team-deploy-lock")
    assert record is not None
    patterns = record.signals.patterns
    assert all(isinstance(pattern, Re2Pattern) for pattern in patterns)
    assert patterns[0].search("ERROR: Deploy LOCK pipeline-42 is held since 09:00")
    assert patterns[1].search("state LOCKED now") and not patterns[1].search("state locked now")
    # Built-in records stay on Python's re.
    assert all(not isinstance(p, Re2Pattern) for p in builtin_catalog().records[0].signals.patterns)


def test_a_user_pattern_re2_cannot_run_is_refused_with_the_reason(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["--replay", str(FIXTURES / "server-succeeded.json"), "--catalog", str(_user_catalog(tmp_path, [r"(?<!de)register"]))],
    )
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "look-around and back-references are not available in a --catalog file" in lines[0]
