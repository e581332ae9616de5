"""Cleaning and masking untrusted text (AWS fields, script output): control characters, invisible characters and secrets.

Every renderer passes every untrusted string through a :class:`TextPolicy`: :func:`clean`
(terminal escapes, control characters, bidirectional overrides, invalid UTF-8, huge texts and
lines) and, unless ``--no-redact``, :func:`redact` (credentials and tokens). Markup escaping is
each renderer's own job. ``--record`` files go through :func:`redact_tree`.

Every pattern here runs in linear time on any input (bounded repetitions, anchored starts), so
a hostile megabyte-long line costs milliseconds, not minutes; ``docs/security.md`` lists what
is masked and what is deliberately left alone (instance ids, ARNs, commit hashes, request ids).
"""

from __future__ import annotations

import base64
import binascii
import bisect
import dataclasses
import re
from collections.abc import Callable
from typing import Any, Final

MAX_LINE: Final = 2000
"""Characters kept of one line; the rest is replaced by a marker."""

MAX_TEXT: Final = 16 * 1024
"""Characters kept of one text: CodeDeploy's logTail holds at most the last 4 KB, so this only bounds hostile input."""

MASK: Final = "****"
"""What a secret is replaced with."""

PRIVATE_KEY_MASK: Final = f"[private key {MASK}]"
"""What a private key block is replaced with."""

# ---------------------------------------------------------------------------------------------
# Control characters and terminal escapes
# ---------------------------------------------------------------------------------------------

