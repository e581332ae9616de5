"""Property-based: for any shaped-but-random snapshot, diagnosis never raises and every report fits the schema.

Snapshots are generated in AWS's shapes with everything a real or hand-written one can get
wrong: random statuses and unknown enum values, missing fields, wrong types, events out of
order, timestamps that do not parse, hostile unicode (controls, bidi, surrogates) in every text.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codedeploy_doctor.diagnosis import diagnose, exit_code_for
from codedeploy_doctor.lifecycle import ECS_ORDER, LAMBDA_ORDER, SERVER_ORDER
from codedeploy_doctor.render import OutputFormat, RenderOptions, renderer_for
from codedeploy_doctor.sanitize import TextPolicy
from codedeploy_doctor.snapshot import SNAPSHOT_FORMAT, deployment_problem, dump_snapshot, snapshot_from_json
from tests.reliability.harness import schema_validator
from tests.reliability.test_hostile_text import FORBIDDEN, RICH_SGR

# Any code point, surrogates and controls included, with hostile ones made likely.
CHARS = st.one_of(
    st.characters(exclude_categories=()),
    st.sampled_from(
        ["\x1b", "\x1b[31m", "\x9b", "\x00", "\r", "\n", "\u202e", "\u2066", "\ufeff", "[bold]", "[/]", "`", "|", "<", "#"]
    ),
)
TEXT = st.lists(CHARS, max_size=30).map("".join)
SOME_TEXT = st.one_of(TEXT, st.sampled_from(["", " ", "ScriptFailed", "HEALTH_CONSTRAINTS", "AKIAIOSFODNN7EXAMPLE password=x"]))


def _enum(*known: str) -> st.SearchStrategy[Any]:
    """A known value mostly, sometimes an unknown one, sometimes the wrong type."""
    return st.one_of(st.sampled_from(known), SOME_TEXT, st.none(), st.integers(-5, 5))


TIMES = st.one_of(
    st.datetimes(timezones=st.just(__import__("datetime").timezone.utc)).map(lambda d: d.isoformat().replace("+00:00", "Z")),
    st.sampled_from(["2026-11-29T10:00:00Z", "2026-11-29T10:00:00", "not a time", "", "2026-13-45T99:99:99Z"]),
    st.integers(0, 2_000_000_000),
    st.none(),
)
EVENT_NAMES = st.one_of(st.sampled_from(sorted({*SERVER_ORDER, *ECS_ORDER, *LAMBDA_ORDER})), SOME_TEXT)
EVENT_STATUS = _enum("Pending", "InProgress", "Succeeded", "Failed", "Skipped", "Unknown")
TARGET_STATUS = _enum("Pending", "InProgress", "Succeeded", "Failed", "Skipped", "Unknown", "Ready")


# Floats are finite: a snapshot file cannot hold NaN or Infinity (load_snapshot refuses them).


def _maybe(strategies: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with any subset of these members (missing optional fields)."""
    return st.fixed_dictionaries({}, optional=strategies)


