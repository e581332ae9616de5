"""Making untrusted text (AWS fields, script output) safe to print: control characters and secrets.

Every renderer passes every untrusted string through :func:`clean` (control characters, terminal
escapes, bidirectional overrides, invalid UTF-8, huge lines) and, unless ``--no-redact``,
:func:`redact` (credentials and tokens). Markup escaping is each renderer's own job.
"""

from __future__ import annotations

import re
from typing import Final

MAX_LINE = 2000
"""Characters kept of one line; the rest is replaced by a marker."""

MAX_TEXT = 64 * 1024
"""Characters kept of one text (a log tail is ~2-4 KB; this only bounds hostile input)."""

MASK: Final = "****"
"""What a secret is replaced with."""

# ESC-initiated sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), DCS/SOS/PM/APC
# (ESC P/X/^/_ ... ST), and two-character escapes. Their C1 single-byte forms too.
_ESCAPES = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?          # CSI
  | (?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?   # OSC (hyperlinks, window titles)
  | (?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c]*(?:\x1b\\|\x9c)?  # DCS, SOS, PM, APC
  | \x1b[@-Z\\-_]?                             # other two-character escapes, or a lone ESC
    """,
    re.VERBOSE,
)
# C0 and C1 controls except tab and newline; DEL; bidirectional overrides and isolates;
# zero-width and other invisible formatting characters that can disguise text.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]")


def clean(text: str | bytes | None) -> str:
    """Remove terminal escapes and control characters, bound lengths, decode bytes safely."""
    if text is None:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if len(text) > MAX_TEXT:
        # Keep the end: the last lines of a log say most.
        text = f"[{len(text) - MAX_TEXT} characters cut]\n" + text[-MAX_TEXT:]
    text = text.replace("\r\n", "\n")
    text = _ESCAPES.sub("", text)
    text = text.replace("\r", "\\r")  # visible: a stray CR is evidence (CRLF scripts)
    text = _CONTROLS.sub("", text)
    # Lone surrogates (from bad decoding upstream) cannot be encoded: replace them.
    text = text.encode("utf-8", errors="replace").decode("utf-8")
    lines = text.split("\n")
    return "\n".join(line if len(line) <= MAX_LINE else line[:MAX_LINE] + f" [{len(line) - MAX_LINE} characters cut]" for line in lines)


_SECRET_PATTERNS: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    # Private key blocks, whole.
    (re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)", re.S), f"[private key {MASK}]"),
    # AWS access key ids (AKIA long-term, ASIA temporary...).
    (re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}\b"), MASK),
    # GitHub, GitLab, Slack tokens.
    (re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b"), MASK),
    (re.compile(r"\bglpat-[A-Za-z0-9_\-]{20,}\b"), MASK),
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b"), MASK),
    (re.compile(r"https://hooks\.slack\.com/services/[A-Za-z0-9/]+"), f"https://hooks.slack.com/services/{MASK}"),
    # Bearer and basic authorization values.
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9\-._~+/]{8,}=*"), rf"\1 {MASK}"),
    # URL userinfo: scheme://user:password@host
    (re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://[^\s:/@]+):[^\s@/]+@"), rf"\1:{MASK}@"),
    # key=value / key: value / "key": "value" for secret-looking keys (aws_secret_access_key, password, token...).
    (
        re.compile(
            r"""(?ix)
            (\b[\w.\-]*(?:secret|passw(?:or)?d|pwd|token|api[_-]?key|access[_-]?key|private[_-]?key|credential|auth)[\w.\-]*
            ["']?\s*[:=]\s*["']?)
            (?!\*\*\*\*)([^\s"',;&]{3,})
            """
        ),
        rf"\1{MASK}",
    ),
    # A bare 40-character AWS secret access key right after an access key id mention.
    (re.compile(r"(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+]*[/+])(?=[A-Za-z0-9/+]*[a-z])(?=[A-Za-z0-9/+]*[A-Z])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"), MASK),
)


def redact(text: str) -> str:
    """Mask credentials and tokens; ids, ARNs, hashes and request ids are left alone."""
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class TextPolicy:
    """How untrusted text is prepared for output: always cleaned, redacted unless disabled."""

    def __init__(self, *, redact_secrets: bool = True) -> None:
        self.redact_secrets = redact_secrets
        """False with ``--no-redact``."""

    def __call__(self, text: str | None) -> str:
        """Return ``text`` cleaned (and redacted)."""
        cleaned = clean(text)
        return redact(cleaned) if self.redact_secrets else cleaned
