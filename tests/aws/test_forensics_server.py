"""The forensics collectors through real boto3 clients: moto S3 with real bundles, moto EC2 and Auto Scaling,
fakes for what moto lacks (scaling activities, SSM, on-premises instances); then the diagnosis, and its replay."""

from __future__ import annotations

import functools
import json
import random
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from codedeploy_doctor.aws.clients import ClientFactory
from codedeploy_doctor.aws.collect import Collector
from codedeploy_doctor.aws.forensics_server import collect_forensics
from codedeploy_doctor.aws.revision import REVISION_BUDGET
from codedeploy_doctor.aws.traffic import collect_traffic
from codedeploy_doctor.diagnosis import diagnose
from codedeploy_doctor.ids import DeploymentId
from codedeploy_doctor.render import OutputFormat, RenderOptions, renderer_for
from codedeploy_doctor.report import Report
from codedeploy_doctor.snapshot import Snapshot, dump_snapshot, snapshot_from_json
from tests.aws import forensics_world as fw
from tests.bundle.builders import APPSPEC, good_bundle, make_tar, make_zip
from tests.fakes.forensics import Answers, OnPremWorld, denied

AMI = "ami-760aaa0f"
_session: dict[str, boto3.Session] = {}


@pytest.fixture(scope="module")
def _world() -> Iterator[None]:
    with mock_aws():
        _session["session"] = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
        client("s3").create_bucket(Bucket="shop-bundles")
        yield
        _session.clear()


@pytest.fixture
def aws(_world: None) -> None:
    """The shared moto world."""


@functools.cache
def client(service: str) -> Any:
    return _session["session"].client(service)


def instance(**metadata: str) -> str:
    ec2 = client("ec2")
    instance_id: str = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    if metadata:
        ec2.modify_instance_metadata_options(InstanceId=instance_id, **metadata)
    return instance_id


def put(key: str, data: bytes) -> str:
    response = client("s3").put_object(Bucket="shop-bundles", Key=key, Body=data)
    return str(response["ETag"]).strip('"')


class Run:
    def __init__(self, snapshot: Snapshot, factory: ClientFactory, answers: Answers) -> None:
        self.snapshot = snapshot
        self.factory = factory
        self.answers = answers
        self.report: Report = diagnose(snapshot)

    def calls(self, key: str) -> int:
        return self.factory.calls[key]

    def replayed(self) -> Report:
        return diagnose(snapshot_from_json(json.loads(dump_snapshot(self.snapshot))))


def collect(data: dict[str, Any], answers: Answers | None = None, world: OnPremWorld | None = None) -> Run:
    answers = answers or Answers()
    world = world or OnPremWorld()
    world.add_snapshot(data)
    factory = ClientFactory(session=_session["session"], client_hooks=(world.attach, answers.attach))
    snapshot = Collector(factory, traffic=collect_traffic, forensics=collect_forensics).collect(DeploymentId(fw.DEPLOYMENT_ID))
    return Run(snapshot, factory, answers)


def json_report(report: Report) -> str:
    return renderer_for(OutputFormat.JSON)(report, RenderOptions())


def test_a_crlf_script_in_the_deployed_zip_is_the_cause_with_its_file_and_line(aws: None) -> None:
    node = instance()
    files = good_bundle(**{"scripts/start.sh": ("#!/bin/bash\r\nsystemctl start app\r\n", 0o644)})
    put("crlf/app.zip", make_zip(files))
    data = fw.snapshot(
        [fw.target(node, log_tail="[stderr]/bin/bash^M: bad interpreter: No such file or directory")],
        revision=fw.s3_revision("shop-bundles", "crlf/app.zip"),
    )
    run = collect(data)
    cause = run.report.causes[0]
    assert cause.id == "crlf-line-endings"
    assert any(
        line.startswith("scripts/start.sh:1: scripts/start.sh has Windows (CRLF) line endings")
        and "(in s3://shop-bundles/crlf/app.zip)" in line
        for line in cause.evidence
    ), cause.evidence
    revision = run.snapshot.evidence["revision"]
    assert revision["appspecPath"] == "appspec.yml" and "hooks:" in revision["appspec"]
    (entry,) = revision["entries"]
    assert entry["path"] == "scripts/start.sh" and entry["mode"] & 0o777 == 0o644 and entry["head"].startswith("#!/bin/bash\r\n")
    assert run.calls("s3:GetObject") == 1, "a small zip is read whole by its tail range"
    assert revision["bytesRead"] <= REVISION_BUDGET
    assert json_report(run.replayed()) == json_report(run.report)


