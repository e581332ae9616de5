"""Parse a Server (EC2/on-premises) AppSpec file, keeping the line each value came from.

The file is YAML (JSON is YAML too); it is composed into nodes with PyYAML's safe loader, so
every value keeps its line, and only the keys the agent reads are walked (an alias or a deep
structure elsewhere costs nothing). Problems of structure are findings (``appspec-invalid``),
never exceptions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import yaml

from codedeploy_doctor.bundle.model import Finding

MAX_HOOK_TIMEOUT: Final = 3600
"""A hook's ``timeout`` defaults to, and may not exceed, 3600 seconds."""

TOP_LEVEL_KEYS: Final = frozenset({"version", "os", "files", "permissions", "hooks", "file_exists_behavior", "resources"})


@dataclass(frozen=True)
class HookScript:
    """One script of one lifecycle event's hook."""

    event: str
    location: str
    line: int | None
    """Line of its ``location``."""
    timeout: int | None = None
    """Configured ``timeout`` in seconds (None: not set, 3600 applies)."""
    timeout_line: int | None = None
    runas: str | None = None
    runas_line: int | None = None

    @property
    def effective_timeout(self) -> int:
        """The timeout the agent applies."""
        return self.timeout if self.timeout is not None else MAX_HOOK_TIMEOUT


@dataclass(frozen=True)
class FileMapping:
    """One ``files`` entry."""

    source: str
    destination: str
    line: int | None


@dataclass(frozen=True)
class PermissionEntry:
    """One ``permissions`` entry (its ``object`` is a path on the instance)."""

    object: str
    line: int | None


@dataclass(frozen=True)
class AppSpec:
    """What the agent reads from an AppSpec file, with lines."""

    file: str
    """The file's name in the bundle."""
    os: str | None = None
    os_line: int | None = None
    files: tuple[FileMapping, ...] = ()
    permissions: tuple[PermissionEntry, ...] = ()
    permissions_line: int | None = None
    hooks: dict[str, tuple[HookScript, ...]] = field(default_factory=dict)
    """Scripts by event name, in file order."""
    hook_lines: dict[str, int | None] = field(default_factory=dict)
    """Line of each event's key."""
    problems: tuple[Finding, ...] = ()
    """Structure problems found while parsing."""
    parsed: bool = True
    """False when the file did not parse at all."""

    def scripts(self) -> list[HookScript]:
        """Every hook script, in file order."""
        return [script for scripts in self.hooks.values() for script in scripts]


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _scalar(node: yaml.Node | None) -> str | None:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else None


def _pairs(node: yaml.Node) -> list[tuple[str, yaml.Node, int]]:
    """(key, value node, key line) of a mapping node; non-scalar keys are skipped."""
    if not isinstance(node, yaml.MappingNode):
        return []
    return [(str(key.value), value, _line(key)) for key, value in node.value if isinstance(key, yaml.ScalarNode)]


