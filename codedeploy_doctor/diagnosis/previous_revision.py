"""Hooks that run the previous revision's scripts: what on-call must know before acting on a cause.

ApplicationStop, BeforeBlockTraffic and AfterBlockTraffic run before this deployment's bundle
is on the instance, so the agent runs them from the last revision that deployed successfully
there, and writes their output to that deployment's ``logs/scripts.log``. A fix in the new
bundle cannot help until a deployment gets past the event; ignoring the failures once
(``--ignore-application-stop-failures``) or fixing the script on the instance can.
"""

from __future__ import annotations

import re

from codedeploy_doctor.lifecycle import PREVIOUS_REVISION_EVENTS
from codedeploy_doctor.report import LifecycleEventFailure

CAUSE_ID = "application-stop-previous-revision-failed"
"""The catalog record that explains this and lists the ways past it."""

_ARCHIVE_PATH = re.compile(r"deployment-root[/\\][0-9a-fA-F-]{36}[/\\](?P<deployment>d-[A-Z0-9]{9})[/\\]")


def runs_previous_revision(failure: LifecycleEventFailure | None) -> bool:
    """Tell whether the failed hook ran the previous revision's script (instance targets only).

    Only a Failed event ran a script: a Pending, Skipped or Unknown one says nothing about it.
    """
    return (
        failure is not None
        and failure.status == "Failed"
        and failure.target_type in (None, "InstanceTarget")
        and failure.lifecycle_event in PREVIOUS_REVISION_EVENTS
    )


def previous_deployment_id(failure: LifecycleEventFailure, current_deployment_id: str) -> str | None:
    """The deployment whose scripts ran, when the log tail or message shows its folder."""
    for text in (failure.log_tail, failure.message):
        for found in _ARCHIVE_PATH.finditer(text or ""):
            if found["deployment"] != current_deployment_id:
                return found["deployment"]
    return None


def previous_revision_note(failure: LifecycleEventFailure | None, current_deployment_id: str, *, explain: bool) -> str | None:
    """One note for the report when the failed hook is the previous revision's, else None."""
    if failure is None or not runs_previous_revision(failure):
        return None
    previous = previous_deployment_id(failure, current_deployment_id)
    source = f" ({previous}'s bundle, per the log tail)" if previous else ""
    event, target = failure.lifecycle_event, failure.target_id
    ran = f"{event} ran the script of the last revision that deployed successfully on {target}{source}"
    if failure.target_label == "Blue":
        # A Blue instance never receives the new bundle: its old scripts are all it will ever run.
        note = (
            f"{ran}: a Blue instance never receives this deployment's bundle, so fix that script on the instance "
            "(or redeploy with --ignore-application-stop-failures)."
        )
    else:
        note = (
            f"{ran}, not this deployment's: a fix in the new bundle does not take effect until a deployment gets "
            "past this event. To get past it, redeploy with --ignore-application-stop-failures or fix the script "
            "on the instance."
        )
    if explain:
        note += f" See: cd-doctor explain {CAUSE_ID}"
    return note
