"""Member development (发展党员): applicant → activist → development candidate → probationary
member → full member, with the periods and conditions each step needs.

Pure: no ORM, no request, standard library only. The caller turns a person's record into a
``CaseFacts`` and asks ``check_step`` (may this step be recorded on this date, and if not,
why), ``next_step`` (what comes next, from when, and what is still missing) or ``due_soon``
(whose next step becomes possible within the next days). Every condition is one small named
rule that returns a ``Reason`` carrying its legal basis and a Chinese sentence for the screen.

Sources: 《中国共产党章程》第七条 (probation); 《中国共产党发展党员工作细则》(2014):
第五条 (age 18 to apply), 第八条 (activists chosen from applicants), 第九条 (one or two
contact persons), 第十三条 (one year of education before becoming a candidate), 第十六条
(political review), 第十七条 (short training: three days or 24 class hours), 第三十二条
(probation one year; extended at most once, by six months to one year). The numbers are
configuration (``DevelopmentRules``) with these defaults.

Decisions:

- Periods in months and years end on the same day of the month (activist on 2023-03-15:
  candidate possible from 2024-03-15). When that day does not exist, the period ends on the
  last day of the month: one year after 2024-02-29 is 2025-02-28, one month after 2024-01-31
  is 2024-02-29. This is the rule of 《民法典》第二百零二条 for periods counted in months and
  years, and the practice of dating 转正 on the anniversary of admission. Longer periods are
  counted from the original date, never by chaining (probation 2024-02-29 extended by six
  months ends on 2025-08-29, not 08-28).
- Age: a person is 18 on the 18th anniversary of birth (born 2008-02-29: on 2026-02-28), by
  the same rule; an application made before that day is refused and must be made again.
- The applicant → activist step has no waiting period in the 细则 (the branch must talk to the
  applicant within a month, 第七条, which is a duty of the branch, not a bar); it needs an
  application made at 18 or over and the contact persons named.
- Candidate → probationary has no waiting period either; it needs the political review and
  the short training, which happen while the person is a candidate. The branch general
  meeting's vote, the committee's approval and the two introducers (第十四条) are recorded by
  the workflow that records the step, not here.
- ``Stage.WITHDRAWN`` ends a case (申请撤回, 取消入党积极分子/发展对象/预备党员资格) from any
  stage before full membership, at any date.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

__all__ = [
    "DEFAULT_RULES",
    "PIPELINE",
    "STAGE_LABELS",
    "STEP_RULES",
    "CaseFacts",
    "DevelopmentRules",
    "DueStep",
    "NextStep",
    "Reason",
    "Stage",
    "add_months",
    "check_application",
    "check_extension",
    "check_step",
    "due_soon",
    "earliest_date",
    "format_date",
    "next_step",
]

DETAILED_RULES = "《中国共产党发展党员工作细则》"
CONSTITUTION = "《中国共产党章程》"


# --- Vocabulary ---------------------------------------------------------------------------


class Stage(StrEnum):
    APPLICANT = "applicant"
    ACTIVIST = "activist"
    CANDIDATE = "candidate"
    PROBATIONARY = "probationary"
    FULL = "full"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return STAGE_LABELS[self]


STAGE_LABELS: dict[Stage, str] = {
    Stage.APPLICANT: "入党申请人",
    Stage.ACTIVIST: "入党积极分子",
    Stage.CANDIDATE: "发展对象",
    Stage.PROBATIONARY: "预备党员",
    Stage.FULL: "正式党员",
    Stage.WITHDRAWN: "终止发展",
}

#: The stages in the only order they can be taken; ``WITHDRAWN`` stands outside it.
PIPELINE: tuple[Stage, ...] = (
    Stage.APPLICANT,
    Stage.ACTIVIST,
    Stage.CANDIDATE,
    Stage.PROBATIONARY,
    Stage.FULL,
)


@dataclass(frozen=True)
class DevelopmentRules:
    """The numbers of the rules; the defaults are the 2014 细则's."""

    minimum_age_years: int = 18
    activist_education_months: int = 12
    contact_persons_min: int = 1
    contact_persons_max: int = 2
    candidate_training_hours: int = 24
    probation_months: int = 12
    extension_min_months: int = 6
    extension_max_months: int = 12


DEFAULT_RULES = DevelopmentRules()


@dataclass(frozen=True)
class Reason:
    """Why a step is refused: a stable rule name (for code and tests), the legal basis and a
    Chinese sentence for the screen."""

    rule: str
    basis: str
    text: str


