"""Against a real AWS account: opt-in only, never in CI.

    CD_DOCTOR_REAL_AWS=1 CD_DOCTOR_DEPLOYMENT_ID=d-XXXXXXXXX AWS_PROFILE=... python -m pytest -m aws

Uses the caller's own credentials and Region; only read operations are ever called.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import jsonschema
import pytest

from codedeploy_doctor.schema import report_schema

pytestmark = [
    pytest.mark.aws,
    pytest.mark.skipif(
        not (os.environ.get("CD_DOCTOR_REAL_AWS") and os.environ.get("CD_DOCTOR_DEPLOYMENT_ID")),
        reason="real-AWS test: set CD_DOCTOR_REAL_AWS=1 and CD_DOCTOR_DEPLOYMENT_ID",
    ),
]


def test_a_real_deployment_is_diagnosed_and_fits_the_schema() -> None:
    deployment_id = os.environ["CD_DOCTOR_DEPLOYMENT_ID"]
    result = subprocess.run(
        [sys.executable, "-m", "codedeploy_doctor", deployment_id, "--format", "json", "--timeout", "120"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode in (0, 1, 4), result.stderr
    report = json.loads(result.stdout)
    jsonschema.Draft202012Validator(report_schema()).validate(report)
    assert report["deployment"]["id"] == deployment_id
    assert report["apiCalls"] > 0
