"""The checks of a bundle against its AppSpec file: what the agent will find missing, refuse or run badly.

Each check gives :class:`Finding` objects naming the file and line they come from and, where
one applies, the catalog cause they point at. A listing that may be partial
(``Bundle.complete`` false) never yields "missing": absence proves nothing there.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from codedeploy_doctor.bundle.appspec import MAX_HOOK_TIMEOUT, AppSpec, HookScript, parse_appspec
from codedeploy_doctor.bundle.model import APPSPEC_NAMES, Bundle, Entry, Finding, normalise

SERVER_HOOK_EVENTS: Final = (
    "ApplicationStop",
    "BeforeInstall",
    "AfterInstall",
    "ApplicationStart",
    "ValidateService",
    "BeforeBlockTraffic",
    "AfterBlockTraffic",
    "BeforeAllowTraffic",
    "AfterAllowTraffic",
)
"""Events an EC2/on-premises AppSpec file may hook (DownloadBundle, Install, BlockTraffic, AllowTraffic are CodeDeploy's)."""

RESERVED_EVENTS: Final = frozenset({"DownloadBundle", "Install", "BlockTraffic", "AllowTraffic"})
TRAFFIC_EVENTS: Final = frozenset({"BeforeBlockTraffic", "AfterBlockTraffic", "BeforeAllowTraffic", "AfterAllowTraffic"})
ECS_LAMBDA_EVENTS: Final = frozenset({"AfterAllowTestTraffic", "AllowTestTraffic"})

WINDOWS_SCRIPT_SUFFIXES: Final = (".ps1", ".bat", ".cmd", ".exe", ".vbs")
"""Scripts the Linux checks (shebang, line endings, execute bit) do not apply to."""

_ELF: Final = b"\x7fELF"
_BOM: Final = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Context:
    """What is known of the deployment the bundle is for (nothing, for ``cd-doctor lint``)."""

    traffic_control: bool | None = None
    """True when the deployment uses a load balancer (the traffic hooks run); None when unknown."""


def find_appspec(bundle: Bundle) -> list[Finding]:
    """``appspec-missing`` when the bundle's root has no appspec file (with where one is, if deeper)."""
    if bundle.appspec_path is not None or not bundle.complete:
        return []
    deeper = sorted(path for path in bundle.entries if path.rsplit("/", 1)[-1] in APPSPEC_NAMES)
    hint = ""
    if deeper:
        hint = f"; the bundle has {deeper[0]}: zip the folder's contents, not the folder (the archive has an extra top level)"
    else:
        near = [path for path in bundle.entries if path.lower() in (*APPSPEC_NAMES, "appspec.json")]
        if near:
            hint = f"; it has {near[0]} (the name must be appspec.yml, in lower case)"
    return [
        Finding("appspec-missing", "error", bundle.name, None, f"no appspec.yml at the bundle's root{hint}", "appspec-missing")
    ]


def check_bundle(bundle: Bundle, context: Context | None = None) -> tuple[AppSpec | None, list[Finding]]:
    """Every check of the bundle: the AppSpec file's structure, its hooks, scripts, files and permissions."""
    findings = find_appspec(bundle)
    if bundle.appspec_text is None:
        return None, findings
    spec = parse_appspec(bundle.appspec_text, bundle.appspec_path or "appspec.yml")
    findings.extend(spec.problems)
    if not spec.parsed:
        return spec, findings
    findings.extend(check_hooks(spec, context or Context()))
    for script in spec.scripts():
        findings.extend(check_script(bundle, spec, script))
    findings.extend(check_event_timeouts(spec))
    findings.extend(check_files(bundle, spec))
    findings.extend(check_windows(spec))
    return spec, findings


def check_hooks(spec: AppSpec, context: Context) -> list[Finding]:
    """Hooks that do not exist for EC2/on-premises, and traffic hooks that never run without a load balancer."""
    findings: list[Finding] = []
    for event, line in spec.hook_lines.items():
        if event in SERVER_HOOK_EVENTS:
            if event in TRAFFIC_EVENTS and context.traffic_control is False:
                findings.append(
                    Finding(
                        "hook-never-runs",
                        "warning",
                        spec.file,
                        line,
                        f"hook {event} runs only in a deployment with a load balancer; this one has none, so it never runs",
                    )
                )
            continue
        if event in RESERVED_EVENTS:
            why = f"{event} is CodeDeploy's own step and cannot be hooked"
        elif event in ECS_LAMBDA_EVENTS:
            why = f"{event} exists only for ECS deployments"
        else:
            near = difflib.get_close_matches(event, SERVER_HOOK_EVENTS, n=1, cutoff=0.6) or [
                name for name in SERVER_HOOK_EVENTS if name.lower() == event.lower()
            ]
            why = f"{event} is not a lifecycle event" + (f" (did you mean {near[0]}?)" if near else "")
        findings.append(Finding("hook-unknown-event", "error", spec.file, line, why, "appspec-invalid"))
    return findings


def nearest_path(path: str, candidates: Iterable[str]) -> str | None:
    """The listed path closest to ``path``: the same name in another case first, then the most similar."""
    files = [candidate for candidate in candidates if not candidate.endswith("/")]
    folded = [candidate for candidate in files if candidate.lower() == path.lower()]
    if folded:
        return folded[0]
    same_name = [candidate for candidate in files if candidate.rsplit("/", 1)[-1] == path.rsplit("/", 1)[-1]]
    if same_name:
        return same_name[0]
    close = difflib.get_close_matches(path, files[:5000], n=1, cutoff=0.6)
    return close[0] if close else None


def _is_linux_script(spec: AppSpec, path: str) -> bool:
    return spec.os != "windows" and not path.lower().endswith(WINDOWS_SCRIPT_SUFFIXES)


def check_script(bundle: Bundle, spec: AppSpec, script: HookScript) -> list[Finding]:
    """Check that the hook's script is in the bundle, executable, with LF endings, a shebang and no byte-order mark."""
    path = normalise(script.location)
    findings: list[Finding] = []
    if not bundle.has_file(path):
        if bundle.complete:
            near = nearest_path(path, bundle.entries)
            hint = f" (nearest: {near})" if near else ""
            findings.append(
                Finding(
                    "script-missing",
                    "error",
                    spec.file,
                    script.line,
                    f"{script.event} location {script.location} is not in the bundle{hint}",
                    "script-missing",
                )
            )
        return findings
    if not _is_linux_script(spec, path):
        return findings
    entry = bundle.entries[path]
    if entry.executable is False:
        findings.append(
            Finding(
                "script-not-executable",
                "warning",
                path,
                None,
                f"{path} has no execute bit in the bundle (mode {_mode(entry)}): the agent adds it to hook scripts, "
                "but any script this one runs as ./name fails with exit 126",
                "script-not-executable",
            )
        )
    head = bundle.heads.get(path)
    if head is not None:
        findings.extend(check_script_head(path, head))
    return findings


def _mode(entry: Entry) -> str:
    return f"{(entry.mode or 0) & 0o7777:04o}"


def check_script_head(path: str, head: bytes) -> list[Finding]:
    """What the first bytes of a Linux hook script say: byte-order mark, CRLF line endings, shebang."""
    if head.startswith(_ELF) or not head:
        return []
    findings: list[Finding] = []
    if head.startswith(_BOM):
        findings.append(
            Finding(
                "script-bom",
                "error",
                path,
                1,
                f"{path} starts with a UTF-8 byte-order mark: the kernel does not see its #! line, so it runs under /bin/sh "
                "and its first line fails as a command",
                "script-not-executable",
            )
        )
        head = head[len(_BOM) :]
    crlf_line = _first_crlf_line(head)
    if crlf_line is not None:
        findings.append(
            Finding(
                "script-crlf",
                "error",
                path,
                crlf_line,
                f"{path} has Windows (CRLF) line endings"
                + (": its #! line names an interpreter ending in \\r ('bad interpreter')" if crlf_line == 1 else ""),
                "crlf-line-endings",
            )
        )
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    if not first.startswith(b"#!"):
        findings.append(
            Finding(
                "script-no-shebang",
                "warning",
                path,
                1,
                f"{path} has no #! line: it runs under /bin/sh, where bash syntax fails",
                "script-not-executable",
            )
        )
        return findings
    interpreter = first[2:].strip().split(b" ")[0].decode("utf-8", errors="replace")
    problem = _shebang_problem(interpreter, first)
    if problem:
        findings.append(
            Finding("script-bad-shebang", "error", path, 1, f"{path}: #!{interpreter} {problem}", "script-not-executable")
        )
    return findings


def _first_crlf_line(head: bytes) -> int | None:
    at = head.find(b"\r\n")
    return None if at < 0 else head.count(b"\n", 0, at) + 1


def _shebang_problem(interpreter: str, first: bytes) -> str | None:
    if not interpreter:
        return "names no interpreter"
    if "\\" in interpreter or (len(interpreter) > 1 and interpreter[1] == ":"):
        return "is a Windows path: Linux cannot start it"
    if not interpreter.startswith("/"):
        return "is not an absolute path: the kernel does not search PATH (use #!/usr/bin/env NAME)"
    if interpreter.endswith("/env") and len(first[2:].split()) < 2:
        return "names no program for env to run"
    return None


def check_event_timeouts(spec: AppSpec) -> list[Finding]:
    """``appspec-event-timeout-exceeds-limit``: one event's scripts whose set timeouts add up past 3600 seconds."""
    findings: list[Finding] = []
    for event, scripts in spec.hooks.items():
        timed = [script for script in scripts if script.timeout is not None]
        total = sum(script.timeout or 0 for script in timed)
        if len(timed) > 1 and total > MAX_HOOK_TIMEOUT:  # one script past the limit is appspec-invalid
            parts = " + ".join(f"{script.timeout} (line {script.timeout_line})" for script in timed)
            findings.append(
                Finding(
                    "event-timeout-over-limit",
                    "error",
                    spec.file,
                    spec.hook_lines.get(event),
                    f"the {event} scripts' timeouts add up to {total} s ({parts}): "
                    f"one event may run {MAX_HOOK_TIMEOUT} s at most",
                    "appspec-event-timeout-exceeds-limit",
                )
            )
    return findings


def check_files(bundle: Bundle, spec: AppSpec) -> list[Finding]:
    """``files`` sources that are not in the bundle; ``permissions`` objects outside every destination."""
    findings: list[Finding] = []
    if bundle.complete:
        for mapping in spec.files:
            source = normalise(mapping.source)
            if not bundle.has_path(source):
                near = nearest_path(source, bundle.entries)
                findings.append(
                    Finding(
                        "files-source-missing",
                        "error",
                        spec.file,
                        mapping.line,
                        f"files source {mapping.source} is not in the bundle" + (f" (nearest: {near})" if near else ""),
                        "appspec-files-source-not-found",
                    )
                )
    destinations = [mapping.destination.rstrip("/") or "/" for mapping in spec.files]
    for permission in spec.permissions:
        target = permission.object.rstrip("/") or "/"
        if not any(target == dest or target.startswith(dest.rstrip("/") + "/") for dest in destinations):
            findings.append(
                Finding(
                    "permissions-object-not-installed",
                    "warning",
                    spec.file,
                    permission.line,
                    f"permissions object {permission.object} is under no files destination: "
                    "permissions apply only to what the files section installs",
                )
            )
    return findings


def check_windows(spec: AppSpec) -> list[Finding]:
    """A Windows AppSpec file with ``runas`` or ``permissions`` (both Linux only)."""
    if spec.os != "windows":
        return []
    findings = [
        Finding(
            "windows-runas",
            "error",
            spec.file,
            script.runas_line,
            f"{script.event} {script.location}: runas is not supported on Windows Server instances",
            "appspec-invalid",
        )
        for script in spec.scripts()
        if script.runas is not None
    ]
    if spec.permissions:
        findings.append(
            Finding(
                "windows-permissions",
                "error",
                spec.file,
                spec.permissions_line,
                "the permissions section applies to Linux instances only; remove it for os: windows",
                "appspec-invalid",
            )
        )
    return findings