@dataclass(frozen=True)
class CaseFacts:
    """One person's development record, as plain values.

    ``stage`` is the stage reached; the date of each stage reached is expected (a missing one
    is reported as a reason, not raised). ``training_hours_as_candidate`` is the short
    concentrated training taken as a candidate; ``contact_persons`` the number of 培养联系人
    named; ``probation_extended_months`` the extension of probation decided (0: none).
    """

    birth_date: dt.date
    applied_on: dt.date
    stage: Stage
    activist_on: dt.date | None = None
    candidate_on: dt.date | None = None
    probationary_on: dt.date | None = None
    full_on: dt.date | None = None
    training_hours_as_candidate: int = 0
    contact_persons: int = 0
    political_review_done: bool = False
    probation_extended_months: int = 0


@dataclass(frozen=True)
class NextStep:
    """The step that comes next for a case.

    ``stage_to`` is ``None`` when the case is over (full member or withdrawn).
    ``earliest_on`` is the first day the periods allow the step (``None`` when a date it
    depends on is missing); ``reasons`` are everything that refuses it today, periods and
    missing conditions alike; ``allowed_now`` is ``not reasons``.
    """

    stage_to: Stage | None
    earliest_on: dt.date | None
    allowed_now: bool
    reasons: list[Reason]


# --- Dates --------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the last day of that month when it has no such day
    (《民法典》第二百零二条): 2024-01-31 + 1 → 2024-02-29; 2024-02-29 + 12 → 2025-02-28."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def format_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _earliest_text(day: dt.date) -> str:
    return f"最早可于{format_date(day)}进行"


# --- Rules --------------------------------------------------------------------------------
#
# Each rule is one function (facts, on, rules) -> Reason | None: ``None`` when satisfied.

Rule = Callable[[CaseFacts, dt.date, DevelopmentRules], Reason | None]


def _missing(what: str, rule: str) -> Reason:
    return Reason(rule=rule, basis=DETAILED_RULES, text=f"缺少{what},无法判断")


def eighteenth_birthday(birth_date: dt.date, rules: DevelopmentRules = DEFAULT_RULES) -> dt.date:
    return add_months(birth_date, 12 * rules.minimum_age_years)


def applied_at_age(facts: CaseFacts, on: dt.date, rules: DevelopmentRules) -> Reason | None:
    """Only a person aged 18 or over may apply (细则 第五条)."""
    of_age = eighteenth_birthday(facts.birth_date, rules)
    if facts.applied_on >= of_age:
        return None
    return Reason(
        rule="applicant_age",
        basis=f"{DETAILED_RULES}第五条",
        text=(
            f"提出入党申请时({format_date(facts.applied_on)})未满{rules.minimum_age_years}周岁,"
            f"应在年满{rules.minimum_age_years}周岁({format_date(of_age)})后重新提出申请"
        ),
    )


def after_application(facts: CaseFacts, on: dt.date, rules: DevelopmentRules) -> Reason | None:
    """Activists are chosen among those who have applied (细则 第八条)."""
    if on >= facts.applied_on:
        return None
    return Reason(
        rule="after_application",
        basis=f"{DETAILED_RULES}第八条",
        text=f"确定入党积极分子不能早于提出入党申请的日期,{_earliest_text(facts.applied_on)}",
    )


def contact_persons_named(facts: CaseFacts, on: dt.date, rules: DevelopmentRules) -> Reason | None:
    """An activist has one or two full members as contact persons (细则 第九条)."""
    low, high = rules.contact_persons_min, rules.contact_persons_max
    if low <= facts.contact_persons <= high:
        return None
    if facts.contact_persons < low:
        text = f"尚未指定培养联系人,应指定{low}至{high}名正式党员作为培养联系人"
    else:
        text = f"培养联系人为{facts.contact_persons}名,应为{low}至{high}名正式党员"
    return Reason(rule="contact_persons", basis=f"{DETAILED_RULES}第九条", text=text)


def activist_educated(facts: CaseFacts, on: dt.date, rules: DevelopmentRules) -> Reason | None:
    """An activist becomes a candidate after at least one year of education (细则 第十三条)."""
    if facts.activist_on is None:
        return _missing("确定为入党积极分子的日期", "activist_education")
    earliest = add_months(facts.activist_on, rules.activist_education_months)
    if on >= earliest:
        return None
    return Reason(
        rule="activist_education",
        basis=f"{DETAILED_RULES}第十三条",
        text=(
            f"入党积极分子须经过{_months_text(rules.activist_education_months)}以上的培养教育和考察"
            f"(自{format_date(facts.activist_on)}起)才能列为发展对象,{_earliest_text(earliest)}"
        ),
    )


def after_candidacy(facts: CaseFacts, on: dt.date, rules: DevelopmentRules) -> Reason | None:
    """A probationary member is admitted from among the candidates."""
    if facts.candidate_on is None:
        return _missing("列为发展对象的日期", "after_candidacy")
    if on >= facts.candidate_on:
        return None
    return Reason(
        rule="after_candidacy",
        basis=DETAILED_RULES,
        text=f"接收预备党员不能早于列为发展对象的日期,{_earliest_text(facts.candidate_on)}",
    )


