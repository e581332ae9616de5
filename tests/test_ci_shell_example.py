"""docs/ci.md's plain-shell example, run as written: stubs stand in for `aws` and for the live
call only (a replay runs the real cd-doctor), so its exit-code handling and its files are tested."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support import FIXTURES, REPO

STUB_CD_DOCTOR = textwrap.dedent(
    """\
    #!{python}
    # The live call is faked from a fixture ($FAKE_LIVE) or fails ($FAKE_LIVE=fail, exit 3);
    # anything else (--replay) is the real cd-doctor.
    import os, shutil, subprocess, sys
    args = sys.argv[1:]
    real = [{python!r}, "-m", "codedeploy_doctor"]
    if "--replay" in args:
        sys.exit(subprocess.call(real + args))
    live = os.environ["FAKE_LIVE"]
    if live == "fail":
        sys.stderr.write("cd-doctor: error: could not reach CodeDeploy\\n")
        sys.exit(3)
    record = args[args.index("--record") + 1]
    shutil.copyfile(live, record)
    sys.exit(subprocess.call(real + ["--replay", record]))
    """
)


def _script() -> str:
    text = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.S)
    (block,) = [b for b in blocks if "create-deployment" in b]
    return block


def _run(tmp_path: Path, live: str) -> tuple[int, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    aws = bin_dir / "aws"
    aws.write_text('#!/bin/sh\ncase "$2" in create-deployment) echo d-A1B2C3D4E ;; *) exit 255 ;; esac\n')
    stub = bin_dir / "cd-doctor"
    stub.write_text(STUB_CD_DOCTOR.format(python=sys.executable))
    pager = tmp_path / "page-oncall.sh"
    pager.write_text('#!/bin/sh\ncp "$1" paged.md\n')
    script = tmp_path / "deploy.sh"
    script.write_text(_script())
    for path in (aws, stub, pager, script):
        path.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "FAKE_LIVE": live,
        "CI_COMMIT_SHA": "abc123",
        "PYTHONPATH": str(REPO),
    }
    env.pop("GITHUB_ACTIONS", None)
    done = subprocess.run(["sh", "-e", str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout + done.stderr


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX shell")
def test_a_stale_snapshot_never_becomes_this_runs_report(tmp_path: Path) -> None:
    stale = json.loads((FIXTURES / "server-bluegreen-validateservice-green.json").read_text(encoding="utf-8"))
    (tmp_path / "cd-doctor-snapshot.json").write_text(json.dumps(stale), encoding="utf-8")
    (tmp_path / "cd-doctor-report.md").write_text("old report", encoding="utf-8")
    code, output = _run(tmp_path, "fail")
    assert code == 1
    assert "could not diagnose" in output
    assert not (tmp_path / "cd-doctor-report.md").exists()
    assert not (tmp_path / "paged.md").exists()


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX shell")
@pytest.mark.parametrize(
    ("fixture", "said", "paged"),
    [
        ("server-bluegreen-validateservice-green", "production (Blue) still serves", False),
        ("traffic-server-bg-lb-unreadable", "NOT confirmed serving: paging", True),
    ],
)
def test_the_live_exit_code_decides_and_the_ticket_report_is_written(
    tmp_path: Path, fixture: str, said: str, paged: bool
) -> None:
    code, output = _run(tmp_path, str(FIXTURES / f"{fixture}.json"))
    assert code == 1
    assert said in output
    report = (tmp_path / "cd-doctor-report.md").read_text(encoding="utf-8")
    deployment_id = json.loads((FIXTURES / f"{fixture}.json").read_text(encoding="utf-8"))["deployment"]["deploymentId"]
    assert deployment_id in report
    assert (tmp_path / "paged.md").exists() == paged
