"""What the deployed bundle says about one failed hook, as catalog facts with the file and line they come from.

The snapshot's ``evidence.revision`` (docs/snapshot.md) becomes a :class:`Bundle` again and goes
through the same checks as ``cd-doctor lint``. For the failing event and script, each finding
becomes a fact (``scriptInBundle``, ``scriptLineEndings``, ``hookTimeout``...) the catalog's
records match on, with a note saying where it was seen (``appspec.yml:9: ...``), which becomes
the cause's evidence line. The bundle's other findings are notes for the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from codedeploy_doctor.bundle.appspec import MAX_HOOK_TIMEOUT, AppSpec, HookScript
from codedeploy_doctor.bundle.checks import Context, check_bundle
from codedeploy_doctor.bundle.model import Bundle, Entry, Finding, normalise, with_parents

KILLED_AT_TIMEOUT_SLACK: Final = 10
"""Seconds past a hook's ``timeout`` within which an event that timed out is taken to have run its whole timeout."""


@dataclass(frozen=True)
class RevisionReading:
    """A snapshot's ``evidence.revision`` made into a bundle and checked once."""

    source: str
    bundle: Bundle | None
    """None when nothing of the bundle was read."""
    spec: AppSpec | None
    findings: tuple[Finding, ...]
    unread: str | None
    """Why (part of) the bundle was not read."""


@dataclass
class Facts:
    """Catalog facts and, per fact, the evidence line that shows where it came from."""

    values: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    def add(self, key: str, value: str, note: str | None = None) -> None:
        """Set one fact (and its evidence line)."""
        self.values[key] = value
        if note:
            self.notes[key] = note


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def read_revision_section(section: Any, *, traffic_control: bool | None) -> RevisionReading | None:
    """Rebuild and check the bundle a snapshot's ``evidence.revision`` describes (None without one)."""
    if not isinstance(section, dict):
        return None
    source = _text(section.get("source")) or "the revision"
    unread = _text(section.get("unread"))
    listing = section.get("listing")
    appspec = _text(section.get("appspec"))
    if not isinstance(listing, list) and appspec is None:
        return RevisionReading(source, None, None, (), unread)
    entries: dict[str, Entry] = {}
    for item in listing if isinstance(listing, list) else []:
        path = _text(item.get("path")) if isinstance(item, dict) else None
        mode = item.get("mode") if isinstance(item, dict) else None
        if path:
            entries[normalise(path) + ("/" if path.endswith("/") else "")] = Entry(
                normalise(path) + ("/" if path.endswith("/") else ""), mode if isinstance(mode, int) else None
            )
    heads: dict[str, bytes] = {}
    raw_entries = section.get("entries")
    for item in raw_entries if isinstance(raw_entries, list) else []:
        path, head = (_text(item.get("path")), _text(item.get("head"))) if isinstance(item, dict) else (None, None)
        if path and head is not None:
            heads[normalise(path)] = head.encode("utf-8")
    complete = section.get("listingComplete") is True and isinstance(listing, list)
    appspec_path = _text(section.get("appspecPath")) or ("appspec.yml" if appspec is not None else None)
    bundle = Bundle(source, with_parents(entries), heads, appspec_path, appspec, complete)
    spec, findings = check_bundle(bundle, Context(traffic_control=traffic_control))
    return RevisionReading(source, bundle, spec, tuple(findings), unread)


def _hook_script(spec: AppSpec | None, event: str | None, script: str | None) -> HookScript | None:
    if spec is None or not event:
        return None
    scripts = spec.hooks.get(event, ())
    if script:
        wanted = normalise(script)
        return next((s for s in scripts if normalise(s.location) == wanted), None)
    return scripts[0] if len(scripts) == 1 else None


