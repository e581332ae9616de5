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
    """The list's title, its entries (already cleaned) and the top cause's own pointer."""

    title: str
    """``Where to look`` or ``Where to look on i-...``."""
    entries: tuple[str, ...]
    """One line each: a file on the instance, a log group, a command (data, not markup)."""
    pointer: str | None = None
    """The top cause's "where" (catalog prose: its `backtick` spans are code), listed last."""

    @property
    def empty(self) -> bool:
        """Tell whether there is nothing to list."""
        return not self.entries and self.pointer is None


def windows_target(report: Report) -> bool:
    """Tell whether the failed instance runs Windows (as its log paths or the checks show)."""
    failure = report.first_failure
    if failure and (failure.script_name or "").lower().endswith((".ps1", ".bat", ".cmd")):
        return True
    texts = [failure.log_tail or "", failure.message or ""] if failure else []
    texts += [check.detail for check in report.blue_traffic.checks]
    return any("C:\\ProgramData\\Amazon\\CodeDeploy" in text or "platform windows" in text.lower() for text in texts)


def classic_load_balancer(report: Report) -> bool:
    """Tell whether the traffic layer read was a Classic Load Balancer."""
    return any(check.source.startswith("elb:") for check in report.blue_traffic.checks)


_CLASSIC_NAME = re.compile(r"\bin ([A-Za-z0-9-]{1,32})\b")
_ELBV2_HEALTH = re.compile(r"aws elbv2 describe-target-health(?: --target-group-arns? <arn>)?")
_ELBV2_GROUPS = re.compile(r"aws elbv2 describe-target-groups(?: --target-group-arns? <arn>| --names <tg>)?")
WINDOWS_ROOT = "C:\\ProgramData\\Amazon\\CodeDeploy"
"""Where the agent keeps its files on Windows (``/opt/codedeploy-agent/deployment-root`` elsewhere)."""

_WINDOWS_PATHS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (
        re.compile(r"/opt/codedeploy-agent/deployment-root/deployment-logs/codedeploy-agent-deployments\.log"),
        lambda _: f"{WINDOWS_ROOT}\\deployment-logs\\codedeploy-agent-deployments.log",
    ),
    (
        re.compile(r"/var/log/aws/codedeploy-agent/codedeploy-agent\.log"),
        lambda _: f"{WINDOWS_ROOT}\\log\\codedeploy-agent-log.txt",
    ),
    (
        re.compile(r"/opt/codedeploy-agent/deployment-root/([^/\s]+)/([^/\s]+)/logs/scripts\.log"),
        lambda m: f"{WINDOWS_ROOT}\\{m.group(1)}\\{m.group(2)}\\logs\\scripts.log",
    ),
)


def classic_name(report: Report) -> str | None:
    """The Classic Load Balancer's name, as its health check names it."""
    for check in report.blue_traffic.checks:
        if check.source.startswith("elb:"):
            match = _CLASSIC_NAME.search(check.detail)
            if match:
                return match.group(1)
    return None


def fitted(report: Report, advice: str) -> str:
    """Catalog advice fitted to the case: Classic Load Balancer commands for a Classic one, Windows paths for Windows."""
    if classic_load_balancer(report):
        name = classic_name(report) or "<name>"
        advice = _ELBV2_HEALTH.sub(f"aws elb describe-instance-health --load-balancer-name {name}", advice)
        advice = _ELBV2_GROUPS.sub(f"aws elb describe-load-balancers --load-balancer-names {name}", advice)
    if windows_target(report):
        for pattern, replacement in _WINDOWS_PATHS:
            advice = pattern.sub(replacement, advice)
    else:
        advice = _WINDOWS_ASIDE.sub("", advice)
    return advice


def where_to_look(report: Report, safe: Callable[[str | None], str]) -> Places:
    """The one list of places to look next for this report."""
    failure = report.first_failure
    if failure is None:
        pointer = _cause_pointer(report, [], safe)
        return Places("Where to look", (), pointer)
    entries = [safe(location) for location in report.log_locations]
    if failure.lifecycle_event in NO_SCRIPT_EVENTS and failure.target_type in (None, "InstanceTarget"):
        entries = [entry for entry in entries if not any(log in entry for log in _SCRIPT_LOGS)]
    if failure.lifecycle_event in TRAFFIC_EVENTS and failure.target_type in (None, "InstanceTarget"):
        target = safe(failure.target_id)
        if classic_load_balancer(report):
            name = classic_name(report) or "<name>"
            entries.insert(0, f"aws elb describe-instance-health --load-balancer-name {name} --instances {target}")
        else:
            entries.insert(0, f"aws elbv2 describe-target-health --target-group-arn <target group ARN> (look for {target})")
    pointer = _cause_pointer(report, entries, safe)
    entries = [fitted(report, entry) for entry in entries]
    prefix = f"{safe(failure.target_id)}: "
    title = "Where to look"
    if len(entries) > 1 and pointer is None and all(entry.startswith(prefix) for entry in entries):
        entries = [entry[len(prefix) :] for entry in entries]
        title = f"Where to look on {safe(failure.target_id)}"
    return Places(title, tuple(entries), pointer)


def _cause_pointer(report: Report, entries: list[str], safe: Callable[[str | None], str]) -> str | None:
    """The top cause's own "where", unless it only names files already listed."""
    if not report.causes or not report.causes[0].where:
        return None
    pointer = safe(report.causes[0].where)
    listed = " ".join(entries)
    paths = _PATH.findall(pointer)
    if (paths and all(path in listed for path in paths)) or pointer in entries:
        return None
    if "describe-target-health" in pointer and "describe-" in listed:
        return None  # the health command for this load balancer is listed already
    return fitted(report, pointer)
