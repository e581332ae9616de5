"""Help and docs cannot drift: the README's usage block is the real --help; every command has examples.

``UPDATE_DOCS=1 python -m pytest tests/test_help_docs.py`` rewrites the README's usage block
from the real ``cd-doctor diagnose --help`` (rendered with COLUMNS=100 and NO_COLOR=1); review
the diff like any other change.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
import yaml
from typer.testing import CliRunner

from codedeploy_doctor.cli import app
from tests.support import REPO

README = REPO / "README.md"
USAGE_HEADING = "## Usage"
COMMANDS = ("diagnose", "causes", "explain", "schema", "lint")
HELP_ENV = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}


def real_help(*command: str) -> str:
    """``cd-doctor ... --help`` exactly as a user gets it with COLUMNS=100 and NO_COLOR=1."""
    env = {**os.environ, **HELP_ENV}
    result = subprocess.run(
        [sys.executable, "-m", "codedeploy_doctor", *command, "--help"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def help_text(*command: str) -> str:
    result = CliRunner().invoke(app, [*command, "--help"], prog_name="cd-doctor", env=HELP_ENV)
    assert result.exit_code == 0, result.output
    return result.stdout


def usage_block(readme: str) -> tuple[int, int] | None:
    """Start and end offsets of the fenced block's body under '## Usage', or None."""
    heading = re.search(rf"^{re.escape(USAGE_HEADING)}\s*$", readme, re.M)
    if heading is None:
        return None
    opening = re.compile(r"^```text\n", re.M).search(readme, heading.end())
    next_heading = re.compile(r"^## ", re.M).search(readme, heading.end())
    if opening is None or (next_heading is not None and opening.start() > next_heading.start()):
        return None
    closing = re.compile(r"^```\s*$", re.M).search(readme, opening.end())
    assert closing is not None, "unclosed fence in the README's usage section"
    return opening.end(), closing.start()


def test_readme_usage_block_is_the_real_help() -> None:
    expected = real_help("diagnose")
    assert "```" not in expected
    readme = README.read_text(encoding="utf-8")
    span = usage_block(readme)
    if os.environ.get("UPDATE_DOCS"):
        if span is None:
            section = (
                f"{USAGE_HEADING}\n\nThe main command (`cd-doctor d-XXXXXXXXX` runs it), exactly as "
                "`cd-doctor diagnose --help` prints it:\n\n```text\n```\n\n"
            )
            anchor = readme.find("\n## ", readme.find("\n## ") + 1)
            readme = readme[: anchor + 1] + section + readme[anchor + 1 :] if anchor >= 0 else readme + "\n" + section
            span = usage_block(readme)
            assert span is not None
        readme = readme[: span[0]] + expected + readme[span[1] :]
        README.write_text(readme, encoding="utf-8")
        span = usage_block(readme)
    assert span is not None, f"README.md has no '{USAGE_HEADING}' section with a ```text block: run with UPDATE_DOCS=1"
    assert readme[span[0] : span[1]] == expected, "README usage block differs from --help: UPDATE_DOCS=1, then review"


def test_every_command_is_listed_here() -> None:
    registered = {command.name for command in app.registered_commands}
    assert registered == set(COMMANDS), "a command was added or removed: update COMMANDS, its help and the README"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_examples(command: str) -> None:
    text = help_text(command)
    assert "Examples:" in text
    invocation = "cd-doctor d-" if command == "diagnose" else f"cd-doctor {command}"
    assert invocation in text.split("Examples:", 1)[1]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_in_the_readme(command: str) -> None:
    readme = README.read_text(encoding="utf-8")
    invocation = "cd-doctor d-" if command == "diagnose" else f"cd-doctor {command}"
    assert invocation in readme


def test_main_help_lists_every_command_and_examples() -> None:
    text = help_text()
    assert "Examples:" in text
    for command in COMMANDS:
        assert re.search(rf"^\s+{command}\s", text, re.M), command


def test_ci_docs_examples_are_sound() -> None:
    doc = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```yaml\n(.*?)^```", doc, re.M | re.S)
    assert blocks, "docs/ci.md has no GitHub Actions example"
    workflow = yaml.safe_load(blocks[0])
    steps = next(iter(workflow["jobs"].values()))["steps"]
    doctor = [step for step in steps if "cd-doctor" in str(step.get("run", ""))]
    assert doctor and all("failure()" in str(step.get("if", "")) for step in doctor)
    assert workflow["permissions"]["id-token"] == "write"  # OIDC, no stored keys
    shell = re.findall(r"^```(?:sh|bash)\n(.*?)^```", doc, re.M | re.S)
    assert any("$?" in block or "status=" in block for block in shell), "no generic shell example using the exit code"
    for option in re.findall(r"cd-doctor[^\n]*?(--[a-z-]+)", doc):
        assert option in help_text("diagnose") + help_text(), f"docs/ci.md uses an unknown option {option}"


def test_snapshot_docs_cover_record_redact_and_replay() -> None:
    doc = (REPO / "docs" / "snapshot.md").read_text(encoding="utf-8")
    for needle in ("--record", "--replay", "--no-redact", "cd-doctor.snapshot/1"):
        assert needle in doc, needle