def revision_facts(
    reading: RevisionReading,
    event: str | None,
    script_name: str | None,
    *,
    error_code: str | None = None,
    ran_seconds: float | None = None,
) -> Facts:
    """Facts about the failing event's hook and script from the checked bundle."""
    facts = Facts()
    bundle, spec = reading.bundle, reading.spec
    if bundle is None:
        return facts
    where = f" (in {reading.source})"
    by_check: dict[str, list[Finding]] = {}
    for finding in reading.findings:
        by_check.setdefault(finding.check, []).append(finding)

    def note(finding: Finding) -> str:
        return f"{finding.where()}: {finding.message}{where}"

    if "appspec-missing" in by_check:
        facts.add("appspec", "missing", note(by_check["appspec-missing"][0]))
    elif spec is not None and not spec.parsed:
        facts.add("appspec", "unparseable", note(spec.problems[0]) if spec.problems else None)
    elif spec is not None:
        facts.add("appspec", "read")
    for finding in by_check.get("files-source-missing", [])[:1]:
        facts.add("filesSource", "missing", note(finding))
    hook = _hook_script(spec, event, script_name)
    location = hook.location if hook else script_name
    path = normalise(location) if location else None
    if hook is not None:
        facts.add(
            "hookRunas",
            hook.runas or "none",
            f"{spec.file if spec else 'appspec.yml'}:{hook.runas_line}: runas: {hook.runas}{where}" if hook.runas else None,
        )
        _timeout_facts(facts, spec, hook, error_code, ran_seconds, where)
    if spec is not None and event:
        for finding in by_check.get("event-timeout-over-limit", []):
            if finding.line == spec.hook_lines.get(event):
                facts.add("eventTimeout", "over-limit", note(finding))
    if path:
        _script_facts(facts, bundle, path, by_check, note)
    return facts


def _timeout_facts(
    facts: Facts, spec: AppSpec | None, hook: HookScript, error_code: str | None, ran: float | None, where: str
) -> None:
    file = spec.file if spec else "appspec.yml"
    if hook.timeout is None:
        facts.add("hookTimeout", "default")
        return
    ran_text = f"; the event ran {ran:.0f} s" if ran is not None else ""
    note = f"{file}:{hook.timeout_line}: timeout: {hook.timeout} for {hook.location}{ran_text}{where}"
    killed = error_code == "ScriptTimedOut" and hook.timeout < MAX_HOOK_TIMEOUT
    if killed and (ran is None or ran >= hook.timeout - KILLED_AT_TIMEOUT_SLACK):
        facts.add("hookTimeout", "short", note)
    else:
        facts.add("hookTimeout", "set", note)


def _script_facts(facts: Facts, bundle: Bundle, path: str, by_check: dict[str, list[Finding]], note: Any) -> None:
    def about(check: str) -> Finding | None:
        return next((f for f in by_check.get(check, []) if f.file == path or path in f.message), None)

    missing = about("script-missing")
    if bundle.has_file(path):
        facts.add("scriptInBundle", "yes")
    elif missing is not None:
        facts.add("scriptInBundle", "no", note(missing))
    entry = bundle.entries.get(path)
    if entry is not None and entry.executable is not None:
        bits = about("script-not-executable")
        facts.add("scriptExecutable", "yes" if entry.executable else "no", note(bits) if bits else None)
    if path not in bundle.heads or bundle.heads[path].startswith(b"\x7fELF"):
        return
    crlf = about("script-crlf")
    facts.add("scriptLineEndings", "crlf" if crlf else "lf", note(crlf) if crlf else None)
    for check, value in (("script-bom", "bom"), ("script-bad-shebang", "bad"), ("script-no-shebang", "missing")):
        found = about(check)
        if found is not None:
            facts.add("scriptShebang", value, note(found))
            break
    else:
        facts.add("scriptShebang", "ok")


def report_notes(reading: RevisionReading, used: set[str], limit: int = 5) -> list[str]:
    """The bundle's findings not already shown as a cause's evidence, as report notes (at most ``limit``)."""
    notes = []
    for finding in reading.findings:
        line = f"{finding.where()}: {finding.message} (in {reading.source})"
        if line in used:
            continue
        notes.append(f"The deployed bundle: {finding.severity}: {line}")
    if len(notes) > limit:
        notes = [*notes[:limit], f"The deployed bundle: {len(notes) - limit} more finding(s); run 'cd-doctor lint' on it"]
    return notes
