"""The traffic collector against moto through the real boto3 stack, then the verdict on what it read.

Each test builds a small AWS world in moto (ELBv2 target groups and listeners, EC2 instances,
a Classic ELB, an ECS service with task sets, a Lambda alias), runs ``collect_traffic`` with a
real :class:`ClientFactory` and already-resolved futures for the CodeDeploy data (moto has no
CodeDeploy targets), and checks the calls made, the section's shapes and the verdict.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import threading
import time
import zipfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError
from moto import mock_aws

from codedeploy_doctor.aws.clients import ClientFactory, ClientHook
from codedeploy_doctor.aws.context import CollectionContext
from codedeploy_doctor.aws.traffic import collect_traffic
from codedeploy_doctor.report import BlueTraffic
from codedeploy_doctor.snapshot import JsonObject, Snapshot
from codedeploy_doctor.traffic import assess_blue_traffic
from tests.traffic import fixture_builder as fb
from tests.traffic.traffic_shapes import validate_traffic

REGION = "us-east-1"
AMI = "ami-760aaa0f"
"""An Amazon Linux AMI from moto's catalog (its default Windows one reports a Platform the EC2 model lacks)."""
START = dt.datetime(2026, 11, 29, 9, 0, 0)

_session: dict[str, boto3.Session] = {}


@pytest.fixture(scope="module")
def _world() -> Iterator[None]:
    """One moto world per module: building one costs a second, so tests share it and use their own names."""
    with mock_aws():
        _session["session"] = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
        yield
        _session.clear()


@pytest.fixture
def aws(_world: None) -> None:
    """The shared moto world."""


@functools.cache
def client(service: str) -> Any:
    """A setup client (cached: creating clients is what makes moto tests slow)."""
    return _session["session"].client(service)


def factory(hooks: tuple[ClientHook, ...] = ()) -> ClientFactory:
    """The real client seam, on the shared session so service models load once."""
    return ClientFactory(session=_session["session"], client_hooks=hooks)


def done(value: Any) -> Future[Any]:
    future: Future[Any] = Future()
    future.set_result(value)
    return future


class Run:
    """One collection: the factory (for call counts), the errors, the section and the verdict."""

    def __init__(self, factory: ClientFactory, ctx: CollectionContext, traffic: JsonObject, verdict: BlueTraffic) -> None:
        self.factory = factory
        self.ctx = ctx
        self.traffic = traffic
        self.verdict = verdict

    @property
    def calls(self) -> dict[str, int]:
        return dict(self.factory.calls)


def collect(
    deployment: JsonObject,
    targets: list[JsonObject],
    listing: dict[str, list[str]],
    group: JsonObject | None = None,
    hooks: tuple[ClientHook, ...] = (),
) -> Run:
    seam = factory(hooks)
    with ThreadPoolExecutor(4) as pool:
        ctx = CollectionContext(seam, pool)
        traffic = collect_traffic(ctx, deployment, done(group), done(listing), done(targets))
    snapshot = Snapshot(
        deployment=deployment,
        targets=targets,
        deployment_group=group,
        traffic=traffic,
        errors=tuple(ctx.errors),
        region=REGION,
        recorded_at="2026-11-29T09:30:00Z",
    )
    return Run(seam, ctx, traffic, assess_blue_traffic(snapshot))


# --- the worlds ---------------------------------------------------------------------------------


def network() -> tuple[str, list[str]]:
    ec2 = client("ec2")
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]][:2]
    return vpc, subnets


def run_instances(count: int, subnet: str) -> list[str]:
    ec2 = client("ec2")
    reservation = ec2.run_instances(ImageId=AMI, MinCount=count, MaxCount=count, InstanceType="t3.micro", SubnetId=subnet)
    return [instance["InstanceId"] for instance in reservation["Instances"]]


