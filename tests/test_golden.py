"""Golden outputs per fixture: text and JSON reports, reviewed when they change.

Regenerate with ``UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py`` and read the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from codedeploy_doctor.diagnosis import diagnose
from codedeploy_doctor.render import OutputFormat, RenderOptions, renderer_for
from codedeploy_doctor.snapshot import load_snapshot
from tests.support import fixture_paths

GOLDEN = Path(__file__).parent / "golden"
SUFFIX = {OutputFormat.TEXT: "txt", OutputFormat.JSON: "json", OutputFormat.MARKDOWN: "md"}


@pytest.mark.parametrize("output_format", list(OutputFormat), ids=lambda f: f.value)
@pytest.mark.parametrize("path", fixture_paths(), ids=lambda p: p.stem)
def test_golden(path: Path, output_format: OutputFormat) -> None:
    report = diagnose(load_snapshot(path))
    rendered = renderer_for(output_format)(report, RenderOptions(color=False, width=100))
    golden = GOLDEN / f"{path.stem}.{SUFFIX[output_format]}"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(rendered, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden.name}: run with UPDATE_GOLDEN=1 and review it"
    assert rendered == golden.read_text(encoding="utf-8"), f"{golden.name} changed: review, then UPDATE_GOLDEN=1"


def test_every_golden_file_has_a_fixture() -> None:
    stems = {p.stem for p in fixture_paths()}
    orphans = sorted(g.name for g in GOLDEN.iterdir() if g.name.rsplit(".", 1)[0] not in stems)
    assert not orphans, f"golden files without a fixture: {orphans}"
