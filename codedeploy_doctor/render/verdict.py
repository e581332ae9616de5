"""The production verdict in words and tone, shared by every renderer and the CI summary.

A verdict that rests on CodeDeploy's events alone is not confirmed (CONTRACTS §2 pages on it
with exit 4), so its words say so and its tone is a warning, never the all-clear: on-call must
not read "Blue still serving" in green when nothing but CodeDeploy vouched for it.
"""

from __future__ import annotations

from typing import Literal

from codedeploy_doctor.report import BlueTraffic

Tone = Literal["good", "warn", "bad", "neutral"]
"""How a verdict should look: all-clear, needs a look, page-worthy, or nothing to protect."""

_WORDS = {
    "serving": "Blue still serving",
    "partial": "Blue partly serving",
    "not-serving": "Blue NOT serving",
    "unknown": "Blue status UNKNOWN",
    "not-applicable": "Blue check not applicable",
}
_TONES: dict[str, Tone] = {
    "serving": "good",
    "partial": "warn",
    "not-serving": "bad",
    "unknown": "bad",
    "not-applicable": "neutral",
}


def confirmed(traffic: BlueTraffic) -> bool:
    """Tell whether the load balancer, ECS or Lambda confirmed the verdict."""
    return traffic.basis == "traffic-layer"


def verdict_words(traffic: BlueTraffic) -> str:
    """The verdict as on-call reads it, e.g. ``Blue probably serving (not confirmed)``."""
    if traffic.verdict == "serving" and not confirmed(traffic):
        return "Blue probably serving (not confirmed)"
    if traffic.verdict == "partial" and not confirmed(traffic):
        return "Blue probably partly serving (not confirmed)"
    return _WORDS.get(traffic.verdict, traffic.verdict)


def verdict_tone(traffic: BlueTraffic) -> Tone:
    """The verdict's tone: an unconfirmed all-clear is a warning."""
    tone = _TONES.get(traffic.verdict, "bad")
    if tone == "good" and not confirmed(traffic):
        return "warn"
    return tone
