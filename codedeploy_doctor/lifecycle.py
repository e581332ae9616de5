"""Lifecycle event order per compute platform, and what each event runs."""

from __future__ import annotations

from typing import Final

SERVER_ORDER: Final = (
    "BeforeBlockTraffic",
    "BlockTraffic",
    "AfterBlockTraffic",
    "ApplicationStop",
    "DownloadBundle",
    "BeforeInstall",
    "Install",
    "AfterInstall",
    "ApplicationStart",
    "ValidateService",
    "BeforeAllowTraffic",
    "AllowTraffic",
    "AfterAllowTraffic",
)
"""Server events in the order one in-place target meets them (with traffic control)."""

SERVER_BLUE_TRACK: Final = SERVER_ORDER[:3]
"""Events of a Blue (original) instance in a Server blue/green deployment."""

SERVER_GREEN_TRACK: Final = SERVER_ORDER[3:]
"""Events of a Green (replacement) instance in a Server blue/green deployment."""

SERVER_IN_PLACE_ORDER: Final = SERVER_ORDER[3:10]
"""Server in-place events without a load balancer (ApplicationStop to ValidateService)."""

ECS_ORDER: Final = (
    "BeforeInstall",
    "Install",
    "AfterInstall",
    "AllowTestTraffic",
    "AfterAllowTestTraffic",
    "BeforeAllowTraffic",
    "AllowTraffic",
    "AfterAllowTraffic",
)
"""ECS blue/green events in order."""

LAMBDA_ORDER: Final = ("BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic")
"""Lambda events in order."""

NO_SCRIPT_EVENTS: Final = frozenset({"DownloadBundle", "Install", "BlockTraffic", "AllowTraffic", "AllowTestTraffic"})
"""Events that run no user script: their failures are environmental."""

PREVIOUS_REVISION_EVENTS: Final = frozenset(
    {"ApplicationStop", "BeforeBlockTraffic", "AfterBlockTraffic", "BeforeELBRemove", "AfterELBRemove"}
)
"""Server events whose hooks the agent runs from the last revision that succeeded on the instance.

They run before this deployment's bundle is on the instance (its ``deployment-archive`` does not
exist yet), so the agent runs, and logs in the folder of, the last successful deployment.
"""

AGENT_EVENT_ALIASES: Final = {
    "BeforeELBRemove": "BeforeBlockTraffic",
    "AfterELBRemove": "AfterBlockTraffic",
    "BeforeELBAdd": "BeforeAllowTraffic",
    "AfterELBAdd": "AfterAllowTraffic",
}
"""Older names the agent still uses for some events in its messages."""


SERVER_BLUE_GREEN_ORDER: Final = SERVER_GREEN_TRACK + SERVER_BLUE_TRACK
"""Server blue/green in time: Green installs and takes traffic first, then Blue is blocked."""


def order_for(platform: str | None, deployment_type: str | None = None) -> tuple[str, ...]:
    """Return the lifecycle order for a compute platform (``Server`` when unknown) and deployment type."""
    if platform == "ECS":
        return ECS_ORDER
    if platform == "Lambda":
        return LAMBDA_ORDER
    if deployment_type == "BLUE_GREEN":
        return SERVER_BLUE_GREEN_ORDER
    return SERVER_ORDER


def event_rank(platform: str | None, event_name: str, deployment_type: str | None = None) -> int:
    """Position of ``event_name`` in the deployment's order; unknown events sort last."""
    order = order_for(platform, deployment_type)
    name = AGENT_EVENT_ALIASES.get(event_name, event_name)
    try:
        return order.index(name)
    except ValueError:
        return len(order)
