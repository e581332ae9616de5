"""What exit codes and CodeDeploy error codes mean, in words on-call can act on."""

from __future__ import annotations

import re
from typing import Final

_SIGNALS: Final = {
    1: "SIGHUP (hang-up: the controlling session went away)",
    2: "SIGINT (interrupted, as by Ctrl-C)",
    3: "SIGQUIT",
    4: "SIGILL (illegal instruction)",
    6: "SIGABRT (the program aborted itself, often a failed assertion or a crash)",
    8: "SIGFPE (arithmetic error)",
    9: "SIGKILL (killed outright, usually by the kernel's out-of-memory killer or `kill -9`)",
    11: "SIGSEGV (segmentation fault: the program crashed)",
    13: "SIGPIPE (it wrote to a pipe nobody was reading)",
    14: "SIGALRM (a timer such as `timeout` expired)",
    15: "SIGTERM (asked to stop: a timeout, a service manager or an operator terminated it)",
}

_EXIT_CODES: Final = {
    0: "success",
    1: (
        "a general error: the script or the last command it ran failed (with `set -e`, the first "
        "command that failed); the reason is in the script's own output"
    ),
    2: (
        "misuse of a shell builtin or a syntax error in the script (bash), or invalid arguments "
        "to a command (many tools use 2 for usage errors)"
    ),
    124: "the command was stopped by `timeout(1)` because it ran too long",
    126: (
        "a command was found but could not be executed: missing execute permission, a `noexec` mount, or a bad interpreter line"
    ),
    127: "command not found: a program the script calls is not installed or not on PATH",
    128: "an invalid argument to `exit`",
    255: "exit status out of range (the script called `exit -1` or a value above 255), or an ssh failure",
}

_DIAGNOSTICS_CODES: Final = {
    "Success": "the event succeeded",
    "ScriptMissing": "the hook's script was not found at the location the AppSpec file gives",
    "ScriptNotExecutable": "the hook's script exists but could not be executed (permissions or interpreter)",
    "ScriptTimedOut": "the hook's script ran longer than its `timeout` in the AppSpec file and was stopped",
    "ScriptFailed": "the hook's script ran and exited with a non-zero exit code",
    "UnknownError": (
        "the agent failed outside a script (download, unpacking, file install, its own error) or the event ended without a result"
    ),
}

_DEPLOYMENT_CODES: Final = {
    "AGENT_ISSUE": "the CodeDeploy agent on one or more targets did not respond or reported an error",
    "ALARM_ACTIVE": "a CloudWatch alarm of the deployment group went into ALARM and stopped the deployment",
    "APPLICATION_MISSING": "the application was deleted after the deployment was created",
    "AUTOSCALING_VALIDATION_ERROR": "CodeDeploy could not validate the deployment group's Auto Scaling group",
    "AUTO_SCALING_CONFIGURATION": "the deployment group's Auto Scaling group is misconfigured",
    "AUTO_SCALING_IAM_ROLE_PERMISSIONS": "the service role may not act on the Auto Scaling group",
    "CODEDEPLOY_RESOURCE_CANNOT_BE_FOUND": "a CodeDeploy resource the deployment needs no longer exists",
    "CUSTOMER_APPLICATION_UNHEALTHY": "the application reported itself unhealthy during the deployment",
    "DEPLOYMENT_GROUP_MISSING": "the deployment group was deleted after the deployment was created",
    "ECS_UPDATE_ERROR": "CodeDeploy could not update the ECS service or its task sets",
    "ELASTIC_LOAD_BALANCING_INVALID": "the load balancer or target group is missing or misconfigured",
    "ELB_INVALID_INSTANCE": "an instance could not be registered with or deregistered from the load balancer",
    "HEALTH_CONSTRAINTS": (
        "too many individual targets failed for the deployment's minimum healthy hosts setting; "
        "the real cause is in the failed targets' lifecycle events"
    ),
    "HEALTH_CONSTRAINTS_INVALID": "the minimum healthy hosts setting cannot be met with the group's targets",
    "HOOK_EXECUTION_FAILURE": "a lifecycle hook (script or Lambda function) failed",
    "IAM_ROLE_MISSING": "the service role does not exist or CodeDeploy may not assume it",
    "IAM_ROLE_PERMISSIONS": "the service role lacks a permission CodeDeploy needs",
    "INTERNAL_ERROR": "an internal error in CodeDeploy",
    "INVALID_ECS_SERVICE": "the ECS service is missing, inactive or not under the CODE_DEPLOY deployment controller",
    "INVALID_LAMBDA_CONFIGURATION": "the Lambda function, alias or versions in the AppSpec are invalid",
    "INVALID_LAMBDA_FUNCTION": "the Lambda function in the AppSpec is invalid",
    "INVALID_REVISION": "the revision is invalid (unreadable bundle or AppSpec)",
    "MANUAL_STOP": "somebody (or an automation) stopped the deployment",
    "MISSING_BLUE_GREEN_DEPLOYMENT_CONFIGURATION": "a blue/green deployment group lacks its blue/green configuration",
    "MISSING_ELB_INFORMATION": "the deployment needs a load balancer but the group names none",
    "MISSING_GITHUB_TOKEN": "the GitHub connection's token is missing",
    "NO_EC2_SUBSCRIPTION": "the account is not subscribed to Amazon EC2",
    "NO_INSTANCES": "no instance matched the deployment group's tags or Auto Scaling groups",
    "OVER_MAX_INSTANCES": "the deployment targets more instances than the account limit allows",
    "RESOURCE_LIMIT_EXCEEDED": "an account quota was exceeded",
    "REVISION_MISSING": "the revision does not exist (deleted, wrong location)",
    "THROTTLED": "an AWS API CodeDeploy called throttled the request",
    "TIMEOUT": "the deployment, or a step of it, ran past its time limit",
    "CLOUDFORMATION_STACK_FAILURE": "the CloudFormation stack of the deployment failed",
}

_EXIT_CODE_IN_TEXT: Final = re.compile(
    r"(?:exit(?:ed)?[ _-]?(?:code|status|value)|return(?:ed)? code|exited with(?: code| status)?)\s*[:=]?\s*(-?\d{1,10})\b",
    re.IGNORECASE,
)


def exit_code_meaning(code: int) -> str:
    """Explain a process exit code (shell conventions; 128+n means killed by signal n)."""
    if code in _EXIT_CODES:
        return _EXIT_CODES[code]
    if 128 < code < 128 + 65:
        signal = code - 128
        name = _SIGNALS.get(signal, f"signal {signal}")
        return f"killed by signal {signal}: {name}"
    if code < 0 or code > 255:
        return (
            "outside the 0-255 range of Unix exit codes: on Windows this is a process or PowerShell "
            "exit code (values above 255 are often NTSTATUS or HRESULT codes)"
        )
    return "an application-specific failure code: the script or a program it ran chose it; read its output"


def extract_exit_code(text: str | None) -> int | None:
    """Return the first exit code a text mentions ("failed with exit code 127"), or None."""
    if not text:
        return None
    found = _EXIT_CODE_IN_TEXT.search(text[:65536])
    if found is None:
        return None
    try:
        return int(found.group(1))
    except ValueError:  # pragma: no cover - the pattern only captures digits
        return None


def diagnostics_code_meaning(code: str) -> str | None:
    """Explain a ``diagnostics.errorCode`` value, or None when it is not a known one."""
    return _DIAGNOSTICS_CODES.get(code)


def deployment_code_meaning(code: str) -> str | None:
    """Explain an ``errorInformation.code`` value, or None when AWS added one we do not know."""
    return _DEPLOYMENT_CODES.get(code)
