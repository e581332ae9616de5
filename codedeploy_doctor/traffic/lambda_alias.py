"""Is Blue serving? for Lambda: the share of the alias still routed to the original version.

Blue is ``lambdaFunctionInfo.currentVersion`` and Green ``targetVersion``. The traffic layer is
GetAlias: ``FunctionVersion`` receives what ``RoutingConfig.AdditionalVersionWeights`` (fractions
0..1) leaves over. CodeDeploy's own view is ``targetVersionWeight``, read as a fraction when it
is at most 1 and as a percentage above that (the API documents a percentage; both forms are met).
A published version cannot be unhealthy, so the verdict is the share alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from codedeploy_doctor.report import BlueTraffic, Environment, EnvironmentMember, TrafficCheck
from codedeploy_doctor.snapshot import JsonObject
from codedeploy_doctor.traffic.common import LIFECYCLE_SOURCE, TargetReadings, failure_checks, percent, read_rollback
from codedeploy_doctor.traffic.facts import Facts, Target, TrafficView, as_number, as_object, as_str
from codedeploy_doctor.traffic.rules import Reading, Rule, RuleTable, Unread, by_share, inferred_rules

ALIAS_SOURCE = "lambda:GetAlias"
"""Check source for alias routing."""


def version_share(alias: JsonObject, version: str | None) -> float:
    """Percent of the alias's invocations that go to ``version``."""
    if version is None:
        return 0.0
    weights = {
        str(k): as_number(v) or 0.0
        for k, v in as_object(as_object(alias.get("RoutingConfig")).get("AdditionalVersionWeights")).items()
    }
    share = weights.get(version, 0.0)
    if alias.get("FunctionVersion") == version:
        share += 1.0 - sum(weights.values())
    return max(0.0, min(100.0, 100.0 * share))


def _codedeploy_target_share(info: JsonObject) -> float | None:
    weight = as_number(info.get("targetVersionWeight"))
    if weight is None:
        return None
    return weight * 100.0 if weight <= 1.0 else weight


def _find_alias(aliases: list[JsonObject], function: str | None, alias_name: str | None) -> JsonObject | None:
    for alias in aliases:
        arn = as_str(alias.get("AliasArn")) or ""
        if alias_name is not None and alias.get("Name") != alias_name and not arn.endswith(f":{alias_name}"):
            continue
        if function is not None and f":function:{function}:" not in arn and arn:
            continue
        return alias
    return aliases[0] if len(aliases) == 1 else None


@dataclass(frozen=True)
class LambdaEvidence(TargetReadings):
    """What a Lambda deployment's verdict rests on, read once."""

    target: Target | None
    """The Lambda target, if read."""
    info: JsonObject
    """Its ``lambdaFunctionInfo``."""
    label: str
    """``function:alias`` for summaries."""
    blue_version: str | None
    """``currentVersion``: the original version."""
    green_version: str | None
    """``targetVersion``: the new version."""
    alias: Reading[JsonObject]
    """GetAlias for the deployment's alias."""
    blue_share: Reading[float]
    """Percent of the alias on Blue, per GetAlias (unread without the alias or Blue's version)."""
    green_share: float | None
    """Percent of the alias on Green, per GetAlias."""
    problems: tuple[TrafficCheck, ...]
    """Why the alias is unread."""
    rollback_succeeded: str | None
    """The id of a rollback that succeeded, if any."""

    @property
    def codedeploy_green_share(self) -> float | None:
        """Green's share per CodeDeploy (``targetVersionWeight``)."""
        return _codedeploy_target_share(self.info)

    @property
    def codedeploy_blue_share(self) -> float | None:
        """Blue's share per CodeDeploy."""
        green = self.codedeploy_green_share
        return 100.0 - green if green is not None else None


def read_lambda_evidence(facts: Facts) -> LambdaEvidence:
    """Read the alias and CodeDeploy's view of a Lambda deployment."""
    view = TrafficView(facts.snapshot.traffic)
    targets = facts.targets_of("LambdaTarget")
    target = targets[0] if targets else None
    info = as_object(target.body.get("lambdaFunctionInfo")) if target else {}
    function, alias_name = as_str(info.get("functionName")), as_str(info.get("functionAlias"))
    blue_version, green_version = as_str(info.get("currentVersion")), as_str(info.get("targetVersion"))
    label = f"{function}:{alias_name}" if function and alias_name else (target.id if target else "the alias")
    aliases = view.aliases()
    found = _find_alias(aliases, function, alias_name) if aliases is not None else None
    problems = failure_checks(facts.snapshot, "lambda", ["GetAlias"])
    if found is None and not problems:
        problems.append(TrafficCheck(source=ALIAS_SOURCE, ok=False, detail=f"alias {label} is not in the snapshot"))
    alias: Reading[JsonObject] = found if found is not None else Unread(problems[0].detail)
    blue_share: Reading[float] = Unread("the alias or the original version was not read")
    green_share = None
    if found is not None and blue_version is not None:
        blue_share, green_share = version_share(found, blue_version), version_share(found, green_version)
    rollback = read_rollback(facts)
    return LambdaEvidence(
        target=target,
        info=info,
        label=label,
        blue_version=blue_version,
        green_version=green_version,
        alias=alias,
        blue_share=blue_share,
        green_share=green_share,
        problems=tuple(problems),
        rollback_succeeded=rollback.deployment_id if rollback is not None and rollback.succeeded else None,
    )


