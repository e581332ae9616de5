"""A target that names another deployment is no part of this one: left out, with a warning."""

from __future__ import annotations

import copy

from codedeploy_doctor.diagnosis import diagnose
from codedeploy_doctor.snapshot import snapshot_from_json
from tests.support import load_fixture_json


def test_a_target_of_another_deployment_is_left_out_with_a_warning() -> None:
    data = load_fixture_json("traffic-server-inplace-no-load-balancer")
    stranger = copy.deepcopy(data["targets"][0])
    body = stranger["instanceTarget"]
    body["deploymentId"] = "d-OTHER0000"
    body["targetId"] = body["targetArn"] = "i-0ffffffffffffffff"
    data["targets"].append(stranger)
    report = diagnose(snapshot_from_json(data))
    assert any("another deployment" in w and "i-0ffffffffffffffff" in w for w in report.warnings)
    members = [m.id for env in report.blue_traffic.environments for m in env.members]
    assert "i-0ffffffffffffffff" not in members
    assert report.targets_examined == len(data["targets"]) - 1
    assert all("i-0ffffffffffffffff" not in group.target_ids for group in report.failure_groups)
