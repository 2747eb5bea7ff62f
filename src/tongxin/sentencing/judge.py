"""The bridge between the registry and the pure engine: a prisoner's rows become engine facts,
the rule table in force comes from ``RuleSetVersion``, and the verdict is kept as plain JSON on
the case (what the law said on that day, with its reasons and the rule version)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from . import engine, rules
from .rules import DEFAULT_RULESET, RuleSet

NO_MERIT = rules.Merit.REPENTANCE  # the dates are computed as for repentance when none is shown


def ruleset_on(day: dt.date) -> RuleSet:
    """The newest active version in force on ``day``; the national default when none is
    stored or none is yet in force."""
    from .models import RuleSetVersion

    row = (
        RuleSetVersion.objects.filter(is_active=True, effective_from__lte=day)
        .order_by("-effective_from", "-id")
        .first()
    )
    if row is None:
        return DEFAULT_RULESET
    return RuleSet.from_dict(row.numbers)


def _reduction(change) -> engine.Reduction:
    kind = rules.ReductionKind(change.kind)
    return engine.Reduction(
        ruling_date=change.ruling_date,
        kind=kind,
        months=change.months if kind is rules.ReductionKind.REDUCTION else 0,
        to_years=change.to_years if kind is rules.ReductionKind.COMMUTATION else None,
    )


def facts_of(
    prisoner, changes: Iterable | None = None, merit: str | None = None
) -> engine.CaseFacts:
    """Engine facts for a ``Prisoner`` (and its ``SentenceChange`` rows, oldest first)."""
    if changes is None:
        changes = prisoner.changes.order_by("ruling_date", "id")
    return engine.CaseFacts(
        id=prisoner.number,
        sentence=engine.Sentence(
            type=rules.SentenceType(prisoner.sentence_type),
            execution_start=prisoner.execution_start,
            years=prisoner.term_years,
            months=prisoner.term_months,
            detention_days=prisoner.detention_days,
            restricted_reduction=prisoner.restricted_reduction,
        ),
        merit=rules.Merit(merit) if merit else NO_MERIT,
        categories=frozenset(rules.Category(c) for c in prisoner.engine_categories()),
        reductions=tuple(_reduction(c) for c in changes),
    )


def term_end(prisoner, changes: Iterable | None = None) -> dt.date | None:
    """The last day of the term as it stands after every ruling (``None`` while the sentence is
    life or death with reprieve)."""
    try:
        return engine.standing_of(facts_of(prisoner, changes)).term_end
    except engine.HistoryError:
        return None


def temporary_grounds(raw: dict) -> dict[str, bool]:
    """The five facts of a temporary-execution case, as booleans (unknown keys dropped)."""
    names = (
        "serious_illness",
        "pregnant_or_nursing",
        "unable_to_self_care",
        "may_endanger_society",
        "self_harm_to_obtain",
    )
    return {name: bool(raw.get(name)) for name in names}


def verdict_for(
    prisoner,
    *,
    on: dt.date,
    merit: str | None,
    grounds: dict | None = None,
    changes: Iterable | None = None,
    ruleset: RuleSet | None = None,
) -> tuple[dict[str, Any], str]:
    """The engine's verdict on ``on`` as JSON, and the rule version used (``ruleset``: the
    version in force on ``on`` when the caller has it already, e.g. the seed judging
    thousands of cases; by default it is read from the database).

    Without a merit level the dates are still computed, but neither reduction nor parole is
    eligible: the law needs 确有悔改表现 or 立功表现 first."""
    ruleset = ruleset or ruleset_on(on)
    facts = facts_of(prisoner, changes, merit=merit)
    assessment = engine.assess(facts, on, ruleset)
    verdict = engine.assessment_to_json(assessment)
    # The case keeps which reasons held, so its page can mark the failing ones.
    for part, decision in (("reduction", assessment.reduction), ("parole", assessment.parole)):
        for item, outcome in zip(verdict[part]["reasons"], decision.reasons, strict=True):
            item["passes"] = outcome.passes
    verdict["merit"] = merit
    if merit is None:
        for part in ("reduction", "parole"):
            verdict[part]["eligible"] = False
            verdict[part]["reasons"].insert(
                0,
                {
                    "rule": "merit.evidence",
                    "basis": "规定第三条、第四条",
                    "text": "考核记录不足以认定确有悔改表现或立功表现",
                },
            )
    conditions = engine.TemporaryConditions(**temporary_grounds(grounds or {}))
    temporary = engine.temporary_execution(facts, conditions)
    verdict["temporary"] = engine.temporary_to_json(temporary)
    for item, reason in zip(verdict["temporary"]["reasons"], temporary.reasons, strict=True):
        item["passes"] = reason.passes
    verdict["on"] = on.isoformat()
    verdict["ruleset"] = ruleset.version
    return verdict, ruleset.version


def why(part: dict) -> str:
    """The failing reasons of one part of a verdict, joined for a message."""
    failing = [r["text"] for r in part.get("reasons", []) if r.get("passes") is False]
    if not failing:
        failing = [r["text"] for r in part.get("reasons", [])[:2]]
    return ";".join(failing)