DIAGNOSTICS = _maybe(
    {
        "errorCode": _enum("Success", "ScriptMissing", "ScriptNotExecutable", "ScriptTimedOut", "ScriptFailed", "UnknownError"),
        "scriptName": SOME_TEXT,
        "message": SOME_TEXT,
        "logTail": st.one_of(SOME_TEXT, st.lists(SOME_TEXT, max_size=5).map("\n".join)),
    }
)
EVENT = _maybe(
    {
        "lifecycleEventName": EVENT_NAMES,
        "status": EVENT_STATUS,
        "startTime": TIMES,
        "endTime": TIMES,
        "diagnostics": st.one_of(DIAGNOSTICS, st.none(), SOME_TEXT),
    }
)
TARGET_BODY = _maybe(
    {
        "targetId": st.one_of(st.from_regex(r"i-[0-9a-f]{17}", fullmatch=True), SOME_TEXT),
        "status": TARGET_STATUS,
        "instanceLabel": _enum("Blue", "Green"),
        "lastUpdatedAt": TIMES,
        "lifecycleEvents": st.one_of(st.lists(EVENT, max_size=8), st.none(), SOME_TEXT),
        "taskSetsInfo": st.lists(
            _maybe(
                {
                    "identifer": SOME_TEXT,
                    "taskSetLabel": _enum("Blue", "Green"),
                    "trafficWeight": st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.none()),
                }
            ),
            max_size=2,
        ),
        "lambdaFunctionInfo": _maybe(
            {
                "functionName": SOME_TEXT,
                "functionAlias": SOME_TEXT,
                "currentVersion": SOME_TEXT,
                "targetVersion": SOME_TEXT,
                "targetVersionWeight": st.floats(allow_nan=False, allow_infinity=False),
            }
        ),
    }
)
TARGET = st.builds(
    lambda kind, body, extra: {"deploymentTargetType": kind[0], kind[1]: body, **extra},
    st.sampled_from(
        [
            ("InstanceTarget", "instanceTarget"),
            ("ECSTarget", "ecsTarget"),
            ("LambdaTarget", "lambdaTarget"),
            ("CloudFormationTarget", "cloudFormationTarget"),
            ("FutureTarget", "futureTarget"),
        ]
    ),
    TARGET_BODY,
    _maybe({"junk": SOME_TEXT}),
)
DEPLOYMENT = _maybe(
    {
        "deploymentId": st.one_of(st.from_regex(r"d-[A-Z0-9]{9}", fullmatch=True), SOME_TEXT),
        "applicationName": SOME_TEXT,
        "deploymentGroupName": SOME_TEXT,
        "deploymentConfigName": _enum("CodeDeployDefault.OneAtATime", "CodeDeployDefault.AllAtOnce"),
        "status": _enum("Created", "Queued", "InProgress", "Baking", "Succeeded", "Failed", "Stopped", "Ready"),
        "computePlatform": _enum("Server", "ECS", "Lambda"),
        "deploymentStyle": st.one_of(
            _maybe(
                {
                    "deploymentType": _enum("IN_PLACE", "BLUE_GREEN"),
                    "deploymentOption": _enum("WITH_TRAFFIC_CONTROL", "WITHOUT_TRAFFIC_CONTROL"),
                }
            ),
            SOME_TEXT,
        ),
        "errorInformation": st.one_of(
            _maybe({"code": _enum("HEALTH_CONSTRAINTS", "TIMEOUT", "NO_INSTANCES"), "message": SOME_TEXT}), st.none()
        ),
        "deploymentOverview": st.one_of(
            st.dictionaries(
                st.sampled_from(["Pending", "InProgress", "Succeeded", "Failed", "Skipped", "Ready", "Weird"]),
                st.one_of(st.integers(-3, 10_000), SOME_TEXT),
            ),
            SOME_TEXT,
        ),
        "createTime": TIMES,
        "completeTime": TIMES,
        "creator": _enum("user", "autoscaling", "codeDeployRollback"),
        "description": SOME_TEXT,
        "deploymentStatusMessages": st.one_of(st.lists(SOME_TEXT, max_size=3), SOME_TEXT),
        "rollbackInfo": _maybe(
            {"rollbackDeploymentId": SOME_TEXT, "rollbackMessage": SOME_TEXT, "rollbackTriggeringDeploymentId": SOME_TEXT}
        ),
        "loadBalancerInfo": _maybe(
            {
                "targetGroupInfoList": st.lists(_maybe({"name": SOME_TEXT}), max_size=2),
                "elbInfoList": st.lists(_maybe({"name": SOME_TEXT}), max_size=2),
            }
        ),
        "instanceTerminationWaitTimeStarted": st.one_of(st.booleans(), SOME_TEXT),
        "blueGreenDeploymentConfiguration": _maybe(
            {
                "terminateBlueInstancesOnDeploymentSuccess": _maybe(
                    {"action": _enum("TERMINATE", "KEEP_ALIVE"), "terminationWaitTimeInMinutes": st.integers(-1, 3000)}
                )
            }
        ),
        "revision": _maybe(
            {
                "revisionType": _enum("S3", "GitHub", "String", "AppSpecContent"),
                "s3Location": _maybe({"bucket": SOME_TEXT, "key": SOME_TEXT, "eTag": SOME_TEXT}),
                "gitHubLocation": _maybe({"repository": SOME_TEXT, "commitId": SOME_TEXT}),
            }
        ),
    }
)
TRAFFIC = _maybe(
    {
        "elbv2": _maybe(
            {
                "targetGroups": st.lists(
                    _maybe(
                        {
                            "TargetGroupName": SOME_TEXT,
                            "TargetGroupArn": SOME_TEXT,
                            "LoadBalancerArns": st.lists(SOME_TEXT, max_size=2),
                        }
                    ),
                    max_size=2,
                ),
                "targetHealth": st.dictionaries(
                    SOME_TEXT,
                    st.lists(
                        _maybe(
                            {
                                "Target": _maybe({"Id": SOME_TEXT, "Port": st.integers(0, 70000)}),
                                "TargetHealth": _maybe(
                                    {
                                        "State": _enum(
                                            "initial",
                                            "healthy",
                                            "unhealthy",
                                            "unhealthy.draining",
                                            "unused",
                                            "draining",
                                            "unavailable",
                                        ),
                                        "Reason": SOME_TEXT,
                                    }
                                ),
                            }
                        ),
                        max_size=3,
                    ),
                    max_size=2,
                ),
                "listeners": st.lists(
                    _maybe(
                        {
                            "ListenerArn": SOME_TEXT,
                            "DefaultActions": st.lists(
                                _maybe(
                                    {
                                        "Type": _enum("forward", "fixed-response"),
                                        "ForwardConfig": _maybe(
                                            {
                                                "TargetGroups": st.lists(
                                                    _maybe(
                                                        {
                                                            "TargetGroupArn": SOME_TEXT,
                                                            "Weight": st.one_of(st.integers(-1, 999), SOME_TEXT),
                                                        }
                                                    ),
                                                    max_size=2,
                                                )
                                            }
                                        ),
                                    }
                                ),
                                max_size=2,
                            ),
                        }
                    ),
                    max_size=2,
                ),
            }
        ),
        "elb": _maybe(
            {
                "instanceHealth": st.dictionaries(
                    SOME_TEXT,
                    st.lists(
                        _maybe({"InstanceId": SOME_TEXT, "State": _enum("InService", "OutOfService", "Unknown")}), max_size=3
                    ),
                    max_size=2,
                )
            }
        ),
        "ec2": _maybe(
            {
                "instances": st.lists(
                    _maybe(
                        {
                            "InstanceId": SOME_TEXT,
                            "State": _maybe(
                                {"Name": _enum("pending", "running", "shutting-down", "terminated", "stopping", "stopped")}
                            ),
                        }
                    ),
                    max_size=3,
                )
            }
        ),
        "ecs": _maybe(
            {
                "services": st.lists(
                    _maybe(
                        {
                            "serviceName": SOME_TEXT,
                            "deploymentController": _maybe({"type": _enum("ECS", "CODE_DEPLOY", "EXTERNAL")}),
                            "taskSets": st.lists(
                                _maybe(
                                    {
                                        "status": _enum("PRIMARY", "ACTIVE", "DRAINING"),
                                        "runningCount": st.integers(-1, 50),
                                        "scale": _maybe({"value": st.floats(allow_nan=False, allow_infinity=False)}),
                                    }
                                ),
                                max_size=2,
                            ),
                        }
                    ),
                    max_size=2,
                )
            }
        ),
        "lambda": _maybe(
            {
                "aliases": st.lists(
                    _maybe(
                        {
                            "Name": SOME_TEXT,
                            "FunctionVersion": SOME_TEXT,
                            "RoutingConfig": _maybe(
                                {
                                    "AdditionalVersionWeights": st.dictionaries(
                                        SOME_TEXT, st.floats(allow_nan=False, allow_infinity=False), max_size=2
                                    )
                                }
                            ),
                        }
                    ),
                    max_size=2,
                )
            }
        ),
    }
)
ERRORS = st.lists(
    st.fixed_dictionaries(
        {
            "service": _enum("elbv2", "ec2", "ecs", "lambda", "elb", "logs", "codedeploy").map(str),
            "operation": SOME_TEXT,
            "code": _enum("AccessDenied", "Throttling", "InternalFailure").map(str),
            "message": SOME_TEXT,
        }
    ),
    max_size=3,
)


