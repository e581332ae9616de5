"""How the matcher ranks, what evidence it keeps, and that it stays fast and safe on hostile input."""

from __future__ import annotations

import time

from codedeploy_doctor.catalog import builtin_catalog
from codedeploy_doctor.catalog.matching import EVIDENCE_CHARS, MAX_LINE_CHARS
from codedeploy_doctor.catalog.model import FailureEvidence

HC = (
    "The overall deployment failed because too many individual instances failed deployment, "
    "too few healthy instances are available."
)


def evidence(**fields: object) -> FailureEvidence:
    values: dict[str, object] = {
        "platform": "Server",
        "lifecycle_event": None,
        "event_status": None,
        "error_code": None,
        "script_name": None,
        "message": None,
        "log_tail": None,
        "deployment_error_code": None,
        "deployment_error_message": None,
    }
    values.update(fields)
    return FailureEvidence(**values)  # type: ignore[arg-type]


def ids(found: FailureEvidence) -> list[str]:
    return [match.cause_id for match in builtin_catalog().match(found)]


def test_never_empty_and_ends_with_one_generic_record() -> None:
    catalog = builtin_catalog()
    for found in (
        evidence(),
        evidence(deployment_error_code="BRAND_NEW_CODE"),
        evidence(
            lifecycle_event="AfterInstall", event_status="Failed", error_code="ScriptFailed", log_tail="Address already in use"
        ),
    ):
        matches = catalog.match(found)
        assert matches
        assert matches[-1].generic
        assert [m.generic for m in matches].count(True) == 1
        assert all(not m.generic for m in matches[:-1])


def test_log_line_beats_exit_code_beats_deployment_summary() -> None:
    found = evidence(
        lifecycle_event="ApplicationStart",
        event_status="Failed",
        error_code="ScriptFailed",
        message="Script at specified location: scripts/start.sh failed with exit code 127",
        log_tail="[stderr]Error: listen EADDRINUSE: address already in use :::8080",
        deployment_error_code="THROTTLED",
    )
    order = ids(found)
    assert order.index("port-in-use") < order.index("command-not-found") < order.index("throttled")
    matches = builtin_catalog().match(found)
    assert matches[0].confidence == "high"
    assert next(m for m in matches if m.cause_id == "command-not-found").confidence == "medium"


def test_evidence_is_the_full_stripped_line_cut_to_300_chars() -> None:
    long_line = "   [stderr]" + "x" * 500 + " address already in use " + "y" * 500 + "   "
    top = builtin_catalog().match(evidence(log_tail="first line\n" + long_line))[0]
    assert top.cause_id == "port-in-use"
    assert top.evidence[0].startswith("[stderr]xxx")
    assert len(top.evidence[0]) <= EVIDENCE_CHARS


def test_generic_match_explains_error_and_exit_code() -> None:
    catalog = builtin_catalog()
    found = evidence(
        lifecycle_event="AfterInstall",
        event_status="Failed",
        error_code="ScriptFailed",
        message="Script at specified location: scripts/x.sh failed with exit code 143",
    )
    match = catalog.match(found)[-1]
    assert match.cause_id == "script-failed-unrecognized"
    assert match.detail is not None
    assert "Exit code 143" in match.detail and "SIGTERM" in match.detail
    cause = catalog.to_cause(match)
    assert cause.explanation.endswith(match.detail)
    assert cause.where and "codedeploy-agent-deployments.log" in cause.where


def test_unknown_deployment_code_is_data_not_a_crash() -> None:
    match = builtin_catalog().match(evidence(deployment_error_code="SOMETHING_AWS_ADDED", deployment_status="Failed"))[0]
    assert match.cause_id == "unexplained-failure"
    assert match.detail and "SOMETHING_AWS_ADDED" in match.detail


