"""``-q/--quiet``: the report as one line, for chat messages and pager alerts.

``d-4HQ8N2ZRT Failed: Blue still serving; ValidateService failed on i-02f6e9b4d8a1c3e57 (Green,
ScriptFailed); likely cause validate-service-health-check-failed``. The exit code is the same as
with the full report.
"""

from __future__ import annotations

from codedeploy_doctor.render import RenderOptions
from codedeploy_doctor.render.verdict import report_verdict_words
from codedeploy_doctor.report import Report


def render(report: Report, options: RenderOptions) -> str:
    """Render the report as one line (and its newline)."""
    safe = options.policy
    summary = report.deployment
    parts = [f"{safe(summary.id)} {safe(summary.status) or 'Unknown'}: {report_verdict_words(report)}"]
    failure = report.first_failure
    if failure is not None:
        verb = "failed" if failure.status == "Failed" else f"did not succeed ({safe(failure.status)})"
        details = ", ".join(safe(part) for part in (failure.target_label, failure.error_code) if part)
        parts.append(
            f"{safe(failure.lifecycle_event)} {verb} on {safe(failure.target_id)}" + (f" ({details})" if details else "")
        )
    if report.causes:
        parts.append(f"likely cause {safe(report.causes[0].id)}")
    return " ".join("; ".join(parts).split()) + "\n"
