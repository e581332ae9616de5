"""Snapshot and catalog files are validated: bad ones are refused with exit 2 and one line, never a traceback."""

from __future__ import annotations

import json
import os
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


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a FIFO")
def test_an_endless_stream_is_cut_at_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshot_module, "MAX_SNAPSHOT_BYTES", 1000)
    line = _one_error_line(CliRunner().invoke(app, ["--replay", "/dev/zero"]))
    assert "larger than the 1000 byte limit" in line


def test_every_fixture_still_loads() -> None:
    for path in sorted(FIXTURES.glob("*.json")):
        result = CliRunner().invoke(app, ["--replay", str(path), "--format", "json"])
        assert result.exit_code in (0, 1, 4), (path.name, result.stderr)


def test_minimal_snapshot_needs_only_format_deployment_targets(tmp_path: Path) -> None:
    path = tmp_path / "min.json"
    path.write_text(json.dumps({"format": "cd-doctor.snapshot/1", "deployment": {}, "targets": []}), encoding="utf-8")
    result = CliRunner().invoke(app, ["--replay", str(path), "--format", "json"])
    assert result.exit_code in (0, 1, 4), result.stderr
    assert json.loads(result.stdout)["deployment"]["id"]


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