def test_health_constraints_summary_never_outranks_a_target() -> None:
    deployment_only = ids(evidence(deployment_error_code="HEALTH_CONSTRAINTS", deployment_error_message=HC))
    assert deployment_only == ["health-constraints-not-met"]
    target = ids(
        evidence(
            lifecycle_event="AfterInstall",
            event_status="Failed",
            error_code="ScriptFailed",
            message="Script at specified location: a.sh failed with exit code 1",
            deployment_error_code="HEALTH_CONSTRAINTS",
            deployment_error_message=HC,
        )
    )
    assert target == ["script-failed-unrecognized"]


def test_agent_event_aliases_are_understood() -> None:
    found = evidence(lifecycle_event="BeforeELBRemove", event_status="Failed", error_code="ScriptFailed")
    assert ids(found)[0] == "application-stop-previous-revision-failed"


def test_instance_facts_point_at_the_missing_profile() -> None:
    found = evidence(
        lifecycle_event="ApplicationStop",
        event_status="Pending",
        instance_facts={"iamInstanceProfile": "none", "state": "running"},
    )
    assert ids(found)[:2] == ["instance-profile-missing", "agent-not-running"]


def test_extra_log_lines_are_read() -> None:
    found = evidence(
        lifecycle_event="BeforeInstall",
        event_status="Pending",
        extra_log_lines=("noise",) * 10
        + ("ERROR: Cannot reach InstanceService: Aws::CodeDeployCommand::Errors::AccessDeniedException - ",),
    )
    top = builtin_catalog().match(found)[0]
    assert top.cause_id == "agent-credentials-access-denied"
    assert top.evidence[0].startswith("ERROR: Cannot reach InstanceService")


def test_builtin_catalog_is_parsed_once() -> None:
    assert builtin_catalog() is builtin_catalog()


def test_huge_inputs_stay_fast() -> None:
    hostile = [
        "a" * 200_000,
        " " * 200_000,
        "x: " * 70_000,
        "failed to " * 20_000,
        "deployment-archive" * 10_000,
        "\\" * 200_000,
        "C:/" + "a" * 200_000,
        "waiting for the instance " * 8_000,
        "run as user " * 15_000,
        "Script at specified location: " * 6_000,
    ]
    found = evidence(
        lifecycle_event="AfterInstall",
        event_status="Failed",
        error_code="ScriptFailed",
        message="\n".join(hostile),
        log_tail="\n".join(hostile * 3),
        deployment_error_message="\n".join(hostile),
        status_messages=tuple(hostile),
        extra_log_lines=tuple(hostile * 500),
    )
    started = time.perf_counter()
    matches = builtin_catalog().match(found)
    assert matches
    assert time.perf_counter() - started < 5.0


