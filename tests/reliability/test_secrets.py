"""Secrets are masked by default in every format and in --record files; look-alikes are not."""

from __future__ import annotations

import copy
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from codedeploy_doctor.cli import app
from codedeploy_doctor.diagnosis import diagnose
from codedeploy_doctor.render import OutputFormat, RenderOptions, renderer_for
from codedeploy_doctor.sanitize import MASK, TextPolicy, is_secret_key_name, redact, redact_tree
from codedeploy_doctor.snapshot import snapshot_from_json
from tests.reliability.secrets_corpus import (
    AWS_KEY_ID,
    AWS_SECRET,
    FALSE_POSITIVES,
    PRIVATE_KEY_BODY,
    SESSION_TOKEN,
    TRUE_POSITIVES,
)
from tests.support import FIXTURES, load_fixture_json

LINEAR_BUDGET_SECONDS = 20.0
"""For a megabyte of adversarial text: generous, but far below what a quadratic pattern takes."""


@pytest.mark.parametrize("name", sorted(TRUE_POSITIVES))
def test_secret_is_masked(name: str) -> None:
    text, parts = TRUE_POSITIVES[name]
    masked = TextPolicy()(text)
    for part in parts:
        assert part not in masked, masked
    assert MASK in masked


@pytest.mark.parametrize("name", sorted(FALSE_POSITIVES))
def test_look_alike_is_left_alone(name: str) -> None:
    text = FALSE_POSITIVES[name]
    assert redact(text) == text
    assert TextPolicy()(text) == TextPolicy(redact_secrets=False)(text)


def test_redaction_keeps_the_context_around_a_secret() -> None:
    assert redact(f"export AWS_SECRET_ACCESS_KEY={AWS_SECRET} && deploy") == "export AWS_SECRET_ACCESS_KEY=**** && deploy"
    assert redact("DB_PASSWORD=hunter2 ./migrate.sh") == "DB_PASSWORD=**** ./migrate.sh"
    assert redact('{"password": "x y", "user": "app"}') == '{"password": "****", "user": "app"}'
    assert redact("https://deploy:pw@git.example.com/r") == "https://deploy:****@git.example.com/r"


def test_redact_is_idempotent() -> None:
    for text, _parts in TRUE_POSITIVES.values():
        once = redact(text)
        assert redact(once) == once


def test_secret_keys_in_json_trees_are_masked_whole() -> None:
    tree = {
        "Credentials": {"AccessKeyId": AWS_KEY_ID, "SecretAccessKey": AWS_SECRET, "SessionToken": SESSION_TOKEN},
        "environment": [{"name": "DB_PASSWORD", "value": "x"}, {"password": "two words"}],
        "nextToken": "eyJvIjogMn0=",
        "targetIds": ["i-0abc123def4567890"],
        "SecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
        "count": 3,
    }
    masked = redact_tree(tree)
    assert masked["Credentials"] == {"AccessKeyId": MASK, "SecretAccessKey": MASK, "SessionToken": MASK}
    assert masked["environment"][1] == {"password": MASK}
    assert masked["nextToken"] == tree["nextToken"] and masked["targetIds"] == tree["targetIds"]
    assert masked["SecretArn"] == tree["SecretArn"] and masked["count"] == 3
    assert is_secret_key_name("aws_secret_access_key") and is_secret_key_name("X-Amz-Security-Token")
    assert not is_secret_key_name("KeyName") and not is_secret_key_name("credential_source")


def _secret_snapshot() -> dict[str, Any]:
    snapshot = copy.deepcopy(load_fixture_json("traffic-server-bg-rolled-back"))
    every_secret = "\n".join(text for text, _ in TRUE_POSITIVES.values())
    look_alikes = "\n".join(FALSE_POSITIVES.values())
    for target in snapshot["targets"]:
        for event in target["instanceTarget"].get("lifecycleEvents") or []:
            if event.get("status") == "Failed":
                event["diagnostics"]["logTail"] = f"{every_secret}\n{look_alikes}"
                event["diagnostics"]["message"] = f"Script failed: token={AWS_SECRET}"
    snapshot["deployment"]["deploymentStatusMessages"] = [f"creds {AWS_KEY_ID}"]
    snapshot["errors"] = [
        {"service": "ec2", "operation": "DescribeInstances", "code": "AuthFailure", "message": f"key {AWS_KEY_ID}"}
    ]
    snapshot["extraLogs"] = [{"source": "agent-log:x", "lines": [f"export AWS_SESSION_TOKEN={SESSION_TOKEN}"]}]
    return snapshot


