"""What an inline AppSpec names before any target is read: the Lambda functions and their aliases.

A Lambda deployment's revision is usually its AppSpec itself (``revisionType`` AppSpecContent or
String), in JSON or YAML, and GetDeployment returns it. Each resource names the function and the
alias CodeDeploy shifts (``Properties.Name``, ``Properties.Alias``), which is all GetAlias needs:
reading the alias need not wait for the targets. Only what is certain is returned; anything
else (an S3 revision, an AppSpec this cannot read) returns nothing and the alias is read from
the targets' ``lambdaFunctionInfo`` as before.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from codedeploy_doctor.snapshot import JsonObject

_YAML_NAME: Final = re.compile(r"^\s*Name:\s*[\"']?([A-Za-z0-9_:.-]{1,170})[\"']?\s*$", re.MULTILINE)
_YAML_ALIAS: Final = re.compile(r"^\s*Alias:\s*[\"']?([A-Za-z0-9_-]{1,128})[\"']?\s*$", re.MULTILINE)


def _content(deployment: JsonObject) -> str | None:
    revision = deployment.get("revision")
    if not isinstance(revision, dict):
        return None
    inline = revision.get("appSpecContent") or revision.get("string")
    if isinstance(inline, dict):
        content = inline.get("content")
        return content if isinstance(content, str) else None
    return None


def function_name(name: str) -> str:
    """A function's name from its name or ARN (``arn:aws:lambda:...:function:NAME[:QUALIFIER]``)."""
    if name.startswith("arn:"):
        parts = name.split(":")
        return parts[6] if len(parts) > 6 else name
    return name.split(":")[0]


def lambda_aliases(deployment: JsonObject) -> list[tuple[str, str]]:
    """(function, alias) pairs the deployment's inline AppSpec names; empty when it names none for sure."""
    content = _content(deployment)
    if content is None or len(content) > 64 * 1024:
        return []
    try:
        document: Any = json.loads(content)
    except ValueError:
        # YAML: only a single resource is read, from its two plain lines.
        names, aliases = _YAML_NAME.findall(content), _YAML_ALIAS.findall(content)
        return [(names[0], aliases[0])] if len(names) == 1 and len(aliases) == 1 else []
    pairs: list[tuple[str, str]] = []
    resources = document.get("Resources") if isinstance(document, dict) else None
    for resource in resources if isinstance(resources, list) else []:
        for spec in resource.values() if isinstance(resource, dict) else []:
            properties = spec.get("Properties") if isinstance(spec, dict) else None
            if not isinstance(properties, dict):
                continue
            name, alias = properties.get("Name"), properties.get("Alias")
            if isinstance(name, str) and isinstance(alias, str) and name and alias and (name, alias) not in pairs:
                pairs.append((name, alias))
    return pairs