def alb_with_target_group(name: str, register: list[str], *, target_type: str = "instance") -> tuple[str, str]:
    """An ALB with one target group behind a listener; returns (load balancer ARN, target group ARN)."""
    vpc, subnets = network()
    elbv2 = client("elbv2")
    lb = elbv2.create_load_balancer(Name=f"{name}-alb", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
    tg = elbv2.create_target_group(Name=name, Protocol="HTTP", Port=80, VpcId=vpc, TargetType=target_type)["TargetGroups"][0]
    elbv2.create_listener(
        LoadBalancerArn=lb, Protocol="HTTP", Port=80, DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}]
    )
    if register:
        elbv2.register_targets(TargetGroupArn=tg["TargetGroupArn"], Targets=[{"Id": i} for i in register])
    return lb, tg["TargetGroupArn"]


def server_blue_green(
    blue: list[str], green: list[str], *, load_balancer_info: JsonObject
) -> tuple[JsonObject, list[JsonObject]]:
    """A failed Server blue/green deployment: Green failed ValidateService, Blue never blocked."""
    deployment_id = "d-7KQ2M9XTB"
    targets = []
    for instance_id in blue:
        events, _ = fb.track(fb.SERVER_BLUE, START, pending_from="BeforeBlockTraffic")
        targets.append(fb.instance_target(deployment_id, instance_id, "Blue", "Pending", events, fb.at(START, 1)))
    for instance_id in green:
        events, end = fb.track(fb.SERVER_GREEN, START, fail_at="ValidateService", diagnostics=fb.VALIDATE_FAILED)
        targets.append(fb.instance_target(deployment_id, instance_id, "Green", "Failed", events, fb.at(end, 1)))
    deployment = fb.deployment(
        deployment_id=deployment_id,
        application="shop-web",
        group="shop-web-prod",
        platform="Server",
        deployment_type="BLUE_GREEN",
        option="WITH_TRAFFIC_CONTROL",
        status="Failed",
        config="CodeDeployDefault.OneAtATime",
        created=START,
        completed=START + dt.timedelta(minutes=5),
        counts=fb.overview(Pending=len(blue), Failed=len(green)),
        revision=fb.s3_revision("5.3.0"),
        error=fb.HEALTH_CONSTRAINTS,
        load_balancer_info=load_balancer_info,
        blue_green=fb.bg_config(60),
        termination_started=False,
    )
    return deployment, targets


# --- Server -------------------------------------------------------------------------------------


def test_server_blue_green_behind_an_alb_takes_three_calls(aws: None) -> None:
    _, subnets = network()
    blue, green = run_instances(2, subnets[0]), run_instances(2, subnets[1])
    alb_with_target_group("web-alb-tg", blue)
    deployment, targets = server_blue_green(blue, green, load_balancer_info={"targetGroupInfoList": [{"name": "web-alb-tg"}]})

    run = collect(deployment, targets, {"Failed": green, "Blue": blue})

    assert run.calls == {"elbv2:DescribeTargetGroups": 1, "elbv2:DescribeTargetHealth": 1, "ec2:DescribeInstances": 1}
    assert run.ctx.errors == []
    assert validate_traffic(run.traffic) == []
    # One DescribeInstances answers for Blue (running?) and the failing Green instances (catalog facts).
    assert sorted(i["InstanceId"] for i in run.traffic["ec2"]["instances"]) == sorted(blue + green)
    assert (run.verdict.verdict, run.verdict.basis) == ("serving", "traffic-layer")
    assert "2/2 Blue instances healthy in web-alb-tg" in run.verdict.summary


def test_server_blue_green_with_blue_terminated(aws: None) -> None:
    _, subnets = network()
    blue, green = run_instances(2, subnets[0]), run_instances(2, subnets[1])
    _, tg = alb_with_target_group("web-gone-tg", blue)
    elbv2 = client("elbv2")
    elbv2.deregister_targets(TargetGroupArn=tg, Targets=[{"Id": i} for i in blue])
    client("ec2").terminate_instances(InstanceIds=blue)
    # A third Blue instance terminated long ago: EC2 no longer knows it and refuses the whole call.
    forgotten = "i-0123456789abcdef0"
    deployment, targets = server_blue_green(
        [*blue, forgotten], green, load_balancer_info={"targetGroupInfoList": [{"name": "web-gone-tg"}]}
    )

    run = collect(deployment, targets, {"Failed": green, "Blue": [*blue, forgotten]})

    assert run.calls["ec2:DescribeInstances"] == 2, "the unknown id is dropped and the call made again"
    assert run.ctx.errors == []
    assert (run.verdict.verdict, run.verdict.basis) == ("not-serving", "traffic-layer")
    members = {m.id: m for m in run.verdict.environments[0].members}
    assert members[forgotten].detail is not None and "ec2: not found" in members[forgotten].detail
    # EC2 forgot the third one: it is reported as not found, never rounded up to terminated.
    assert {i: m.health for i, m in members.items()} == {**{i: "terminated" for i in blue}, forgotten: "not found"}