def test_a_big_zip_is_read_by_its_directory_then_two_ranges_in_parallel(aws: None) -> None:
    node = instance()
    files = good_bundle(**{"scripts/start.sh": "#!/bin/bash\nexit 0\n"})
    noise = random.Random(7)
    files.update({f"static/{n:05d}.bin": noise.randbytes(1024) for n in range(400)})
    data = make_zip(files)
    assert len(data) > 300_000
    put("big/app.zip", data)
    snapshot = fw.snapshot([fw.target(node)], revision=fw.s3_revision("shop-bundles", "big/app.zip"))
    run = collect(snapshot)
    revision = run.snapshot.evidence["revision"]
    assert run.calls("s3:GetObject") == 3  # the tail, then the appspec and the script
    assert revision["bytesRead"] < 150_000 and revision["size"] == len(data)
    assert revision["listingComplete"] is True
    facts = {"scriptLineEndings", "scriptShebang", "scriptInBundle"}
    from codedeploy_doctor.diagnosis.forensic_facts import facts_for

    assert run.report.first_failure is not None
    found = facts_for(run.snapshot, run.report.first_failure).values
    assert {key: found[key] for key in facts} == {"scriptLineEndings": "lf", "scriptShebang": "ok", "scriptInBundle": "yes"}


def test_a_script_missing_from_the_bundle_names_the_appspec_line_and_the_nearest_file(aws: None) -> None:
    node = instance()
    files = good_bundle()
    files["scripts/Start.sh"] = files.pop("scripts/start.sh")
    put("missing/app.zip", make_zip(files))
    data = fw.snapshot(
        [fw.target(node, error_code="ScriptMissing", message="Script does not exist at specified location: scripts/start.sh")],
        revision=fw.s3_revision("shop-bundles", "missing/app.zip"),
    )
    run = collect(data)
    cause = run.report.causes[0]
    assert cause.id == "script-missing"
    assert any("appspec.yml:8:" in line and "nearest: scripts/Start.sh" in line for line in cause.evidence), cause.evidence


def test_a_short_hook_timeout_is_shown_beside_the_time_the_event_ran(aws: None) -> None:
    node = instance()
    put("timeout/app.zip", make_zip(good_bundle()))
    data = fw.snapshot(
        [
            fw.target(
                node,
                error_code="ScriptTimedOut",
                message="Script at specified location: scripts/start.sh failed to complete in 60 seconds",
                ran=("2026-12-04T10:05:00Z", "2026-12-04T10:06:01Z"),
            )
        ],
        revision=fw.s3_revision("shop-bundles", "timeout/app.zip"),
    )
    run = collect(data)
    cause = run.report.causes[0]
    assert cause.id == "appspec-hook-timeout-too-short"
    assert any("appspec.yml:9: timeout: 60 for scripts/start.sh; the event ran 61 s" in line for line in cause.evidence)


def test_a_denied_bundle_read_is_a_warning_naming_the_action(aws: None) -> None:
    node = instance()
    put("denied/app.zip", make_zip(good_bundle()))
    data = fw.snapshot([fw.target(node)], revision=fw.s3_revision("shop-bundles", "denied/app.zip"))
    run = collect(data, Answers({("s3", "GetObject"): denied("s3", "GetObject")}))
    assert any("s3:GetObject" in warning for warning in run.report.warnings), run.report.warnings
    assert run.report.causes, "the diagnosis goes on without the bundle"
    assert json_report(run.replayed()) == json_report(run.report)


def test_an_etag_that_no_longer_matches_is_not_read_as_the_deployed_bundle(aws: None) -> None:
    node = instance()
    put("changed/app.zip", make_zip(good_bundle()))
    data = fw.snapshot([fw.target(node)], revision=fw.s3_revision("shop-bundles", "changed/app.zip", eTag="0" * 32))
    run = collect(data)
    assert "listing" not in run.snapshot.evidence["revision"]
    assert any("PreconditionFailed" in warning and "s3:GetObject" in warning for warning in run.report.warnings)


def test_tar_and_tgz_bundles_are_read_within_the_budget(aws: None) -> None:
    node = instance()
    files = good_bundle(**{"scripts/start.sh": "#!/bin/bash\r\nstart\r\n"})
    put("tar/app.tgz", make_tar(files, gzip=True))
    data = fw.snapshot([fw.target(node)], revision=fw.s3_revision("shop-bundles", "tar/app.tgz", "tgz"))
    run = collect(data)
    assert run.report.causes[0].id == "crlf-line-endings"
    assert run.calls("s3:GetObject") == 1
    # A tar bigger than the budget is listed in part: nothing is called missing, and the report says so.
    big = dict(files)
    noise = random.Random(8)
    big.update({f"data/{n:04d}.bin": noise.randbytes(4096) for n in range(400)})
    big["zz/appspec.yml"] = APPSPEC
    put("tar/big.tar", make_tar(big))
    data = fw.snapshot([fw.target(node)], revision=fw.s3_revision("shop-bundles", "tar/big.tar", "tar"))
    run = collect(data)
    revision = run.snapshot.evidence["revision"]
    assert revision["listingComplete"] is False and revision["bytesRead"] <= REVISION_BUDGET
    assert any("read in part" in warning for warning in run.report.warnings)


