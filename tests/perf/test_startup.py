"""``cd-doctor --help`` and ``--version`` start without importing boto3 or botocore (checked in a fresh process)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import sys
sys.argv = ["cd-doctor", *sys.argv[1:]]
from codedeploy_doctor.cli import main
try:
    main()
except SystemExit:
    pass
loaded = sorted(name for name in sys.modules if name.split(".")[0] in ("boto3", "botocore"))
sys.stderr.write("AWS-MODULES:" + ",".join(loaded) + "\\n")
"""


@pytest.mark.parametrize("argument", ["--help", "--version"])
def test_cheap_commands_do_not_import_boto3(argument: str) -> None:
    done = subprocess.run([sys.executable, "-c", PROBE, argument], capture_output=True, text=True, cwd=REPO, check=False)
    line = next((line for line in done.stderr.splitlines() if line.startswith("AWS-MODULES:")), None)
    assert line is not None, done.stderr
    assert line == "AWS-MODULES:", f"cd-doctor {argument} imported {line.removeprefix('AWS-MODULES:')}"
    assert done.stdout.strip(), f"cd-doctor {argument} printed nothing"
