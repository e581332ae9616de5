"""The verdict tables, row by row: a scenario, what is changed in its evidence, and the rule that must decide.

Also: the tables' own invariants (ids, an unread reading never confirms), docs/verdicts.md and
``cd-doctor explain RULE-ID``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from codedeploy_doctor.cli import app
from codedeploy_doctor.diagnosis import diagnose
from codedeploy_doctor.report import BlueTraffic
from codedeploy_doctor.snapshot import load_snapshot, snapshot_from_json
from codedeploy_doctor.traffic import RULE_TABLES, assess_blue_traffic, rule_by_id
from codedeploy_doctor.traffic.docs import DOCS, main, render_verdicts_markdown
from codedeploy_doctor.traffic.rules import Unread
from tests.support import FIXTURES
from tests.traffic import fixture_builder as fb

Json = dict[str, Any]
Change = Callable[[Json], None]


def judge(name: str, *changes: Change) -> BlueTraffic:
    data = copy.deepcopy(fb.SCENARIOS[name]())
    for change in changes:
        change(data)
    return assess_blue_traffic(snapshot_from_json(json.loads(json.dumps(data))))


def _body(target: Json) -> Json:
    return next(value for key, value in target.items() if key != "deploymentTargetType")  # type: ignore[no-any-return]


def _denied(service: str, operation: str) -> Change:
    def change(data: Json) -> None:
        data.setdefault("errors", []).append({"service": service, "operation": operation, "code": "AccessDenied", "message": ""})

    return change


def _unread(section: str, key: str, service: str, operation: str) -> Change:
    def change(data: Json) -> None:
        data["traffic"].get(section, {}).pop(key, None)
        _denied(service, operation)(data)

    return change


LB_UNREAD = _unread("elbv2", "targetHealth", "elbv2", "DescribeTargetHealth")
EC2_UNREAD = _unread("ec2", "instances", "ec2", "DescribeInstances")
ALIAS_UNREAD = _unread("lambda", "aliases", "lambda", "GetAlias")
LISTENERS_UNREAD = _unread("elbv2", "listeners", "elbv2", "DescribeListeners")


def _drop(label: str | None = None, kind: str | None = None) -> Change:
    def change(data: Json) -> None:
        data["targets"] = [
            t
            for t in data["targets"]
            if not (
                (label is None or _body(t).get("instanceLabel") == label)
                and (kind is None or t.get("deploymentTargetType") == kind)
            )
        ]

    return change


def _event(event: str, status: str, label: str | None = None, only_first: bool = False) -> Change:
    def change(data: Json) -> None:
        done = False
        for target in data["targets"]:
            body = _body(target)
            if (label is not None and body.get("instanceLabel") != label) or (only_first and done):
                continue
            for item in body.get("lifecycleEvents", []):
                if item["lifecycleEventName"] == event:
                    item["status"] = status
                    done = True

    return change


def _rollback(status: str | None) -> Change:
    def change(data: Json) -> None:
        data["deployment"]["rollbackInfo"] = {"rollbackDeploymentId": "d-ROLLBACK01"}
        if status is None:
            data.pop("rollbackDeployment", None)
        else:
            data["rollbackDeployment"] = {"deploymentId": "d-ROLLBACK01", "status": status}

    return change


def _set(path: str, value: object) -> Change:
    def change(data: Json) -> None:
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[last] = value

    return change


def _keep_status(status: str) -> Change:
    def change(data: Json) -> None:
        data["targets"] = [t for t in data["targets"] if _body(t).get("status") == status]

    return change


def _keep_first(data: Json) -> None:
    data["targets"] = data["targets"][:1]


def _no_target_groups_attached(data: Json) -> None:
    for group in data["traffic"]["elbv2"]["targetGroups"]:
        group["LoadBalancerArns"] = []


def _no_health(data: Json) -> None:
    for arn in data["traffic"]["elbv2"]["targetHealth"]:
        data["traffic"]["elbv2"]["targetHealth"][arn] = []


def _ec2_all(state: str) -> Change:
    def change(data: Json) -> None:
        for instance in data["traffic"]["ec2"]["instances"]:
            instance["State"] = {"Code": 48, "Name": state}

    return change


def _service_controller(controller: str) -> Change:
    def change(data: Json) -> None:
        for service in data["traffic"]["ecs"]["services"]:
            service["deploymentController"] = {"type": controller}

    return change


def _ecs_health(state: str) -> Change:
    def change(data: Json) -> None:
        for items in data["traffic"]["elbv2"]["targetHealth"].values():
            for item in items:
                item["TargetHealth"] = {"State": state}

    return change


def _ecs_weight(blue: float | None) -> Change:
    def change(data: Json) -> None:
        for target in data["targets"]:
            for info in _body(target).get("taskSetsInfo", []):
                if info.get("taskSetLabel") == "Blue":
                    if blue is None:
                        info.pop("trafficWeight", None)
                    else:
                        info["trafficWeight"] = blue

    return change


def _lambda_weight(data: Json) -> None:
    _body(data["targets"][0])["lambdaFunctionInfo"].pop("targetVersionWeight", None)


BG, BG_OUT, BG_BACK = (
    "traffic-server-bg-untouched-blue",
    "traffic-server-bg-deregistered-green-unhealthy",
    "traffic-server-bg-rolled-back",
)
IN_PLACE, NO_LB = "traffic-server-inplace-capacity", "traffic-server-inplace-no-load-balancer"

ROWS: list[tuple[str, str, tuple[Change, ...], str]] = [
    # Every platform
    ("unknown platform", BG, (_set("deployment.computePlatform", "Quantum"),), "deployment.platform-not-understood"),
    ("bake, termination wait", "traffic-server-bg-termination-wait", (), "deployment.retired-as-planned"),
    # Server blue/green: confirmed
    ("no group attached", BG, (_no_target_groups_attached,), "server.bg.no-attached-target-group"),
    ("Blue healthy", BG, (), "server.bg.blue-healthy"),
    ("Blue deregistered", BG_OUT, (), "server.bg.blue-not-healthy"),
    ("nothing registered, no Blue read", BG, (_drop("Blue"), _no_health), "server.bg.no-blue-registered"),
    ("LB unread, every Blue terminated", "traffic-server-bg-blue-terminated", (LB_UNREAD,), "server.bg.blue-gone-from-ec2"),
    # Server blue/green: inferred
    ("LB unread, rollback succeeded", BG_BACK, (LB_UNREAD,), "server.bg.rollback-succeeded"),
    ("LB unread, no Blue read", "traffic-server-bg-lb-unreadable", (_drop("Blue"),), "server.bg.blue-unread"),
    ("LB unread, rollback running", BG_OUT, (LB_UNREAD, _rollback("InProgress")), "server.bg.rollback-running"),
    ("LB unread, rollback unread", BG_OUT, (LB_UNREAD, _rollback(None)), "server.bg.rollback-unread"),
    (
        "LB unread, BlockTraffic failed",
        BG_OUT,
        (LB_UNREAD, _event("BlockTraffic", "Failed", "Blue")),
        "server.bg.block-traffic-unsettled",
    ),
    ("LB unread, Blue all deregistered", BG_OUT, (LB_UNREAD,), "server.bg.all-blue-deregistered"),
    (
        "LB unread, one Blue deregistered",
        BG_OUT,
        (LB_UNREAD, _event("BlockTraffic", "Pending", "Blue", only_first=True)),
        "server.bg.some-blue-deregistered",
    ),
    (
        "LB unread, Green allowed, rollback running",
        BG_BACK,
        (LB_UNREAD, EC2_UNREAD, _rollback("InProgress")),
        "server.bg.green-allowed-rollback-running",
    ),
    (
        "LB unread, Green allowed",
        BG_BACK,
        (LB_UNREAD, EC2_UNREAD, _rollback("Failed")),
        "server.bg.green-allowed-blue-never-blocked",
    ),
    ("LB unread, nothing moved", "traffic-server-bg-lb-unreadable", (), "server.bg.block-traffic-never-ran"),
    # Server in-place with a load balancer
    ("nothing read", IN_PLACE, (LB_UNREAD, _set("targets", [])), "server.in-place.nothing-read"),
    ("no group attached", IN_PLACE, (_no_target_groups_attached,), "server.in-place.no-attached-target-group"),
    ("none healthy", IN_PLACE, (_ecs_health("unhealthy"),), "server.in-place.no-capacity"),
    (
        "all healthy",
        IN_PLACE,
        (_keep_status("Skipped"), _set("deployment.deploymentOverview", {"Skipped": 2})),
        "server.in-place.full-capacity",
    ),
    ("some out", IN_PLACE, (), "server.in-place.capacity-reduced"),
    (
        "LB unread, all taken out",
        IN_PLACE,
        (LB_UNREAD, _event("BlockTraffic", "Succeeded"), _set("deployment.deploymentOverview", {"Failed": 4})),
        "server.in-place.no-capacity-per-codedeploy",
    ),
    (
        "LB unread, unread failed decide",
        IN_PLACE,
        (LB_UNREAD, _event("BlockTraffic", "Succeeded"), _set("deployment.deploymentOverview", {"Failed": 6})),
        "server.in-place.capacity-unknown",
    ),
    (
        "LB unread, none taken out",
        IN_PLACE,
        (LB_UNREAD, _event("BlockTraffic", "Skipped")),
        "server.in-place.full-capacity-per-codedeploy",
    ),
    ("LB unread, some taken out", IN_PLACE, (LB_UNREAD,), "server.in-place.capacity-reduced-per-codedeploy"),
    # Server in-place without a load balancer
    ("no target", NO_LB, (_set("targets", []),), "server.in-place-no-lb.nothing-read"),
    (
        "targets denied",
        NO_LB,
        (_set("targets", []), _denied("codedeploy", "BatchGetDeploymentTargets")),
        "server.in-place-no-lb.nothing-read",
    ),
    ("rollback restarted it", NO_LB, (_rollback("Succeeded"),), "server.in-place-no-lb.rollback-restarted"),
    ("one of three stopped", NO_LB, (), "server.in-place-no-lb.application-stopped"),
    (
        "stopped, unread failed may be too",
        NO_LB,
        (_set("deployment.deploymentOverview", {"Failed": 3}),),
        "server.in-place-no-lb.application-stopped-maybe-everywhere",
    ),
    (
        "the only one stopped",
        NO_LB,
        (_keep_first, _set("deployment.deploymentOverview", {"Failed": 1})),
        "server.in-place-no-lb.application-stopped-everywhere",
    ),
    ("nothing stopped", NO_LB, (_event("ApplicationStop", "Skipped"),), "server.in-place-no-lb.no-traffic-to-check"),
    # ECS
    ("not under CodeDeploy", "ecs-not-code-deploy-controller", (), "ecs.outside-codedeploy-forwards-to-healthy"),
    (
        "not under CodeDeploy, unhealthy",
        "ecs-not-code-deploy-controller",
        (_ecs_health("unhealthy"),),
        "ecs.outside-codedeploy-forwards-to-unhealthy",
    ),
    (
        "not under CodeDeploy, listener unread",
        "ecs-not-code-deploy-controller",
        (LISTENERS_UNREAD,),
        "ecs.outside-codedeploy-unconfirmed",
    ),
    ("health unread", "ecs-half-shifted", (LB_UNREAD,), "ecs.listener-share-health-unread"),
    ("Blue unhealthy", "ecs-half-shifted", (_ecs_health("unhealthy"),), "ecs.blue-target-group-unhealthy"),
    ("half shifted", "ecs-half-shifted", (), "ecs.listener-shares"),
    ("listener unread, weight", "ecs-half-shifted", (LISTENERS_UNREAD,), "ecs.codedeploy-weight"),
    ("listener unread, rollback", "ecs-half-shifted", (LISTENERS_UNREAD, _rollback("Succeeded")), "ecs.rollback-succeeded"),
    ("listener unread, no target", "ecs-half-shifted", (LISTENERS_UNREAD, _set("targets", [])), "ecs.no-target"),
    (
        "listener unread, AllowTraffic succeeded",
        "ecs-half-shifted",
        (LISTENERS_UNREAD, _ecs_weight(None), _event("AllowTraffic", "Succeeded")),
        "ecs.allow-traffic-succeeded",
    ),
    (
        "listener unread, AllowTraffic failed",
        "ecs-half-shifted",
        (LISTENERS_UNREAD, _ecs_weight(None)),
        "ecs.allow-traffic-unsettled",
    ),
    (
        "listener unread, AllowTraffic never ran",
        "ecs-half-shifted",
        (LISTENERS_UNREAD, _ecs_weight(None), _event("AllowTraffic", "Skipped")),
        "ecs.allow-traffic-never-ran",
    ),
    # Lambda
    ("canary", "lambda-canary-weighted", (), "lambda.alias-shares"),
    ("alias unread", "lambda-canary-weighted", (ALIAS_UNREAD,), "lambda.codedeploy-weight"),
    ("alias unread, rollback", "lambda-canary-weighted", (ALIAS_UNREAD, _rollback("Succeeded")), "lambda.rollback-succeeded"),
    ("alias unread, no target", "lambda-canary-weighted", (ALIAS_UNREAD, _set("targets", [])), "lambda.no-target"),
    (
        "alias unread, AllowTraffic succeeded",
        "lambda-fully-shifted-after-allow-failed",
        (ALIAS_UNREAD, _lambda_weight),
        "lambda.allow-traffic-succeeded",
    ),
    (
        "alias unread, AllowTraffic failed",
        "lambda-canary-weighted",
        (ALIAS_UNREAD, _lambda_weight),
        "lambda.allow-traffic-unsettled",
    ),
    (
        "alias unread, AllowTraffic never ran",
        "lambda-canary-weighted",
        (ALIAS_UNREAD, _lambda_weight, _event("AllowTraffic", "Skipped")),
        "lambda.allow-traffic-never-ran",
    ),
]
"""(what, scenario, changes to its evidence, the rule that must decide)."""


@pytest.mark.parametrize(("what", "scenario", "changes", "rule_id"), ROWS, ids=[f"{row[3]}:{row[0]}" for row in ROWS])
def test_the_rule_that_decides(what: str, scenario: str, changes: tuple[Change, ...], rule_id: str) -> None:
    result = judge(scenario, *changes)
    rule = rule_by_id(rule_id)
    assert rule is not None, rule_id
    assert result.rule == rule_id, (what, result.rule, result.summary)
    if not rule.keeps_basis:
        assert result.basis == rule.basis
    if isinstance(rule.verdict, str):
        assert result.verdict == rule.verdict


def test_every_rule_has_a_row_or_a_fixture() -> None:
    covered = {row[3] for row in ROWS} | {"deployment.by-platform"}
    missing = [rule.id for table in RULE_TABLES for rule in table.rules if rule.id not in covered]
    # The rest are decided by the review scenarios in the modules' own tests.
    assert set(missing) <= {
        "server.bg.blue-uneven-across-target-groups",
        "server.bg.green-also-serves",
        "server.bg.blue-partly-healthy",
        "server.bg.traffic-never-moved",
        "ecs.outside-codedeploy-forwards-nowhere",
        "ecs.listener-sends-blue-nothing",
        "ecs.routes-differ",
    }, missing


# --- the tables' invariants ---------------------------------------------------------------------


def test_rule_ids_are_unique_and_well_formed() -> None:
    ids = [rule.id for table in RULE_TABLES for rule in table.rules]
    assert len(ids) == len(set(ids))
    prefixes = ("deployment.", "server.bg.", "server.in-place.", "server.in-place-no-lb.", "ecs.", "lambda.")
    assert all(rule_id.startswith(prefixes) for rule_id in ids), ids


def test_a_confirmed_verdict_names_the_readings_it_rests_on() -> None:
    for table in RULE_TABLES:
        for rule in table.rules:
            assert rule.basis == "codedeploy-only" or rule.needs, f"{rule.id} confirms without naming what it reads"


def test_an_unread_reading_never_confirms() -> None:
    """Replace each reading a traffic-layer rule needs by Unread: the rule cannot apply, whatever the rest says."""

    class Probe:
        def __init__(self, unread: str, readings: tuple[str, ...]) -> None:
            self.unread, self.readings = unread, readings

        def __getattr__(self, attribute: str) -> object:
            if attribute == self.unread:
                return Unread("probe")
            if attribute in self.readings:
                return object()
            raise AssertionError(f"the condition was asked for {attribute} although a reading is unread")

    for table in RULE_TABLES:
        for rule in table.rules:
            for name in rule.needs:
                assert not rule.matches(Probe(name, rule.needs)), rule.id  # type: ignore[arg-type]


def test_each_example_fixture_is_decided_by_its_rule() -> None:
    for table in RULE_TABLES:
        for rule in table.rules:
            if rule.example:
                report = diagnose(load_snapshot(FIXTURES / f"{rule.example}.json"))
                assert report.blue_traffic.rule == rule.id, (rule.id, report.blue_traffic.rule)


def test_the_last_rule_of_every_table_always_applies() -> None:
    for table in RULE_TABLES:
        assert table.rules[-1].needs == (), table.name


# --- docs/verdicts.md and explain ---------------------------------------------------------------


def test_docs_page_is_generated_from_the_tables() -> None:
    assert DOCS.read_text(encoding="utf-8") == render_verdicts_markdown(), "run python -m codedeploy_doctor.traffic.docs"
    for table in RULE_TABLES:
        for rule in table.rules:
            assert f"| `{rule.id}` |" in DOCS.read_text(encoding="utf-8")


def test_docs_command_writes_and_checks(tmp_path: Path) -> None:
    target = tmp_path / "verdicts.md"
    assert main(["--output", str(target)]) == 0
    assert main(["--check", "--output", str(target)]) == 0
    target.write_text("stale", encoding="utf-8")
    assert main(["--check", "--output", str(target)]) == 1


def test_explain_prints_a_rule() -> None:
    result = CliRunner().invoke(app, ["explain", "ecs.listener-sends-blue-nothing"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ecs.listener-sends-blue-nothing: verdict rule")
    assert "Verdict: not-serving" in result.output and "Basis:   traffic-layer (reads blue_share)" in result.output


def test_explain_of_an_unknown_id_still_exits_2() -> None:
    result = CliRunner().invoke(app, ["explain", "ecs.no-such-rule"])
    assert result.exit_code == 2