def test_github_revisions_say_they_are_not_read(aws: None) -> None:
    node = instance()
    revision = {"revisionType": "GitHub", "gitHubLocation": {"repository": "acme/shop", "commitId": "4b7e9d1"}}
    run = collect(fw.snapshot([fw.target(node)], revision=revision))
    assert run.calls("s3:GetObject") == 0
    assert any("GitHub revisions are not read" in warning for warning in run.report.warnings)


def test_the_bundle_is_not_read_when_the_failure_does_not_need_it(aws: None) -> None:
    node = instance()
    put("stop/app.zip", make_zip(good_bundle()))
    data = fw.snapshot(
        [fw.target(node, failed="ApplicationStop", script="scripts/stop.sh")],
        revision=fw.s3_revision("shop-bundles", "stop/app.zip"),
    )
    run = collect(data)
    assert run.calls("s3:GetObject") == 0, "ApplicationStop ran the previous revision's script"
    assert "revision" not in run.snapshot.evidence


def _asg(name: str, *, hooks: tuple[str, ...] = (), suspend: tuple[str, ...] = ()) -> list[str]:
    ec2, autoscaling = client("ec2"), client("autoscaling")
    ec2.create_launch_template(LaunchTemplateName=f"{name}-lt", LaunchTemplateData={"ImageId": AMI, "InstanceType": "t3.micro"})
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName=name,
        LaunchTemplate={"LaunchTemplateName": f"{name}-lt"},
        MinSize=1,
        MaxSize=4,
        DesiredCapacity=2,
        AvailabilityZones=["us-east-1a"],
    )
    for hook in hooks:
        autoscaling.put_lifecycle_hook(
            AutoScalingGroupName=name, LifecycleHookName=hook, LifecycleTransition="autoscaling:EC2_INSTANCE_LAUNCHING"
        )
    if suspend:
        autoscaling.suspend_processes(AutoScalingGroupName=name, ScalingProcesses=list(suspend))
    group = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"][0]
    return [member["InstanceId"] for member in group["Instances"]]


def _activities(name: str, terminated: str) -> dict[tuple[str, str], Any]:
    """Scaling activities as Auto Scaling gives them (moto keeps none): one termination mid-deployment, one before."""

    def handler(params: dict[str, Any]) -> dict[str, Any]:
        assert params["AutoScalingGroupName"] == name
        return {
            "Activities": [
                {
                    "ActivityId": "b1",
                    "AutoScalingGroupName": name,
                    "Description": f"Terminating EC2 instance: {terminated}",
                    "Cause": f"At 2026-12-04T10:04:30Z an instance was taken out of service in response to an ELB system "
                    f"health check failure.  Terminating EC2 instance: {terminated}",
                    "StartTime": "2026-12-04T10:04:31Z",
                    "StatusCode": "Successful",
                    "Progress": 100,
                },
                {
                    "ActivityId": "a0",
                    "AutoScalingGroupName": name,
                    "Description": "Launching a new EC2 instance: i-0aaaaaaaaaaaaaaa0",
                    "Cause": "At 2026-12-03T08:00:00Z a user request created an AutoScalingGroup.",
                    "StartTime": "2026-12-03T08:00:01Z",
                    "StatusCode": "Successful",
                    "Progress": 100,
                },
            ]
        }

    return {("autoscaling", "DescribeScalingActivities"): handler}


