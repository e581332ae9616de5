"""One "where to look" list: the files and commands worth opening next, fitted to the case.

It merges the report's log locations with the top cause's own pointer (unless that names a file
already listed), drops script logs for events that run no script (DownloadBundle, Install,
BlockTraffic, AllowTraffic), where the load balancer's view of the instance says more, and
drops Windows paths unless the instance runs Windows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from codedeploy_doctor.lifecycle import NO_SCRIPT_EVENTS
from codedeploy_doctor.report import Report

TRAFFIC_EVENTS = frozenset({"BlockTraffic", "AllowTraffic", "AllowTestTraffic"})
"""Events run by CodeDeploy against the load balancer, not by a script on the instance."""

_WINDOWS_ASIDE = re.compile(r"\s*\(Windows: [^)]*\)")
_PATH = re.compile(r"(?<![\w:])/[\w.@+-]+(?:/[\w.@+<>-]+)+")
_SCRIPT_LOGS = ("/logs/scripts.log", "codedeploy-agent-deployments.log")


@dataclass(frozen=True)
class Places:
    """The list's title and its entries (already cleaned)."""

    title: str
    """``Where to look`` or ``Where to look on i-...``."""
    entries: tuple[str, ...]
    """One line each: a file on the instance, a log group, a command."""


def windows_target(report: Report) -> bool:
    """Tell whether the failed instance runs Windows (as its log paths or the checks show)."""
    failure = report.first_failure
    texts = [failure.log_tail or "", failure.message or ""] if failure else []
    texts += [check.detail for check in report.blue_traffic.checks]
    return any("C:\\ProgramData\\Amazon\\CodeDeploy" in text or "platform windows" in text.lower() for text in texts)


def classic_load_balancer(report: Report) -> bool:
    """Tell whether the traffic layer read was a Classic Load Balancer."""
    return any(check.source.startswith("elb:") for check in report.blue_traffic.checks)


def where_to_look(report: Report, safe: Callable[[str | None], str]) -> Places:
    """The one list of places to look next for this report."""
    failure = report.first_failure
    if failure is None:
        return Places("Where to look", ())
    entries = [safe(location) for location in report.log_locations]
    if failure.lifecycle_event in NO_SCRIPT_EVENTS and failure.target_type in (None, "InstanceTarget"):
        entries = [entry for entry in entries if not any(log in entry for log in _SCRIPT_LOGS)]
    if failure.lifecycle_event in TRAFFIC_EVENTS and failure.target_type in (None, "InstanceTarget"):
        target = safe(failure.target_id)
        if classic_load_balancer(report):
            entries.insert(0, f"aws elb describe-instance-health --load-balancer-name <name> --instances {target}")
        else:
            entries.insert(0, f"aws elbv2 describe-target-health --target-group-arn <target group ARN> (look for {target})")
    pointer = _cause_pointer(report, entries, safe)
    if not windows_target(report):
        entries = [_WINDOWS_ASIDE.sub("", entry) for entry in entries]
    prefix = f"{safe(failure.target_id)}: "
    title = "Where to look"
    if len(entries) > 1 and all(entry.startswith(prefix) for entry in entries):
        entries = [entry[len(prefix) :] for entry in entries]
        title = f"Where to look on {safe(failure.target_id)}"
    return Places(title, (*entries, *([pointer] if pointer else [])))


def _cause_pointer(report: Report, entries: list[str], safe: Callable[[str | None], str]) -> str | None:
    """The top cause's own "where", unless it only names files already listed."""
    if not report.causes or not report.causes[0].where:
        return None
    pointer = safe(report.causes[0].where)
    if not windows_target(report):
        pointer = _WINDOWS_ASIDE.sub("", pointer)
    listed = " ".join(entries)
    paths = _PATH.findall(pointer)
    if (paths and all(path in listed for path in paths)) or pointer in entries:
        return None
    return pointer
