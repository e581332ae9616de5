"""Renderers: a report in, text out. One module per format behind one signature."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from codedeploy_doctor.report import Report
from codedeploy_doctor.sanitize import TextPolicy, single_line_fields


class OutputFormat(str, Enum):
    """Values of ``--format``."""

    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"


@dataclass(frozen=True)
class RenderOptions:
    """How to render: colour, width and the untrusted-text policy."""

    color: bool = False
    """Use colour (only on a terminal, never with NO_COLOR or --no-color)."""
    width: int = 100
    """Columns for the text report."""
    policy: TextPolicy = field(default_factory=TextPolicy)
    """Cleans (and redacts) every untrusted string."""


MAX_MEMBERS_SHOWN = 10
"""Members (instances, task sets) listed per environment in text and Markdown; JSON lists all."""


Renderer = Callable[[Report, RenderOptions], str]
"""Turns a report into the text of one format."""


def renderer_for(output_format: OutputFormat) -> Renderer:
    """The renderer for a format; the mapping is exhaustive (a test checks every enum value)."""
    from codedeploy_doctor.render import json_report, markdown, text

    renderers: dict[OutputFormat, Renderer] = {
        OutputFormat.TEXT: text.render,
        OutputFormat.JSON: json_report.render,
        OutputFormat.MARKDOWN: markdown.render,
    }
    render = renderers[output_format]

    def render_single_line_fields(report: Report, options: RenderOptions) -> str:
        # Every format gets names, ids and statuses without line breaks (sanitize.single_line_fields).
        return render(single_line_fields(report), options)

    return render_single_line_fields