def test_auto_scaling_terminating_the_failed_instance_stale_hooks_and_suspended_processes(aws: None) -> None:
    stale = "CodeDeploy-managed-automatic-launch-deployment-hook-old-group-99"
    members = _asg("shop-asg", hooks=(fw.CODEDEPLOY_HOOK, stale), suspend=("Launch", "Terminate"))
    node = members[0]
    data = fw.snapshot(
        [fw.target(node, status="Unknown")], revision=fw.s3_revision("shop-bundles", "none.zip"), asgs=["shop-asg"]
    )
    run = collect(data, Answers(_activities("shop-asg", node)))
    section = run.snapshot.evidence["autoscaling"]
    assert [g["AutoScalingGroupName"] for g in section["groups"]] == ["shop-asg"]
    assert {h["LifecycleHookName"] for h in section["lifecycleHooks"]} == {fw.CODEDEPLOY_HOOK, stale}
    assert [a["ActivityId"] for a in section["activities"]] == ["b1"], "activities from before the window are not kept"
    ids = [cause.id for cause in run.report.causes]
    assert ids[0] == "asg-scaled-during-deployment", ids
    assert {"asg-lifecycle-hook-mismatch", "asg-processes-left-suspended"} <= set(ids)
    scaled = run.report.causes[0]
    assert any(f"terminated {node} at 2026-12-04T10:04:31Z" in line for line in scaled.evidence), scaled.evidence
    assert run.calls("autoscaling:DescribeScalingActivities") == 1
    assert run.calls("autoscaling:DescribeAutoScalingGroups") == 1
    assert json_report(run.replayed()) == json_report(run.report)


def test_a_missing_launch_hook_is_named(aws: None) -> None:
    members = _asg("bare-asg")
    target = fw.target(members[0], failed="BeforeInstall", status="Pending")
    data = fw.snapshot([target], revision=fw.s3_revision("shop-bundles", "none.zip"), asgs=["bare-asg"])
    run = collect(data, Answers({("autoscaling", "DescribeScalingActivities"): lambda params: {"Activities": []}}))
    mismatch = next(cause for cause in run.report.causes if cause.id == "asg-lifecycle-hook-mismatch")
    assert any(f"lacks the deployment group's launch hook {fw.CODEDEPLOY_HOOK}" in line for line in mismatch.evidence)


def test_agent_symptoms_read_ssm_ping_imds_and_on_premises_registration(aws: None) -> None:
    from codedeploy_doctor.diagnosis.forensic_facts import facts_for

    node = instance(HttpTokens="required")
    pings = {
        ("ssm", "DescribeInstanceInformation"): lambda params: {
            "InstanceInformationList": [{"InstanceId": node, "PingStatus": "ConnectionLost", "AgentVersion": "3.3.40.0"}]
        }
    }
    world = OnPremWorld(
        on_premises={
            "rack-7-web": {
                "instanceName": "rack-7-web",
                "iamUserArn": "arn:aws:iam::123456789012:user/codedeploy-rack-7",
                "instanceArn": "arn:aws:codedeploy:us-east-1:123456789012:instance/rack-7-web",
                "registerTime": "2026-01-01T00:00:00Z",
                "deregisterTime": "2026-12-01T00:00:00Z",
            }
        }
    )
    data = fw.snapshot(
        [
            fw.target(node, failed="BeforeInstall", status="Pending"),
            fw.target("rack-7-web", failed="BeforeInstall", status="Pending"),
        ],
        revision=fw.s3_revision("shop-bundles", "none.zip"),
    )
    run = collect(data, Answers(pings), world)
    assert run.calls("ssm:DescribeInstanceInformation") == 1 and run.calls("codedeploy:BatchGetOnPremisesInstances") == 1
    assert run.calls("s3:GetObject") == 0, "no script ran: the bundle cannot explain a Pending event"
    from codedeploy_doctor.diagnosis.first_failure import first_not_succeeded
    from codedeploy_doctor.diagnosis.targets import target_views

    for view in target_views(run.snapshot.targets):
        failure = first_not_succeeded([view], "Server")
        assert failure is not None
        facts = facts_for(run.snapshot, failure).values
        if view.target_id == node:
            assert facts["ssmPingStatus"] == "ConnectionLost" and facts["imdsTokens"] == "required"
            assert facts["launchedDuringDeployment"] == "no" and facts["iamInstanceProfile"] == "none"
        else:
            assert facts["onPremises"] == "true" and facts["onPremisesRegistration"] == "deregistered"
            assert facts["onPremisesIdentity"] == "iam-user"
    assert json_report(run.replayed()) == json_report(run.report)


def test_a_succeeded_or_running_deployment_reads_nothing_more(aws: None) -> None:
    node = instance()
    data = fw.snapshot([fw.target(node)], revision=fw.s3_revision("shop-bundles", "none.zip"), asgs=["shop-asg"])
    data["deployment"]["status"] = "Succeeded"
    data["deployment"]["deploymentOverview"].update({"Failed": 0, "Succeeded": 1})
    run = collect(data)
    assert run.snapshot.evidence == {}
    assert not any(key.startswith(("s3:", "autoscaling:", "ssm:")) for key in run.factory.calls)
    data["deployment"]["status"] = "InProgress"
    run = collect(data)
    assert run.snapshot.evidence == {}, "a running deployment with no failed target has nothing to explain"