def test_server_blue_green_behind_a_classic_elb(aws: None) -> None:
    _, subnets = network()
    blue, green = run_instances(2, subnets[0]), run_instances(2, subnets[1])
    elb = client("elb")
    elb.create_load_balancer(
        LoadBalancerName="shop-legacy-prod",
        Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 8080}],
        AvailabilityZones=["us-east-1a"],
    )
    elb.register_instances_with_load_balancer(LoadBalancerName="shop-legacy-prod", Instances=[{"InstanceId": i} for i in blue])
    deployment, targets = server_blue_green(blue, green, load_balancer_info={"elbInfoList": [{"name": "shop-legacy-prod"}]})

    run = collect(deployment, targets, {"Failed": green, "Blue": blue})

    assert run.calls == {"elb:DescribeInstanceHealth": 1, "ec2:DescribeInstances": 1}
    assert validate_traffic(run.traffic) == []
    assert (run.verdict.verdict, run.verdict.basis) == ("serving", "traffic-layer")


def _deny_target_health(service: str, client: Any) -> None:
    if service != "elbv2":
        return

    def deny(**_: Any) -> None:
        raise ClientError(
            {
                "Error": {
                    "Code": "AccessDenied",
                    "Message": "not authorized to perform: elasticloadbalancing:DescribeTargetHealth",
                }
            },
            "DescribeTargetHealth",
        )

    client.meta.events.register("before-call.elastic-load-balancing-v2.DescribeTargetHealth", deny)


def test_denied_target_health_is_recorded_and_the_verdict_rests_on_codedeploy(aws: None) -> None:
    _, subnets = network()
    blue, green = run_instances(2, subnets[0]), run_instances(2, subnets[1])
    alb_with_target_group("web-denied-tg", blue)
    deployment, targets = server_blue_green(blue, green, load_balancer_info={"targetGroupInfoList": [{"name": "web-denied-tg"}]})

    run = collect(deployment, targets, {"Failed": green, "Blue": blue}, hooks=(_deny_target_health,))

    assert [(e.service, e.operation, e.code) for e in run.ctx.errors] == [("elbv2", "DescribeTargetHealth", "AccessDenied")]
    assert "targetHealth" not in run.traffic["elbv2"]
    assert (run.verdict.verdict, run.verdict.basis) == ("serving", "codedeploy-only")
    assert any("grant elasticloadbalancing:DescribeTargetHealth" in c.detail for c in run.verdict.checks)


