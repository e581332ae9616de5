"""Usage errors: one line, exit 2, annotated on GitHub Actions; the annotation names the cause."""

from __future__ import annotations

import pytest

from codedeploy_doctor.cli import main
from tests.scenarios import _report


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--replay"], "cd-doctor: error: Option '--replay' requires an argument. (see 'cd-doctor --help')"),
        (["d-A1B2C3D4E", "--frobnicate"], "cd-doctor: error: No such option: --frobnicate"),
        (["--replay", "x.json", "--format", "yaml"], "cd-doctor: error: Invalid value for '--format'"),
        (["explain"], "cd-doctor: error: Missing argument 'cause_id'. (see 'cd-doctor explain --help')"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(args: list[str], expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(args)
    assert done.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.startswith(expected), err
    assert "Traceback" not in err and "Usage:" not in err


def test_usage_errors_are_annotated_on_github_actions(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    with pytest.raises(SystemExit) as done:
        main(["d-A1B2C3D4E", "--timeout", "30m"])
    assert done.value.code == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("cd-doctor: error: Invalid value for '--timeout'")
    assert len(lines) == 2 and lines[1].startswith("::error title=cd-doctor could not diagnose::Invalid value")


def test_the_annotation_names_the_cause_to_explain() -> None:
    from codedeploy_doctor.render.ci_summary import failure_annotations
    from codedeploy_doctor.sanitize import TextPolicy

    report = _report("server-bluegreen-validateservice-green")
    (annotation,) = failure_annotations(report, TextPolicy())
    assert f"run 'cd-doctor explain {report.causes[0].id}'" in annotation
    assert "<cause-id>" not in annotation
