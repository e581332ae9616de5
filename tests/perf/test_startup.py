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


PYDANTIC_PROBE = IMPORT_PROBE.replace('("boto3", "botocore")', '("pydantic", "pydantic_core")')


@pytest.mark.parametrize(
    "arguments",
    [["--help"], ["--replay", str(FLAGSHIP), "--format", "json", "--timeout", "30", "--no-color"]],
    ids=["help", "replay"],
)
def test_typer_converts_plain_options_without_pydantic(arguments: list[str]) -> None:
    """pydantic costs about 80 ms of start-up; well-formed plain options never need it (cli_coercion)."""
    done = subprocess.run(
        [sys.executable, "-c", PYDANTIC_PROBE, *arguments], capture_output=True, text=True, cwd=REPO, check=False
    )
    line = next((line for line in done.stderr.splitlines() if line.startswith("AWS-MODULES:")), None)
    assert line == "AWS-MODULES:", f"cd-doctor {' '.join(arguments)} imported {line}"


@pytest.mark.parametrize(
    ("annotation", "value"),
    [
        (float, "12"),
        (float, "1.5e3"),
        (float, "-0.25"),
        (Path, "out/report.json"),
        (str, "d-A1B2C3D4E"),
        (list[Path], ("a", "b")),
    ],
)
def test_plain_values_convert_as_pydantic_converts_them(annotation: object, value: object) -> None:
    from pydantic import TypeAdapter

    from codedeploy_doctor.cli_coercion import _plain

    assert _plain(annotation, value) == TypeAdapter(annotation).validate_python(value)


@pytest.mark.parametrize(("annotation", "value"), [(float, "abc"), (float, " 12"), (float, "inf"), (Path, "")])
def test_other_values_are_left_to_typer(annotation: object, value: object) -> None:
    from codedeploy_doctor.cli_coercion import _NotPlain, _plain

    with pytest.raises(_NotPlain):
        _plain(annotation, value)