def _answer_deployment_config(service: str, client: Any) -> None:
    """moto has no GetDeploymentConfig: answer it at the seam, the way botocore's Stubber does."""
    if service != "codedeploy":
        return

    def answer(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        info = {
            "deploymentConfigId": "c8a5e3f1-2b7d-4e96-a0c4-6f1d9b3e7a25",
            "deploymentConfigName": "CodeDeployDefault.HalfAtATime",
            "minimumHealthyHosts": {"type": "FLEET_PERCENT", "value": 50},
            "createTime": dt.datetime(2014, 10, 6, tzinfo=dt.timezone.utc),
            "computePlatform": "Server",
        }
        return AWSResponse("https://codedeploy.fake.invalid/", 200, {}, None), {"deploymentConfigInfo": info}

    client.meta.events.register("before-call.codedeploy.GetDeploymentConfig", answer)


def test_server_in_place_with_a_target_group(aws: None) -> None:
    _, subnets = network()
    fleet = run_instances(4, subnets[0])
    alb_with_target_group("shop-api-tg", fleet[2:])
    deployment_id = "d-4VGN6E8PU"
    targets = []
    for instance_id in fleet[:2]:
        events, end = fb.track(fb.SERVER_IN_PLACE_LB, START, fail_at="ApplicationStart", diagnostics=fb.VALIDATE_FAILED)
        targets.append(fb.instance_target(deployment_id, instance_id, None, "Failed", events, fb.at(end, 1)))
    deployment = fb.deployment(
        deployment_id=deployment_id,
        application="shop-api",
        group="shop-api-prod",
        platform="Server",
        deployment_type="IN_PLACE",
        option="WITH_TRAFFIC_CONTROL",
        status="Failed",
        config="CodeDeployDefault.HalfAtATime",
        created=START,
        completed=START + dt.timedelta(minutes=3),
        counts=fb.overview(Failed=2, Skipped=2),
        revision=fb.s3_revision("5.3.0"),
        error=fb.HEALTH_CONSTRAINTS,
        load_balancer_info={"targetGroupInfoList": [{"name": "shop-api-tg"}]},
    )

    run = collect(deployment, targets, {"Failed": fleet[:2]}, hooks=(_answer_deployment_config,))

    assert run.calls == {
        "elbv2:DescribeTargetGroups": 1,
        "elbv2:DescribeTargetHealth": 1,
        "codedeploy:GetDeploymentConfig": 1,
        "ec2:DescribeInstances": 1,  # the failed instances' facts, for the catalog
    }
    assert validate_traffic(run.traffic) == []
    assert run.traffic["deploymentConfig"]["minimumHealthyHosts"] == {"type": "FLEET_PERCENT", "value": 50}
    assert (run.verdict.verdict, run.verdict.basis) == ("partial", "traffic-layer")
    assert "2/4 instances in service" in run.verdict.summary


def test_server_in_place_without_a_load_balancer_reads_only_the_failed_instances(aws: None) -> None:
    deployment = fb.in_place_no_load_balancer()["deployment"]
    run = collect(deployment, [], {"Failed": ["i-0a7c3e1f9d5b2c846"]})
    assert run.calls == {"ec2:DescribeInstances": 1}  # instance facts for the catalog; no traffic call
    assert set(run.traffic) <= {"ec2"}
    # No target body was read: whether an instance was left stopped is unknown, never "none was".
    assert run.verdict.verdict == "unknown"


def test_calls_that_need_only_the_deployment_start_before_the_listing_arrives(aws: None) -> None:
    _, subnets = network()
    blue = run_instances(2, subnets[0])
    alb_with_target_group("web-early-tg", blue)
    deployment, targets = server_blue_green(blue, [], load_balancer_info={"targetGroupInfoList": [{"name": "web-early-tg"}]})
    seam = factory()
    listing: Future[dict[str, list[str]]] = Future()
    group: Future[JsonObject | None] = Future()
    result: dict[str, JsonObject] = {}
    with ThreadPoolExecutor(4) as pool:
        ctx = CollectionContext(seam, pool)
        thread = threading.Thread(
            target=lambda: result.update(traffic=collect_traffic(ctx, deployment, group, listing, done(targets)))
        )
        thread.start()
        deadline = time.monotonic() + 10
        while seam.calls["elbv2:DescribeTargetHealth"] == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        # Target groups and their health were read while the listing (and the group) were still unknown.
        assert seam.calls["elbv2:DescribeTargetHealth"] == 1
        assert seam.calls["ec2:DescribeInstances"] == 0
        listing.set_result({"Blue": blue})
        group.set_result(None)
        thread.join(10)
    assert seam.calls["ec2:DescribeInstances"] == 1
    assert len(result["traffic"]["ec2"]["instances"]) == 2


def test_a_failed_listing_only_means_less_to_check(aws: None) -> None:
    _, subnets = network()
    blue = run_instances(2, subnets[0])
    alb_with_target_group("web-nolist-tg", blue)
    deployment, targets = server_blue_green(blue, [], load_balancer_info={"targetGroupInfoList": [{"name": "web-nolist-tg"}]})
    broken: Future[dict[str, list[str]]] = Future()
    broken.set_exception(RuntimeError("ListDeploymentTargets failed"))
    with ThreadPoolExecutor(4) as pool:
        ctx = CollectionContext(factory(), pool)
        traffic = collect_traffic(ctx, deployment, done(None), broken, done(targets))
    assert "ec2" not in traffic
    assert len(next(iter(traffic["elbv2"]["targetHealth"].values()))) == 2


# --- ECS ----------------------------------------------------------------------------------------


def ecs_world(
    prefix: str, controller: str, weights: tuple[int, int], *, via_rule: bool = False
) -> tuple[JsonObject, list[JsonObject], JsonObject]:
    """An ECS blue/green world named ``prefix``: ALB, two target groups, listeners, service, task sets, deployment."""
    blue_tg, green_tg, cluster = f"{prefix}-blue", f"{prefix}-green", f"{prefix}-cluster"
    vpc, subnets = network()
    elbv2 = client("elbv2")
    lb = elbv2.create_load_balancer(Name=f"{prefix}-alb", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
    arns = {}
    for name in (blue_tg, green_tg):
        arns[name] = elbv2.create_target_group(Name=name, Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="ip")["TargetGroups"][
            0
        ]["TargetGroupArn"]
    elbv2.register_targets(TargetGroupArn=arns[blue_tg], Targets=[{"Id": f"10.0.1.{n}"} for n in (11, 12, 13)])
    elbv2.register_targets(TargetGroupArn=arns[green_tg], Targets=[{"Id": f"10.0.2.{n}"} for n in (21, 22, 23)])
    split = {
        "Type": "forward",
        "ForwardConfig": {
            "TargetGroups": [
                {"TargetGroupArn": arns[blue_tg], "Weight": weights[0]},
                {"TargetGroupArn": arns[green_tg], "Weight": weights[1]},
            ]
        },
    }
    default = {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}} if via_rule else split
    prod = elbv2.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80, DefaultActions=[default])["Listeners"][0][
        "ListenerArn"
    ]
    if via_rule:
        elbv2.create_rule(
            ListenerArn=prod, Priority=10, Conditions=[{"Field": "path-pattern", "Values": ["/orders/*"]}], Actions=[split]
        )
    test = elbv2.create_listener(
        LoadBalancerArn=lb, Protocol="HTTP", Port=8080, DefaultActions=[{"Type": "forward", "TargetGroupArn": arns[green_tg]}]
    )["Listeners"][0]["ListenerArn"]

    ecs = client("ecs")
    ecs.create_cluster(clusterName=cluster)
    ecs.register_task_definition(
        family="orders-api", containerDefinitions=[{"name": "orders-api", "image": "orders:41", "memory": 512}]
    )
    balancer = {"targetGroupArn": arns[blue_tg], "containerName": "orders-api", "containerPort": 8080}
    ecs.create_service(
        cluster=cluster,
        serviceName="orders-api",
        taskDefinition="orders-api",
        desiredCount=3,
        deploymentController={"type": controller},
        loadBalancers=[balancer],
    )
    task_sets: list[JsonObject] = []
    if controller == "CODE_DEPLOY":
        for label, name in (("Blue", blue_tg), ("Green", green_tg)):
            created = ecs.create_task_set(
                cluster=cluster,
                service="orders-api",
                taskDefinition="orders-api",
                loadBalancers=[{**balancer, "targetGroupArn": arns[name]}],
            )["taskSet"]
            weight = float(weights[0] if label == "Blue" else weights[1]) * 100 / sum(weights)
            task_sets.append(fb._task_set_info(created["id"], label, "PRIMARY" if label == "Blue" else "ACTIVE", weight, 3, name))
    deployment_id = "d-0EUW7H2KC"
    events, end = fb.track(fb.ECS_EVENTS, START, fail_at="AllowTraffic", diagnostics=fb.HOOK_FAILED)
    pair = {
        "targetGroups": [{"name": blue_tg}, {"name": green_tg}],
        "prodTrafficRoute": {"listenerArns": [prod]},
        "testTrafficRoute": {"listenerArns": [test]},
    }
    deployment = fb.deployment(
        deployment_id=deployment_id,
        application="orders-api",
        group="orders-api-prod",
        platform="ECS",
        deployment_type="BLUE_GREEN",
        option="WITH_TRAFFIC_CONTROL",
        status="Failed",
        config="CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
        created=START,
        completed=end,
        counts=fb.overview(Failed=1),
        revision=fb.appspec_revision(fb.ECS_APPSPEC, "6f1c9e3a"),
        error=("ALARM_ACTIVE", "alarm"),
        load_balancer_info={"targetGroupPairInfoList": [pair]},
        blue_green=fb.bg_config(5, provisioning=None),
    )
    target = fb._ecs_target(deployment_id, events, fb.at(end, 1), task_sets)
    group = fb.deployment_group(deployment, "3a9d7f1c-6e24-4b58-9f0d-8c2e5a1b7d46", ecs_service=(cluster, "orders-api"))
    return deployment, [target], group


