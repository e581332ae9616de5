"""Cheap reads about the failing instances when the failure looks like the agent's: SSM ping, on-premises registration.

EC2's own facts (instance profile, ``MetadataOptions.HttpTokens``, ``LaunchTime``) come from the
DescribeInstances the traffic collector already makes for the first failing instances. Added here,
only when the failure needs them:

- ``ssm:DescribeInstanceInformation`` for failing EC2 instances whose event never ran or never
  answered (its first unsucceeded event is Pending, Unknown or InProgress): a host that pings Systems Manager is alive and
  has a route out; section ``evidence.ssm`` {asked, instanceInformation};
- ``codedeploy:BatchGetOnPremisesInstances`` for failing on-premises instances (deregistered, IAM
  user or role); section ``evidence.onPremises`` {instances}.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Final

from codedeploy_doctor.aws.context import CollectionContext, chunks
from codedeploy_doctor.diagnosis.targets import target_views
from codedeploy_doctor.snapshot import JsonObject

AGENT_SYMPTOMS: Final = frozenset({"Pending", "Unknown", "InProgress"})
"""Statuses of an instance's first unsucceeded event that mean no agent ran or answered it (Skipped follows a failure)."""

MAX_INSTANCES: Final = 5
"""Failing instances asked about, at most (the catalog reads the first failure's)."""

SSM_IDS_PER_CALL: Final = 50
ONPREM_NAMES_PER_CALL: Final = 100

_EC2_ID: Final = re.compile(r"i-[0-9a-f]{8,17}")

Finish = Callable[[], JsonObject]


def failing_instances(targets: Sequence[JsonObject]) -> tuple[list[str], list[str]]:
    """(EC2 ids whose first not-succeeded event is an agent symptom, on-premises names that failed), a few each."""
    ec2: list[str] = []
    onprem: list[str] = []
    for view in target_views(targets):
        if view.target_type not in (None, "InstanceTarget") or view.status in ("Succeeded", None):
            continue
        first = next((e.get("status") for e in view.events if isinstance(e, dict) and e.get("status") != "Succeeded"), None)
        if _EC2_ID.fullmatch(view.target_id):
            if first in AGENT_SYMPTOMS and len(ec2) < MAX_INSTANCES:
                ec2.append(view.target_id)
        elif len(onprem) < MAX_INSTANCES:
            onprem.append(view.target_id)
    return ec2, onprem


def start_instance_facts(ctx: CollectionContext, targets: Sequence[JsonObject]) -> Finish:
    """Start the reads the failing instances need; the returned function waits and gives the sections."""
    ec2, onprem = failing_instances(targets)
    ssm = [
        ctx.submit(ctx.try_call, "ssm", "DescribeInstanceInformation", Filters=[{"Key": "InstanceIds", "Values": chunk}])
        for chunk in chunks(ec2, SSM_IDS_PER_CALL)
    ]
    registrations = [
        ctx.submit(ctx.try_call, "codedeploy", "BatchGetOnPremisesInstances", instanceNames=chunk)
        for chunk in chunks(onprem, ONPREM_NAMES_PER_CALL)
    ]

    def finish() -> JsonObject:
        sections: JsonObject = {}
        answers = [future.result() for future in ssm]
        if answers and all(answer is not None for answer in answers):
            sections["ssm"] = {
                "asked": ec2,
                "instanceInformation": [i for answer in answers if answer for i in answer.get("InstanceInformationList") or []],
            }
        found = [future.result() for future in registrations]
        if found and all(answer is not None for answer in found):
            sections["onPremises"] = {
                "asked": onprem,
                "instances": [i for answer in found if answer for i in answer.get("instanceInfos") or []],
            }
        return sections

    return finish
