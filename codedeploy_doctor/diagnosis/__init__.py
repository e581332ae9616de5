"""The pure core: snapshot in, report out. No I/O, no boto3 (enforced by ruff TID251)."""

from codedeploy_doctor.diagnosis.diagnose import diagnose
from codedeploy_doctor.report import exit_code_for

__all__ = ["diagnose", "exit_code_for"]
