"""Placeholder until the traffic verdict lands (issue 4): every verdict is unknown."""

from codedeploy_doctor.report import BlueTraffic
from codedeploy_doctor.snapshot import Snapshot


def assess_blue_traffic(snapshot: Snapshot) -> BlueTraffic:
    """Placeholder verdict."""
    return BlueTraffic(verdict="unknown", summary="not assessed yet", basis="codedeploy-only")