def political_review_done(facts: CaseFacts, on: dt.date, rules: DevelopmentRules) -> Reason | None:
    """A candidate must pass the political review before admission (细则 第十六条)."""
    if facts.political_review_done:
        return None
    return Reason(
        rule="political_review",
        basis=f"{DETAILED_RULES}第十六条",
        text="尚未完成对发展对象的政治审查,未经政治审查或审查不合格的不能发展入党",
    )


def short_training_done(facts: CaseFacts, on: dt.date, rules: DevelopmentRules) -> Reason | None:
    """A candidate takes at least three days / 24 class hours of short training (第十七条)."""
    required = rules.candidate_training_hours
    if facts.training_hours_as_candidate >= required:
        return None
    return Reason(
        rule="short_training",
        basis=f"{DETAILED_RULES}第十七条",
        text=(
            f"发展对象短期集中培训为{facts.training_hours_as_candidate}学时,"
            f"应不少于三天(或不少于{required}个学时)"
        ),
    )


def extension_allowed(
    months: int, rules: DevelopmentRules = DEFAULT_RULES, rule: str = "probation_extension"
) -> Reason | None:
    """An extension of probation is at least six months and at most one year (党章 第七条,
    细则 第三十二条); zero means no extension."""
    low, high = rules.extension_min_months, rules.extension_max_months
    if months == 0 or low <= months <= high:
        return None
    return Reason(
        rule=rule,
        basis=f"{CONSTITUTION}第七条;{DETAILED_RULES}第三十二条",
        text=f"预备期延长{months}个月不符合规定:延长时间不能少于{low}个月,最长不超过{high}个月",
    )


def probation_extension_valid(
    facts: CaseFacts, on: dt.date, rules: DevelopmentRules
) -> Reason | None:
    return extension_allowed(facts.probation_extended_months, rules)


def probation_completed(facts: CaseFacts, on: dt.date, rules: DevelopmentRules) -> Reason | None:
    """Probation lasts one year from the branch meeting's admission, plus any extension
    (党章 第七条, 细则 第三十二条); the conversion is dated when it ends."""
    if facts.probationary_on is None:
        return _missing("接收为预备党员的日期", "probation_period")
    earliest = _probation_end(facts, rules)
    if on >= earliest:
        return None
    extension = facts.probation_extended_months
    extended = f",已延长{extension}个月" if extension else ""
    return Reason(
        rule="probation_period",
        basis=f"{CONSTITUTION}第七条;{DETAILED_RULES}第三十二条",
        text=(
            f"预备期为{_months_text(rules.probation_months)}{extended},"
            f"自{format_date(facts.probationary_on)}起算,预备期满方能转为正式党员,"
            f"{_earliest_text(earliest)}"
        ),
    )


def _probation_end(facts: CaseFacts, rules: DevelopmentRules) -> dt.date:
    assert facts.probationary_on is not None
    return add_months(
        facts.probationary_on, rules.probation_months + facts.probation_extended_months
    )


def _months_text(months: int) -> str:
    years, rest = divmod(months, 12)
    if rest or not years:
        return f"{months}个月"
    return {1: "一年", 2: "两年"}.get(years, f"{years}年")


#: The rules of each step, keyed by the stage the step leads to.
STEP_RULES: dict[Stage, tuple[Rule, ...]] = {
    Stage.ACTIVIST: (applied_at_age, after_application, contact_persons_named),
    Stage.CANDIDATE: (activist_educated, contact_persons_named),
    Stage.PROBATIONARY: (after_candidacy, political_review_done, short_training_done),
    Stage.FULL: (probation_extension_valid, probation_completed),
    Stage.WITHDRAWN: (),
}


# --- Checks -------------------------------------------------------------------------------


def _next_in_pipeline(stage: Stage) -> Stage | None:
    if stage in (Stage.FULL, Stage.WITHDRAWN):
        return None
    return PIPELINE[PIPELINE.index(stage) + 1]


def _order_reason(current: Stage, to: Stage) -> Reason | None:
    """Steps are taken one at a time, in order; a case ends as a full member or withdrawn."""
    expected = _next_in_pipeline(current)
    if to == expected or (to == Stage.WITHDRAWN and expected is not None):
        return None
    if expected is None:
        text = f"当前已是「{current.label}」,不能再办理「{to.label}」"
    elif to == current:
        text = f"当前已是「{current.label}」"
    else:
        text = f"当前为「{current.label}」,下一步只能是「{expected.label}」,不能办理「{to.label}」"
    return Reason(rule="stage_order", basis=DETAILED_RULES, text=text)


