"""The production verdict in words: an unconfirmed all-clear never reads as one."""

from __future__ import annotations

import pytest

from codedeploy_doctor.render import OutputFormat, RenderOptions, renderer_for
from codedeploy_doctor.render.verdict import verdict_tone, verdict_words
from codedeploy_doctor.report import BlueTraffic
from tests.scenarios import _report


@pytest.mark.parametrize(
    ("verdict", "basis", "words", "tone"),
    [
        ("serving", "traffic-layer", "Blue still serving", "good"),
        ("serving", "codedeploy-only", "Blue probably serving (not confirmed)", "warn"),
        ("partial", "traffic-layer", "Blue partly serving", "bad"),  # pages (exit 4) since the contract change
        ("partial", "codedeploy-only", "Blue probably partly serving (not confirmed)", "bad"),
        ("not-serving", "traffic-layer", "Blue NOT serving", "bad"),
        ("unknown", "codedeploy-only", "Blue status UNKNOWN", "bad"),
        ("not-applicable", "codedeploy-only", "Blue check not applicable", "neutral"),
    ],
)
def test_an_unconfirmed_all_clear_never_reads_as_one(verdict: str, basis: str, words: str, tone: str) -> None:
    traffic = BlueTraffic(verdict=verdict, summary="s", basis=basis)  # type: ignore[arg-type]
    assert (verdict_words(traffic), verdict_tone(traffic)) == (words, tone)


def test_exit_4_serving_is_yellow_and_unconfirmed_in_every_format() -> None:
    report = _report("traffic-server-bg-lb-unreadable")
    assert (report.blue_traffic.verdict, report.blue_traffic.basis) == ("serving", "codedeploy-only")
    markdown = renderer_for(OutputFormat.MARKDOWN)(report, RenderOptions())
    assert "**Production:** 🟡 Blue probably serving (not confirmed)" in markdown
    assert "🟢" not in markdown
    text = renderer_for(OutputFormat.TEXT)(report, RenderOptions(color=True))
    assert "\x1b[1;33mBlue probably serving (not confirmed)" in text  # bold yellow, not green
