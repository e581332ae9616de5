"""Every cause fires on its own evidence and stays silent on a near miss (tests/catalog/cases.json).

A specific cause must rank first where it fires and be absent where it must not. A generic cause
(a fallback that ends every list) must rank first where it fires and must not rank first on a near miss.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from codedeploy_doctor.catalog import builtin_catalog
from tests.catalog.evidence import FIELDS, evidence_from

CASES: dict[str, dict[str, list[dict[str, Any]]]] = json.loads((Path(__file__).parent / "cases.json").read_text(encoding="utf-8"))
METADATA = {"source", "note"}
"""Keys a case may carry besides evidence: where its text comes from, and why it is there."""


def _params(kind: str) -> list[Any]:
    return [
        pytest.param(cause_id, evidence, id=f"{cause_id}-{number}")
        for cause_id, spec in CASES.items()
        for number, evidence in enumerate(spec[kind], start=1)
    ]


def test_every_cause_has_a_firing_case_and_a_near_miss() -> None:
    ids = [record.id for record in builtin_catalog().records]
    assert sorted(CASES) == sorted(ids)
    for cause_id, spec in CASES.items():
        assert spec["fires"], cause_id
        assert spec["misses"], cause_id
        for evidence in spec["fires"] + spec["misses"]:
            assert set(evidence) <= FIELDS | METADATA, (cause_id, evidence)
            assert evidence.get("source", "https://").startswith("https://"), (cause_id, evidence)


def test_every_family_fires_on_two_wordings_from_two_real_sources() -> None:
    for record in builtin_catalog().records:
        if not record.family:
            continue
        fires = CASES[record.id]["fires"]
        sources = {case["source"] for case in fires if "source" in case}
        wordings = {
            case.get("logTail") or case.get("message") or str(case.get("extraLogLines")) for case in fires if "source" in case
        }
        assert len(sources) >= 2 and len(wordings) >= 2, record.id


@pytest.mark.parametrize(("cause_id", "evidence"), _params("fires"))
def test_cause_fires_first(cause_id: str, evidence: dict[str, Any]) -> None:
    matches = builtin_catalog().match(evidence_from(evidence))
    assert matches[0].cause_id == cause_id, [(m.cause_id, m.score) for m in matches]


@pytest.mark.parametrize(("cause_id", "evidence"), _params("misses"))
def test_cause_stays_silent_on_near_miss(cause_id: str, evidence: dict[str, Any]) -> None:
    catalog = builtin_catalog()
    matches = catalog.match(evidence_from(evidence))
    record = catalog.get(cause_id)
    assert record is not None
    if record.generic:
        assert matches[0].cause_id != cause_id, [(m.cause_id, m.score) for m in matches]
    else:
        assert cause_id not in [m.cause_id for m in matches], [(m.cause_id, m.score) for m in matches]
