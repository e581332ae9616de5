"""Verdicts as data: evidence readings that are known or unread, and ordered tables of rules.

Each platform turns the snapshot into a typed evidence record once; an ordered table of
:class:`Rule` turns the record into the verdict. The first rule that applies wins. A rule's
``basis`` is a column: a ``traffic-layer`` rule names the readings it rests on (``needs``), and
it cannot apply while any of them is :class:`Unread`, so an unread reading never confirms.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar, Union

from codedeploy_doctor.report import Basis, Verdict

E = TypeVar("E")
"""An evidence record."""

T = TypeVar("T")

SHARE_EPSILON = 0.01
"""Shares within this many percentage points of 0 or 100 count as 0 or 100."""


@dataclass(frozen=True)
class Unread:
    """A reading that is not in the snapshot, and why (the call failed, it was never made...)."""

    because: str
    """What kept it out, e.g. ``DescribeTargetHealth AccessDenied``."""


Reading = Union[T, Unread]
"""A value that was read, or :class:`Unread`."""


def known(value: object) -> bool:
    """Tell whether a reading holds a value (not :class:`Unread`)."""
    return not isinstance(value, Unread)


@dataclass(frozen=True)
class VerdictBy(Generic[E]):
    """A verdict the evidence decides (a share, a count), with the words docs/verdicts.md shows for it."""

    described: str
    """e.g. ``by Blue's share: serving at 100%, not-serving at 0%, partial between``."""
    of: Callable[[E], Verdict]
    """The verdict for a record."""


@dataclass(frozen=True)
class Rule(Generic[E]):
    """One row of a verdict table."""

    id: str
    """Stable id, e.g. ``ecs.listener-sends-blue-nothing`` (in the JSON report's ``blueTraffic.rule``)."""
    when: str
    """When it applies, in words (docs/verdicts.md, ``cd-doctor explain``)."""
    verdict: Verdict | VerdictBy[E]
    """The verdict, or how the evidence decides it."""
    basis: Basis
    """What the verdict rests on."""
    applies: Callable[[E], bool]
    """The condition over the evidence."""
    summary: Callable[[E], str]
    """The one line for on-call."""
    needs: tuple[str, ...] = ()
    """Evidence fields that must be read for the rule to apply (every traffic-layer rule names some)."""
    example: str = ""
    """A fixture whose verdict this rule decides, or a one-line example."""
    keeps_basis: bool = False
    """True for a rule over a platform's verdict that keeps that verdict's basis (``basis`` is then unused)."""

    def matches(self, evidence: E) -> bool:
        """Tell whether the rule applies: its readings are known and its condition holds."""
        return all(known(getattr(evidence, name)) for name in self.needs) and self.applies(evidence)

    def verdict_for(self, evidence: E) -> Verdict:
        """The verdict this rule gives the record."""
        return self.verdict.of(evidence) if isinstance(self.verdict, VerdictBy) else self.verdict

    @property
    def basis_described(self) -> str:
        """The basis column as docs/verdicts.md shows it."""
        return "the platform table's" if self.keeps_basis else self.basis

    @property
    def verdict_described(self) -> str:
        """The verdict column as docs/verdicts.md shows it."""
        return self.verdict.described if isinstance(self.verdict, VerdictBy) else self.verdict


@dataclass(frozen=True)
class RuleTable(Generic[E]):
    """An ordered table of rules for one platform (or deployment style); the last rule always applies."""

    name: str
    """e.g. ``ECS blue/green``."""
    about: str
    """What the evidence is, in a sentence, for docs/verdicts.md."""
    rules: tuple[Rule[E], ...] = field(default_factory=tuple)
    """In order: the first that applies wins."""

    def first_match(self, evidence: E) -> Rule[E]:
        """The first rule that applies to ``evidence``."""
        for rule in self.rules:
            if rule.matches(evidence):
                return rule
        raise LookupError(f"no rule of {self.name} applies")  # every table ends with a rule that always applies


def always(_: object) -> bool:
    """A condition that always holds (a table's last rule)."""
    return True


def share_verdict(share: float) -> Verdict:
    """Return the verdict for Blue's share of production traffic (0..100)."""
    if share >= 100 - SHARE_EPSILON:
        return "serving"
    return "not-serving" if share <= SHARE_EPSILON else "partial"