def check_step(
    facts: CaseFacts, to: Stage, on: dt.date, *, rules: DevelopmentRules = DEFAULT_RULES
) -> list[Reason]:
    """Every reason the step to ``to`` dated ``on`` is refused; empty when it is allowed.

    A step out of order returns that single reason (the other rules would not mean anything).
    """
    order = _order_reason(facts.stage, to)
    if order is not None:
        return [order]
    reasons = (rule(facts, on, rules) for rule in STEP_RULES[to])
    return [reason for reason in reasons if reason is not None]


def check_application(
    *, birth_date: dt.date, applied_on: dt.date, rules: DevelopmentRules = DEFAULT_RULES
) -> list[Reason]:
    """The reasons an application dated ``applied_on`` cannot be recorded (细则 第五条)."""
    facts = CaseFacts(birth_date=birth_date, applied_on=applied_on, stage=Stage.APPLICANT)
    reason = applied_at_age(facts, applied_on, rules)
    return [] if reason is None else [reason]


def check_extension(
    facts: CaseFacts, *, months: int, rules: DevelopmentRules = DEFAULT_RULES
) -> list[Reason]:
    """The reasons an extension of probation by ``months`` cannot be decided: only for a
    probationary member, only once, by six to twelve months (细则 第三十二条)."""
    basis = f"{CONSTITUTION}第七条;{DETAILED_RULES}第三十二条"
    if facts.stage != Stage.PROBATIONARY:
        return [
            Reason(
                rule="extension_stage",
                basis=basis,
                text=f"只有预备党员可以延长预备期,当前为「{facts.stage.label}」",
            )
        ]
    reasons: list[Reason] = []
    if facts.probation_extended_months:
        reasons.append(
            Reason(
                rule="extension_once",
                basis=basis,
                text=f"预备期只能延长一次,已延长{facts.probation_extended_months}个月",
            )
        )
    if months == 0:
        reasons.append(Reason(rule="probation_extension", basis=basis, text="延长时间不能为0"))
    else:
        reason = extension_allowed(months, rules)
        if reason is not None:
            reasons.append(reason)
    return reasons


def earliest_date(
    facts: CaseFacts, to: Stage, *, rules: DevelopmentRules = DEFAULT_RULES
) -> dt.date | None:
    """The first day the periods allow the step to ``to`` (other conditions aside), or
    ``None`` for a step with no next stage or a missing date."""
    match to:
        case Stage.ACTIVIST:
            return facts.applied_on
        case Stage.CANDIDATE:
            if facts.activist_on is None:
                return None
            return add_months(facts.activist_on, rules.activist_education_months)
        case Stage.PROBATIONARY:
            return facts.candidate_on
        case Stage.FULL:
            return None if facts.probationary_on is None else _probation_end(facts, rules)
        case _:
            return None


def next_step(
    facts: CaseFacts, *, today: dt.date, rules: DevelopmentRules = DEFAULT_RULES
) -> NextStep:
    """What comes next for the case, from when, and what refuses it ``today``."""
    stage_to = _next_in_pipeline(facts.stage)
    if stage_to is None:
        return NextStep(stage_to=None, earliest_on=None, allowed_now=False, reasons=[])
    reasons = check_step(facts, stage_to, today, rules=rules)
    return NextStep(
        stage_to=stage_to,
        earliest_on=earliest_date(facts, stage_to, rules=rules),
        allowed_now=not reasons,
        reasons=reasons,
    )


Key = TypeVar("Key")


@dataclass(frozen=True)
class DueStep(Generic[Key]):
    """A case whose next step becomes possible soon: ``key`` is the caller's identifier."""

    key: Key
    step: NextStep


def due_soon(
    cases: Mapping[Key, CaseFacts] | Iterable[tuple[Key, CaseFacts]],
    today: dt.date,
    within_days: int = 30,
    *,
    include_overdue: bool = False,
    rules: DevelopmentRules = DEFAULT_RULES,
) -> list[DueStep[Key]]:
    """The cases whose next step's period ends from ``today`` to ``today + within_days``
    (both included), soonest first; ``cases`` maps the caller's key (a person's id) to facts.

    A case is listed even if other conditions are still missing (its ``step.reasons`` say
    which), since that is what the branch must see to before the date. With
    ``include_overdue`` a case whose period ended earlier and whose step is not recorded yet
    is listed too (预备期满应当及时讨论).
    """
    items = cases.items() if isinstance(cases, Mapping) else cases
    horizon = today + dt.timedelta(days=within_days)
    due: list[DueStep[Key]] = []
    for key, facts in items:
        step = next_step(facts, today=today, rules=rules)
        if step.earliest_on is None:
            continue
        if step.earliest_on <= horizon and (include_overdue or step.earliest_on >= today):
            due.append(DueStep(key=key, step=step))
    due.sort(key=lambda item: item.step.earliest_on or today)
    return due
