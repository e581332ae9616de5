"""Snapshot and catalog files are validated: bad ones are refused with exit 2 and one line, never a traceback."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from codedeploy_doctor import snapshot as snapshot_module
from codedeploy_doctor.cli import app
from tests.support import FIXTURES, load_fixture_json

GOOD = load_fixture_json("server-inplace-scripttimedout")


def _with(**changes: Any) -> dict[str, Any]:
    data = json.loads(json.dumps(GOOD))
    for key, value in changes.items():
        if value is _DROP:
            data.pop(key, None)
        else:
            data[key] = value
    return data


_DROP = object()

BAD_SNAPSHOTS: dict[str, tuple[Callable[[Path], None], str]] = {
    "invalid-json": (lambda p: p.write_text('{"format": "cd-doctor.snapshot/1",', encoding="utf-8"), "invalid JSON at line 1"),
    "empty-file": (lambda p: p.write_text("", encoding="utf-8"), "invalid JSON"),
    "not-an-object": (lambda p: p.write_text("[1, 2]", encoding="utf-8"), "the top level must be a JSON object"),
    "wrong-format": (
        lambda p: p.write_text(json.dumps(_with(format="cd-doctor.snapshot/99")), encoding="utf-8"),
        "'format' is 'cd-doctor.snapshot/99'",
    ),
    "no-format": (lambda p: p.write_text(json.dumps(_with(format=_DROP)), encoding="utf-8"), "'format' is None"),
    "missing-deployment": (
        lambda p: p.write_text(json.dumps(_with(deployment=_DROP)), encoding="utf-8"),
        "'deployment' is missing or not an object",
    ),
    "missing-targets": (
        lambda p: p.write_text(json.dumps(_with(targets=_DROP)), encoding="utf-8"),
        "'targets' is missing or not a list",
    ),
    "deployment-not-object": (
        lambda p: p.write_text(json.dumps(_with(deployment="d-1")), encoding="utf-8"),
        "'deployment' is missing or not an object",
    ),
    "targets-not-list": (
        lambda p: p.write_text(json.dumps(_with(targets={"a": 1})), encoding="utf-8"),
        "'targets' is missing or not a list",
    ),
    "target-not-object": (
        lambda p: p.write_text(json.dumps(_with(targets=["i-1"])), encoding="utf-8"),
        "every item of 'targets' must be an object",
    ),
    "traffic-not-object": (
        lambda p: p.write_text(json.dumps(_with(traffic=[1])), encoding="utf-8"),
        "'traffic' must be an object",
    ),
    "errors-not-list": (lambda p: p.write_text(json.dumps(_with(errors="boom")), encoding="utf-8"), "'errors' must be a list"),
    "error-not-object": (
        lambda p: p.write_text(json.dumps(_with(errors=["boom"])), encoding="utf-8"),
        "every item of 'errors' must be an object",
    ),
    "group-not-object": (
        lambda p: p.write_text(json.dumps(_with(deploymentGroup=[])), encoding="utf-8"),
        "'deploymentGroup' must be an object or null",
    ),
    "rollback-not-object": (
        lambda p: p.write_text(json.dumps(_with(rollbackDeployment="x")), encoding="utf-8"),
        "'rollbackDeployment' must be an object or null",
    ),
    "api-calls-negative": (
        lambda p: p.write_text(json.dumps(_with(apiCalls=-1)), encoding="utf-8"),
        "'apiCalls' must be a whole number",
    ),
    "api-calls-boolean": (
        lambda p: p.write_text(json.dumps(_with(apiCalls=True)), encoding="utf-8"),
        "'apiCalls' must be a whole number",
    ),
    "collection-fetched-text": (
        lambda p: p.write_text(json.dumps(_with(collection={"fetched": "many"})), encoding="utf-8"),
        "'fetched' must be a whole number",
    ),
    "collection-truncated-text": (
        lambda p: p.write_text(json.dumps(_with(collection={"truncated": "yes"})), encoding="utf-8"),
        "'collection.truncated' must be true or false",
    ),
    "extra-logs-not-list": (
        lambda p: p.write_text(json.dumps(_with(extraLogs="x")), encoding="utf-8"),
        "'extraLogs' must be a list",
    ),
    "region-not-text": (lambda p: p.write_text(json.dumps(_with(region=1)), encoding="utf-8"), "'region' must be a string"),
    "nan": (lambda p: p.write_text(json.dumps(_with(apiCalls=float("nan"))), encoding="utf-8"), "NaN is not a JSON number"),
    "infinity": (
        lambda p: p.write_text(json.dumps(_with(apiCalls=float("inf"))), encoding="utf-8"),
        "Infinity is not a JSON number",
    ),
    "deeply-nested": (
        lambda p: p.write_text(json.dumps(_with(traffic={"x": json.loads("[" * 200 + "]" * 200)})), encoding="utf-8"),
        "nested deeper than 64 levels",
    ),
    "recursion-bomb": (lambda p: p.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8"), ""),
    "non-utf8": (lambda p: p.write_bytes(b'{"format": "\xff\xfe"}'), "not UTF-8 text (byte 0xff at offset 12)"),
    "utf16": (lambda p: p.write_bytes(json.dumps(GOOD).encode("utf-16")), "not UTF-8 text"),
    "directory": (lambda p: p.mkdir(), "it is a directory"),
    "empty-deployment": (
        lambda p: p.write_text(json.dumps(_with(deployment={})), encoding="utf-8"),
        "'deployment' has no 'deploymentId' and no 'status'",
    ),
    "deployment-without-status": (
        lambda p: p.write_text(json.dumps(_with(deployment={"deploymentId": "d-A1B2C3D4E"})), encoding="utf-8"),
        "'deployment' has no 'status'",
    ),
    "deployment-id-invisible": (
        lambda p: p.write_text(
            json.dumps(_with(deployment={"deploymentId": "\u200b\x1b[0m", "status": "Failed"})), encoding="utf-8"
        ),
        "'deployment' has no 'deploymentId'",
    ),
    "get-deployment-wrapper": (
        lambda p: p.write_text(json.dumps(_with(deployment={"deploymentInfo": GOOD["deployment"]})), encoding="utf-8"),
        "Tip: this is the {'deploymentInfo': {...}} answer of 'aws deploy get-deployment'",
    ),
    "get-deployment-output-as-snapshot": (
        lambda p: p.write_text(json.dumps({"deploymentInfo": GOOD["deployment"]}), encoding="utf-8"),
        "Tip: this is the {'deploymentInfo': {...}} answer of 'aws deploy get-deployment'",
    ),
    "duplicate-key": (
        lambda p: p.write_text(json.dumps(GOOD).replace('"targets":', '"targets": [], "targets":', 1), encoding="utf-8"),
        "key 'targets' appears twice in one object",
    ),
    "duplicate-key-deep": (
        lambda p: p.write_text(
            json.dumps(GOOD).replace('"status": "Failed"', '"status": "Failed", "status": "Succeeded"', 1), encoding="utf-8"
        ),
        "key 'status' appears twice in one object",
    ),
    "missing-file": (lambda p: None, "No such file or directory"),
}


def _one_error_line(result: Any) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("cd-doctor: error: ")
    return lines[0]


@pytest.mark.parametrize("name", sorted(BAD_SNAPSHOTS))
def test_bad_snapshot_is_refused_with_one_line(name: str, tmp_path: Path) -> None:
    make, expected = BAD_SNAPSHOTS[name]
    path = tmp_path / "snapshot.json"
    make(path)
    line = _one_error_line(CliRunner().invoke(app, ["--replay", str(path)]))
    assert expected in line, line
    assert str(path) in line


def test_oversize_snapshot_is_refused_before_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.json"
    path.write_text(json.dumps(GOOD), encoding="utf-8")
    monkeypatch.setattr(snapshot_module, "MAX_SNAPSHOT_BYTES", 100)
    line = _one_error_line(CliRunner().invoke(app, ["--replay", str(path)]))
    assert "larger than the 100 byte limit" in line


def test_a_device_is_refused_whatever_size_it_reports() -> None:
    # /dev/zero reports size 0 and never ends: refused as a device, not read.
    line = _one_error_line(CliRunner().invoke(app, ["--replay", "/dev/zero"]))
    assert "it is a device, not a regular file" in line


def test_every_fixture_still_loads() -> None:
    for path in sorted(FIXTURES.glob("*.json")):
        result = CliRunner().invoke(app, ["--replay", str(path), "--format", "json"])
        assert result.exit_code in (0, 1, 4), (path.name, result.stderr)


def test_minimal_snapshot_needs_only_format_deployment_targets(tmp_path: Path) -> None:
    path = tmp_path / "min.json"
    minimal = {"format": "cd-doctor.snapshot/1", "deployment": {"deploymentId": "d-A1B2C3D4E", "status": "Failed"}, "targets": []}
    path.write_text(json.dumps(minimal), encoding="utf-8")
    result = CliRunner().invoke(app, ["--replay", str(path), "--format", "json"])
    assert result.exit_code in (1, 4), result.stderr
    assert json.loads(result.stdout)["deployment"]["id"] == "d-A1B2C3D4E"


# --- catalog files (the catalog's own validation, tested from outside) ------------------------

BAD_CATALOGS: dict[str, tuple[Callable[[Path], None], str]] = {
    "invalid-json": (lambda p: p.write_text("{", encoding="utf-8"), "invalid JSON"),
    "not-an-object": (lambda p: p.write_text("[]", encoding="utf-8"), ""),
    "wrong-format": (lambda p: p.write_text(json.dumps({"format": "nope", "causes": []}), encoding="utf-8"), ""),
    "record-not-object": (
        lambda p: p.write_text(json.dumps({"format": "cd-doctor.catalog/1", "causes": ["x"]}), encoding="utf-8"),
        "",
    ),
    "record-missing-keys": (
        lambda p: p.write_text(json.dumps({"format": "cd-doctor.catalog/1", "causes": [{"id": "x-y"}]}), encoding="utf-8"),
        "",
    ),
    "non-utf8": (lambda p: p.write_bytes(b"\xff\xfe{}"), "cannot read catalog file"),
    "directory": (lambda p: p.mkdir(), "cannot read catalog file"),
    "missing-file": (lambda p: None, "cannot read catalog file"),
    "nan-pattern": (lambda p: p.write_text('{"format": "cd-doctor.catalog/1", "causes": NaN}', encoding="utf-8"), ""),
}


@pytest.mark.parametrize("command", ["causes", "replay"])
@pytest.mark.parametrize("name", sorted(BAD_CATALOGS))
def test_bad_catalog_is_refused_with_one_line(name: str, command: str, tmp_path: Path) -> None:
    make, expected = BAD_CATALOGS[name]
    path = tmp_path / "catalog.json"
    make(path)
    if command == "causes":
        args = ["causes", "--catalog", str(path)]
    else:
        args = ["--replay", str(FIXTURES / "server-succeeded.json"), "--catalog", str(path)]
    line = _one_error_line(CliRunner().invoke(app, args))
    assert expected in line, line


@pytest.mark.parametrize("command", ["causes", "replay"])
def test_deeply_nested_catalog_is_refused_with_one_line(command: str, tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    args = (
        ["causes", "--catalog", str(path)]
        if command == "causes"
        else ["--replay", str(FIXTURES / "server-succeeded.json"), "--catalog", str(path)]
    )
    _one_error_line(CliRunner().invoke(app, args))


def test_oversize_catalog_is_refused(tmp_path: Path) -> None:
    builtin = json.loads((FIXTURES.parent / "codedeploy_doctor" / "catalog" / "causes.json").read_text(encoding="utf-8"))
    record = dict(builtin["causes"][0], id="my-huge-record", explanation="x" * 30_000_000)
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps({"format": builtin["format"], "causes": [record]}), encoding="utf-8")
    line = _one_error_line(CliRunner().invoke(app, ["causes", "--catalog", str(path)]))
    assert "limit" in line or "large" in line, line


# --- odd but well-typed snapshots: a report, never an internal error ---------------------------


def _bg_termination_wait() -> dict[str, Any]:
    return load_fixture_json("traffic-server-bg-termination-wait")


ODD_SNAPSHOTS: dict[str, Callable[[], dict[str, Any]]] = {
    "create-time-year-1": lambda: _with(deployment={**GOOD["deployment"], "createTime": "0001-01-01T00:00:00Z"}),
    "create-time-year-1-with-offset": lambda: _with(deployment={**GOOD["deployment"], "createTime": "0001-01-01T00:00:00+05:00"}),
    "complete-time-year-9999": lambda: _with(deployment={**GOOD["deployment"], "completeTime": "9999-12-31T23:59:59Z"}),
    "complete-time-year-9999-with-offset": lambda: _with(
        deployment={**GOOD["deployment"], "completeTime": "9999-12-31T23:59:59-05:00"}
    ),
    "huge-termination-wait": lambda: _termination_wait(10**300),
    "infinite-termination-wait": lambda: _termination_wait(float("inf")),
    "large-termination-wait": lambda: _termination_wait(2**63),
}


def _termination_wait(minutes: float) -> dict[str, Any]:
    data = _bg_termination_wait()
    for holder in (data["deployment"], data["deploymentGroup"]):
        holder["blueGreenDeploymentConfiguration"]["terminateBlueInstancesOnDeploymentSuccess"][
            "terminationWaitTimeInMinutes"
        ] = minutes
    return data


@pytest.mark.parametrize("name", sorted(ODD_SNAPSHOTS))
@pytest.mark.parametrize("output_format", ["text", "json", "markdown"])
def test_an_odd_well_typed_snapshot_gets_a_report(name: str, output_format: str, tmp_path: Path) -> None:
    path = tmp_path / "odd.json"
    # 1e999 is how a JSON file spells a number too large for a float: it parses as infinity.
    path.write_text(json.dumps(ODD_SNAPSHOTS[name]()).replace("Infinity", "1e999"), encoding="utf-8")
    result = CliRunner().invoke(app, ["--replay", str(path), "--format", output_format])
    assert result.exit_code in (0, 1, 4), result.stderr
    assert result.stdout and "internal error" not in result.stderr


def test_a_lone_surrogate_is_recorded_and_replays(tmp_path: Path) -> None:
    data = _with(deployment={**GOOD["deployment"], "description": "broken \ud800 text", "applicationName": "app\udfff"})
    source, recorded = tmp_path / "in.json", tmp_path / "recorded.json"
    source.write_text(json.dumps(data), encoding="utf-8")  # ensure_ascii: the surrogates are escaped, valid JSON
    result = CliRunner().invoke(app, ["--replay", str(source), "--record", str(recorded), "--format", "json"])
    assert result.exit_code in (1, 4), result.stderr
    assert "not recorded" not in result.stdout and json.loads(result.stdout)["deployment"]["application"]
    again = json.loads(recorded.read_text(encoding="utf-8"))
    assert again["deployment"]["description"] == "broken \ud800 text"
    replayed = CliRunner().invoke(app, ["--replay", str(recorded), "--format", "json"])
    assert replayed.exit_code == result.exit_code and replayed.stdout == result.stdout
