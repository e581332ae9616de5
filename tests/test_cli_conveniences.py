"""What users of gh, the AWS CLI and terraform expect: stdin/stdout as '-', any-case formats, one-line
output, completion, FORCE_COLOR, a team catalog from the environment, ids as ARNs or console URLs,
"did you mean", and error lines with one full stop before the tip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codedeploy_doctor.catalog.records import CATALOG_FORMAT
from codedeploy_doctor.cli import app, main
from codedeploy_doctor.deployment_ref import parse_deployment_ref
from codedeploy_doctor.errors import BadInputError
from tests.support import FIXTURES

runner = CliRunner()
FLAGSHIP = FIXTURES / "server-bluegreen-validateservice-green.json"


def invoke(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), prog_name="cd-doctor", input=stdin, env=env)
    return result.exit_code, result.stdout, result.stderr


def test_replay_dash_reads_the_snapshot_from_stdin() -> None:
    code, out, err = invoke("--replay", "-", "-f", "json", stdin=FLAGSHIP.read_bytes())
    assert code == 1, err
    assert json.loads(out)["deployment"]["id"] == "d-4HQ8N2ZRT"


def test_replay_dash_with_bad_json_names_stdin_not_a_temporary_file() -> None:
    code, out, err = invoke("--replay", "-", stdin=b"{nope")
    assert code == 2 and out == ""
    assert err.startswith("cd-doctor: error: standard input: invalid JSON") and "/tmp" not in err


def test_output_dash_is_stdout() -> None:
    code, out, _ = invoke("--replay", str(FLAGSHIP), "-f", "json", "-o", "-")
    assert code == 1 and json.loads(out)["schemaVersion"] == 1
    assert not Path("-").exists()


@pytest.mark.parametrize("spelling", ["JSON", "Json", "json"])
def test_format_accepts_any_case(spelling: str) -> None:
    code, out, _ = invoke("--replay", str(FLAGSHIP), "--format", spelling)
    assert code == 1 and json.loads(out)["deployment"]["id"] == "d-4HQ8N2ZRT"


def test_quiet_prints_one_line_with_the_verdict_the_failure_and_the_cause() -> None:
    code, out, _ = invoke("--replay", str(FIXTURES / "ecs-half-shifted.json"), "-q")
    assert code == 4
    assert out.count("\n") == 1
    assert out.startswith("d-0EUW7H2KC Failed: Blue partly serving: 50% of production on the failed version;")
    assert "AllowTraffic failed on orders-prod:orders-api" in out and "likely cause alarm-stopped-deployment" in out


def test_quiet_with_another_format_is_a_usage_error() -> None:
    code, out, err = invoke("--replay", str(FLAGSHIP), "-q", "-f", "json")
    assert code == 2 and out == "" and "-q prints one line" in err


def test_force_color_colours_a_pipe_and_no_color_still_wins() -> None:
    _, coloured, _ = invoke("--replay", str(FLAGSHIP), env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert "\x1b[" in coloured
    _, plain, _ = invoke("--replay", str(FLAGSHIP), env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "\x1b[" not in plain


def test_a_team_catalog_comes_from_cd_doctor_catalog(tmp_path: Path) -> None:
    catalog = tmp_path / "team.json"
    record = {
        "id": "team-health-page",
        "title": "Our health page is down",
        "explanation": "The health page depends on the database.",
        "fix": ["Check the database"],
        "docs": ["https://wiki.example.com/runbooks/health"],
        "signals": {"patterns": [r"ETIMEDOUT 10\.20\.3\.41"]},
    }
    catalog.write_text(json.dumps({"format": CATALOG_FORMAT, "causes": [record]}), encoding="utf-8")
    env = {"CD_DOCTOR_CATALOG": str(catalog)}
    code, out, _ = invoke("explain", "team-health-page", env=env)
    assert code == 0 and "Our health page is down" in out
    _, listed, _ = invoke("causes", env=env)
    assert "team-health-page" in listed
    _, report, _ = invoke("--replay", str(FLAGSHIP), "-f", "json", env=env)
    assert "team-health-page" in [cause["id"] for cause in json.loads(report)["causes"]]


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("d-A1B2C3D4E", None),
        ("  d-A1B2C3D4E ", None),
        ("arn:aws:codedeploy:eu-west-1:123456789012:deployment/d-A1B2C3D4E", "eu-west-1"),
        (
            "https://eu-west-1.console.aws.amazon.com/codesuite/codedeploy/deployments/d-A1B2C3D4E?region=eu-west-1",
            "eu-west-1",
        ),
        ("https://console.aws.amazon.com/codesuite/codedeploy/deployments/d-A1B2C3D4E?region=us-east-2", "us-east-2"),
        ("https://ap-south-1.console.aws.amazon.com/codesuite/codedeploy/deployments/d-A1B2C3D4E", "ap-south-1"),
    ],
)
def test_an_id_an_arn_or_a_console_url_names_the_deployment(text: str, region: str | None) -> None:
    ref = parse_deployment_ref(text)
    assert (ref.deployment_id, ref.region) == ("d-A1B2C3D4E", region)


@pytest.mark.parametrize(
    "text",
    [
        "https://evil.example.com/codesuite/codedeploy/deployments/d-A1B2C3D4E",
        "https://eu-west-1.console.aws.amazon.com/codesuite/codedeploy/deployments",
        "arn:aws:s3:::bucket/d-A1B2C3D4E",
        "arn:aws:codedeploy:eu-west-1:123456789012:deploymentgroup:app/group",
        "d-a1b2c3d4e",
    ],
)
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_deployment_ref(text)


def test_a_console_url_on_the_command_line_is_accepted() -> None:
    url = "https://eu-west-1.console.aws.amazon.com/codesuite/codedeploy/deployments/d-A1B2C3D4E?region=eu-west-1"
    code, _, err = invoke(url, "--replay", str(FLAGSHIP))
    assert code == 2 and "not both" in err  # parsed as a deployment id, not refused as malformed


@pytest.mark.parametrize(("typed", "meant"), [("cause", "causes"), ("explian", "explain"), ("shcema", "schema")])
def test_a_mistyped_sub_command_gets_a_did_you_mean(typed: str, meant: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([typed])
    assert done.value.code == 2
    assert f"did you mean 'cd-doctor {meant}'?" in capsys.readouterr().err


def test_shell_completion_is_offered_and_completes_sub_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    # Name the shell: Typer otherwise detects it from the parent processes, and a pytest-xdist
    # worker has no shell among them ("Shell  not supported").
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    code, out, err = invoke("--show-completion", "bash")
    assert code == 0 and "_cd_doctor_completion" in out, (code, out[-300:], err[-300:])
    code, out, _ = invoke(env={"_CD_DOCTOR_COMPLETE": "complete_bash", "COMP_WORDS": "cd-doctor ca", "COMP_CWORD": "1"})
    assert "causes" in out


@pytest.mark.parametrize("message", ["cannot read x", "cannot read x."])
def test_one_full_stop_before_the_tip(message: str) -> None:
    assert BadInputError(message, tip="check it").one_line() == "cannot read x. Tip: check it"


def test_explain_help_shows_metavars() -> None:
    result = runner.invoke(app, ["explain", "--help"], prog_name="cd-doctor", env={"COLUMNS": "100"})
    assert "CAUSE_ID" in result.stdout and "--catalog FILE" in result.stdout
    assert "cause_id" not in result.stdout and "<path>" not in result.stdout


def test_catalog_errors_never_say_got_none(tmp_path: Path) -> None:
    bad = tmp_path / "team.json"
    bad.write_text(json.dumps({"causes": []}), encoding="utf-8")
    code, _, err = invoke("causes", "--catalog", str(bad))
    assert code == 2 and "None" not in err and "no 'format'" in err
