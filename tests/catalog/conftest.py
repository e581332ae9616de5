"""Catalog test helpers: the corpus accuracy line is shown in the normal pytest summary."""

from __future__ import annotations

from collections.abc import Callable

import pytest

CORPUS_SUMMARY = pytest.StashKey[str]()
"""Where the corpus test leaves its accuracy line for the terminal summary."""


@pytest.fixture
def report_corpus_accuracy(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Record a line to print in the terminal summary (visible without -s)."""

    def record(line: str) -> None:
        request.config.stash[CORPUS_SUMMARY] = line

    return record


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config) -> None:
    """Print the catalog corpus accuracy after the run."""
    line = config.stash.get(CORPUS_SUMMARY, None)
    if line:
        terminalreporter.write_sep("-", "catalog corpus")
        terminalreporter.write_line(line)