class _Parser:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Finding] = []

    def problem(self, line: int | None, message: str, check: str = "appspec-invalid", cause: str = "appspec-invalid") -> None:
        self.problems.append(Finding(check, "error", self.file, line, message, cause))

    def parse(self, text: str) -> AppSpec:
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = int(mark.line) + 1 if mark is not None else None
            self.problem(line, f"the AppSpec file is not valid YAML: {exc.problem or exc.context or 'cannot parse'}")
            return AppSpec(self.file, problems=tuple(self.problems), parsed=False)
        except (yaml.YAMLError, RecursionError) as exc:
            self.problem(None, f"the AppSpec file is not valid YAML: {type(exc).__name__}")
            return AppSpec(self.file, problems=tuple(self.problems), parsed=False)
        if not isinstance(root, yaml.MappingNode):
            line = _line(root) if root is not None else 1
            self.problem(line, "the AppSpec file must be a mapping of keys (version, os, files, hooks)")
            return AppSpec(self.file, problems=tuple(self.problems), parsed=False)
        top = {key: (value, line) for key, value, line in _pairs(root)}
        for key, (_value, line) in top.items():
            if key not in TOP_LEVEL_KEYS:
                self.problem(line, f"unknown top-level key {key!r} (the agent reads version, os, files, permissions, hooks)")
        self._version(top)
        os_node, os_line = top.get("os", (None, None))
        os_name = _scalar(os_node)
        if os_name is None:
            self.problem(os_line or 1, "the AppSpec file has no 'os' (linux or windows)")
        elif os_name not in ("linux", "windows"):
            self.problem(os_line, f"'os: {os_name}' must be linux or windows")
        files = self._files(top.get("files"))
        permissions_node, permissions_line = top.get("permissions", (None, None))
        permissions = self._permissions(permissions_node)
        hooks, hook_lines = self._hooks(top.get("hooks"))
        return AppSpec(
            file=self.file,
            os=os_name,
            os_line=os_line,
            files=files,
            permissions=permissions,
            permissions_line=permissions_line,
            hooks=hooks,
            hook_lines=hook_lines,
            problems=tuple(self.problems),
        )

    def _version(self, top: dict[str, tuple[yaml.Node, int]]) -> None:
        node, line = top.get("version", (None, None))
        if node is None:
            self.problem(1, "the AppSpec file has no 'version' (it must be 0.0)")
        elif _scalar(node) != "0.0":
            self.problem(line, f"'version: {_scalar(node)}' must be 0.0 for EC2/on-premises deployments")

    def _files(self, entry: tuple[yaml.Node, int] | None) -> tuple[FileMapping, ...]:
        if entry is None:
            return ()
        node, line = entry
        if isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null"):
            return ()
        if not isinstance(node, yaml.SequenceNode):
            self.problem(line, "'files' must be a list of source/destination entries")
            return ()
        mappings: list[FileMapping] = []
        for item in node.value:
            fields = {key: value for key, value, _ in _pairs(item)}
            source, destination = _scalar(fields.get("source")), _scalar(fields.get("destination"))
            if source is None or destination is None:
                self.problem(_line(item), "each 'files' entry needs a 'source' and a 'destination'")
                continue
            mappings.append(FileMapping(source, destination, _line(fields["source"])))
        return tuple(mappings)

    def _permissions(self, node: yaml.Node | None) -> tuple[PermissionEntry, ...]:
        if not isinstance(node, yaml.SequenceNode):
            return ()
        entries: list[PermissionEntry] = []
        for item in node.value:
            fields = {key: value for key, value, _ in _pairs(item)}
            obj = _scalar(fields.get("object"))
            if obj is None:
                self.problem(_line(item), "each 'permissions' entry needs an 'object'")
                continue
            entries.append(PermissionEntry(obj, _line(fields["object"])))
        return tuple(entries)

    def _hooks(self, entry: tuple[yaml.Node, int] | None) -> tuple[dict[str, tuple[HookScript, ...]], dict[str, int | None]]:
        hooks: dict[str, tuple[HookScript, ...]] = {}
        lines: dict[str, int | None] = {}
        if entry is None:
            return hooks, lines
        node, line = entry
        if isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null"):
            return hooks, lines
        if not isinstance(node, yaml.MappingNode):
            self.problem(line, "'hooks' must map lifecycle event names to lists of scripts")
            return hooks, lines
        for event, scripts_node, event_line in _pairs(node):
            lines[event] = event_line
            if isinstance(scripts_node, yaml.ScalarNode) and scripts_node.value in ("", "~", "null"):
                hooks[event] = ()
                continue
            if not isinstance(scripts_node, yaml.SequenceNode):
                self.problem(event_line, f"hook {event} must be a list of scripts (- location: ...)")
                continue
            hooks[event] = tuple(script for item in scripts_node.value if (script := self._script(event, item)) is not None)
        return hooks, lines

    def _script(self, event: str, item: yaml.Node) -> HookScript | None:
        fields = {key: (value, line) for key, value, line in _pairs(item)}
        location_node, location_line = fields.get("location", (None, _line(item)))
        location = _scalar(location_node)
        if not location:
            self.problem(location_line, f"a script of hook {event} has no 'location'")
            return None
        timeout: int | None = None
        timeout_node, timeout_line = fields.get("timeout", (None, None))
        if timeout_node is not None:
            raw = _scalar(timeout_node) or ""
            if not raw.strip().isdigit():
                self.problem(timeout_line, f"{event} {location}: 'timeout: {raw}' must be a whole number of seconds")
            else:
                timeout = int(raw)
                if not 1 <= timeout <= MAX_HOOK_TIMEOUT:
                    self.problem(
                        timeout_line, f"{event} {location}: 'timeout: {timeout}' must be from 1 to {MAX_HOOK_TIMEOUT} seconds"
                    )
        runas_node, runas_line = fields.get("runas", (None, None))
        return HookScript(
            event=event,
            location=location,
            line=location_line,
            timeout=timeout,
            timeout_line=timeout_line,
            runas=_scalar(runas_node),
            runas_line=runas_line,
        )


def parse_appspec(text: str, file: str = "appspec.yml") -> AppSpec:
    """Parse an AppSpec file's text; problems are in ``AppSpec.problems``."""
    return _Parser(file).parse(text)
