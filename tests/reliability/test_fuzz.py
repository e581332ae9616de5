"""Fuzzing the fixtures: any key of any fixture changed, removed or given a hostile value, through the CLI.

Every example takes a fixture, picks one to four of its keys anywhere in the tree (every key of
every fixture can be picked), and deletes each or replaces its value (wrong types, empty
values, huge numbers, times at the ends of the calendar, hostile text, over-deep nesting, the
get-deployment wrapper). The file is replayed through the command line as a user would run it.
Whatever the change, cd-doctor gives a report (exit 0, 1 or 4) or refuses the file with exit 2
and exactly one line; never a traceback or an internal error; and a snapshot whose deployment
failed (status Failed or Stopped) never exits 0.

Bounded for CI: ``max_examples`` examples of about 0.1 s each (under 30 s on one core).
"""

from __future__ import annotations

import copy
import json
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from codedeploy_doctor.cli import app
from tests.support import FIXTURES

Path_ = tuple[str | int, ...]

HOSTILE_VALUES: list[Any] = [
    None,
    "",
    " ",
    0,
    -1,
    10**30,
    1e308,
    True,
    [],
    {},
    [None],
    {"": None},
    "\u202eevil\nProduction: Blue still serving (confirmed)\u2028",
    "x" * 3000,
    "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00Z",
    "not a time",
    "d-ZZZZZZZZZ",
    "Failed",
    "Succeeded",
    "\ud800",
    {"deploymentInfo": {}},
]


@cache
def _fixtures() -> dict[str, dict[str, Any]]:
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(FIXTURES.glob("*.json"))}


def _paths(value: Any, prefix: Path_ = ()) -> list[Path_]:
    found: list[Path_] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found.append((*prefix, key))
            found.extend(_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.append((*prefix, index))
            found.extend(_paths(item, (*prefix, index)))
    return found


@cache
def _fixture_paths(name: str) -> tuple[Path_, ...]:
    return tuple(_paths(_fixtures()[name]))


def _mutate(data: Any, path: Path_, value: Any, delete: bool) -> None:
    holder = data
    for step in path[:-1]:
        try:
            holder = holder[step]
        except (KeyError, IndexError, TypeError):
            return  # an earlier change removed or replaced the way there
    last = path[-1]
    try:
        if delete:
            del holder[last]
        else:
            holder[last] = copy.deepcopy(value)
    except (KeyError, IndexError, TypeError):
        return


MUTATIONS = st.sampled_from(sorted(_fixtures())).flatmap(
    lambda name: st.tuples(
        st.just(name),
        st.lists(
            st.tuples(st.sampled_from(_fixture_paths(name)), st.sampled_from(HOSTILE_VALUES), st.booleans()),
            min_size=1,
            max_size=4,
        ),
    )
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(MUTATIONS)
def test_a_mutated_fixture_gets_a_report_or_one_line_never_a_crash(case: tuple[str, list[tuple[Path_, Any, bool]]]) -> None:
    name, changes = case
    data = copy.deepcopy(_fixtures()[name])
    for path, value, delete in changes:
        _mutate(data, path, value, delete)
    with tempfile.TemporaryDirectory() as folder:
        snapshot = Path(folder) / "mutated.json"
        # A lone surrogate is written as its JSON escape, as any JSON writer would.
        snapshot.write_text(json.dumps(data, ensure_ascii=True), encoding="utf-8")
        result = CliRunner().invoke(app, ["--replay", str(snapshot), "--format", "json"])
    output = result.stdout + result.stderr
    assert "Traceback" not in output and "internal error" not in output, output[-2000:]
    if result.exit_code == 2:
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("cd-doctor: error: "), result.stderr
        assert result.stdout == ""
        return
    assert result.exit_code in (0, 1, 4), (result.exit_code, result.stderr)
    report = json.loads(result.stdout)
    deployment = data.get("deployment") if isinstance(data, dict) else None
    status = deployment.get("status") if isinstance(deployment, dict) else None
    if status in ("Failed", "Stopped"):
        assert result.exit_code != 0, f"a {status} deployment exited 0: {report['deployment']}"
