"""The composite GitHub Action (action.yml), run step by step as the runner would run it.

The runner's composite-action semantics are emulated just enough for this action: ``${{ inputs.x }}``
and ``${{ github.action_path }}`` in ``env:`` values, ``if: inputs.x == 'y'`` conditions, bash run
as ``bash --noprofile --norc -eo pipefail``, and the GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and
GITHUB_PATH files. The install step needs a package index, so the tests run with
``install: 'false'`` and the cd-doctor of this checkout on PATH (its script is syntax-checked).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support import FIXTURES, REPO

ACTION = REPO / "action.yml"
FLAGSHIP = FIXTURES / "server-bluegreen-validateservice-green.json"
_EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


def action() -> dict[str, Any]:
    loaded = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


@dataclass
class Run:
    """What running the action's steps left behind."""

    code: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str
    ran: list[str]


def evaluate(expression: str, inputs: dict[str, str], outputs: dict[str, dict[str, str]]) -> str:
    """The few expressions the action uses: inputs.x, github.action_path, steps.x.outputs.y."""
    if expression.startswith("inputs."):
        return inputs[expression[len("inputs.") :]]
    if expression == "github.action_path":
        return str(REPO)
    match = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression)
    if match:
        return outputs.get(match[1], {}).get(match[2], "")
    raise AssertionError(f"expression not emulated: {expression}")


def condition(text: str | None, inputs: dict[str, str]) -> bool:
    if text is None:
        return True
    match = re.fullmatch(r"inputs\.([\w-]+) == '([^']*)'", text.strip())
    assert match, f"condition not emulated: {text}"
    return inputs[match[1]] == match[2]


def read_outputs(path: Path) -> dict[str, str]:
    pairs = [line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines() if "=" in line]
    return {key: value for key, value in pairs}


def run_action(tmp_path: Path, path_dirs: list[Path] | None = None, **given: str) -> Run:
    spec = action()
    inputs = {name: str(item.get("default", "")) for name, item in spec["inputs"].items()}
    for key, value in given.items():
        name = key.replace("_", "-")
        assert name in inputs, f"no input {name}"
        inputs[name] = value
    temp = tmp_path / "runner-temp"
    temp.mkdir(parents=True)
    summary = tmp_path / "summary.md"
    summary.touch()
    step_outputs: dict[str, dict[str, str]] = {}
    path = os.pathsep.join([*(str(d) for d in path_dirs or []), str(Path(sys.executable).parent), os.environ["PATH"]])
    base_env = {
        "PATH": path,
        "HOME": str(tmp_path),
        "RUNNER_TEMP": str(temp),
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_PATH": str(tmp_path / "github-path"),
        "GITHUB_ACTION_PATH": str(REPO),
        "NO_COLOR": "1",
        "COLUMNS": "100",
    }
    code, stdout, stderr, ran = 0, "", "", []
    for number, step in enumerate(spec["runs"]["steps"]):
        if not condition(step.get("if"), inputs):
            continue
        ran.append(step.get("id", step["name"]))
        output_file = tmp_path / f"output-{number}"
        output_file.touch()
        env = {**base_env, "GITHUB_OUTPUT": str(output_file)}
        for name, value in (step.get("env") or {}).items():
            env[name] = _EXPRESSION.sub(lambda m: evaluate(m[1], inputs, step_outputs), str(value))
        assert step["shell"] == "bash"
        script = tmp_path / f"step-{number}.sh"
        script.write_text(step["run"], encoding="utf-8")
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
            check=False,
        )
        stdout, stderr = stdout + done.stdout, stderr + done.stderr
        if "id" in step:
            step_outputs[step["id"]] = read_outputs(output_file)
        if done.returncode != 0:
            code = done.returncode
            break
    outputs = {
        name: _EXPRESSION.sub(lambda m: evaluate(m[1], inputs, step_outputs), str(item["value"]))
        for name, item in spec["outputs"].items()
    }
    return Run(code, stdout, stderr, outputs, summary.read_text(encoding="utf-8"), ran)


def test_the_action_is_a_composite_action_with_documented_inputs_and_outputs() -> None:
    spec = action()
    assert spec["runs"]["using"] == "composite"
    assert all("description" in item for item in (*spec["inputs"].values(), *spec["outputs"].values()))
    for step in spec["runs"]["steps"]:
        # Inputs reach the scripts through env only: nothing is pasted into a script.
        assert "${{" not in step["run"], step["name"]


