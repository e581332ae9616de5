"""``cd-doctor lint PATH``: the bundle checks, offline, before ``create-deployment``.

PATH is a bundle directory, a zip, a tar or tgz, or an AppSpec file alone (then only the AppSpec
file itself is checked). Exit 0 when nothing was found, 1 on any finding, 2 when PATH cannot be
read as a bundle. See docs/lint.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from codedeploy_doctor.bundle.checks import check_bundle
from codedeploy_doctor.bundle.local import load_bundle
from codedeploy_doctor.bundle.model import Bundle, BundleFormatError, Finding
from codedeploy_doctor.errors import BadInputError
from codedeploy_doctor.sanitize import clean

LINT_FORMAT: Final = "cd-doctor.lint/1"
"""The ``format`` value of ``cd-doctor lint --format json``."""

EXIT_CLEAN: Final = 0
EXIT_FINDINGS: Final = 1


@dataclass(frozen=True)
class LintResult:
    """What ``cd-doctor lint`` found in one bundle."""

    bundle: Bundle
    findings: tuple[Finding, ...]
    scripts: int
    """Hook scripts the AppSpec file names."""

    @property
    def exit_code(self) -> int:
        """0 clean, 1 with findings."""
        return EXIT_FINDINGS if self.findings else EXIT_CLEAN

    def notes(self) -> list[str]:
        """What could not be checked."""
        notes: list[str] = []
        if not self.bundle.entries:
            notes.append(
                "only the AppSpec file was checked: pass the bundle directory or archive to check its scripts and files too"
            )
        elif not self.bundle.complete:
            notes.append("the bundle was listed in part: files not listed are not reported missing")
        return notes


def lint_path(path: Path) -> LintResult:
    """Read and check one bundle; an unreadable PATH is a :class:`BadInputError` (exit 2)."""
    try:
        bundle = load_bundle(path)
    except BundleFormatError as exc:
        raise BadInputError(str(exc), tip="pass a bundle directory, .zip, .tar, .tgz or appspec.yml") from None
    except OSError as exc:
        raise BadInputError(f"cannot read {path}: {exc.strerror or exc}") from None
    spec, findings = check_bundle(bundle)
    order = {"error": 0, "warning": 1}
    ordered = sorted(findings, key=lambda f: (order[f.severity], f.file, f.line or 0, f.check))
    return LintResult(bundle, tuple(ordered), len(spec.scripts()) if spec else 0)


def render_text(result: LintResult) -> str:
    """One line per finding (``file:line: severity: check: message``), then a summary line."""
    lines = []
    for finding in result.findings:
        cause = f" [cause: {finding.cause}]" if finding.cause else ""
        lines.append(f"{clean(finding.where())}: {finding.severity}: {finding.check}: {clean(finding.message)}{cause}")
    lines.extend(f"note: {note}" for note in result.notes())
    errors = sum(1 for finding in result.findings if finding.severity == "error")
    warnings = len(result.findings) - errors
    name = clean(result.bundle.name)
    files = sum(1 for entry in result.bundle.entries.values() if not entry.is_dir)
    if result.findings:
        lines.append(f"{name}: {errors} error(s), {warnings} warning(s)")
    else:
        appspec = result.bundle.appspec_path or "no appspec"
        lines.append(f"{name}: no findings ({appspec}, {result.scripts} hook script(s), {files} file(s))")
    return "\n".join(lines) + "\n"


def _cleaned(data: dict[str, object]) -> dict[str, object]:
    return {key: clean(value) if isinstance(value, str) else value for key, value in data.items()}


def render_json(result: LintResult) -> str:
    """The findings as JSON (``format`` ``cd-doctor.lint/1``)."""
    document = {
        "format": LINT_FORMAT,
        "bundle": clean(result.bundle.name),
        "appspec": result.bundle.appspec_path,
        "complete": result.bundle.complete,
        "findings": [_cleaned(finding.to_json()) for finding in result.findings],
        "counts": {
            "error": sum(1 for finding in result.findings if finding.severity == "error"),
            "warning": sum(1 for finding in result.findings if finding.severity == "warning"),
        },
        "notes": result.notes(),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