def _all_secret_parts() -> list[str]:
    """Every secret of the corpus, except the bare example secret key the look-alikes show unmasked on purpose."""
    look_alikes = "\n".join(FALSE_POSITIVES.values())
    parts = {part for _text, parts in TRUE_POSITIVES.values() for part in parts if part not in look_alikes}
    assert len(parts) > 40
    return sorted(parts)


@pytest.mark.parametrize("output_format", list(OutputFormat), ids=lambda f: f.value)
def test_no_secret_reaches_any_format(output_format: OutputFormat) -> None:
    report = diagnose(snapshot_from_json(_secret_snapshot()))
    output = renderer_for(output_format)(report, RenderOptions(width=100))
    leaked = [part for part in _all_secret_parts() if part in output]
    assert not leaked
    if output_format is OutputFormat.JSON:
        everything = json.dumps(json.loads(output))
        assert not [part for part in _all_secret_parts() if part in everything]


def test_record_file_is_redacted_and_no_redact_keeps_everything(tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_text(json.dumps(_secret_snapshot()), encoding="utf-8")
    recorded, raw = tmp_path / "recorded.json", tmp_path / "raw.json"
    runner = CliRunner()
    first = runner.invoke(app, ["--replay", str(source), "--record", str(recorded), "--format", "json"])
    second = runner.invoke(app, ["--replay", str(source), "--record", str(raw), "--no-redact", "--format", "json"])
    assert first.exit_code == second.exit_code and first.exit_code in (0, 1, 4), first.stderr
    text = recorded.read_text(encoding="utf-8")
    assert not [part for part in _all_secret_parts() if part in text]
    assert not [part for part in _all_secret_parts() if part in first.stdout]
    for look_alike in (
        "i-0abc123def4567890",
        "9f1c2ab3d4e5f60718293a4b5c6d7e8f90a1b2c3",
        "3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-password-AbCdEf",
        "d-4HQ8N2ZRT",
    ):
        assert look_alike in text
    # The redacted record replays to the same diagnosis, and --no-redact keeps the evidence as it was.
    again = runner.invoke(app, ["--replay", str(recorded), "--format", "json"])
    assert (
        json.loads(again.stdout)["firstFailure"]["lifecycleEvent"] == json.loads(first.stdout)["firstFailure"]["lifecycleEvent"]
    )
    assert AWS_SECRET in raw.read_text(encoding="utf-8") and AWS_SECRET in second.stdout


ADVERSARIAL = {
    "dots": "a." * 500_000,
    "dashes": "a-" * 500_000,
    "keys-without-values": "password: " * 100_000,
    "token-pairs": "token=x " * 125_000,
    "unterminated-quotes": 'secret: "' * 100_000,
    "bearer-words": "bearer " * 140_000,
    "basic-base64": "basic QUFBQUFB " * 70_000,
    "url-schemes": "a://b:" * 160_000,
    "end-markers": "-----END RSA PRIVATE KEY-----\n" * 33_000,
    "begin-markers": "-----BEGIN RSA PRIVATE KEY-----\nab\n" * 29_000,
    "jwt-heads": "eyJ" * 330_000,
    "key-ids": "AKIA" * 250_000,
    "base64": "A/+a" * 250_000,
    "flags": "--password " * 90_000,
    "authorization": "Authorization: " * 66_000,
}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_redaction_is_linear_on_a_megabyte_of_adversarial_text(name: str) -> None:
    text = ADVERSARIAL[name]
    started = time.monotonic()
    redact(text)
    redact_tree({"password": text, "log": [text]})
    assert time.monotonic() - started < LINEAR_BUDGET_SECONDS


# --- keys spread over lines: masked as whole texts, before anything splits them --------------

KEY_LINES = [
    "2026-11-29 06:20:40 INFO [codedeploy-agent(3036)]: writing deploy key",
    "-----BEGIN RSA PRIVATE KEY-----",
    PRIVATE_KEY_BODY,
    PRIVATE_KEY_BODY[::-1],
    "-----END RSA PRIVATE KEY-----",
    "2026-11-29 06:20:41 ERROR [codedeploy-agent(3036)]: script failed",
]
CUT_KEY_LINES = [
    f"[stderr]{PRIVATE_KEY_BODY}",
    f"[stderr]{PRIVATE_KEY_BODY[::-1]}",
    "[stderr]-----END PRIVATE KEY-----",
    "[stderr]boom",
]


def _with_key_in_extra_logs(lines: list[str]) -> dict[str, Any]:
    snapshot = copy.deepcopy(load_fixture_json("traffic-server-bg-rolled-back"))
    snapshot["extraLogs"] = [{"source": "cloudwatch:/codedeploy/agent", "targetId": "i-0d83c6a1e5f2b9740", "lines": lines}]
    return snapshot


@pytest.mark.parametrize("lines", [KEY_LINES, CUT_KEY_LINES], ids=["complete-block", "begin-line-cut-off"])
@pytest.mark.parametrize("output_format", ["text", "json", "markdown"])
def test_a_key_spread_over_log_lines_is_masked_in_every_format_and_in_the_record(
    lines: list[str], output_format: str, tmp_path: Path
) -> None:
    source, recorded = tmp_path / "in.json", tmp_path / "recorded.json"
    source.write_text(json.dumps(_with_key_in_extra_logs(lines)), encoding="utf-8")
    result = CliRunner().invoke(app, ["--replay", str(source), "--record", str(recorded), "--format", output_format])
    assert result.exit_code in (1, 4), result.stderr
    for text in (result.stdout, recorded.read_text(encoding="utf-8")):
        assert PRIVATE_KEY_BODY not in text and PRIVATE_KEY_BODY[::-1] not in text
    assert "[private key ****]" in recorded.read_text(encoding="utf-8")


def test_a_key_in_an_agent_log_file_is_masked_whole_in_the_record(tmp_path: Path) -> None:
    agent_log, recorded = tmp_path / "codedeploy-agent.log", tmp_path / "recorded.json"
    agent_log.write_text("\n".join(KEY_LINES) + "\n", encoding="utf-8")
    fixture = str(FIXTURES / "server-inplace-applicationstart-scriptfailed.json")
    result = CliRunner().invoke(app, ["--replay", fixture, "--agent-log", str(agent_log), "--record", str(recorded)])
    assert result.exit_code in (1, 4), result.stderr
    text = recorded.read_text(encoding="utf-8")
    assert PRIVATE_KEY_BODY not in text and PRIVATE_KEY_BODY[::-1] not in text and PRIVATE_KEY_BODY not in result.stdout
    logs = json.loads(text)["extraLogs"][-1]["lines"]
    assert logs[0] == KEY_LINES[0] and logs[-1] == KEY_LINES[-1], "the lines around the key are kept"


@pytest.mark.parametrize("where", ["logTail", "extraLogs"])
@pytest.mark.parametrize("output_format", ["text", "json", "markdown"])
def test_a_line_quoted_as_evidence_from_inside_a_key_is_masked(where: str, output_format: str, tmp_path: Path) -> None:
    # A catalog pattern that happens to match a key's body line: the diagnosis quotes that line
    # alone, which line-by-line masking could not recognise; the whole-text pass masked it first.
    snapshot = _with_key_in_extra_logs(CUT_KEY_LINES) if where == "extraLogs" else _secret_snapshot()
    if where == "logTail":
        for target in snapshot["targets"]:
            for event in target["instanceTarget"].get("lifecycleEvents") or []:
                if event.get("status") == "Failed":
                    event["diagnostics"]["logTail"] = "\n".join(CUT_KEY_LINES)
    record = {
        "id": "team-key-body",
        "title": "A line that looks like base64",
        "explanation": "Matches the start of an RSA key body.",
        "fix": ["Nothing."],
        "docs": ["https://docs.aws.amazon.com/codedeploy/latest/userguide/troubleshooting.html"],
        "signals": {"patterns": [PRIVATE_KEY_BODY[:12]]},
    }
    catalog, source = tmp_path / "catalog.json", tmp_path / "in.json"
    catalog.write_text(json.dumps({"format": "cd-doctor.catalog/1", "causes": [record]}), encoding="utf-8")
    source.write_text(json.dumps(snapshot), encoding="utf-8")
    result = CliRunner().invoke(app, ["--replay", str(source), "--catalog", str(catalog), "--format", output_format])
    assert result.exit_code in (1, 4), result.stderr
    assert PRIVATE_KEY_BODY not in result.stdout and PRIVATE_KEY_BODY[::-1] not in result.stdout


# --- docs/security.md tells the truth --------------------------------------------------------

DOCUMENTED_KINDS: dict[str, list[str]] = {
    "AWS access key ids": ["access-key-id", "temporary-key-id", "key-id-inside-identifier"],
    "AWS secret keys": ["credentials-file", "env-secret", "csv-key-pair", "space-separated-pair", "aws-configure-set-secret"],
    "AWS session tokens": ["bare-session-token", "bare-old-session-token", "session-token-env", "aws-configure-set-token"],
    "secret-named keys": [
        "password-equals",
        "password-yaml-with-spaces",
        "password-quoted-json",
        "escaped-json-in-log",
        "api-key",
        "client-secret",
        "generic-token",
        "azure-storage-connection-string",
        "azure-service-bus-connection-string",
        "presigned-url",
    ],
    "password flags": ["password-flag", "password-flag-equals", "mysql-glued-password", "mysqldump-glued-quoted-password"],
    "HTTP credentials": ["bearer", "bearer-opaque", "basic-auth", "sigv4-header", "cookie-header", "set-cookie-header"],
    "URL credentials": ["url-userinfo", "url-userinfo-db", "github-in-url", "azure-sas-url"],
    "Docker registry auth": ["docker-config-auth", "docker-config-auth-escaped-in-a-log"],
    "private keys": [
        "private-key-block",
        "openssh-private-key",
        "pgp-private-key",
        "private-key-cut-at-start",
        "private-key-cut-with-stdout-prefixes",
        "private-key-cut-with-stderr-prefixes",
        "private-key-cut-in-the-deployments-log",
    ],
    "service tokens": [
        "github-token",
        "github-pat",
        "gitlab-token",
        "slack-token",
        "slack-webhook",
        "jwt-bare",
        "sendgrid-key",
        "openai-project-key",
        "openai-legacy-key",
        "anthropic-key",
        "twilio-api-key",
        "twilio-sid-and-token",
    ],
}
"""Each kind docs/security.md names as masked, and the corpus samples of it in its real format."""


def _documented_kinds() -> list[str]:
    text = (FIXTURES.parent / "docs" / "security.md").read_text(encoding="utf-8")
    section = text[text.index("## 3. Secrets are masked by default") : text.index("## 4.")]
    masked = section[section.index("Masked (") : section.index("Deliberately not masked")]
    return re.findall(r"^- \*\*([^*]+)\*\*", masked, flags=re.MULTILINE)


def test_every_kind_of_secret_the_security_page_lists_is_masked() -> None:
    kinds = _documented_kinds()
    assert kinds == list(DOCUMENTED_KINDS), "docs/security.md and DOCUMENTED_KINDS list different kinds"
    for kind, samples in DOCUMENTED_KINDS.items():
        for sample in samples:
            text, parts = TRUE_POSITIVES[sample]
            masked = TextPolicy()(text)
            assert not [part for part in parts if part in masked], (kind, sample, masked)
