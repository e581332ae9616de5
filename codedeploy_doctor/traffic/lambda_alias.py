"""Is Blue serving? for Lambda: the share of the alias still routed to the original version.

Blue is ``lambdaFunctionInfo.currentVersion`` and Green ``targetVersion``. The traffic layer is
GetAlias: ``FunctionVersion`` receives what ``RoutingConfig.AdditionalVersionWeights`` (fractions
0..1) leaves over. CodeDeploy's own view is ``targetVersionWeight``, read as a fraction when it
is at most 1 and as a percentage above that (the API documents a percentage; both forms are met).
A published version cannot be unhealthy, so the verdict is the share alone.
"""

from __future__ import annotations

from codedeploy_doctor.report import Basis, BlueTraffic, Environment, EnvironmentMember, TrafficCheck, Verdict
from codedeploy_doctor.snapshot import JsonObject
from codedeploy_doctor.traffic.common import (
    LIFECYCLE_SOURCE,
    failure_checks,
    infer_from_allow_traffic,
    percent,
    read_rollback,
    share_verdict,
)
from codedeploy_doctor.traffic.facts import Facts, Target, TrafficView, as_number, as_object, as_str

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


def assess_lambda(facts: Facts) -> BlueTraffic:
    """Judge a Lambda deployment."""
    view = TrafficView(facts.snapshot.traffic)
    targets = facts.targets_of("LambdaTarget")
    target = targets[0] if targets else None
    info = as_object(target.body.get("lambdaFunctionInfo")) if target else {}
    function = as_str(info.get("functionName"))
    alias_name = as_str(info.get("functionAlias"))
    blue_version = as_str(info.get("currentVersion"))
    green_version = as_str(info.get("targetVersion"))
    label = f"{function}:{alias_name}" if function and alias_name else (target.id if target else "the alias")

    checks: list[TrafficCheck] = [_events_check(target, info)]
    aliases = view.aliases()
    alias = _find_alias(aliases, function, alias_name) if aliases is not None else None
    problems = failure_checks(facts.snapshot, "lambda", ["GetAlias"])
    if alias is None and not problems:
        problems.append(TrafficCheck(source=ALIAS_SOURCE, ok=False, detail=f"alias {label} is not in the snapshot"))

    blue_share: float | None = None
    green_share: float | None = None
    verdict: Verdict
    basis: Basis
    if alias is not None and blue_version is not None:
        basis = "traffic-layer"
        blue_share = version_share(alias, blue_version)
        green_share = version_share(alias, green_version)
        routing = _describe_alias(alias)
        checks.append(
            TrafficCheck(
                source=ALIAS_SOURCE,
                ok=blue_share > 0,
                detail=f"alias {label} routes {routing}: {percent(blue_share)} to version {blue_version} (Blue)",
            )
        )
        verdict = share_verdict(blue_share)
        summary = f"alias {label} sends {percent(blue_share)} to version {blue_version} (Blue)"
        if green_version is not None:
            summary += f" and {percent(green_share)} to version {green_version} (Green)"
    else:
        basis = "codedeploy-only"
        checks.extend(problems)
        verdict, inferred = _infer(facts, target, info)
        summary = f"{inferred} (per CodeDeploy, not confirmed against the alias)"
    if alias is not None and blue_version is None:
        checks.append(
            TrafficCheck(
                source=ALIAS_SOURCE,
                ok=False,
                detail=f"alias {label} routes {_describe_alias(alias)}; the original version is unknown",
            )
        )

    codedeploy_green = _codedeploy_target_share(info)
    codedeploy_blue = 100.0 - codedeploy_green if codedeploy_green is not None else None
    environments = (
        Environment(
            label="Blue",
            members=(
                EnvironmentMember(id=f"version {blue_version}", health=None, traffic_share=_pick(blue_share, codedeploy_blue)),
            )
            if blue_version
            else (),
            traffic_share=_pick(blue_share, codedeploy_blue),
            summary=f"version {blue_version}" if blue_version else None,
        ),
        Environment(
            label="Green",
            members=(
                EnvironmentMember(id=f"version {green_version}", health=None, traffic_share=_pick(green_share, codedeploy_green)),
            )
            if green_version
            else (),
            traffic_share=_pick(green_share, codedeploy_green),
            summary=f"version {green_version}" if green_version else None,
        ),
    )
    return BlueTraffic(verdict=verdict, summary=summary, basis=basis, checks=tuple(checks), environments=environments)


def _pick(observed: float | None, reported: float | None) -> float | None:
    return observed if observed is not None else reported


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


def _infer(facts: Facts, target: Target | None, info: JsonObject) -> tuple[Verdict, str]:
    rollback = read_rollback(facts)
    if rollback is not None and rollback.succeeded:
        return "serving", f"rollback {rollback.deployment_id} succeeded"
    green = _codedeploy_target_share(info)
    if green is not None:
        return share_verdict(
            100.0 - green
        ), f"CodeDeploy reports {percent(100.0 - green)} still on version {info.get('currentVersion')} (Blue)"
    return infer_from_allow_traffic(target, "Lambda", moved="the alias to the new version", split="the alias")
