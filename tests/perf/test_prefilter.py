"""The pattern prefilter and cause signatures change how fast the catalog answers, never what it answers."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks import scaled
from codedeploy_doctor.catalog import builtin_catalog, prefilter
from codedeploy_doctor.catalog.matching import match_all, prepare
from codedeploy_doctor.catalog.model import FailureEvidence
from codedeploy_doctor.catalog.signature import CauseSignatures
from codedeploy_doctor.diagnosis import diagnose, grouping
from codedeploy_doctor.snapshot import snapshot_from_json
from tests.catalog.evidence import evidence_from
from tests.support import FIXTURES

CATALOG_TESTS = Path(__file__).resolve().parents[1] / "catalog"


def _catalog_patterns() -> list[re.Pattern[str]]:
    found: list[re.Pattern[str]] = []
    for record in builtin_catalog().records:
        for block in (record.when, record.signals, record.unless, *record.any_of):
            found.extend((*block.patterns, *block.hint_patterns))
    return list(dict.fromkeys(found))


def _case_evidence() -> list[FailureEvidence]:
    cases = json.loads((CATALOG_TESTS / "cases.json").read_text(encoding="utf-8"))
    corpus = json.loads((CATALOG_TESTS / "corpus.json").read_text(encoding="utf-8"))
    items = [item for spec in cases.values() for item in spec["fires"] + spec["misses"]] + corpus
    return [evidence_from(item) for item in items]


def _texts() -> Iterator[str]:
    for evidence in _case_evidence():
        prepared = prepare(evidence)
        yield from (*prepared.own_lines, *prepared.extra_lines, *prepared.summary_lines)
    for path in sorted(FIXTURES.glob("*.json")):
        for target in json.loads(path.read_text(encoding="utf-8")).get("targets", []):
            body = next(value for key, value in target.items() if key != "deploymentTargetType")
            for event in body.get("lifecycleEvents", []):
                diagnostics = event.get("diagnostics") or {}
                for key in ("message", "logTail"):
                    yield from (diagnostics.get(key) or "").splitlines()


@pytest.fixture
def primed() -> Iterator[None]:
    """The prefilter on (as a diagnosis of many failures turns it on), then off again."""
    saved = prefilter._index
    prefilter.prime(_catalog_patterns())
    yield
    prefilter._index = saved
    prefilter._examined.cache_clear()


def test_every_line_a_pattern_matches_holds_one_of_its_needed_literals() -> None:
    lines = list(_texts())
    assert len(lines) > 300
    checked = 0
    for pattern in _catalog_patterns():
        needs = prefilter.needed_literals(pattern)
        if needs is None:
            continue
        for line in lines:
            if pattern.search(line):
                checked += 1
                assert any(literal in prefilter.fold(line) for literal in needs), (pattern.pattern, line, needs)
    assert checked > 100


@pytest.mark.parametrize(
    ("pattern", "needs"),
    [
        (r"no space left on device", {"no space left on device"}),
        (r"colou?r scheme", {"r scheme"}),  # the optional letter ends the run: "colour" is not needed
        (r"hook execution (?:failed|failure)", {"hook execution failed", "hook execution failure"}),
        (r"foo(bar)?bazz", {"bazz"}),
        (r"x{0,3}abcd", {"abcd"}),
        (r"(?:timed out|timeout) waiting", {"timed out waiting", "timeout waiting"}),
        (r"(?:ab|\w+) waiting for", {" waiting for"}),
        (r"(?:alpha.*|beta+) thing", {" thing"}),
        (r"err(?:no)? [0-9]+ on socket", {" on socket"}),
        (r"\bECONNRESET\b", {"econnreset"}),
        (r"(?:tls|ssl) handshake", {"tls handshake", "ssl handshake"}),
        (r"[ab]cde", {"acde", "bcde"}),
        (r"(?:one|two|\d)", None),  # one alternative needs no literal: nothing is needed
        (r"a.b", None),  # nothing 3 characters long
        (r"(?x) spaced \s out", {"spaced"}),
    ],
)
def test_needed_literals(pattern: str, needs: set[str] | None) -> None:
    found = prefilter.needed_literals(re.compile(pattern, re.IGNORECASE))
    assert (set(found) if found is not None else None) == needs


def test_folding_follows_the_engine_on_case() -> None:
    # The Kelvin sign is a "k" and the long s an "s" to a case-insensitive expression.
    pattern = re.compile("kms key disabled", re.IGNORECASE)
    text = "\u212ams \u017fomething"
    assert re.search("kms", text, re.IGNORECASE)
    assert "kms" in prefilter.fold(text)
    assert pattern.search("\u212aMS KEY DISABLED")
    assert "kms key disabled" in prefilter.fold("\u212aMS KEY DISABLED")


def test_the_scanner_finds_overlapping_and_nested_literals() -> None:
    scanner = prefilter._Scanner(frozenset({"con", "connect", "connection refused", "nection", "tion"}))
    assert scanner.present("xx connection refused") == {"con", "connect", "connection refused", "nection", "tion"}
    assert scanner.present("a connector") == {"con", "connect"}
    assert scanner.present("nothing here") == frozenset()


@pytest.mark.usefixtures("primed")
def test_matching_with_the_prefilter_gives_the_same_matches() -> None:
    records = builtin_catalog().records
    evidence = _case_evidence()
    with_filter = [match_all(records, item) for item in evidence]
    saved = prefilter._index
    prefilter._index = None
    try:
        without = [match_all(records, item) for item in evidence]
    finally:
        prefilter._index = saved
    assert with_filter == without


def _tail_variant(evidence: FailureEvidence, suffix: str) -> FailureEvidence:
    return dataclasses.replace(evidence, log_tail=(evidence.log_tail or "") + f"\n[stdout] request {suffix} done")


def test_equal_signatures_mean_equal_causes() -> None:
    records = builtin_catalog().records
    signatures = CauseSignatures(records)
    for evidence in _case_evidence():
        # A line that matches no pattern does not change the signature, nor the causes.
        variant = _tail_variant(evidence, "id-7f3a")
        assert signatures.of(variant) == signatures.of(evidence)
        assert [m.cause_id for m in match_all(records, variant)] == [m.cause_id for m in match_all(records, evidence)]


def test_a_line_a_pattern_reads_changes_the_signature() -> None:
    signatures = CauseSignatures(builtin_catalog().records)
    base = evidence_from({"event": "ApplicationStart", "errorCode": "ScriptFailed", "logTail": "[stderr]starting"})
    changed = dataclasses.replace(base, log_tail="[stderr]starting\n[stderr]No space left on device")
    assert signatures.of(changed) != signatures.of(base)


def _snapshot(situation: str, total: int) -> Any:
    return snapshot_from_json(json.loads(json.dumps(scaled.build(situation, total))))


@pytest.mark.parametrize("situation", ["distinct-tails", "agent-log", "inplace-lb"])
def test_grouping_with_signatures_gives_the_groups_of_matching_every_target(
    situation: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot = _snapshot(situation, 120)
    fast = diagnose(snapshot)
    monkeypatch.setattr(grouping, "SIGNATURES_ABOVE", 10**9)
    monkeypatch.setattr(grouping, "SAMPLE_ABOVE", 10**9)
    slow = diagnose(snapshot)
    assert fast.failure_groups == slow.failure_groups
    assert fast.causes == slow.causes
    assert len(fast.failure_groups) >= 1


def test_a_warning_line_and_an_error_line_have_different_signatures() -> None:
    signatures = CauseSignatures(builtin_catalog().records)
    base = evidence_from({"event": "ApplicationStart", "errorCode": "ScriptFailed", "logTail": "[stderr]starting"})
    error = dataclasses.replace(base, log_tail="ERROR no space left on device (request 1a2b)")
    same = dataclasses.replace(base, log_tail="ERROR no space left on device (request 9f8e)")
    warning = dataclasses.replace(base, log_tail="WARN no space left on device (request 1a2b)")
    assert signatures.of(error) == signatures.of(same)
    assert signatures.of(error) != signatures.of(warning)
    twice = dataclasses.replace(base, log_tail="ERROR no space left on device\nERROR no space left on device")
    two = dataclasses.replace(base, log_tail="ERROR no space left on device\nERROR no space left on device!")
    assert signatures.of(twice) != signatures.of(two)  # one piece of evidence, or two


@pytest.mark.parametrize(
    ("pattern", "joinable"),
    [
        (r"no space left", True),
        (r"\bECONNRESET\b", True),
        (r"(?=a)foo", True),
        (r"^foo", False),
        (r"foo$", False),
        (r"(?<!\s)foo", False),
        (r"bar(?!\n)", False),
        (r"(?:a|\Ab)", False),
    ],
)
def test_joinable_patterns(pattern: str, joinable: bool) -> None:
    assert prefilter.joinable(re.compile(pattern, re.IGNORECASE)) is joinable


def test_a_joinable_pattern_that_matches_a_line_matches_the_lines_joined() -> None:
    lines = list(_texts())
    joined = "\n".join(lines)
    for pattern in _catalog_patterns():
        if prefilter.joinable(pattern) and any(pattern.search(line) for line in lines):
            assert pattern.search(joined), pattern.pattern