# ESC-initiated sequences and their 8-bit C1 forms: CSI (ESC [ / 0x9b), OSC (ESC ] / 0x9d, which
# carries hyperlinks (OSC 8) and window titles (OSC 0/2)), DCS/SOS/PM/APC (ESC P X ^ _ / 0x90
# 0x98 0x9e 0x9f), and the short escapes (ESC ( B, ESC 7, ESC c...). A string sequence with no
# terminator ends at the line's end: the rest of the text is kept, not swallowed.
_ESCAPES: Final = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?                                  # CSI
  | (?:\x1b\]|\x9d)[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?             # OSC
  | (?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?  # DCS SOS PM APC
  | \x1b[ -/]*[0-~]?                                                   # other escapes, lone ESC
    """,
    re.VERBOSE,
)

# Characters that are invisible or move text, never shown: the C0 and C1 controls except tab and
# newline, DEL, and every character of Unicode's Cf (format: soft hyphen, bidirectional marks,
# embeddings, overrides and isolates, zero-width characters, the BOM, tag characters...), Zl and Zp
# (U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR) classes, plus the rest of the
# Default_Ignorable_Code_Point property (U+034F COMBINING GRAPHEME JOINER, the Hangul fillers
# U+115F, U+1160, U+3164 and U+FFA0, variation selectors, U+E0000-U+E0FFF). Ranges from the
# Unicode 14.0 database (Python 3.11's unicodedata); tests/reliability/test_hostile_text.py checks
# every code point of those classes against the running Python's database.
_CONTROLS: Final = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160"
    "\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff"
    "\uffa0\ufff0-\ufffb\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e0fff]"
)

_CUT_MARK: Final = "[{} characters cut]"

# Everything that breaks a line somewhere: LF, CR, VT, FF, the file/group/record separators,
# NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR (what str.splitlines() splits on).
_LINE_BREAKS: Final = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")


def one_line(text: str) -> str:
    """Fold every line break of a single-line field (a name, an id, a status) into one space.

    A name holding a newline could otherwise start a line of its own in a report, such as a
    fake ``Production:`` verdict at column 0.
    """
    return _LINE_BREAKS.sub(" ", text) if _LINE_BREAKS.search(text) else text


MULTI_LINE_FIELDS: Final = frozenset({"log_tail"})
"""Report fields that hold several lines (a script's log tail); every other text field is single-line."""


def single_line_fields(value: Any, multi_line: frozenset[str] = MULTI_LINE_FIELDS) -> Any:
    """Return a dataclass tree (a report) with :func:`one_line` applied to every text field but ``multi_line`` ones.

    Strings, tuples and lists of strings, and nested dataclasses are walked; an object with
    nothing to fold is returned as it is (no copy).
    """
    if isinstance(value, str):
        return one_line(value)
    if isinstance(value, (tuple, list)):
        folded = [single_line_fields(item, multi_line) for item in value]
        return value if all(new is old for new, old in zip(folded, value, strict=True)) else type(value)(folded)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for item in dataclasses.fields(value):
            if item.name in multi_line or not item.init:
                continue
            old = getattr(value, item.name)
            new = single_line_fields(old, multi_line)
            if new is not old:
                changes[item.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value


def clean(text: str | bytes | None) -> str:
    """Remove terminal escapes and control characters, bound lengths, decode bytes safely."""
    return _bound_lines(_strip(text))


def _strip(text: object) -> str:
    """Do everything :func:`clean` does except cutting long lines (redaction must see whole lines)."""
    if text is None:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    elif not isinstance(text, str):
        text = str(text)  # a number or a list where AWS gave text: print it, do not crash
    if len(text) > MAX_TEXT:
        text = _keep_end(text)
    text = text.replace("\r\n", "\n")
    text = _ESCAPES.sub("", text)
    text = text.replace("\r", "\\r")  # visible: a stray CR is evidence (CRLF scripts)
    text = _CONTROLS.sub("", text)
    # Lone surrogates (from bad decoding upstream) cannot be encoded: replace them.
    return text.encode("utf-8", errors="replace").decode("utf-8")


def _keep_end(text: str) -> str:
    """Keep the last MAX_TEXT characters (the last lines of a log say most), from a clean boundary.

    The cut never leaves half a token at the start: half a secret is not recognisable as one.
    """
    kept = text[-MAX_TEXT:]
    newline = kept.find("\n", 0, MAX_LINE)
    if newline >= 0:
        kept = kept[newline + 1 :]
    else:
        space = re.search(r"\s", kept[:MAX_LINE])
        kept = kept[space.end() :] if space else kept[MAX_LINE:]
    return _CUT_MARK.format(len(text) - len(kept)) + "\n" + kept


def _bound_lines(text: str) -> str:
    lines = text.split("\n")
    return "\n".join(
        line if len(line) <= MAX_LINE else line[:MAX_LINE] + " " + _CUT_MARK.format(len(line) - MAX_LINE) for line in lines
    )


# ---------------------------------------------------------------------------------------------
# Secrets
# ---------------------------------------------------------------------------------------------

_ACCESS_KEY_ID: Final = r"(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}"
"""Access key ids (long-term AKIA, temporary ASIA); principal ids (AIDA, AROA...) are not secrets."""

# A key whose name ends with one of these words holds a secret: password=, db_password:,
# aws_secret_access_key =, "SecretAccessKey": , SessionToken=, X-Amz-Security-Token=,
# X-Amz-Signature=, client_secret=, api-key: ... Names that merely contain the word
# (InvalidClientTokenId, SignatureDoesNotMatch, credential_source) are not keys of secrets.
_SECRET_WORDS: Final = (
    r"(?:passwords?|passwd|passphrase|secrets?|tokens?|api[_-]?keys?|apikeys?|access[_-]?keys?|"
    r"secret[_-]?keys?|private[_-]?keys?|account[_-]?keys?|credentials?|signature|[_.-]pwd|auth[_-]?keys?)"
)

_KEY_VALUE: Final = re.compile(
    rf"""(?ix)
    (?<![\w.\-:/])                              # a key starts a word (not inside an ARN or a path)
    (?P<key>[\w.\-]{{0,64}}?{_SECRET_WORDS})
    (?P<sep>\\?["']?[ \t]{{0,8}}[:=][ \t]{{0,8}})
    (?:
        \\?(?P<quote>["'])(?P<quoted>[^"'\n]{{1,8192}})(?P=quote)   # "key": "a value with spaces"
      | (?P<bare>[^\s"',;&\\]{{1,8192}})                           # key=value, key: value
    )
    """
)

# "password: correct horse battery staple": a password may hold spaces; mask to the line's end.
_PASSWORD_LINE: Final = re.compile(
    r"(?i)(?<![\w.\-:/])(?P<key>[\w.\-]{0,64}?(?:passwords?|passwd|passphrase|[_.-]pwd))"
    r"(?P<sep>[ \t]{0,8}:[ \t]{1,8})(?P<value>(?![\"'\\]|\*\*\*\*)[^\n]{1,8192})"
)

_FLAG_VALUE: Final = re.compile(
    r"(?i)(?<![\w-])(?P<flag>--?[\w-]{0,40}(?:password|passwd|token|secret|api-?key)[ \t]+)(?P<value>[^\s\-]\S{0,8191})"
)

_AUTHORIZATION: Final = re.compile(
    r"(?i)(?P<head>\bauthorization\\?[\"']?[ \t]{0,8}[:=][ \t]{0,8}\\?[\"']?(?:[A-Za-z][\w-]{0,30}[ \t]+)?)"
    r"(?P<value>[^\s\"'\\]{1,8192})"
)

_BEARER: Final = re.compile(r"(?i)(?P<head>\bbearer[ \t]+)(?P<value>[A-Za-z0-9\-._~+/]{8,8192}=*)(?![\w/=])")
_BASIC: Final = re.compile(r"(?i)(?P<head>\bbasic[ \t]+)(?P<value>[A-Za-z0-9+/]{6,8192}={0,2})(?![A-Za-z0-9+/=])")

_URL_USERINFO: Final = re.compile(
    r"(?i)(?<![\w+.\-])(?P<head>[a-z][a-z0-9+.\-]{0,30}://[^\s:/@]{0,256}):(?P<value>[^\s@/]{1,256})@"
)

_KEY_PAIR: Final = re.compile(
    rf"(?<![A-Za-z0-9])(?P<id>{_ACCESS_KEY_ID})(?P<sep>[ \t]*[,;:|=][ \t]*|[ \t]+)"
    r"(?P<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"
)

_ACCESS_KEY_HINT: Final = re.compile(r"A(?:KIA|SIA|BIA|CCA)")

# Tokens recognisable by their own prefix, wherever they appear.
_PREFIXED_TOKENS: Final = re.compile(
    r"""(?x)
    (?<![A-Za-z0-9])"""
    + _ACCESS_KEY_ID
    + r"""(?![A-Za-z0-9])                  # AWS access key ids
  | (?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})   # GitHub
  | (?<![A-Za-z0-9_\-])gl(?:pat|dt|rt|cbt|ptt|ft|imt|oas|soat|agent)-[A-Za-z0-9_\-]{20,255}  # GitLab
  | (?<![A-Za-z0-9\-])xox[abposre]-[A-Za-z0-9\-]{10,255}                       # Slack
  | (?<![A-Za-z0-9\-])xapp-[0-9]-[A-Za-z0-9\-]{10,255}                         # Slack app-level
  | (?<![A-Za-z0-9_\-])eyJ[A-Za-z0-9_\-]{8,4096}\.eyJ[A-Za-z0-9_\-]{8,8192}\.[A-Za-z0-9_\-]{0,4096}  # JWT
  | (?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])                        # npm
  | (?<![A-Za-z0-9_])[sr]k_live_[A-Za-z0-9]{16,255}                            # Stripe
  | (?<![A-Za-z0-9_\-])AIza[0-9A-Za-z_\-]{35}(?![0-9A-Za-z_\-])                # Google API key
  | (?<![A-Za-z0-9_\-.])SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}(?![A-Za-z0-9_\-])  # SendGrid
  | (?<![A-Za-z0-9_\-])sk-(?:proj|svcacct|admin|ant-api\d\d|ant-admin\d\d|ant)-[A-Za-z0-9_\-]{20,512}  # OpenAI, Anthropic
  | (?<![A-Za-z0-9_\-])sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}(?![A-Za-z0-9])  # OpenAI, older keys
  | (?<![A-Za-z0-9])SK[0-9a-f]{32}(?![A-Za-z0-9])                              # Twilio API key
  | (?<![A-Za-z0-9+/])(?:IQoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz)[A-Za-z0-9+/]{20,8192}={0,2}  # AWS session tokens
    """
)

# Twilio: an account SID (an id, kept) and its auth token (32 hex digits) side by side, as in
# "ACxxxx:token" userinfo or "ACxxxx token" arguments.
_TWILIO_PAIR: Final = re.compile(
    r"(?P<sid>(?<![A-Za-z0-9])AC[0-9a-f]{32})(?P<sep>[:\s,]{1,4})(?P<token>[0-9a-f]{32})(?![A-Za-z0-9])"
)

# Docker's config.json: "auth": "<base64 of user:password>" (and "identitytoken", a *token* key).
_DOCKER_AUTH: Final = re.compile(r'(?P<head>\\?"auth\\?"[ \t]{0,8}:[ \t]{0,8}\\?")(?P<value>[A-Za-z0-9+/=]{4,8192})(?=\\?")')

# mysql -u root -pS3cret: the password glued to -p (a lone -p asks for it).
_MYSQL_PASSWORD: Final = re.compile(
    r"(?P<head>\b(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlcheck|mysqlpump|mariadb|mariadb-dump)\b[^\n]{0,300}?[ \t]-p)"
    r"(?P<value>[^\s\-][^\s]{0,255})"
)

# Cookie: / Set-Cookie: header values (session ids), to the end of the line or the quote.
_COOKIE: Final = re.compile(
    r"(?i)(?P<head>\b(?:set-)?cookie\\?[\"']?[ \t]{0,8}:[ \t]{0,8})(?P<value>[^\s\"'\\][^\n\"'\\]{0,8191})"
)

# aws configure set aws_secret_access_key VALUE: an AWS credential name, a space, the value.
_AWS_CREDENTIAL_ARGUMENT: Final = re.compile(
    r"(?i)(?P<head>\b(?:aws_secret_access_key|aws_session_token|aws_security_token)[ \t]{1,8})(?P<value>[A-Za-z0-9/+=]{16,8192})"
)

# Azure shared access signatures: ...?sv=2022-11-02&...&sig=<base64, URL-escaped>.
_SAS_SIGNATURE: Final = re.compile(r"(?P<head>[?&]sig=)(?P<value>[A-Za-z0-9%+/=_\-]{8,1024})")

_SLACK_WEBHOOK: Final = re.compile(r"(?P<head>https://hooks\.slack\.com/(?:services|workflows|triggers)/)[A-Za-z0-9/_\-]{1,512}")

_PEM_BEGIN: Final = re.compile(r"-----BEGIN (?:[A-Z0-9]{1,20} ){0,4}PRIVATE KEY(?: BLOCK)?-----")
_PEM_END: Final = re.compile(r"-----END (?:[A-Z0-9]{1,20} ){0,4}PRIVATE KEY(?: BLOCK)?-----")
_PEM_BODY_LINE: Final = re.compile(r"[A-Za-z0-9+/=]*|(?:Proc-Type|DEK-Info|Comment):.*")
# What log writers put before each line of a script's output: CodeDeploy's [stdout]/[stderr],
# the deployments log's "[2026-11-28 09:14:03.123] [d-XXXXXXXXX][stderr]", a bare timestamp.
_LINE_PREFIX: Final = re.compile(
    r"(?:\[[^\]\n]{1,80}\][ \t]?){1,4}|\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?[ \t]{1,4}"
)

_PROSE_WORD: Final = re.compile(r"[A-Za-z]+")


def readable(text: str) -> bool:
    """True when something of ``text`` survives :func:`clean` (it is not only controls and escapes)."""
    if text.isascii() and text.isprintable():  # fast path: clean() keeps printable ASCII as it is
        return bool(text.strip())
    return bool(clean(text).strip())


def redact(text: str) -> str:
    """Mask credentials and tokens; ids, ARNs, hashes, request ids and base64 data are left alone."""
    if not text:
        return text
    # Each pattern runs only when the text holds the word it needs: most log text holds none.
    lowered = text.lower()
    text = _mask_private_keys(text)
    if _ACCESS_KEY_HINT.search(text):
        text = _KEY_PAIR.sub(_mask_key_pair, text)
    text = _PREFIXED_TOKENS.sub(MASK, text)
    if "hooks.slack.com" in lowered:
        text = _SLACK_WEBHOOK.sub(lambda m: m["head"] + MASK, text)
    if "authorization" in lowered:
        text = _AUTHORIZATION.sub(_masked_unless_masked, text)
    if "bearer" in lowered:
        text = _BEARER.sub(_masked_if(_looks_like_token), text)
    if "basic" in lowered:
        text = _BASIC.sub(_masked_if(_is_basic_credential), text)
    if "://" in text and "@" in text:
        text = _URL_USERINFO.sub(lambda m: f"{m['head']}:{MASK}@", text)
    if "pass" in lowered or "pwd" in lowered:
        text = _PASSWORD_LINE.sub(_mask_password_line, text)
    if "=" in text or ":" in text:
        text = _KEY_VALUE.sub(_mask_key_value, text)
    if "-" in text:
        text = _FLAG_VALUE.sub(lambda m: m["flag"] + MASK, text)
    text = _mask_service_formats(text, lowered)
    return text


def _mask_service_formats(text: str, lowered: str) -> str:
    """Secrets recognisable by the service format around them (Docker, MySQL, cookies, Azure, Twilio)."""
    keep_head = _masked_unless_masked
    if '"auth' in lowered:
        # Only base64 of "user:password" ("auth": "none" is a setting, not a credential).
        text = _DOCKER_AUTH.sub(_masked_if(_is_basic_credential), text)
    if "mysql" in lowered or "mariadb" in lowered:
        text = _MYSQL_PASSWORD.sub(keep_head, text)
    if "cookie" in lowered:
        text = _COOKIE.sub(keep_head, text)
    if "aws_s" in lowered:
        text = _AWS_CREDENTIAL_ARGUMENT.sub(keep_head, text)
    if "sig=" in lowered:
        text = _SAS_SIGNATURE.sub(keep_head, text)
    if "ac" in lowered:
        text = _TWILIO_PAIR.sub(lambda m: f"{m['sid']}{m['sep']}{MASK}", text)
    return text


def _mask_key_pair(match: re.Match[str]) -> str:
    secret = match["secret"]
    # Forty hex digits after a key id are a commit hash, not a secret key (which is base64).
    masked_secret = secret if re.fullmatch(r"[0-9a-fA-F]{40}", secret) else MASK
    return f"{MASK}{match['sep']}{masked_secret}"


def _masked_unless_masked(match: re.Match[str]) -> str:
    value = match["value"]
    return match["head"] + (value if value.startswith(MASK) else MASK)


def _masked_if(predicate: Callable[[str], bool]) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        value = match["value"]
        return match["head"] + MASK if predicate(value) and not value.startswith(MASK) else match[0]

    return replace


def _looks_like_token(value: str) -> bool:
    """Tell a bearer value from a word ("bearer authentication"): it has a digit or a symbol, or is long."""
    return len(value) >= 20 or any(not char.isalpha() for char in value)


def _is_basic_credential(value: str) -> bool:
    """Tell base64 of ``user:password`` after ``Basic`` from prose such as "basic authentication"."""
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    return b":" in decoded


def _mask_key_value(match: re.Match[str]) -> str:
    quoted = match["quoted"]
    if quoted is not None:
        quote = match["quote"]
        # A JSON string escaped inside another (a log line holding {\"password\":\"x\"}).
        escape = "\\" if quoted.endswith("\\") else ""
        prefix = match[0][: match.start("quote") - match.start()]
        return f"{prefix}{quote}{MASK}{escape}{quote}"
    value = match["bare"]
    if value.startswith(MASK) or value.startswith(("${", "$(", "{{")):
        return match[0]
    if ":" in match["sep"] and _is_prose(match, value):
        return match[0]
    if match["sep"] == ":" and "-" in match["key"]:
        # `orders-secrets:orders-api`, `payments-token:live`: an ECS `cluster:service` or Lambda
        # `function:alias` id, not a `key: value` pair (headers and YAML put a space after ':';
        # real tokens are caught by their own patterns).
        return match[0]
    return f"{match['key']}{match['sep']}{MASK}"


def _mask_password_line(match: re.Match[str]) -> str:
    key, value = match["key"], match["value"]
    # "InvalidPassword: The password does not meet the policy" is an error code and its message.
    error_code = sum(char.isupper() for char in key) >= 2 and re.match(r"[A-Z][a-z]* [A-Za-z]", value) is not None
    return match[0] if error_code or value.startswith(("${", "$(", "{{")) else f"{key}{match['sep']}{MASK}"


def _is_prose(match: re.Match[str], value: str) -> bool:
    """Tell a sentence ("ExpiredToken: The security token included in the request is expired") from a secret."""
    if not _PROSE_WORD.fullmatch(value):
        return False
    rest = match.string[match.end() : match.end() + 2]
    return len(rest) == 2 and rest[0] == " " and rest[1].isalpha()


def _mask_private_keys(text: str) -> str:
    """Mask PEM/OpenSSH/PGP private key blocks, also one whose BEGIN line was cut off (a log tail)."""
    if "PRIVATE KEY" not in text:
        return text
    ends = list(_PEM_END.finditer(text))
    end_starts = [end.start() for end in ends]
    begins = [(m.start(), True, m) for m in _PEM_BEGIN.finditer(text)]
    markers = sorted(begins + [(m.start(), False, m) for m in ends], key=lambda marker: marker[0])
    parts: list[str] = []
    position = 0
    for start, is_begin, marker in markers:
        if start < position:
            continue
        if is_begin:
            following = bisect.bisect_left(end_starts, marker.end())
            parts.append(text[position:start])
            position = ends[following].end() if following < len(ends) else len(text)
        else:
            parts.append(text[position : _start_of_key_body(text, position, start)])
            position = marker.end()
        parts.append(PRIVATE_KEY_MASK)
    parts.append(text[position:])
    return "".join(parts)


def _start_of_key_body(text: str, floor: int, end: int) -> int:
    """Where the base64 lines before an END line start (no earlier than ``floor``)."""
    segment = text[floor:end]
    start = len(segment)
    for number, line in enumerate(reversed(segment.split("\n"))):
        body = line.strip()
        prefix = _LINE_PREFIX.match(body)
        if prefix is not None:
            body = body[prefix.end() :].strip()
        # The END line itself and the short last body line; then full-length base64 or PEM headers.
        if not _PEM_BODY_LINE.fullmatch(body) or not (number <= 1 or len(body) >= 16 or ":" in body):
            break
        start -= len(line) + (1 if number > 0 else 0)
    return floor + start


_SECRET_KEY_NAME: Final = re.compile(rf"(?i)[\w.\-]{{0,64}}?{_SECRET_WORDS}")
_NOT_SECRET_KEY_NAMES: Final = frozenset({"nexttoken", "clienttoken", "continuationtoken", "pagetoken"})


def is_secret_key_name(name: str) -> bool:
    """Return True for a JSON key that holds a secret (``password``, ``SecretAccessKey``, ``SessionToken``)."""
    return name.lower() not in _NOT_SECRET_KEY_NAMES and _SECRET_KEY_NAME.fullmatch(name) is not None


def redact_tree(value: Any) -> Any:
    """Redact every string in a JSON tree; a string under a secret-named key is masked whole."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {
            key: MASK if isinstance(item, str) and item and is_secret_key_name(str(key)) else redact_tree(item)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        if all(isinstance(item, str) for item in value) and any("PRIVATE KEY" in item for item in value):
            return mask_private_keys_in_lines(list(value))
        return [redact_tree(item) for item in value]
    return value


def mask_private_keys(text: str) -> str:
    """Mask private key blocks in a whole text, before anything splits it into lines (see :func:`redact`)."""
    return _mask_private_keys(text)


def mask_private_keys_in_lines(lines: list[str]) -> list[str]:
    """Redact a list of log lines as one text, so a key block spread over several lines is masked whole.

    The lines are joined, redacted and split again: a masked block becomes one line.
    """
    return redact("\n".join(lines)).split("\n")


class TextPolicy:
    """How untrusted text is prepared for output: always cleaned, redacted unless disabled."""

    def __init__(self, *, redact_secrets: bool = True) -> None:
        self.redact_secrets = redact_secrets
        """False with ``--no-redact``."""

    def line(self, text: str | None) -> str:
        """Return a single-line field cleaned (and redacted) with its line breaks folded: see :func:`one_line`."""
        return one_line(self(text))

    def __call__(self, text: str | None) -> str:
        """Return ``text`` cleaned (and redacted): safe to print in any format."""
        stripped = _strip(text)
        # Redact before cutting long lines, so a cut never leaves half a secret in view.
        return _bound_lines(redact(stripped) if self.redact_secrets else stripped)
