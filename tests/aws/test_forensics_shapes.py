"""The evidence sections of every fixture are what AWS returns: each item checked against botocore's output shapes.

``evidence.revision`` is cd-doctor's own shape (docs/snapshot.md) and is checked by reading it back.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.validate import ParamValidator

from codedeploy_doctor.bundle.facts import read_revision_section
from tests.fakes.seam import to_wire
from tests.support import fixture_paths

# (section, key) -> (service, operation, path to the list's member shape in the output)
SHAPES = {
    ("autoscaling", "groups"): ("autoscaling", "DescribeAutoScalingGroups", "AutoScalingGroups"),
    ("autoscaling", "lifecycleHooks"): ("autoscaling", "DescribeLifecycleHooks", "LifecycleHooks"),
    ("autoscaling", "activities"): ("autoscaling", "DescribeScalingActivities", "Activities"),
    ("ssm", "instanceInformation"): ("ssm", "DescribeInstanceInformation", "InstanceInformationList"),
    ("onPremises", "instances"): ("codedeploy", "BatchGetOnPremisesInstances", "instanceInfos"),
}


def _member_shape(service: str, operation: str, key: str) -> Any:
    model = botocore.session.get_session().get_service_model(service)
    return model.operation_model(operation).output_shape.members[key].member


def validate_evidence(evidence: dict[str, Any]) -> list[str]:
    """Problems of the evidence's AWS-shaped items, one line each."""
    errors: list[str] = []
    for (section, key), (service, operation, member) in SHAPES.items():
        shape = _member_shape(service, operation, member)
        for number, item in enumerate((evidence.get(section) or {}).get(key) or []):
            try:
                wire = to_wire(item, shape)
            except ValueError as exc:
                errors.append(f"evidence.{section}.{key}[{number}]: {exc}")
                continue
            report = ParamValidator().validate(wire, shape)
            if report.has_errors():
                errors.append(f"evidence.{section}.{key}[{number}]: {report.generate_report()}")
    return errors


WITH_EVIDENCE = [path for path in fixture_paths() if json.loads(path.read_text(encoding="utf-8")).get("evidence")]


def test_some_fixture_has_evidence() -> None:
    assert WITH_EVIDENCE


@pytest.mark.parametrize("path", WITH_EVIDENCE, ids=lambda path: path.name)
def test_evidence_matches_the_botocore_models(path: Path) -> None:
    evidence = json.loads(path.read_text(encoding="utf-8"))["evidence"]
    assert not validate_evidence(evidence)
    if "revision" in evidence:
        reading = read_revision_section(evidence["revision"], traffic_control=None)
        assert reading is not None and reading.bundle is not None and reading.spec is not None


def test_a_wrong_shape_is_reported() -> None:
    evidence = {"autoscaling": {"activities": [{"ActivityId": "a", "AutoScalingGroupName": "g", "StartTime": "yesterday"}]}}
    assert validate_evidence(evidence)
    missing = {"ssm": {"instanceInformation": [{"InstanceId": "i-1", "PingStatus": "Sleepy"}]}}
    assert validate_evidence(missing) == [] or "PingStatus" in validate_evidence(missing)[0]
    wrong_type = {"onPremises": {"instances": [{"instanceName": ["rack-7"]}]}}
    assert validate_evidence(wrong_type)