def _alias_sends(e: LambdaEvidence) -> str:
    share = e.blue_share if isinstance(e.blue_share, float) else 0.0
    text = f"alias {e.label} sends {percent(share)} to version {e.blue_version} (Blue)"
    if e.green_version is not None:
        text += f" and {percent(e.green_share or 0.0)} to version {e.green_version} (Green)"
    return text


LAMBDA_RULES: RuleTable[LambdaEvidence] = RuleTable(
    "Lambda",
    "Blue is the alias's original version; the evidence is the alias's routing (GetAlias) and CodeDeploy's "
    "targetVersionWeight and AllowTraffic event.",
    (
        Rule(
            "lambda.alias-shares",
            "the alias was read: Blue's share of its invocations decides",
            by_share(lambda e: e.blue_share if isinstance(e.blue_share, float) else None),
            "traffic-layer",
            lambda e: True,
            _alias_sends,
            needs=("alias", "blue_share"),
            example="lambda-canary-weighted",
        ),
        *inferred_rules(
            "lambda",
            "Lambda",
            moved="the alias to the new version",
            split="the alias",
            weight=lambda e: (
                f"CodeDeploy reports {percent(e.codedeploy_blue_share)} still on version {e.info.get('currentVersion')} (Blue)"
            ),
            unconfirmed="not confirmed against the alias",
        ),
    ),
)
"""The Lambda verdicts, in order."""


def lambda_checks(e: LambdaEvidence, rule: Rule[LambdaEvidence]) -> tuple[TrafficCheck, ...]:
    """The checks behind a Lambda verdict."""
    checks = [_events_check(e.target, e.info)]
    if isinstance(e.alias, dict) and isinstance(e.blue_share, float):
        routing = _describe_alias(e.alias)
        detail = f"alias {e.label} routes {routing}: {percent(e.blue_share)} to version {e.blue_version} (Blue)"
        checks.append(TrafficCheck(source=ALIAS_SOURCE, ok=e.blue_share > 0, detail=detail))
    if rule.basis == "codedeploy-only":
        checks.extend(e.problems)
    if isinstance(e.alias, dict) and e.blue_version is None:
        detail = f"alias {e.label} routes {_describe_alias(e.alias)}; the original version is unknown"
        checks.append(TrafficCheck(source=ALIAS_SOURCE, ok=False, detail=detail))
    return tuple(checks)


def lambda_environments(e: LambdaEvidence) -> tuple[Environment, ...]:
    """Blue and Green versions side by side, with their shares (the alias's, else CodeDeploy's)."""
    observed = isinstance(e.blue_share, float)
    blue_share = e.blue_share if isinstance(e.blue_share, float) else e.codedeploy_blue_share
    green_share = e.green_share if observed else e.codedeploy_green_share
    return tuple(
        Environment(
            label=label,
            members=(EnvironmentMember(id=f"version {version}", health=None, traffic_share=share),) if version else (),
            traffic_share=share,
            summary=f"version {version}" if version else None,
        )
        for label, version, share in (("Blue", e.blue_version, blue_share), ("Green", e.green_version, green_share))
    )


def assess_lambda(facts: Facts) -> BlueTraffic:
    """Judge a Lambda deployment."""
    evidence = read_lambda_evidence(facts)
    rule = LAMBDA_RULES.first_match(evidence)
    return BlueTraffic(
        verdict=rule.verdict_for(evidence),
        summary=rule.summary(evidence),
        basis=rule.basis,
        checks=lambda_checks(evidence, rule),
        environments=lambda_environments(evidence),
        rule=rule.id,
    )


def _describe_alias(alias: JsonObject) -> str:
    primary = as_str(alias.get("FunctionVersion")) or "?"
    weights = as_object(as_object(alias.get("RoutingConfig")).get("AdditionalVersionWeights"))
    if not weights:
        return f"everything to version {primary}"
    extra = ", ".join(f"{percent(100.0 * (as_number(w) or 0.0))} to version {v}" for v, w in sorted(weights.items()))
    return f"version {primary} plus {extra}"


def _events_check(target: Target | None, info: JsonObject) -> TrafficCheck:
    if target is None:
        return TrafficCheck(source=LIFECYCLE_SOURCE, ok=False, detail="no Lambda target in the snapshot")
    allow = target.event_status("AllowTraffic") or "not run"
    after = target.event_status("AfterAllowTraffic") or "not run"
    parts = [f"AllowTraffic {allow}", f"AfterAllowTraffic {after}"]
    green = _codedeploy_target_share(info)
    if green is not None:
        parts.append(f"CodeDeploy reports version {info.get('targetVersion')} (Green) at {percent(green)}")
    ok = green < 100.0 if green is not None else allow not in ("Succeeded",)
    return TrafficCheck(source=LIFECYCLE_SOURCE, ok=ok, detail="; ".join(parts))