def test_the_install_step_is_valid_bash() -> None:
    install = next(step for step in action()["runs"]["steps"] if "install" in step.get("if", ""))
    done = subprocess.run(["bash", "-n"], input=install["run"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert '"$GITHUB_ACTION_PATH"' in install["run"]


def test_a_replay_prints_the_report_writes_the_summary_and_annotates(tmp_path: Path) -> None:
    run = run_action(tmp_path, install="false", replay=str(FLAGSHIP))
    assert run.ran == ["diagnose"]
    assert run.code == 1  # fail-on: failure mirrors the CLI
    assert run.stdout.startswith("✗ d-4HQ8N2ZRT FAILED")
    assert "## ❌ cd-doctor: deployment `d-4HQ8N2ZRT` Failed" in run.summary
    assert run.summary.count("## ❌ cd-doctor") == 1, "the JSON replay adds no second summary"
    assert run.stderr.count("::error title=CodeDeploy d-4HQ8N2ZRT Failed") == 1
    assert run.outputs["exit-code"] == "1" and run.outputs["verdict"] == "serving" and run.outputs["page"] == "false"
    assert run.outputs["snapshot"] == str(FLAGSHIP)
    assert Path(run.outputs["report"]).is_file()


def test_fail_on_page_fails_only_when_production_is_at_risk(tmp_path: Path) -> None:
    safe = run_action(tmp_path / "a", install="false", replay=str(FLAGSHIP), fail_on="page")
    assert safe.code == 0 and safe.outputs["exit-code"] == "1"
    risky = run_action(tmp_path / "b", install="false", replay=str(FIXTURES / "ecs-half-shifted.json"), fail_on="page")
    assert risky.code == 4 and risky.outputs["page"] == "true" and risky.outputs["verdict"] == "partial"
    never = run_action(tmp_path / "c", install="false", replay=str(FIXTURES / "ecs-half-shifted.json"), fail_on="never")
    assert never.code == 0 and never.outputs["exit-code"] == "4"


def test_nothing_to_diagnose_is_exit_2_with_an_annotation(tmp_path: Path) -> None:
    run = run_action(tmp_path, install="false")
    assert run.code == 2 and "::error title=cd-doctor::give deployment-id" in run.stdout
    assert run.outputs["exit-code"] == "2"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"deployment_id": "d-A1B2C3D4E", "region": "eu-west-1"}, ["d-A1B2C3D4E", "--region", "eu-west-1", "--record"]),
        (
            {"application": "shop-web", "deployment_group": "prod", "record": ""},
            ["--latest", "--application", "shop-web", "--deployment-group", "prod", "--only-failed"],
        ),
    ],
)
def test_a_live_run_passes_the_inputs_as_arguments(tmp_path: Path, given: dict[str, str], expected: list[str]) -> None:
    """The live path, with a stand-in cd-doctor that records its arguments (no AWS in tests)."""
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    calls = tmp_path / "calls"
    fake = fake_bin / "cd-doctor"
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{calls}"\nexit 3\n', encoding="utf-8")
    fake.chmod(0o755)
    assert shutil.which("cd-doctor", path=str(fake_bin)) == str(fake)
    run = run_action(tmp_path, path_dirs=[fake_bin], install="false", **given)
    assert run.code == 3 and run.outputs["exit-code"] == "3" and run.outputs["verdict"] == ""
    first = calls.read_text(encoding="utf-8").splitlines()
    assert len(first) == 1, "no replay when nothing could be diagnosed"
    words = first[0].split()
    assert words[: len(expected)] == expected


def test_the_ci_docs_show_the_action_with_oidc_credentials() -> None:
    doc = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks = [yaml.safe_load(block) for block in re.findall(r"^```yaml\n(.*?)^```", doc, re.M | re.S)]
    workflows = [block for block in blocks if isinstance(block, dict) and "jobs" in block]
    using = [
        (workflow, step)
        for workflow in workflows
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if "cd-doctor" in str(step.get("uses", ""))
    ]
    assert using, "docs/ci.md shows no workflow that uses the action"
    workflow, step = using[0]
    assert workflow["permissions"]["id-token"] == "write"
    assert "failure()" in str(step.get("if", ""))
    assert set(step.get("with", {})) <= set(action()["inputs"])
