"""What an on-call review of every fixture found, pinned: verdict words, the previous revision's
hooks, where to look, usage errors, lost in-place capacity, Green health, EC2 states as they are."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from codedeploy_doctor.cli import main
from codedeploy_doctor.diagnosis import diagnose
from codedeploy_doctor.render import OutputFormat, RenderOptions, renderer_for
from codedeploy_doctor.render.verdict import verdict_tone, verdict_words
from codedeploy_doctor.report import BlueTraffic, LifecycleEventFailure
from codedeploy_doctor.snapshot import load_snapshot, snapshot_from_json
from tests.support import FIXTURES, load_fixture_json


def _report(name: str):  # type: ignore[no-untyped-def]
    return diagnose(load_snapshot(FIXTURES / f"{name}.json"))


# --- the production verdict in words ---------------------------------------------------------


@pytest.mark.parametrize(
    ("verdict", "basis", "words", "tone"),
    [
        ("serving", "traffic-layer", "Blue still serving", "good"),
        ("serving", "codedeploy-only", "Blue probably serving (not confirmed)", "warn"),
        ("partial", "traffic-layer", "Blue partly serving", "bad"),  # pages (exit 4) since the contract change
        ("partial", "codedeploy-only", "Blue probably partly serving (not confirmed)", "bad"),
        ("not-serving", "traffic-layer", "Blue NOT serving", "bad"),
        ("unknown", "codedeploy-only", "Blue status UNKNOWN", "bad"),
        ("not-applicable", "codedeploy-only", "Blue check not applicable", "neutral"),
    ],
)
def test_an_unconfirmed_all_clear_never_reads_as_one(verdict: str, basis: str, words: str, tone: str) -> None:
    traffic = BlueTraffic(verdict=verdict, summary="s", basis=basis)  # type: ignore[arg-type]
    assert (verdict_words(traffic), verdict_tone(traffic)) == (words, tone)


def test_exit_4_serving_is_yellow_and_unconfirmed_in_every_format() -> None:
    report = _report("traffic-server-bg-lb-unreadable")
    assert (report.blue_traffic.verdict, report.blue_traffic.basis) == ("serving", "codedeploy-only")
    markdown = renderer_for(OutputFormat.MARKDOWN)(report, RenderOptions())
    assert "**Production:** 🟡 Blue probably serving (not confirmed)" in markdown
    assert "🟢" not in markdown
    text = renderer_for(OutputFormat.TEXT)(report, RenderOptions(color=True))
    assert "\x1b[1;33mBlue probably serving (not confirmed)" in text  # bold yellow, not green


# --- hooks that run the previous revision ---------------------------------------------------


def test_application_stop_failure_says_the_script_is_the_previous_revisions() -> None:
    report = _report("server-inplace-applicationstop-previous-revision")
    assert len(report.notes) == 1
    note = report.notes[0]
    assert "ApplicationStop ran the script of the last revision" in note
    assert "d-J5CQ9X4LB" in note and "--ignore-application-stop-failures" in note
    # Its output is in the previous deployment's folder, not this one's.
    scripts = report.log_locations[0]
    assert "/d-J5CQ9X4LB/logs/scripts.log" in scripts and "/d-R8TZ2M6WF/" not in scripts
    for fmt in OutputFormat:
        assert "d-J5CQ9X4LB's bundle" in renderer_for(fmt)(report, RenderOptions())


def test_without_the_folder_in_the_log_tail_the_note_says_where_to_find_it() -> None:
    data = load_fixture_json("server-inplace-applicationstop-previous-revision")
    for target in data["targets"]:
        for event in target["instanceTarget"]["lifecycleEvents"]:
            if "diagnostics" in event:
                event["diagnostics"]["logTail"] = "[stderr]pm2: command not found"
    report = diagnose(snapshot_from_json(json.loads(json.dumps(data)), "test"))
    assert report.notes and "per the log tail" not in report.notes[0]
    assert "<last successful deployment id>/logs/scripts.log" in report.log_locations[0]
    assert "_last_successful_install" in report.log_locations[0]


@pytest.mark.parametrize("fixture", ["server-inplace-applicationstart-scriptfailed", "server-bluegreen-validateservice-green"])
def test_hooks_of_the_new_revision_get_no_note(fixture: str) -> None:
    report = _report(fixture)
    assert report.notes == ()
    assert "(this deployment's script output)" in report.log_locations[0]


def test_an_event_no_agent_picked_up_points_at_the_agent_log_not_a_scripts_log() -> None:
    report = _report("server-inplace-agent-never-picked-up")
    assert report.first_failure is not None and report.first_failure.status == "Pending"
    assert "codedeploy-agent.log" in report.log_locations[0]
    assert not any("scripts.log" in location for location in report.log_locations)


def test_ecs_and_lambda_hooks_are_not_server_previous_revision_hooks() -> None:
    from codedeploy_doctor.diagnosis.previous_revision import runs_previous_revision

    failure = LifecycleEventFailure("c:s", None, "ECSTarget", "ApplicationStop", "Failed", None, None, None, None, None, None)
    assert not runs_previous_revision(failure)
    assert runs_previous_revision(replace(failure, target_type="InstanceTarget", lifecycle_event="AfterBlockTraffic"))


# --- Blue verdicts --------------------------------------------------------------------------


def test_lost_in_place_capacity_pages_while_the_deployment_still_runs() -> None:
    report = _report("server-inprogress-with-failed-target")
    assert report.deployment.status == "InProgress" and report.deployment_failed
    assert report.blue_traffic.verdict == "partial"
    # One left stopped by the failure, one more between ApplicationStop and ApplicationStart right now.
    assert "stopped on 1 of 4 instances" in report.blue_traffic.summary
    assert report.blue_traffic.summary.startswith("capacity down to 2/4:")
    assert "1 more stopped mid-deployment" in report.blue_traffic.summary


def test_unhealthy_green_is_a_failed_check_once_blue_is_out() -> None:
    checks = _report("traffic-server-bg-deregistered-green-unhealthy").blue_traffic.checks
    green = next(check for check in checks if "Green instance" in check.detail)
    assert not green.ok
    serving = _report("server-bluegreen-validateservice-green").blue_traffic
    assert serving.verdict == "serving"
    green = next(check for check in serving.checks if "Green instance" in check.detail)
    assert green.ok, "Blue still serves: an unhealthy Green is what the failure is about, not a production problem"


# --- bad input --------------------------------------------------------------------------------


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


def test_a_deployment_without_status_is_not_silently_fine(tmp_path: Path) -> None:
    path = tmp_path / "bare.json"
    path.write_text(json.dumps({"format": "cd-doctor.snapshot/1", "deployment": {}, "targets": []}), encoding="utf-8")
    report = diagnose(load_snapshot(path))
    assert any("has no status" in warning for warning in report.warnings)


# --- second review: CI-facing ---------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["server-inplace-agent-never-picked-up", "server-stopped-with-rollback"])
def test_an_event_that_ran_no_script_gets_no_previous_revision_note(fixture: str) -> None:
    report = _report(fixture)
    assert report.first_failure is not None and report.first_failure.status != "Failed"
    assert report.notes == ()


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


# --- third review: Server verdicts --------------------------------------------------------------

WEB_TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-prod-tg/4b8e1d6a3f9c2e70"
API_TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-api-tg/7c1e5a9d3b8f2e64"


def _verdict(data: dict[str, object]) -> BlueTraffic:
    from codedeploy_doctor.traffic import assess_blue_traffic

    return assess_blue_traffic(snapshot_from_json(json.loads(json.dumps(data)), "test"))


def _health(target_id: str, state: str) -> dict[str, object]:
    return {"Target": {"Id": target_id, "Port": 80}, "TargetHealth": {"State": state}}


def test_a_successful_rollback_restarted_the_stopped_in_place_instances() -> None:
    data = load_fixture_json("server-inplace-downloadbundle-unknownerror")
    before = _verdict(data)
    assert before.verdict in ("partial", "not-serving")
    data["deployment"]["rollbackInfo"] = {"rollbackDeploymentId": "d-RB0000001"}
    data["rollbackDeployment"] = {"deploymentId": "d-RB0000001", "status": "Succeeded"}
    after = _verdict(data)
    assert after.verdict == "not-applicable"
    assert "rollback d-RB0000001 succeeded" in after.summary
    assert all(member.health != "application stopped" for member in after.environments[0].members)


def test_a_green_instance_not_read_in_detail_but_taking_traffic_is_seen() -> None:
    data = load_fixture_json("traffic-server-bg-untouched-blue")
    blue = [t["instanceTarget"]["targetId"] for t in data["targets"] if t["instanceTarget"]["instanceLabel"] == "Blue"]
    # What a live run collects: the failed Green target and the Blue listing, read in full.
    data["collection"] = {
        "strategy": "filtered",
        "listed": {"Failed": 1, "Blue": 2},
        "fetched": 3,
        "blueTargetIds": blue,
        "blueListedInFull": True,
    }
    data["traffic"]["elbv2"]["targetHealth"][WEB_TG].append(_health("i-0aaaaaaaaaaaaaaa1", "healthy"))
    result = _verdict(data)
    assert result.verdict == "partial"
    assert "Green also receives production traffic" in result.summary
    green = next(env for env in result.environments if env.label == "Green")
    assert "i-0aaaaaaaaaaaaaaa1" in {m.id for m in green.members}
    # Without knowing the whole Blue fleet, an unlisted registered instance could be Blue: no guess.
    data["collection"]["blueListedInFull"] = False
    assert _verdict(data).verdict == "serving"


def test_blue_serves_fully_only_if_it_serves_in_every_target_group() -> None:
    data = load_fixture_json("traffic-server-bg-untouched-blue")
    data["deployment"]["loadBalancerInfo"]["targetGroupInfoList"].append({"name": "web-api-tg"})
    groups = data["traffic"]["elbv2"]["targetGroups"]
    groups.append({**groups[0], "TargetGroupArn": API_TG, "TargetGroupName": "web-api-tg"})
    data["traffic"]["elbv2"]["targetHealth"][API_TG] = [_health("i-0d83c6a1e5f2b9740", "unhealthy")]
    result = _verdict(data)
    assert result.verdict == "partial"
    assert "2/2 in web-prod-tg, 0/2 in web-api-tg" in result.summary


def test_in_place_capacity_names_the_weakest_group() -> None:
    data = load_fixture_json("traffic-server-inplace-capacity")
    base = _verdict(data)
    tg_arn = next(iter(data["traffic"]["elbv2"]["targetHealth"]))
    admin = tg_arn.replace(tg_arn.split("/")[-2], "shop-admin-tg")
    data["deployment"]["loadBalancerInfo"]["targetGroupInfoList"].append({"name": "shop-admin-tg"})
    groups = data["traffic"]["elbv2"]["targetGroups"]
    groups.append({**groups[0], "TargetGroupArn": admin, "TargetGroupName": "shop-admin-tg"})
    registered = data["traffic"]["elbv2"]["targetHealth"][tg_arn]
    data["traffic"]["elbv2"]["targetHealth"][admin] = [_health(str(item["Target"]["Id"]), "unhealthy") for item in registered]
    result = _verdict(data)
    assert base.verdict != "not-serving"
    assert "in shop-admin-tg (the weakest;" in result.summary
    # Capacity is the weakest production path's: a path that routes to nothing is an outage of it.
    assert (result.verdict, result.basis) == ("not-serving", "traffic-layer")


def test_an_unread_rollback_leaves_deregistered_blue_unknown() -> None:
    data = load_fixture_json("traffic-server-bg-lb-unreadable")
    for target in data["targets"]:
        body = target["instanceTarget"]
        if body["instanceLabel"] == "Blue":
            for event in body["lifecycleEvents"]:
                if event["lifecycleEventName"] == "BlockTraffic":
                    event.update(status="Succeeded", startTime="2026-11-29T09:05:00Z", endTime="2026-11-29T09:05:10Z")
    data["deployment"]["rollbackInfo"] = {"rollbackDeploymentId": "d-RB0000002"}
    data.pop("rollbackDeployment", None)
    result = _verdict(data)
    assert (result.verdict, result.basis) == ("unknown", "codedeploy-only")
    assert "status was not read" in result.summary


def test_blue_is_gone_once_a_terminating_deployment_succeeded() -> None:
    data = load_fixture_json("traffic-server-bg-termination-wait")
    data["deployment"]["status"] = "Succeeded"
    result = _verdict(data)
    assert result.blue_termination is not None
    assert result.blue_termination.startswith("Blue instances were terminated when the deployment completed")


# --- fourth review: the diff of the day ---------------------------------------------------------


def test_a_target_group_attached_to_no_load_balancer_is_no_production_path() -> None:
    data = load_fixture_json("traffic-server-bg-untouched-blue")
    data["deployment"]["loadBalancerInfo"]["targetGroupInfoList"].append({"name": "web-spare-tg"})
    groups = data["traffic"]["elbv2"]["targetGroups"]
    spare = API_TG.replace("web-api-tg", "web-spare-tg")
    groups.append({**groups[0], "TargetGroupArn": spare, "TargetGroupName": "web-spare-tg"})
    groups[-1]["LoadBalancerArns"] = []
    data["traffic"]["elbv2"]["targetHealth"][groups[-1]["TargetGroupArn"]] = []
    result = _verdict(data)
    assert result.verdict == "serving", result.summary


def test_unread_failed_instances_lower_in_place_capacity_behind_a_load_balancer() -> None:
    data = load_fixture_json("traffic-server-inplace-capacity")
    data["traffic"]["elbv2"].pop("targetHealth")
    data["errors"] = [{"service": "elbv2", "operation": "DescribeTargetHealth", "code": "AccessDenied", "message": "no"}]
    assert _verdict(data).summary.startswith("capacity down to ~2/4 instances in service")
    data["deployment"]["deploymentOverview"]["Failed"] += 3  # 7 instances, 3 failed ones not read
    after = _verdict(data)
    assert after.summary.startswith("capacity down to ~2-5/7 instances in service: 3 failed instances were not read in detail")
    assert "; may be below the minimum of 4 healthy" in after.summary  # 2 to 5 in service against 4
    minimum = next(c for c in after.checks if c.source == "codedeploy:GetDeploymentConfig")
    assert minimum.detail.startswith("2-5 of 7 instances in service") and not minimum.ok


def test_ecs_rules_denied_beside_a_default_to_blue_confirm_nothing() -> None:
    data = load_fixture_json("ecs-untouched")
    data["errors"] = [{"service": "elbv2", "operation": "DescribeRules", "code": "AccessDenied", "message": "no"}]
    result = _verdict(data)
    assert result.basis == "codedeploy-only"


def test_ecs_routes_that_differ_get_no_made_up_percentage() -> None:
    data = load_fixture_json("ecs-untouched")
    pair = data["deployment"]["loadBalancerInfo"]["targetGroupPairInfoList"][0]
    arn = pair["prodTrafficRoute"]["listenerArns"][0]
    listener = next(item for item in data["traffic"]["elbv2"]["listeners"] if item["ListenerArn"] == arn)
    blue_arn = listener["DefaultActions"][0]["ForwardConfig"]["TargetGroups"][0]["TargetGroupArn"]
    green_name = next(g["name"] for g in pair["targetGroups"] if g["name"] not in blue_arn)
    green_arn = blue_arn.replace(blue_arn.split("/")[-2], green_name)

    def forward(target_group: str) -> list[dict[str, object]]:
        return [{"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": target_group, "Weight": 1}]}}]

    listener["DefaultActions"] = forward(blue_arn)
    rule_actions = forward(green_arn)
    data["traffic"]["elbv2"]["rules"] = {
        arn: [{"RuleArn": arn + "/r10", "Priority": "10", "Conditions": [], "Actions": rule_actions, "IsDefault": False}]
    }
    result = _verdict(data)
    assert (result.verdict, result.basis) == ("partial", "traffic-layer")
    assert "production routes differ" in result.summary and "50%" not in result.summary
    assert all(env.traffic_share is None for env in result.environments)


def test_targets_left_out_of_an_answer_are_not_blamed_on_iam() -> None:
    from codedeploy_doctor.call_warnings import INCOMPLETE_ANSWER, warning_for
    from codedeploy_doctor.snapshot import CallError

    message = "1 of the targets asked for were not returned"
    error = CallError("codedeploy", "BatchGetDeploymentTargets", INCOMPLETE_ANSWER, message)
    assert warning_for(error) == (
        "BatchGetDeploymentTargets answered without some of what was asked: 1 of the targets asked for were not returned"
    )


# --- fifth review ----------------------------------------------------------------------------------


def test_in_place_capacity_ignores_a_target_group_attached_to_no_load_balancer() -> None:
    data = load_fixture_json("traffic-server-inplace-capacity")
    before = _verdict(data)
    tg_arn = next(iter(data["traffic"]["elbv2"]["targetHealth"]))
    spare = tg_arn.replace(tg_arn.split("/")[-2], "shop-spare-tg")
    data["deployment"]["loadBalancerInfo"]["targetGroupInfoList"].append({"name": "shop-spare-tg"})
    groups = data["traffic"]["elbv2"]["targetGroups"]
    groups.append({**groups[0], "TargetGroupArn": spare, "TargetGroupName": "shop-spare-tg", "LoadBalancerArns": []})
    data["traffic"]["elbv2"]["targetHealth"][spare] = []
    after = _verdict(data)
    assert (after.verdict, after.basis) == (before.verdict, before.basis)
    assert "shop-spare-tg (the weakest" not in after.summary


def test_the_bounded_warning_counts_failed_targets_not_the_blue_sample() -> None:
    from tests.aws.test_collect_edges import _collect, _Forgetful

    data = load_fixture_json("server-bluegreen-validateservice-green")
    world = _Forgetful.from_snapshots([data])
    warnings = diagnose(_collect(world, data["deployment"]["deploymentId"])).warnings
    bounded = next(w for w in warnings if w.startswith("read "))
    failed_total = data["deployment"]["deploymentOverview"]["Failed"]
    read, total = (int(n) for n in bounded.split()[1:4:2])
    assert total == failed_total and read < total


def test_listeners_that_disagree_get_no_averaged_percentage() -> None:
    data = load_fixture_json("ecs-half-shifted")
    pair = data["deployment"]["loadBalancerInfo"]["targetGroupPairInfoList"][0]
    listeners = data["traffic"]["elbv2"]["listeners"]
    # The test listener becomes a second production listener sending everything to Green.
    pair["prodTrafficRoute"]["listenerArns"].append(listeners[1]["ListenerArn"])
    default = listeners[0]["DefaultActions"][0]["ForwardConfig"]["TargetGroups"]
    default[0]["Weight"], default[1]["Weight"] = 1, 0
    result = _verdict(data)
    assert result.verdict == "partial"
    assert "production routes differ" in result.summary and "50%" not in result.summary


def test_rules_cut_off_after_the_page_limit_are_recorded() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from codedeploy_doctor.aws.context import CollectionContext
    from codedeploy_doctor.aws.traffic import MAX_RULE_PAGES, _describe_rules

    class Endless:
        calls = 0

        def client(self, _service: str) -> object:
            outer = self

            class Client:
                def describe_rules(self, **_params: object) -> dict[str, object]:
                    outer.calls += 1
                    return {"Rules": [], "NextMarker": "more"}

            return Client()

    factory = Endless()
    with ThreadPoolExecutor(1) as pool:
        ctx = CollectionContext(factory, pool)  # type: ignore[arg-type]
        assert _describe_rules(ctx, "arn:aws:elasticloadbalancing:us-east-1:1:listener/app/x/1/2") is None
    assert factory.calls == MAX_RULE_PAGES
    assert [(e.operation, e.code) for e in ctx.errors] == [("DescribeRules", "IncompleteAnswer")]


# --- sixth review: what changed in the reports ---------------------------------------------------


def test_a_failure_without_rollback_says_traffic_stays_put() -> None:
    report = _report("lambda-fully-shifted-after-allow-failed")
    rollback = next(check for check in report.blue_traffic.checks if check.source == "codedeploy:rollback")
    assert "automatic rollback on failure is disabled" in rollback.detail and not rollback.ok
    safe = _report("server-bluegreen-validateservice-green").blue_traffic
    (no_rollback,) = [check for check in safe.checks if check.source == "codedeploy:rollback"]
    assert no_rollback.ok, "Blue confirmed serving: no rollback is needed"


def test_a_blue_instance_is_never_told_to_wait_for_the_new_bundle() -> None:
    report = _report("traffic-server-bg-deregistered-green-unhealthy")
    assert report.first_failure is not None and report.first_failure.target_label == "Blue"
    (note,) = report.notes
    assert "never receives this deployment's bundle" in note and "until a deployment gets past" not in note
    text = renderer_for(OutputFormat.TEXT)(report, RenderOptions())
    assert text.index("Likely cause") < text.index("Note:"), "the cause comes first, the note qualifies its fix"


def test_a_skipped_event_points_at_no_scripts_log() -> None:
    report = _report("server-stopped-with-rollback")
    assert report.first_failure is not None and report.first_failure.status == "Skipped"
    assert not any("scripts.log" in location for location in report.log_locations)


@pytest.mark.parametrize(
    ("status", "events", "said"),
    [
        ("Failed", ["DEPLOYMENT_FAILURE"], "automatic rollback is enabled for this, yet CodeDeploy started none"),
        ("Stopped", ["DEPLOYMENT_STOP_ON_REQUEST"], "automatic rollback is enabled for this, yet CodeDeploy started none"),
        ("Stopped", ["DEPLOYMENT_STOP_ON_ALARM"], "automatic rollback is not set for a stopped deployment"),
        ("Stopped", ["DEPLOYMENT_FAILURE"], "automatic rollback is not set for a stopped deployment"),
    ],
)
def test_why_no_rollback_came(status: str, events: list[str], said: str) -> None:
    data = load_fixture_json("traffic-server-bg-untouched-blue")
    data["deployment"]["status"] = status
    if status == "Stopped":
        data["deployment"]["errorInformation"] = {"code": "MANUAL_STOP", "message": "The deployment was stopped by a user."}
    data["deployment"]["autoRollbackConfiguration"] = {"enabled": True, "events": events}
    rollback = next(check for check in _verdict(data).checks if check.source == "codedeploy:rollback")
    assert said in rollback.detail


# --- seventh review ----------------------------------------------------------------------------


def test_an_unattached_target_group_does_not_grow_the_in_place_fleet() -> None:
    data = load_fixture_json("traffic-server-inplace-capacity")
    before = _verdict(data)
    tg_arn = next(iter(data["traffic"]["elbv2"]["targetHealth"]))
    spare = tg_arn.replace(tg_arn.split("/")[-2], "spare-tg")
    data["deployment"]["loadBalancerInfo"]["targetGroupInfoList"].append({"name": "spare-tg"})
    groups = data["traffic"]["elbv2"]["targetGroups"]
    groups.append({**groups[0], "TargetGroupArn": spare, "TargetGroupName": "spare-tg", "LoadBalancerArns": []})
    data["traffic"]["elbv2"]["targetHealth"][spare] = [_health(f"i-0spare{n}", "healthy") for n in range(3)]
    after = _verdict(data)
    assert after.summary.split(";")[0] == before.summary.split(";")[0], after.summary
    assert (after.verdict, after.basis) == (before.verdict, before.basis)


def test_ecs_names_no_blue_from_the_listener_when_targets_could_not_be_listed() -> None:
    data = load_fixture_json("ecs-half-shifted")
    data["targets"] = []
    data["deployment"].pop("deploymentOverview", None)
    weights = data["traffic"]["elbv2"]["listeners"][0]["DefaultActions"][0]["ForwardConfig"]["TargetGroups"]
    weights[0]["Weight"], weights[1]["Weight"] = 0, 1
    denied = {"service": "codedeploy", "operation": "ListDeploymentTargets", "code": "AccessDeniedException", "message": "x"}
    data["errors"] = [denied]
    result = _verdict(data)
    assert result.basis == "codedeploy-only" and "Blue taken as" not in " ".join(c.detail for c in result.checks)


def test_ecs_target_without_task_sets_takes_blue_from_the_listener() -> None:
    data = load_fixture_json("ecs-half-shifted")
    for target in data["targets"]:
        target["ecsTarget"]["taskSetsInfo"] = []
        for event in target["ecsTarget"]["lifecycleEvents"]:
            if event["lifecycleEventName"] in ("AllowTraffic", "AfterAllowTraffic"):
                event["status"] = "Pending"  # failed before traffic could move
                event.pop("startTime", None)
                event.pop("endTime", None)
    weights = data["traffic"]["elbv2"]["listeners"][0]["DefaultActions"][0]["ForwardConfig"]["TargetGroups"]
    weights[0]["Weight"], weights[1]["Weight"] = 1, 0
    result = _verdict(data)
    assert (result.verdict, result.basis) == ("serving", "traffic-layer")
    assert any("the ECS target names no task set: Blue taken as orders-tg-blue" in c.detail for c in result.checks)


@pytest.mark.parametrize("sets", ["green-only", "none-after-allow-traffic"])
def test_ecs_never_takes_a_green_target_group_for_blue(sets: str) -> None:
    data = load_fixture_json("ecs-half-shifted")
    for target in data["targets"]:
        infos = target["ecsTarget"]["taskSetsInfo"]
        green = [info for info in infos if info.get("taskSetLabel") == "Green"]
        target["ecsTarget"]["taskSetsInfo"] = green if sets == "green-only" else []
    weights = data["traffic"]["elbv2"]["listeners"][0]["DefaultActions"][0]["ForwardConfig"]["TargetGroups"]
    weights[0]["Weight"], weights[1]["Weight"] = 0, 1
    result = _verdict(data)
    assert "Blue taken as" not in " ".join(c.detail for c in result.checks)
    assert not (result.verdict == "serving" and result.basis == "traffic-layer")


def test_in_place_with_no_attached_target_group_says_so() -> None:
    data = load_fixture_json("traffic-server-inplace-capacity")
    for group in data["traffic"]["elbv2"]["targetGroups"]:
        group["LoadBalancerArns"] = []
    result = _verdict(data)
    assert (result.verdict, result.basis) == ("not-serving", "traffic-layer")
    assert result.summary.startswith("capacity down to 0: no production target group is attached")


def test_in_place_member_shares_never_add_up_past_100() -> None:
    data = load_fixture_json("traffic-server-inplace-capacity")
    tg_arn = next(iter(data["traffic"]["elbv2"]["targetHealth"]))
    admin = tg_arn.replace(tg_arn.split("/")[-2], "shop-admin-tg")
    data["deployment"]["loadBalancerInfo"]["targetGroupInfoList"].append({"name": "shop-admin-tg"})
    groups = data["traffic"]["elbv2"]["targetGroups"]
    groups.append({**groups[0], "TargetGroupArn": admin, "TargetGroupName": "shop-admin-tg"})
    registered = [str(item["Target"]["Id"]) for item in data["traffic"]["elbv2"]["targetHealth"][tg_arn]]
    data["traffic"]["elbv2"]["targetHealth"][admin] = [_health(registered[0], "healthy")]
    members = _verdict(data).environments[0].members
    assert sum(m.traffic_share or 0.0 for m in members) <= 100.0 + 1e-9


def test_a_capacity_range_shows_no_single_traffic_share() -> None:
    data = load_fixture_json("traffic-server-inplace-capacity")
    data["traffic"]["elbv2"].pop("targetHealth")
    data["errors"] = [{"service": "elbv2", "operation": "DescribeTargetHealth", "code": "AccessDenied", "message": "no"}]
    data["deployment"]["deploymentOverview"]["Failed"] += 3
    environment = _verdict(data).environments[0]
    assert environment.traffic_share is None and environment.summary == "original fleet: 2-5/7 in service"


def test_a_rollback_deployment_of_another_id_gives_no_status() -> None:
    data = load_fixture_json("server-stopped-with-rollback")
    data["rollbackDeployment"]["deploymentId"] = "d-ZZZZZZZZZ"
    report = diagnose(snapshot_from_json(json.loads(json.dumps(data)), "test"))
    assert report.deployment.rollback is not None and report.deployment.rollback.status is None


def test_capacity_wording_keeps_both_mid_deployment_and_unread_instances() -> None:
    data = load_fixture_json("server-inprogress-with-failed-target")
    data["deployment"]["deploymentOverview"]["Failed"] += 1
    summary = _verdict(data).summary
    assert "1 more stopped mid-deployment; 1 more failed instances were not read in detail" in summary


# --- ninth review: ECS once more -------------------------------------------------------------------


def _ecs_listener(data: dict[str, Any]) -> dict[str, Any]:
    arn = data["deployment"]["loadBalancerInfo"]["targetGroupPairInfoList"][0]["prodTrafficRoute"]["listenerArns"][0]
    return next(item for item in data["traffic"]["elbv2"]["listeners"] if item["ListenerArn"] == arn)  # type: ignore[no-any-return]


def _forward_to(*weighted: tuple[str, int]) -> list[dict[str, Any]]:
    groups = [{"TargetGroupArn": arn, "Weight": weight} for arn, weight in weighted]
    return [{"Type": "forward", "ForwardConfig": {"TargetGroups": groups}}]


def test_ecs_listener_back_on_blue_with_health_unread_is_not_called_not_serving() -> None:
    data = load_fixture_json("ecs-half-shifted")
    listener = _ecs_listener(data)
    blue_arn = listener["DefaultActions"][0]["ForwardConfig"]["TargetGroups"][0]["TargetGroupArn"]
    listener["DefaultActions"] = _forward_to((blue_arn, 1))
    data["traffic"]["elbv2"]["rules"] = {listener["ListenerArn"]: []}
    data["traffic"]["elbv2"]["targetHealth"] = {}
    data["errors"] = [{"service": "elbv2", "operation": "DescribeTargetHealth", "code": "AccessDenied", "message": "no"}]
    result = _verdict(data)
    assert (result.verdict, result.basis) == ("serving", "codedeploy-only")
    assert "Blue's target health was not read" in result.summary


def test_ecs_a_route_to_a_third_target_group_does_not_weaken_blues_share() -> None:
    data = load_fixture_json("ecs-half-shifted")
    listener = _ecs_listener(data)
    blue_arn = listener["DefaultActions"][0]["ForwardConfig"]["TargetGroups"][0]["TargetGroupArn"]
    legacy = blue_arn.replace(blue_arn.split("/")[-2], "orders-legacy")
    listener["DefaultActions"] = _forward_to((blue_arn, 1))
    rule = {"RuleArn": "r", "Priority": "10", "Conditions": [], "Actions": _forward_to((blue_arn, 1), (legacy, 1))}
    data["traffic"]["elbv2"]["rules"] = {listener["ListenerArn"]: [{**rule, "IsDefault": False}]}
    result = _verdict(data)
    assert result.verdict == "serving", result.summary


def test_a_service_outside_codedeploy_forwarding_outside_the_pair_is_not_confirmed_down() -> None:
    data = load_fixture_json("ecs-not-code-deploy-controller")
    listener = _ecs_listener(data)
    arn = listener["DefaultActions"][0]["ForwardConfig"]["TargetGroups"][0]["TargetGroupArn"]
    listener["DefaultActions"] = _forward_to((arn.replace(arn.split("/")[-2], "orders-legacy"), 1))
    data["traffic"]["elbv2"]["rules"] = {listener["ListenerArn"]: []}  # read: the listener's routes are all known
    result = _verdict(data)
    assert "forwards to no target group" not in result.summary
    assert result.basis == "codedeploy-only"


# --- tenth review: Server blue/green once more -------------------------------------------------------


def _two_groups(data: dict[str, Any], second: str, attached: bool = True) -> str:
    first_arn = next(iter(data["traffic"]["elbv2"]["targetHealth"]))
    arn = first_arn.replace(first_arn.split("/")[-2], second)
    data["deployment"]["loadBalancerInfo"]["targetGroupInfoList"].append({"name": second})
    groups = data["traffic"]["elbv2"]["targetGroups"]
    groups.append({**groups[0], "TargetGroupArn": arn, "TargetGroupName": second})
    if not attached:
        groups[-1]["LoadBalancerArns"] = []
    return arn


def test_equal_counts_of_different_blue_instances_per_group_are_partial() -> None:
    data = load_fixture_json("traffic-server-bg-untouched-blue")
    first_arn = next(iter(data["traffic"]["elbv2"]["targetHealth"]))
    b1, b2 = (str(h["Target"]["Id"]) for h in data["traffic"]["elbv2"]["targetHealth"][first_arn])
    data["traffic"]["elbv2"]["targetHealth"][first_arn] = [_health(b1, "healthy"), _health(b2, "draining")]
    second = _two_groups(data, "web-b-tg")
    data["traffic"]["elbv2"]["targetHealth"][second] = [_health(b1, "unhealthy"), _health(b2, "healthy")]
    result = _verdict(data)
    assert result.verdict == "partial"
    assert "1/2 in web-prod-tg, 1/2 in web-b-tg" in result.summary


def test_an_unattached_group_is_named_nowhere_in_blue_green_counts() -> None:
    data = load_fixture_json("traffic-server-bg-untouched-blue")
    spare = _two_groups(data, "web-spare-tg", attached=False)
    data["traffic"]["elbv2"]["targetHealth"][spare] = [_health("i-0d83c6a1e5f2b9740", "healthy")]
    result = _verdict(data)
    assert result.verdict == "serving"
    assert "web-spare-tg" not in result.summary
    assert all("web-spare-tg" not in c.detail for c in result.checks if c.source == "elbv2:DescribeTargetHealth")


def test_inferred_blue_counts_green_that_took_traffic_and_blue_gone_from_ec2() -> None:
    data = load_fixture_json("traffic-server-bg-lb-unreadable")
    for target in data["targets"]:
        body = target["instanceTarget"]
        if body["instanceLabel"] == "Green":
            for event in body["lifecycleEvents"]:
                if event["lifecycleEventName"] == "AllowTraffic":
                    event.update(status="Succeeded", startTime="2026-11-29T09:01:00Z", endTime="2026-11-29T09:01:05Z")
    result = _verdict(data)
    assert (result.verdict, result.basis) == ("partial", "codedeploy-only")
    assert "Blue was never blocked" in result.summary


def test_inferred_blue_with_an_instance_terminated_is_not_serving_in_full() -> None:
    data = load_fixture_json("traffic-server-bg-lb-unreadable")
    blue = [t["instanceTarget"]["targetId"] for t in data["targets"] if t["instanceTarget"]["instanceLabel"] == "Blue"]
    data["traffic"].setdefault("ec2", {})["instances"] = [
        {"InstanceId": blue[0], "State": {"Code": 48, "Name": "terminated"}},
        {"InstanceId": blue[1], "State": {"Code": 16, "Name": "running"}},
    ]
    result = _verdict(data)
    assert (result.verdict, result.basis) == ("partial", "codedeploy-only")
    assert "EC2: 1 terminated of 2" in result.summary