def test_ecs_half_shifted_takes_six_calls(aws: None) -> None:
    deployment, targets, group = ecs_world("half", "CODE_DEPLOY", (50, 50))

    run = collect(deployment, targets, {"All": ["half-cluster:orders-api"]}, group=group)

    # The production listener's rules are read beside the listeners (a rule may route
    # production elsewhere); the test listener's are not needed.
    assert run.calls == {
        "elbv2:DescribeTargetGroups": 1,
        "elbv2:DescribeListeners": 1,
        "elbv2:DescribeRules": 1,
        "elbv2:DescribeTargetHealth": 2,
        "ecs:DescribeServices": 1,
    }
    assert validate_traffic(run.traffic) == []
    assert (run.verdict.verdict, run.verdict.basis) == ("partial", "traffic-layer")
    assert "50% to Blue" in run.verdict.summary


def test_ecs_routed_through_a_rule_reads_the_rules(aws: None) -> None:
    deployment, targets, group = ecs_world("rule", "CODE_DEPLOY", (100, 0), via_rule=True)

    run = collect(deployment, targets, {"All": ["rule-cluster:orders-api"]}, group=group)

    assert run.calls["elbv2:DescribeRules"] == 1
    assert validate_traffic(run.traffic) == []
    assert (run.verdict.verdict, run.verdict.basis) == ("serving", "traffic-layer")
    assert any("via rule 10" in c.detail for c in run.verdict.checks)


