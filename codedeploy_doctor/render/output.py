"""Where a report goes: --output FILE, or stdout (which carries the report and nothing else)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from codedeploy_doctor.errors import BadInputError


def write_output(text: str, output: Path | None) -> None:
    """Write the report to --output or stdout (stdout carries the report and nothing else)."""
    if output is None:
        # A terminal or pipe that is not UTF-8 (latin-1, cp1252) still gets the report, with '?' for
        # what it cannot show, rather than an encoding error and no report.
        reconfigure = getattr(sys.stdout, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            # The reader left early (`| head`): stop writing quietly; the exit code still tells the verdict.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BadInputError(f"cannot write {output}: {exc.strerror or exc}") from exc
