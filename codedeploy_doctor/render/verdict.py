"""The production verdict in words and tone, shared by every renderer and the CI summary.

A verdict that rests on CodeDeploy's events alone is not confirmed (the README's exit codes page on it
with exit 4), so its words say so and its tone is a warning, never the all-clear: on-call must
not read "Blue still serving" in green when nothing but CodeDeploy vouched for it.
"""

from __future__ import annotations

from typing import Literal

from codedeploy_doctor.report import BlueTraffic, Report

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
    "partial": "bad",
    "not-serving": "bad",
    "unknown": "bad",
    "not-applicable": "neutral",
}


def confirmed(traffic: BlueTraffic) -> bool:
    """Tell whether the load balancer, ECS or Lambda confirmed the verdict."""
    return traffic.basis == "traffic-layer"


_IN_PLACE_WORDS = {
    "serving": "original fleet still serving",
    "partial": "capacity reduced",
    "not-serving": "capacity LOST",
    "unknown": "capacity UNKNOWN",
    "not-applicable": "capacity check not applicable",
}


_UNCONFIRMED_WORDS = {
    "serving": "Blue probably serving (not confirmed)",
    "partial": "Blue probably partly serving (not confirmed)",
}
_UNCONFIRMED_FLEET_WORDS = {
    "serving": "original fleet probably serving (not confirmed)",
    "partial": "capacity probably reduced (not confirmed)",
}


def in_place(report: Report) -> bool:
    """Tell whether the deployment replaces the application on its own instances (no Blue/Green)."""
    summary = report.deployment
    return summary.compute_platform in (None, "Server") and summary.deployment_type == "IN_PLACE"


def share_on_failed_version(traffic: BlueTraffic) -> float | None:
    """Percent of production traffic on the failed (Green) version, when the traffic layer told it."""
    shares = [env.traffic_share for env in traffic.environments if env.label != "Blue" and env.traffic_share is not None]
    return sum(shares) if shares else None


def verdict_words(traffic: BlueTraffic, *, fleet: bool = False) -> str:
    """The verdict as on-call reads it, e.g. ``Blue probably serving (not confirmed)``.

    ``fleet`` words it for an in-place deployment (the original fleet and its capacity). A
    ``partial`` verdict says how much production traffic is on the failed version when known.
    """
    if traffic.verdict in ("serving", "partial") and not confirmed(traffic):
        words = (_UNCONFIRMED_FLEET_WORDS if fleet else _UNCONFIRMED_WORDS)[traffic.verdict]
    else:
        words = (_IN_PLACE_WORDS if fleet else _WORDS).get(traffic.verdict, traffic.verdict)
    if traffic.verdict == "partial" and not fleet:
        share = share_on_failed_version(traffic)
        if share is not None:
            words += f": {share:g}% of production on the failed version"
    return words


def report_verdict_words(report: Report) -> str:
    """:func:`verdict_words` for a report (in-place deployments get the fleet's words)."""
    return verdict_words(report.blue_traffic, fleet=in_place(report))


def verdict_tone(traffic: BlueTraffic) -> Tone:
    """The verdict's tone: an unconfirmed all-clear is a warning."""
    tone = _TONES.get(traffic.verdict, "bad")
    if tone == "good" and not confirmed(traffic):
        return "warn"
    return tone
