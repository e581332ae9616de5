"""``--catalog FILE``: a team's records are validated, and win over built-ins with the same id."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from codedeploy_doctor.catalog import CATALOG_FORMAT, builtin_catalog, load_catalog
from codedeploy_doctor.errors import BadInputError
from tests.catalog.evidence import evidence_from


def record(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "team-cache-warmup",
        "title": "The cache warm-up job did not finish",
        "explanation": "The warm-up job waits for the cache cluster.",
        "fix": ["Restart the cache cluster"],
        "docs": ["https://wiki.example.com/runbooks/cache"],
        "signals": {"patterns": [r"warm-?up (?:job )?timed out"]},
    }
    base.update(overrides)
    return base


def write(tmp_path: Path, document: Any) -> Path:
    path = tmp_path / "team-catalog.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    return path


def doc(*records: dict[str, Any]) -> dict[str, Any]:
    return {"format": CATALOG_FORMAT, "causes": list(records)}


def test_no_file_is_the_builtin_catalog() -> None:
    assert load_catalog(None) is builtin_catalog()


def test_team_records_are_added_and_win_on_the_same_id(tmp_path: Path) -> None:
    ours = record(
        id="port-in-use",
        title="Our port clash runbook",
        explanation="Team wording.",
        signals={"patterns": ["address already in use"]},
    )
    catalog = load_catalog(write(tmp_path, doc(record(), ours)))
    builtin = builtin_catalog()
    assert len(catalog.records) == len(builtin.records) + 1
    assert catalog.get("port-in-use") is not None
    assert catalog.get("port-in-use").title == "Our port clash runbook"  # type: ignore[union-attr]
    assert builtin.get("port-in-use").title != "Our port clash runbook"  # type: ignore[union-attr]
    assert [r.id for r in catalog.records].count("port-in-use") == 1

    matches = catalog.match(
        evidence_from({"event": "AfterInstall", "errorCode": "ScriptFailed", "logTail": "cache warm-up job timed out"})
    )
    assert matches[0].cause_id == "team-cache-warmup"
    cause = catalog.to_cause(matches[0])
    assert cause.title == "The cache warm-up job did not finish"
    assert cause.docs == ("https://wiki.example.com/runbooks/cache",)


@pytest.mark.parametrize(
    ("document", "words"),
    [
        ("{ not json", "invalid JSON at line 1"),
        ([record()], "top level must be an object"),
        ({"format": "something/2", "causes": []}, "'format' must be"),
        ({"format": CATALOG_FORMAT}, "'causes' must be a list"),
        (doc({k: v for k, v in record().items() if k != "title"}), "record 1 ('team-cache-warmup'): 'title'"),
        (doc(record(id="Not Kebab")), "'id' must be a kebab-case string"),
        (doc(record(), record()), "duplicate id 'team-cache-warmup'"),
        (doc(record(signals={"patterns": ["(unclosed"]})), "invalid regular expression '(unclosed'"),
        (doc(record(signals={"patterns": ["(a+)+$"]})), "repeats a repeated group"),
        (doc(record(signals={"hintPatterns": ["(unclosed"]})), "invalid regular expression '(unclosed'"),
        (doc(record(signals={"hintPatterns": []})), "'hintPatterns' must be a non-empty list of strings"),
        (doc(record(fix="restart it")), "'fix' must be a non-empty list of strings"),
        (doc(record(docs=["http://insecure.example.com"])), "must start with https://"),
        (doc(record(priority="high")), "'priority' must be an integer"),
        (doc(record(signals={"exitCodes": ["127"]})), "'exitCodes' must be a non-empty list of integers"),
        (doc(record(signals={"patternz": ["x"]})), "unknown condition 'patternz'"),
        (doc(record(colour="red")), "unknown key 'colour'"),
        (doc(record(signals={}, when={})), "needs 'when', 'signals' or 'anyOf'"),
        (doc(record(id="unexplained-failure", generic=True)), "record 'unexplained-failure' replaces the built-in catch-all"),
    ],
)
def test_invalid_catalog_files_give_one_line_reasons(tmp_path: Path, document: Any, words: str) -> None:
    path = write(tmp_path, document)
    with pytest.raises(BadInputError) as caught:
        load_catalog(path)
    line = caught.value.one_line()
    assert "\n" not in line
    assert str(path) in line
    assert words in line
    assert caught.value.exit_code == 2


def test_unreadable_catalog_file(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="cannot read catalog file"):
        load_catalog(tmp_path / "missing.json")


def test_unless_platform_does_not_veto_an_unknown_platform(tmp_path: Path) -> None:
    ours = record(unless={"platforms": ["Lambda"]})
    catalog = load_catalog(write(tmp_path, doc(ours)))
    fires = {"logTail": "warm-up timed out", "errorCode": "ScriptFailed"}
    assert catalog.match(evidence_from({**fires, "platform": None}))[0].cause_id == "team-cache-warmup"
    assert catalog.match(evidence_from({**fires, "platform": "Server"}))[0].cause_id == "team-cache-warmup"
    assert "team-cache-warmup" not in [m.cause_id for m in catalog.match(evidence_from({**fires, "platform": "Lambda"}))]


def test_a_team_record_can_use_hint_patterns(tmp_path: Path) -> None:
    vague = record(signals={"hintPatterns": ["cache (?:was )?slow"]}, confidence="low")
    catalog = load_catalog(write(tmp_path, doc(vague)))
    matches = catalog.match(evidence_from({"event": "AfterInstall", "errorCode": "ScriptFailed", "logTail": "cache was slow"}))
    found = next(m for m in matches if m.cause_id == "team-cache-warmup")
    assert found.confidence == "low", "a hint keeps the record's own confidence"


def test_a_team_record_outranks_built_ins_whatever_its_priority(tmp_path: Path) -> None:
    # The team record matches only on the event; the built-in command-not-found on a log line.
    weak = record(id="team-start-check", priority=0, signals={"events": ["ApplicationStart"]})
    catalog = load_catalog(write(tmp_path, doc(weak)))
    found = evidence_from(
        {
            "event": "ApplicationStart",
            "errorCode": "ScriptFailed",
            "message": "Script at specified location: scripts/start.sh failed with exit code 127",
            "logTail": "[stderr]scripts/start.sh: line 3: pm2: command not found",
        }
    )
    ranked = [match.cause_id for match in catalog.match(found)]
    assert ranked[:2] == ["team-start-check", "command-not-found"]
    assert builtin_catalog().match(found)[0].cause_id == "command-not-found"


def test_catalog_may_be_given_several_times_and_all_files_load(tmp_path: Path) -> None:
    first = tmp_path / "a.json"
    second = tmp_path / "b.json"
    first.write_text(
        json.dumps(doc(record(id="team-a"), record(id="team-shared", title="From the first file"))), encoding="utf-8"
    )
    second.write_text(
        json.dumps(doc(record(id="team-b"), record(id="team-shared", title="From the second file"))), encoding="utf-8"
    )
    catalog = load_catalog((first, second))
    assert catalog.get("team-a") and catalog.get("team-b")
    shared = catalog.get("team-shared")
    assert shared is not None and shared.title == "From the second file"
    assert all(catalog.get(r.id) for r in builtin_catalog().records)


def test_the_cli_accepts_catalog_several_times(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from codedeploy_doctor.cli import app

    first = write(tmp_path, doc(record(id="team-a")))
    second = tmp_path / "second.json"
    second.write_text(json.dumps(doc(record(id="team-b"))), encoding="utf-8")
    result = CliRunner().invoke(app, ["causes", "--json", "--catalog", str(first), "--catalog", str(second)])
    assert result.exit_code == 0, result.output
    ids = [row["id"] for row in json.loads(result.output)]
    assert "team-a" in ids and "team-b" in ids


def test_the_docs_example_record_wins_over_the_built_in_timeout(tmp_path: Path) -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "causes.md").read_text(encoding="utf-8")
    example = page.split("## Writing your own records", 1)[1].split("```json", 1)[1].split("```", 1)[0]
    catalog = load_catalog(write(tmp_path, example))
    found = evidence_from(
        {
            "event": "AfterInstall",
            "errorCode": "ScriptTimedOut",
            "message": "Script at specified location: scripts/warm.sh failed to complete in 300 seconds",
            "logTail": "[stderr]cache warm-up job timed out after 290s",
        }
    )
    builtin_top = builtin_catalog().match(found)[0].cause_id
    top = catalog.match(found)[0]
    assert builtin_top == "script-timeout"
    assert top.cause_id == "legacy-cache-warmup"
    assert "gave up after 290 seconds" in catalog.to_cause(top).explanation


def test_details_may_only_name_captured_groups(tmp_path: Path) -> None:
    bad = record(details=["The job ran for {seconds} seconds."])
    with pytest.raises(BadInputError, match="seconds"):
        load_catalog(write(tmp_path, doc(bad)))


def test_a_record_is_at_most_one_kind(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="at most one"):
        load_catalog(write(tmp_path, doc(record(family=True, symptom=True))))