def test_every_pattern_is_linear_on_hostile_lines() -> None:
    lines = [
        "a" * MAX_LINE_CHARS,
        "a " * (MAX_LINE_CHARS // 2),
        "C:/" + "b" * (MAX_LINE_CHARS - 3),
        ":" * MAX_LINE_CHARS,
        ("deregistration " * 400)[:MAX_LINE_CHARS],
        ("waiting for " * 400)[:MAX_LINE_CHARS],
        ("replacement task set " * 300)[:MAX_LINE_CHARS],
        ("No such file or directory " * 200)[:MAX_LINE_CHARS],
    ]
    patterns = []
    for record in builtin_catalog().records:
        for block in (record.when, record.signals, record.unless, *record.any_of):
            patterns += list(block.patterns) + list(block.hint_patterns) + list(block.script_patterns)
            patterns += [p for _, p in block.facts]
    started = time.perf_counter()
    for pattern in patterns:
        for line in lines:
            pattern.search(line)
    assert time.perf_counter() - started < 3.0


def test_a_line_repeated_in_the_log_is_evidence_once() -> None:
    from codedeploy_doctor.catalog import builtin_catalog
    from codedeploy_doctor.catalog.model import FailureEvidence

    refused = "[stderr]curl: (7) Failed to connect to localhost port 8080: Connection refused"
    evidence = FailureEvidence(
        platform="Server",
        lifecycle_event="ValidateService",
        event_status="Failed",
        error_code="ScriptFailed",
        script_name="scripts/validate.sh",
        message="Script at specified location: scripts/validate.sh failed with exit code 7",
        log_tail="\n".join([refused] * 5),
        deployment_error_code=None,
        deployment_error_message=None,
    )
    top = builtin_catalog().match(evidence)[0]
    assert top.evidence.count(refused) == 1


GENERIC_AGENT_MESSAGE = (
    "CodeDeploy agent was not able to receive the lifecycle event. Check the CodeDeploy agent logs on your host "
    "and make sure the agent is running and can connect to the CodeDeploy server."
)


def test_a_hint_text_ranks_the_cause_but_is_not_proof() -> None:
    # CodeDeploy's generic message fits a stopped agent, a blocked endpoint and missing credentials alike.
    found = evidence(lifecycle_event="ApplicationStop", event_status="Pending", deployment_error_message=GENERIC_AGENT_MESSAGE)
    top = builtin_catalog().match(found)[0]
    assert (top.cause_id, top.confidence) == ("agent-not-running", "medium")
    assert top.evidence[0].startswith("CodeDeploy agent was not able to receive")


def test_the_agent_log_turns_the_hint_into_proof() -> None:
    found = evidence(
        lifecycle_event="ApplicationStop",
        event_status="Pending",
        deployment_error_message=GENERIC_AGENT_MESSAGE,
        extra_log_lines=(
            "ERROR [codedeploy-agent(1234)]: Missing credentials - "
            "please check if this instance was started with an IAM instance profile",
        ),
    )
    top = builtin_catalog().match(found)[0]
    assert (top.cause_id, top.confidence) == ("instance-profile-missing", "high")


def hook_failure(tail: str, event: str = "AfterInstall", code: int = 1, error_code: str = "ScriptFailed") -> FailureEvidence:
    return evidence(
        lifecycle_event=event,
        event_status="Failed",
        error_code=error_code,
        script_name="scripts/deploy.sh",
        message=f"Script at specified location: scripts/deploy.sh run as user root failed with exit code {code}",
        log_tail=tail,
    )


def test_a_family_names_the_parts_of_an_iam_denial_and_who_was_denied() -> None:
    tail = (
        "[stderr]An error occurred (AccessDeniedException) when calling the PutParameter operation: User: "
        "arn:aws:sts::123456789012:assumed-role/web-instance-role/i-0abc1234def567890 is not authorized to perform: "
        "ssm:PutParameter on resource: arn:aws:ssm:us-east-1:123456789012:parameter/web/token"
    )
    catalog = builtin_catalog()
    top = catalog.match(hook_failure(tail))[0]
    assert top.cause_id == "iam-access-denied"
    explanation = catalog.to_cause(top).explanation
    assert "Denied action: ssm:PutParameter." in explanation
    assert "On resource: arn:aws:ssm:us-east-1:123456789012:parameter/web/token." in explanation
    assert "the instance profile's role web-instance-role" in explanation
    assert top.evidence[0] == tail


def test_the_caller_is_told_apart_from_the_instance_profile() -> None:
    found = evidence(
        deployment_error_message=(
            "An error occurred (AccessDeniedException) when calling the CreateDeployment operation: User: "
            "arn:aws:sts::123456789012:assumed-role/codepipeline-web-role/1700000000000 is not authorized to perform: "
            "codedeploy:CreateDeployment on resource: arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:web/prod"
        )
    )
    catalog = builtin_catalog()
    top = catalog.match(found)[0]
    assert top.cause_id == "caller-not-authorized"
    assert "the caller codepipeline-web-role (a pipeline or CI role)" in catalog.to_cause(top).explanation


def test_a_specific_cause_beats_its_family_on_the_same_line() -> None:
    ranked = ids(hook_failure("[stderr]Error: listen EADDRINUSE: address already in use :::8080 ECONNREFUSED"))
    assert ranked.index("port-in-use") < ranked.index("network-unreachable")


def test_a_family_line_beats_an_exit_code_and_the_generic_fallback() -> None:
    ranked = ids(hook_failure("[stderr]ModuleNotFoundError: No module named 'flask'", code=127))
    assert ranked[:2] == ["module-not-found", "command-not-found"]
    assert ranked[-1] == "script-failed-unrecognized"


def test_the_generic_fallback_is_first_only_when_no_line_is_an_error() -> None:
    assert ids(hook_failure("[stdout]deploying build 42\n[stdout]done"))[0] == "script-failed-unrecognized"


def test_a_failure_line_beats_a_warning_the_agent_recovered_from() -> None:
    found = hook_failure("[stderr]ModuleNotFoundError: No module named 'flask'", event="ApplicationStart")
    warned = FailureEvidence(
        **{
            **found.__dict__,
            "extra_log_lines": (
                "2024-05-01T10:00:00 WARN  [codedeploy-agent(1234)]: InstanceAgent::Plugins::CodeDeployPlugin::CommandPoller: "
                "Missing credentials - please check if this instance was started with an IAM instance profile",
            ),
        }
    )
    ranked = ids(warned)
    assert ranked[:2] == ["module-not-found", "instance-profile-missing"]
    as_error = FailureEvidence(**{**warned.__dict__, "extra_log_lines": (warned.extra_log_lines[0].replace("WARN ", "ERROR"),)})
    assert ids(as_error)[0] == "instance-profile-missing"


def test_a_warning_line_is_weaker_evidence_than_the_same_line_as_an_error() -> None:
    from codedeploy_doctor.catalog.matching import is_warning_line

    assert is_warning_line("W, [2024-05-01T10:00:00.123 #99]  WARN -- : retrying")
    assert is_warning_line("2024-05-01 10:00:00 WARN  [codedeploy-agent(1)]: retrying")
    assert not is_warning_line("[stderr]ERROR: could not connect")
    line = "2024-05-01 10:00:00 {} [codedeploy-agent(1)]: Error: ModuleNotFoundError: No module named 'x'"
    as_error = builtin_catalog().match(hook_failure(line.format("ERROR")))[0]
    as_warning = builtin_catalog().match(hook_failure(line.format("WARN")))[0]
    assert as_error.cause_id == as_warning.cause_id == "module-not-found"
    assert as_warning.score < as_error.score


def test_the_root_cause_comes_before_the_failed_health_check() -> None:
    found = hook_failure(
        "[stdout]<h1>500</h1> could not connect to server: Connection timed out\n"
        "[stderr]curl: (22) The requested URL returned error: 500",
        event="ValidateService",
        code=22,
    )
    ranked = ids(found)
    assert ranked[:2] == ["network-unreachable", "validate-service-health-check-failed"]
    matches = builtin_catalog().match(found)
    assert all(match.evidence for match in matches[:2])


def test_the_health_check_stays_first_when_nothing_else_explains_it() -> None:
    ranked = ids(
        hook_failure(
            "[stderr]curl: (7) Failed to connect to localhost port 8080: Connection refused", event="ValidateService", code=7
        )
    )
    assert ranked[0] == "validate-service-health-check-failed"


def test_a_timeout_lists_the_lock_it_waited_on_first() -> None:
    found = hook_failure(
        "[stderr]E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 1234 (unattended-upgr)",
        event="BeforeInstall",
        error_code="ScriptTimedOut",
    )
    found = FailureEvidence(
        **{**found.__dict__, "message": "Script at specified location: scripts/deploy.sh failed to complete in 300 seconds"}
    )
    ranked = ids(found)
    assert ranked[:2] == ["package-install-failed", "script-timeout"]


def test_evidence_puts_the_line_that_names_the_failure_first() -> None:
    found = hook_failure(
        "[stderr]npm WARN deprecated request@2.88.2\n"
        "[stderr]npm ERR! code ERESOLVE\n"
        "[stderr]npm ERR! ERESOLVE unable to resolve dependency tree",
        event="BeforeInstall",
    )
    top = builtin_catalog().match(found)[0]
    assert top.cause_id == "package-install-failed"
    assert top.evidence[0] == "[stderr]npm ERR! code ERESOLVE"