def count_verdict(serving: int, total: int) -> Verdict:
    """Return serving when all serve, partial when some do, not-serving when none does."""
    if total > 0 and serving >= total:
        return "serving"
    return "partial" if serving > 0 else "not-serving"


def by_share(share: Callable[[E], float | None]) -> VerdictBy[E]:
    """The verdict of Blue's share: serving at 100%, not-serving at 0%, partial between."""
    return VerdictBy(
        "by Blue's share: serving at 100%, not-serving at 0%, partial between", lambda e: share_verdict(share(e) or 0.0)
    )


def every_rule(tables: Sequence[RuleTable[object]]) -> dict[str, Rule[object]]:
    """Every rule of ``tables`` by id (ids are unique across tables)."""
    return {rule.id: rule for table in tables for rule in table.rules}


class Inferable(Protocol):
    """What CodeDeploy's own view of an ECS or Lambda deployment holds, for the inferred rules."""

    @property
    def target_read(self) -> bool:
        """True when the deployment's target is in the snapshot."""

    @property
    def allow_traffic(self) -> str | None:
        """The AllowTraffic event's status, None when it never ran."""

    @property
    def rollback_succeeded(self) -> str | None:
        """The id of a rollback that succeeded, if any."""

    @property
    def codedeploy_blue_share(self) -> float | None:
        """Blue's share as CodeDeploy reports it, if it does."""


UNSETTLED = ("InProgress", "Failed", "Unknown")
"""AllowTraffic statuses after which traffic may be split."""


def inferred_rules(
    platform: str, kind: str, moved: str, split: str, weight: Callable[[Any], str], unconfirmed: str
) -> tuple[Rule[Any], ...]:
    """The codedeploy-only tail of an ECS or Lambda table: rollback, CodeDeploy's weight, then AllowTraffic.

    ``kind`` names the target ("ECS"), ``moved`` what a succeeded AllowTraffic did, ``split`` what
    may be split while it runs or after it failed, ``weight`` words CodeDeploy's weight, and
    ``unconfirmed`` ends every summary ("not confirmed against the alias").
    """

    def said(text: Callable[[Any], str]) -> Callable[[Any], str]:
        return lambda e: f"{text(e)} (per CodeDeploy, {unconfirmed})"

    return (
        Rule(
            f"{platform}.rollback-succeeded",
            "the traffic layer was not read and the rollback succeeded",
            "serving",
            "codedeploy-only",
            lambda e: e.rollback_succeeded is not None,
            said(lambda e: f"rollback {e.rollback_succeeded} succeeded"),
        ),
        Rule(
            f"{platform}.codedeploy-weight",
            "the traffic layer was not read; CodeDeploy reports Blue's weight",
            by_share(lambda e: e.codedeploy_blue_share),
            "codedeploy-only",
            lambda e: e.codedeploy_blue_share is not None,
            said(weight),
        ),
        Rule(
            f"{platform}.no-target",
            f"neither the traffic layer nor the {kind} target was read",
            "unknown",
            "codedeploy-only",
            lambda e: not e.target_read,
            said(lambda e: f"no {kind} target in the snapshot"),
        ),
        Rule(
            f"{platform}.allow-traffic-succeeded",
            "the traffic layer was not read; AllowTraffic succeeded",
            "not-serving",
            "codedeploy-only",
            lambda e: e.allow_traffic == "Succeeded",
            said(lambda e: f"AllowTraffic moved {moved}"),
        ),
        Rule(
            f"{platform}.allow-traffic-unsettled",
            "the traffic layer was not read; AllowTraffic is running, failed or unknown",
            "unknown",
            "codedeploy-only",
            lambda e: e.allow_traffic in UNSETTLED,
            said(lambda e: f"AllowTraffic {e.allow_traffic}: {split} may be split"),
        ),
        Rule(
            f"{platform}.allow-traffic-never-ran",
            "the traffic layer was not read; AllowTraffic never ran",
            "serving",
            "codedeploy-only",
            always,
            said(lambda e: "AllowTraffic never ran"),
        ),
    )