def test_ecs_service_under_the_ecs_controller(aws: None) -> None:
    deployment, targets, _ = ecs_world("ecsctl", "ECS", (100, 0))

    # No deployment group read: the service comes from the listed target id.
    run = collect(deployment, targets, {"All": ["ecsctl-cluster:orders-api"]}, group=None)

    assert run.calls["ecs:DescribeServices"] == 1
    assert run.traffic["ecs"]["services"][0]["deploymentController"] == {"type": "ECS"}
    assert (run.verdict.verdict, run.verdict.basis) == ("serving", "traffic-layer")
    assert "not under CodeDeploy" in run.verdict.summary


# --- Lambda -------------------------------------------------------------------------------------


def test_lambda_alias_with_weights(aws: None) -> None:
    iam = client("iam")
    role = iam.create_role(RoleName="checkout-api", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handle(event, context):\n    return 1\n")
    lam = client("lambda")
    lam.create_function(
        FunctionName="checkout-api",
        Runtime="python3.12",
        Role=role,
        Handler="handler.handle",
        Code={"ZipFile": buffer.getvalue()},
    )
    blue = lam.publish_version(FunctionName="checkout-api")["Version"]
    lam.update_function_code(FunctionName="checkout-api", ZipFile=buffer.getvalue())
    green = lam.publish_version(FunctionName="checkout-api")["Version"]
    lam.create_alias(
        FunctionName="checkout-api", Name="live", FunctionVersion=blue, RoutingConfig={"AdditionalVersionWeights": {green: 0.25}}
    )
    data = fb.lambda_weighted()
    deployment, target = data["deployment"], data["targets"][0]
    target["lambdaTarget"]["lambdaFunctionInfo"].update(currentVersion=blue, targetVersion=green, targetVersionWeight=0.25)

    run = collect(deployment, [target], {"All": ["checkout-api"]})

    assert run.calls == {"lambda:GetAlias": 1}
    assert validate_traffic(run.traffic) == []
    assert (run.verdict.verdict, run.verdict.basis) == ("partial", "traffic-layer")
    assert f"75% to version {blue} (Blue)" in run.verdict.summary
