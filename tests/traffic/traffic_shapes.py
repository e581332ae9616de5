"""Check a snapshot's ``traffic`` section against the botocore models of ELBv2, ELB, EC2, ECS and Lambda.

``tests/shapes.py`` checks the CodeDeploy objects; this does the same for what the traffic
collector records, with the same rules: timestamps are ISO-8601 strings with a zone, enum values
are ones the model lists, nothing is null, and no key is unknown.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any

import botocore.session
from botocore.model import ListShape, MapShape, Shape, StringShape, StructureShape
from botocore.validate import ParamValidator

from tests.shapes import parse_timestamp

LIST_SECTIONS = {
    ("elbv2", "targetGroups"): ("elbv2", "TargetGroup"),
    ("elbv2", "listeners"): ("elbv2", "Listener"),
    ("ec2", "instances"): ("ec2", "Instance"),
    ("ecs", "services"): ("ecs", "Service"),
    ("lambda", "aliases"): ("lambda", "AliasConfiguration"),
}
"""Sections that hold a list of one AWS shape."""

MAP_SECTIONS = {
    ("elbv2", "targetHealth"): ("elbv2", "TargetHealthDescription"),
    ("elbv2", "rules"): ("elbv2", "Rule"),
    ("elb", "instanceHealth"): ("elb", "InstanceState"),
}
"""Sections that map a name or ARN to a list of one AWS shape."""


@functools.cache
def _shape(service: str, name: str) -> Shape:
    return botocore.session.get_session().get_service_model(service).shape_for(name)


def _prepare(value: Any, shape: Shape, path: str, errors: list[str]) -> Any:
    if value is None:
        errors.append(f"{path}: null, but AWS leaves out members that have no value")
        return None
    if shape.type_name == "timestamp":
        parsed = parse_timestamp(value) if isinstance(value, str) else None
        if parsed is None:
            errors.append(f"{path}: {value!r} is not an ISO-8601 date-time with a time zone")
            return dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
        return parsed
    if isinstance(shape, StringShape) and isinstance(value, str):
        if shape.enum and value not in shape.enum:
            errors.append(f"{path}: {value!r} is not a valid {shape.name}")
        return value
    if isinstance(shape, StructureShape) and isinstance(value, Mapping):
        return {
            key: (_prepare(item, shape.members[key], f"{path}.{key}", errors) if key in shape.members else item)
            for key, item in value.items()
        }
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [_prepare(item, shape.member, f"{path}[{i}]", errors) for i, item in enumerate(value)]
    if isinstance(shape, MapShape) and isinstance(value, Mapping):
        return {key: _prepare(item, shape.value, f"{path}.{key}", errors) for key, item in value.items()}
    return value


def validate_object(value: Any, service: str, shape_name: str, path: str) -> list[str]:
    """Every difference between ``value`` and one shape of one service model."""
    shape = _shape(service, shape_name)
    errors: list[str] = []
    prepared = _prepare(value, shape, path, errors)
    report = ParamValidator().validate(prepared, shape)
    if report.has_errors():
        lines = (line.strip() for line in report.generate_report().splitlines())
        errors += [f"{path}: {line}" for line in lines if line and not line.startswith("Parameter validation failed")]
    return errors


def validate_traffic(traffic: Mapping[str, Any]) -> list[str]:
    """Every shape problem in a ``traffic`` section; unknown sections and keys are problems too."""
    errors: list[str] = []
    for section, body in traffic.items():
        if section == "deploymentConfig":
            errors += validate_object(body, "codedeploy", "DeploymentConfigInfo", "traffic.deploymentConfig")
            continue
        if not isinstance(body, Mapping):
            errors.append(f"traffic.{section}: not an object")
            continue
        for key, value in body.items():
            where = f"traffic.{section}.{key}"
            if (section, key) in LIST_SECTIONS:
                service, shape_name = LIST_SECTIONS[(section, key)]
                if not isinstance(value, list):
                    errors.append(f"{where}: not a list")
                    continue
                for index, item in enumerate(value):
                    errors += validate_object(item, service, shape_name, f"{where}[{index}]")
            elif (section, key) in MAP_SECTIONS:
                service, shape_name = MAP_SECTIONS[(section, key)]
                if not isinstance(value, Mapping):
                    errors.append(f"{where}: not an object")
                    continue
                for name, items in value.items():
                    for index, item in enumerate(items if isinstance(items, list) else [items]):
                        errors += validate_object(item, service, shape_name, f"{where}[{name}][{index}]")
            else:
                errors.append(f"{where}: unknown traffic key")
    return errors
