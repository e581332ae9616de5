"""Commands that need no AWS start without importing boto3 or botocore (checked in a fresh process)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.bench import IMPORT_PROBE

REPO = Path(__file__).resolve().parents[2]
FLAGSHIP = REPO / "fixtures" / "server-bluegreen-validateservice-green.json"


@pytest.mark.parametrize(
    "arguments",
    [["--help"], ["--version"], ["--replay", str(FLAGSHIP), "--format", "json"]],
    ids=["help", "version", "replay"],
)
def test_commands_that_need_no_aws_do_not_import_boto3(arguments: list[str]) -> None:
    """--help and --version start fast; --replay makes no AWS call by construction (the AWS layer is never loaded)."""
    done = subprocess.run([sys.executable, "-c", IMPORT_PROBE, *arguments], capture_output=True, text=True, cwd=REPO, check=False)
    line = next((line for line in done.stderr.splitlines() if line.startswith("AWS-MODULES:")), None)
    assert line is not None, done.stderr
    assert line == "AWS-MODULES:", f"cd-doctor {' '.join(arguments)} imported {line.removeprefix('AWS-MODULES:')}"
    assert done.stdout.strip(), f"cd-doctor {' '.join(arguments)} printed nothing"
