"""The published JSON Schema: valid, versioned, and true to every report the fixtures produce."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from codedeploy_doctor.cli import app
from codedeploy_doctor.diagnosis import diagnose
from codedeploy_doctor.render import RenderOptions, json_report
from codedeploy_doctor.report import SCHEMA_VERSION
from codedeploy_doctor.schema import SCHEMA_ID, report_schema
from codedeploy_doctor.snapshot import load_snapshot
from tests.support import fixture_paths


def validator(*, strict: bool = True) -> Draft202012Validator:
    schema = report_schema(strict=strict)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def report_json(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(json_report.render(diagnose(load_snapshot(path)), RenderOptions()))
    return data


def errors(instance: Any, *, strict: bool = True) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(strict=strict).iter_errors(instance)]


def test_schemas_are_valid_draft_2020_12() -> None:
    for strict in (False, True):
        Draft202012Validator.check_schema(report_schema(strict=strict))


def test_schema_is_versioned() -> None:
    schema = report_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_ID and f"v{SCHEMA_VERSION}" in SCHEMA_ID
    assert schema["properties"]["schemaVersion"] == {"const": SCHEMA_VERSION, "description": "Version of this schema."}


@pytest.mark.parametrize("path", fixture_paths(), ids=lambda p: p.stem)
def test_every_fixture_report_validates_strictly(path: Path) -> None:
    assert errors(report_json(path)) == []


def test_strict_schema_lists_every_field_the_renderer_writes() -> None:
    # Strict validation above proves no unlisted field; this proves no listed field is missing.
    report = report_json(fixture_paths()[0])
    assert set(report_schema()["required"]) == set(report)


@pytest.fixture(scope="module")
def flagship() -> dict[str, Any]:
    return report_json(next(p for p in fixture_paths() if p.stem == "server-bluegreen-validateservice-green"))


@pytest.mark.parametrize(
    ("mutate", "where"),
    [
        (lambda r: r.pop("deployment"), "'deployment' is a required property"),
        (lambda r: r.__setitem__("schemaVersion", SCHEMA_VERSION + 1), "schemaVersion"),
        (lambda r: r["blueTraffic"].__setitem__("verdict", "probably-fine"), "blueTraffic/verdict"),
        (lambda r: r["blueTraffic"].__setitem__("basis", "vibes"), "blueTraffic/basis"),
        (lambda r: r["causes"][0].__setitem__("confidence", "certain"), "causes/0/confidence"),
        (lambda r: r["causes"][0].__setitem__("id", "Not Kebab"), "causes/0/id"),
        (lambda r: r["failureGroups"][0].__setitem__("targetCount", 0), "failureGroups/0/targetCount"),
        (lambda r: r["firstFailure"].pop("lifecycleEvent"), "firstFailure"),
        (lambda r: r["deployment"].__setitem__("createTime", "yesterday"), "deployment/createTime"),
        (lambda r: r.__setitem__("apiCalls", -1), "apiCalls"),
        (lambda r: r.__setitem__("warnings", "not a list"), "warnings"),
        (lambda r: r["tool"].__setitem__("name", "other-tool"), "tool/name"),
    ],
)
def test_broken_reports_fail_validation(flagship: dict[str, Any], mutate: Any, where: str) -> None:
    broken = copy.deepcopy(flagship)
    mutate(broken)
    found = errors(broken, strict=False)
    assert found, "a broken report validated"
    assert any(where in line for line in found), found


def test_published_schema_accepts_added_fields_strict_one_does_not(flagship: dict[str, Any]) -> None:
    extended = copy.deepcopy(flagship)
    extended["futureField"] = {"anything": True}
    extended["deployment"]["newAwsField"] = "x"
    assert errors(extended, strict=False) == []
    assert len(errors(extended, strict=True)) == 2


def test_unknown_aws_values_still_validate(flagship: dict[str, Any]) -> None:
    report = copy.deepcopy(flagship)
    report["deployment"]["status"] = "SomeNewStatus"
    report["deployment"]["errorCode"] = "A_CODE_AWS_ADDED_LATER"
    report["firstFailure"]["status"] = "Paused"
    assert errors(report) == []


def test_schema_command_prints_the_schema() -> None:
    result = CliRunner().invoke(app, ["schema"], prog_name="cd-doctor")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == report_schema()


def test_the_schema_file_in_docs_is_what_the_command_prints() -> None:
    """docs/report.schema.json is for consumers who pin it; regenerate with `cd-doctor schema > docs/report.schema.json`."""
    published = Path(__file__).resolve().parent.parent / "docs" / "report.schema.json"
    assert json.loads(published.read_text(encoding="utf-8")) == report_schema()