def _identified(deployment: dict[str, Any], deployment_id: str, status: str) -> dict[str, Any]:
    """The deployment with an id and a status where it lacks them (a snapshot without them is refused)."""
    fixed = dict(deployment)
    if deployment_problem({**fixed, "status": "Failed"}) is not None:
        fixed["deploymentId"] = deployment_id
    if deployment_problem({**fixed, "deploymentId": deployment_id}) is not None:
        fixed["status"] = status
    return fixed


IDENTIFIED_DEPLOYMENT = st.builds(
    _identified,
    DEPLOYMENT,
    st.from_regex(r"d-[A-Z0-9]{9}", fullmatch=True),
    st.sampled_from(["Created", "InProgress", "Succeeded", "Failed", "Stopped", "Ready", "FutureStatus"]),
)
SNAPSHOT = st.builds(
    lambda deployment, targets, extra: {"format": SNAPSHOT_FORMAT, "deployment": deployment, "targets": targets, **extra},
    IDENTIFIED_DEPLOYMENT,
    st.lists(TARGET, max_size=6),
    _maybe(
        {
            "deploymentGroup": st.one_of(st.none(), DEPLOYMENT),
            "rollbackDeployment": st.one_of(st.none(), DEPLOYMENT),
            "traffic": TRAFFIC,
            "errors": ERRORS,
            "region": st.one_of(st.none(), SOME_TEXT),
            "extraLogs": st.lists(
                _maybe(
                    {"source": SOME_TEXT, "targetId": SOME_TEXT, "lines": st.one_of(st.lists(SOME_TEXT, max_size=3), SOME_TEXT)}
                ),
                max_size=2,
            ),
            "apiCalls": st.integers(0, 100),
        }
    ),
)


