"""Measure the catalog on corpus files: top-1, top-3, and each miss with what ranked instead.

Run ``python -m tests.catalog.accuracy FILE [FILE...]`` on a batch of real failure texts (the
corpus format: a JSON list of evidence objects with ``expected`` and ``source``) before
changing any pattern; docs/catalog-accuracy.md records the figures.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codedeploy_doctor.catalog import Catalog, builtin_catalog
from tests.catalog.evidence import evidence_from

CORPUS_DIR = Path(__file__).parent
CORPUS_FILES = (CORPUS_DIR / "corpus.json", *sorted((CORPUS_DIR / "corpus").glob("*.json")))
"""Every corpus file the corpus test loads: the first collection and one file per batch."""


def load_entries(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """Every entry of the given corpus files, in order."""
    entries: list[dict[str, Any]] = []
    for path in paths:
        entries += json.loads(path.read_text(encoding="utf-8"))
    return entries


@dataclass(frozen=True)
class Outcome:
    """How the catalog ranked one entry's expected cause."""

    entry: dict[str, Any]
    ranked: tuple[str, ...]
    """Cause ids, best first (the generic fallback last)."""

    @property
    def expected(self) -> str:
        """The cause the entry's label names."""
        return str(self.entry["expected"])

    @property
    def top1(self) -> bool:
        """The expected cause ranked first."""
        return self.ranked[0] == self.expected

    @property
    def top3(self) -> bool:
        """The expected cause ranked among the first three."""
        return self.expected in self.ranked[:3]

    def kind(self, catalog: Catalog) -> str:
        """A first guess at the kind of miss (the accuracy doc records the judged kind)."""
        if catalog.get(self.expected) is None:
            return "no cause"
        if self.expected in self.ranked:
            return "ranking"
        return "not matched (wording variant or no cause for the family)"


def measure(entries: list[dict[str, Any]], catalog: Catalog | None = None) -> list[Outcome]:
    """Rank every entry with the catalog."""
    catalog = catalog or builtin_catalog()
    return [Outcome(entry, tuple(m.cause_id for m in catalog.match(evidence_from(entry)))) for entry in entries]


def summary(outcomes: list[Outcome]) -> str:
    """``top-1 a/n = x%, top-3 b/n = y%``."""
    total = len(outcomes) or 1
    top1 = sum(outcome.top1 for outcome in outcomes)
    top3 = sum(outcome.top3 for outcome in outcomes)
    return f"top-1 {top1}/{len(outcomes)} = {100 * top1 / total:.1f}%, top-3 {top3}/{len(outcomes)} = {100 * top3 / total:.1f}%"


def main(argv: list[str] | None = None) -> int:
    """Print the figures and the misses for the given corpus files (all corpus files by default)."""
    parser = argparse.ArgumentParser(prog="python -m tests.catalog.accuracy", description=__doc__)
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args(argv)
    files: list[Path] = args.files or list(CORPUS_FILES)
    catalog = builtin_catalog()
    outcomes = measure(load_entries(files), catalog)
    for number, outcome in enumerate(outcomes, start=1):
        if not outcome.top1:
            print(f"#{number} expected {outcome.expected}, got {list(outcome.ranked[:3])} [{outcome.kind(catalog)}]")
            print(f"    {outcome.entry.get('source')}")
    print(summary(outcomes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
