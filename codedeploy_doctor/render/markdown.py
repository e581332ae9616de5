"""The Markdown report, for incident tickets and CI job summaries (placeholder until issue 5)."""

from __future__ import annotations

from codedeploy_doctor.render import RenderOptions
from codedeploy_doctor.report import Report


def render(report: Report, options: RenderOptions) -> str:
    """Render the report as Markdown."""
    from codedeploy_doctor.render import text

    body = text.render(report, RenderOptions(color=False, width=options.width, policy=options.policy))
    fence = "~~~~"
    return f"# cd-doctor: {report.deployment.id}\n\n{fence}text\n{body.replace(fence, '~ ~ ~ ~')}{fence}\n"