def _render_all(report: Any) -> dict[str, str]:
    outputs = {}
    for output_format in OutputFormat:
        outputs[output_format.value] = renderer_for(output_format)(report, RenderOptions(width=80, policy=TextPolicy()))
    outputs["text+colour"] = renderer_for(OutputFormat.TEXT)(report, RenderOptions(color=True, width=80, policy=TextPolicy()))
    return outputs


def _schema_errors(output: str) -> list[tuple[tuple[str, ...], str]]:
    return [(tuple(str(p) for p in error.path), error.message) for error in schema_validator().iter_errors(json.loads(output))]


def _leaks(outputs: dict[str, str]) -> dict[str, str]:
    found = {}
    for kind, output in outputs.items():
        visible = RICH_SGR.sub("", output) if kind == "text+colour" else output
        match = FORBIDDEN.search(visible)
        if match:
            found[kind] = visible[max(0, match.start() - 30) : match.end() + 10]
    return found


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
DEEPER = settings(PROPERTY, max_examples=100)


@PROPERTY
@given(SNAPSHOT)
def test_any_snapshot_is_diagnosed_and_rendered_without_raising(data: dict[str, Any]) -> None:
    report = diagnose(snapshot_from_json(data))
    assert int(exit_code_for(report)) in (0, 1, 4)
    outputs = _render_all(report)
    for output in outputs.values():
        output.encode("utf-8")  # valid UTF-8: no lone surrogate got through
    assert _schema_errors(outputs["json"]) == []
    assert _leaks(outputs) == {}


@DEEPER
@given(SNAPSHOT)
def test_text_report_never_leaks_control_characters(data: dict[str, Any]) -> None:
    assert _leaks(_render_all(diagnose(snapshot_from_json(data)))) == {}


@DEEPER
@given(SNAPSHOT)
def test_every_report_fits_the_schema_in_full(data: dict[str, Any]) -> None:
    outputs = _render_all(diagnose(snapshot_from_json(data)))
    assert _schema_errors(outputs["json"]) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(SNAPSHOT)
def test_a_recorded_snapshot_replays_to_the_same_report(data: dict[str, Any]) -> None:
    snapshot = snapshot_from_json(data)
    text = dump_snapshot(snapshot)
    again = snapshot_from_json(json.loads(text))
    render = renderer_for(OutputFormat.JSON)
    assert render(diagnose(again), RenderOptions()) == render(diagnose(snapshot), RenderOptions())
