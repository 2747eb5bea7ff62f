"""The penalty-execution engine against hand-worked cases (no database).

Every expected date below was computed by hand from docs/penalty-execution-rules.md and written
as a literal; none comes from the engine's own helpers. Month arithmetic: the same day N months
later, clamped to the end of a shorter month (2020-08-31 + 18 months = 2022-02-28).
"""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from dateutil.relativedelta import relativedelta

from tongxin.sentencing.engine import (
    PAROLE_RULES,
    REDUCTION_RULES,
    Assessment,
    CaseFacts,
    CommuteTo,
    Decision,
    HistoryError,
    Reduction,
    Sentence,
    Stage,
    TemporaryConditions,
    TemporaryGround,
    add_months,
    assess,
    assess_many,
    assessment_to_json,
    standing_of,
    temporary_execution,
    temporary_to_json,
)
from tongxin.sentencing.rules import (
    ART7_PARA1_CATEGORIES,
    DEFAULT_RULESET,
    Category,
    Merit,
    ReductionKind,
    RuleSet,
    SentenceType,
)

D = dt.date
START = D(2020, 3, 1)
LIFE_START = D(2015, 7, 1)
DEATH_START = D(2018, 3, 1)

REPENTANCE = "repentance"
MERITORIOUS = "meritorious"
BOTH = "repentance_and_meritorious"
MAJOR = "major_meritorious"
BOTH_MAJOR = "repentance_and_major_meritorious"


# --- Builders -----------------------------------------------------------------------------


def red(ruling_date: dt.date, months: int) -> Reduction:
    return Reduction(ruling_date, ReductionKind.REDUCTION, months)


def com(ruling_date: dt.date, to_years: int | None = None) -> Reduction:
    return Reduction(ruling_date, ReductionKind.COMMUTATION, 0, to_years)


def _case(
    sentence: Sentence, categories: tuple[str, ...], merit: str, reductions: tuple[Reduction, ...]
) -> CaseFacts:
    return CaseFacts(
        "case-1",
        sentence,
        Merit(merit),
        frozenset(Category(category) for category in categories),
        tuple(reductions),
    )


def fixed(
    years: int,
    months: int = 0,
    *,
    start: dt.date = START,
    detention: int = 0,
    categories: tuple[str, ...] = (),
    merit: str = REPENTANCE,
    reductions: tuple[Reduction, ...] = (),
) -> CaseFacts:
    sentence = Sentence(SentenceType.FIXED_TERM, start, years, months, detention)
    return _case(sentence, categories, merit, reductions)


def life(
    *,
    start: dt.date = LIFE_START,
    detention: int = 0,
    categories: tuple[str, ...] = (),
    merit: str = REPENTANCE,
    reductions: tuple[Reduction, ...] = (),
) -> CaseFacts:
    sentence = Sentence(SentenceType.LIFE, start, detention_days=detention)
    return _case(sentence, categories, merit, reductions)


def death(
    *,
    start: dt.date = DEATH_START,
    restricted: bool = False,
    categories: tuple[str, ...] = (),
    merit: str = REPENTANCE,
    reductions: tuple[Reduction, ...] = (),
) -> CaseFacts:
    sentence = Sentence(SentenceType.DEATH_REPRIEVE, start, restricted_reduction=restricted)
    return _case(sentence, categories, merit, reductions)


def codes(decision: Decision) -> list[str]:
    return [reason.code for reason in decision.reasons]


def reason(decision: Decision, code: str):
    (found,) = [outcome for outcome in decision.reasons if outcome.code == code]
    return found


def reduction_on(facts: CaseFacts, day: dt.date) -> Decision:
    return assess(facts, day).reduction


def parole_on(facts: CaseFacts, day: dt.date) -> Decision:
    return assess(facts, day).parole


def assert_threshold(decide, facts: CaseFacts, earliest: dt.date) -> None:
    """``earliest`` is the first eligible day: not eligible the day before, eligible on it."""
    before = decide(facts, earliest - dt.timedelta(days=1))
    on = decide(facts, earliest)
    assert before.earliest_date == earliest
    assert on.earliest_date == earliest
    assert not before.eligible
    assert on.eligible


# --- Month arithmetic ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        pytest.param(D(2020, 8, 31), 6, D(2021, 2, 28), id="aug31+6-feb28"),
        pytest.param(D(2020, 8, 31), 18, D(2022, 2, 28), id="aug31+18-feb28"),
        pytest.param(D(2020, 2, 29), 12, D(2021, 2, 28), id="leap-day+12"),
        pytest.param(D(2020, 2, 29), 48, D(2024, 2, 29), id="leap-day+48-leap"),
        pytest.param(D(2019, 12, 31), 2, D(2020, 2, 29), id="dec31+2-leap-feb"),
        pytest.param(D(2021, 1, 31), 1, D(2021, 2, 28), id="jan31+1"),
        pytest.param(D(2020, 3, 31), -1, D(2020, 2, 29), id="negative"),
        pytest.param(D(2020, 5, 15), 0, D(2020, 5, 15), id="zero"),
        pytest.param(D(1999, 12, 31), 1, D(2000, 1, 31), id="year-boundary"),
        pytest.param(D(2000, 1, 30), 1, D(2000, 2, 29), id="2000-is-leap"),
        pytest.param(D(2100, 1, 29), 1, D(2100, 2, 28), id="2100-is-not-leap"),
        pytest.param(D(2020, 10, 31), 1, D(2020, 11, 30), id="31-to-30"),
    ],
)
def test_add_months(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


def test_add_months_is_relativedelta() -> None:
    """The fast implementation agrees with ``relativedelta`` on three years of days, each with
    a spread of offsets (negative, short, and whole sentences long)."""
    offsets = [*range(-30, 40), 60, 120, 144, 156, 180, 204, 228, 240, 264, 300, 324]
    day = D(2019, 1, 1)
    while day <= D(2021, 12, 31):
        for months in offsets:
            assert add_months(day, months) == day + relativedelta(months=months), (day, months)
        day += dt.timedelta(days=1)


# --- Standing (the sentence after its rulings) --------------------------------------------


@pytest.mark.parametrize(
    ("facts", "stage", "term_end"),
    [
        pytest.param(fixed(3), Stage.FIXED_TERM, D(2023, 2, 28), id="fixed-3y"),
        pytest.param(
            fixed(3, detention=100), Stage.FIXED_TERM, D(2022, 11, 21), id="fixed-detention"
        ),
        pytest.param(
            fixed(3, reductions=(red(D(2021, 5, 1), 9),)),
            Stage.FIXED_TERM,
            D(2022, 5, 31),
            id="fixed-reduced-9",
        ),
        pytest.param(
            fixed(2, start=D(2020, 8, 31), reductions=(red(D(2021, 9, 1), 6),)),
            Stage.FIXED_TERM,
            D(2022, 2, 27),
            id="fixed-month-end-reduced",
        ),
        pytest.param(life(), Stage.LIFE, None, id="life"),
        pytest.param(
            life(reductions=(com(D(2017, 9, 15), 22),)),
            Stage.LIFE_COMMUTED,
            D(2039, 9, 14),
            id="life-commuted-22",
        ),
        pytest.param(death(), Stage.DEATH_REPRIEVE, None, id="death"),
        pytest.param(
            death(reductions=(com(D(2020, 3, 10)),)),
            Stage.DEATH_COMMUTED_TO_LIFE,
            None,
            id="death-to-life",
        ),
        pytest.param(
            death(reductions=(com(D(2020, 3, 5), 25),)),
            Stage.DEATH_COMMUTED_TO_FIXED,
            D(2045, 2, 28),
            id="death-to-25-runs-from-reprieve-end",
        ),
        pytest.param(
            death(reductions=(com(D(2020, 3, 10)), com(D(2023, 3, 20), 25))),
            Stage.DEATH_COMMUTED_TO_FIXED,
            D(2048, 3, 19),
            id="death-life-then-25-runs-from-ruling",
        ),
    ],
)
def test_standing(facts: CaseFacts, stage: Stage, term_end: dt.date | None) -> None:
    standing = standing_of(facts)
    assert standing.stage is stage
    assert standing.term_end == term_end


@pytest.mark.parametrize(
    ("facts", "index", "field"),
    [
        pytest.param(fixed(3, reductions=(com(D(2021, 5, 1), 2),)), 0, "kind", id="commute-fixed"),
        pytest.param(life(reductions=(red(D(2018, 5, 1), 9),)), 0, "kind", id="reduce-life"),
        pytest.param(death(reductions=(red(D(2020, 5, 1), 9),)), 0, "kind", id="reduce-death"),
        pytest.param(life(reductions=(com(D(2018, 5, 1)),)), 0, "to_years", id="life-to-life"),
        pytest.param(
            death(reductions=(com(D(2020, 5, 1)), com(D(2023, 5, 1)))),
            1,
            "to_years",
            id="death-life-to-life",
        ),
        pytest.param(
            life(reductions=(com(D(2018, 5, 1), 22), com(D(2020, 5, 1), 20))),
            1,
            "kind",
            id="commute-twice",
        ),
        pytest.param(life(reductions=(com(D(2018, 5, 1), 26),)), 0, "to_years", id="to-26"),
        pytest.param(fixed(3, reductions=(red(D(2019, 5, 1), 3),)), 0, "ruling_date", id="early"),
        pytest.param(
            fixed(3, reductions=(red(D(2021, 5, 1), 3), red(D(2021, 4, 1), 3))),
            1,
            "ruling_date",
            id="out-of-order",
        ),
        pytest.param(
            fixed(3, reductions=(red(D(2021, 5, 1), 3), red(D(2021, 5, 1), 3))),
            1,
            "ruling_date",
            id="same-day",
        ),
        pytest.param(
            fixed(1, reductions=(red(D(2020, 5, 1), 6), red(D(2020, 6, 1), 6))),
            1,
            "months",
            id="whole-term-reduced",
        ),
        pytest.param(fixed(3, reductions=(red(D(2021, 5, 1), 0),)), 0, "months", id="zero"),
    ],
)
def test_impossible_histories(facts: CaseFacts, index: int, field: str) -> None:
    with pytest.raises(HistoryError) as raised:
        standing_of(facts)
    assert (raised.value.index, raised.value.field) == (index, field)
    with pytest.raises(HistoryError):
        assess(facts, D(2030, 1, 1))


# --- Fixed term: first reduction (规定第六条、第七条) -----------------------------------------


@pytest.mark.parametrize(
    ("facts", "earliest"),
    [
        pytest.param(fixed(1, 6), D(2021, 3, 1), id="under-5y-12m"),
        pytest.param(fixed(4, 11), D(2021, 3, 1), id="4y11m-12m"),
        pytest.param(fixed(5), D(2021, 9, 1), id="5y-18m"),
        pytest.param(fixed(9, 11), D(2021, 9, 1), id="9y11m-18m"),
        pytest.param(fixed(10), D(2022, 3, 1), id="10y-24m"),
        pytest.param(fixed(15), D(2022, 3, 1), id="15y-24m"),
        pytest.param(fixed(6, start=D(2020, 8, 31)), D(2022, 2, 28), id="aug31+18-feb28"),
        pytest.param(fixed(6, start=D(2019, 8, 31)), D(2021, 2, 28), id="aug31+18-nonleap"),
        pytest.param(fixed(3, start=D(2020, 2, 29)), D(2021, 2, 28), id="leap-day+12"),
        pytest.param(fixed(12, start=D(2020, 2, 29)), D(2022, 2, 28), id="leap-day+24"),
        pytest.param(fixed(3, detention=200), D(2021, 3, 1), id="detention-not-credited"),
        pytest.param(
            fixed(3, categories=("duty_crime",)), D(2022, 3, 1), id="special-under-10y-24m"
        ),
        pytest.param(
            fixed(3, categories=("violent_10y",)), D(2021, 3, 1), id="violent-under-10y-ordinary"
        ),
        pytest.param(
            fixed(3, categories=("combined_10y",)), D(2021, 3, 1), id="combined-under-10y-ordinary"
        ),
        pytest.param(fixed(12, categories=("violent_10y",)), D(2022, 3, 1), id="violent-12y-24m"),
        pytest.param(fixed(10, merit=MAJOR), START, id="major-lifts-start"),
        pytest.param(fixed(3, merit=BOTH_MAJOR), START, id="both-major-lifts-start"),
        pytest.param(
            fixed(3, merit=MAJOR, categories=("mafia",)), START, id="major-lifts-special-start"
        ),
    ],
)
def test_first_reduction_threshold(facts: CaseFacts, earliest: dt.date) -> None:
    assert_threshold(reduction_on, facts, earliest)


@pytest.mark.parametrize("category", sorted(ART7_PARA1_CATEGORIES))
def test_every_article_7_category_waits_24_months_under_10_years(category: Category) -> None:
    facts = fixed(3, categories=(category.value,))
    assert_threshold(reduction_on, facts, D(2022, 3, 1))
    assert reason(reduction_on(facts, D(2022, 3, 1)), "reduction.first_threshold").basis == (
        "规定第七条第一款"
    )


def test_detention_counts_for_parole_but_not_for_reduction() -> None:
    # 200 days before 2020-03-01 is 2019-08-14: parole's half of 36 months runs from there,
    # the reduction threshold still from execution start.
    with_detention = assess(fixed(3, detention=200), D(2021, 3, 1))
    without = assess(fixed(3), D(2021, 3, 1))
    assert (
        with_detention.reduction.earliest_date == without.reduction.earliest_date == D(2021, 3, 1)
    )
    assert with_detention.parole.earliest_date == D(2021, 2, 14)
    assert without.parole.earliest_date == D(2021, 9, 1)
    assert "先行羁押200日折抵" in reason(with_detention.parole, "parole.half_term").text


def test_first_threshold_text_names_the_dates() -> None:
    decision = reduction_on(fixed(6), D(2021, 9, 1))
    text = reason(decision, "reduction.first_threshold").text
    assert "首次减刑须自判决执行之日（2020-03-01）起执行满18个月，即2021-09-01起" in text
    assert reason(decision, "reduction.first_threshold").basis == "规定第六条第一款"


# --- Fixed term: amounts (规定第六条第二款、第七条) ------------------------------------------


@pytest.mark.parametrize(
    ("merit", "ordinary", "special"),
    [
        pytest.param(REPENTANCE, 9, 9, id="repentance"),
        pytest.param(MERITORIOUS, 9, 9, id="meritorious"),
        pytest.param(BOTH, 12, 12, id="both"),
        pytest.param(MAJOR, 18, 12, id="major"),
        pytest.param(BOTH_MAJOR, 24, 12, id="both-major"),
    ],
)
def test_amount_per_merit(merit: str, ordinary: int, special: int) -> None:
    on = D(2022, 3, 1)
    assert reduction_on(fixed(10, merit=merit), on).max_months == ordinary
    assert reduction_on(fixed(10, merit=merit, categories=("duty_crime",)), on).max_months == (
        special
    )


@pytest.mark.parametrize(
    ("years", "category", "max_months"),
    [
        pytest.param(9, "violent_10y", 18, id="violent-9y-ordinary"),
        pytest.param(10, "violent_10y", 12, id="violent-10y-special"),
        pytest.param(9, "combined_10y", 18, id="combined-9y-ordinary"),
        pytest.param(11, "combined_10y", 12, id="combined-11y-special"),
        pytest.param(9, "recidivist", 12, id="recidivist-9y-special"),
        pytest.param(9, "property_unfulfilled", 12, id="property-9y-special"),
    ],
)
def test_violent_group_is_special_only_from_10_years(
    years: int, category: str, max_months: int
) -> None:
    decision = reduction_on(fixed(years, merit=MAJOR, categories=(category,)), D(2022, 3, 1))
    assert decision.max_months == max_months


# --- Fixed term: ceiling (刑法第七十八条) -------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "max_months", "earliest"),
    [
        pytest.param(fixed(2, merit=BOTH), 12, D(2021, 3, 1), id="2y-unused-12"),
        pytest.param(
            # 24 months allow 12; 9 taken leaves 3, but the term (now ending 2021-05-31) is
            # over before the 12-month interval (2022-03-05).
            fixed(2, merit=BOTH, reductions=(red(D(2021, 3, 5), 9),)),
            3,
            None,
            id="2y-partly-used-term-ends-first",
        ),
        pytest.param(
            fixed(
                10, merit=BOTH_MAJOR, reductions=(red(D(2021, 3, 5), 24), red(D(2022, 3, 5), 24))
            ),
            12,
            D(2022, 3, 5),
            id="10y-partly-used-12-of-24",
        ),
        pytest.param(
            fixed(3, merit=BOTH, reductions=(red(D(2021, 3, 5), 12), red(D(2022, 2, 1), 6))),
            0,
            None,
            id="3y-used-up",
        ),
        pytest.param(fixed(1, 3), 7, D(2021, 3, 1), id="15-months-odd-allows-7"),
        pytest.param(
            fixed(1, 3, merit=BOTH_MAJOR, reductions=(red(D(2020, 6, 1), 5),)),
            2,
            D(2020, 6, 1),
            id="15-months-odd-5-used-2-left",
        ),
        pytest.param(fixed(3, 3, merit=BOTH_MAJOR), 19, START, id="39-months-odd-allows-19"),
        pytest.param(
            fixed(3, 3, merit=BOTH_MAJOR, reductions=(red(D(2021, 3, 5), 9),)),
            10,
            D(2021, 3, 5),
            id="39-months-odd-9-used-10-left",
        ),
    ],
)
def test_ceiling(facts: CaseFacts, max_months: int, earliest: dt.date | None) -> None:
    decision = reduction_on(facts, D(2023, 3, 5))
    assert decision.max_months == max_months
    assert decision.earliest_date == earliest
    if earliest is None:
        assert not decision.eligible


def test_ceiling_used_up_says_so() -> None:
    facts = fixed(3, merit=BOTH, reductions=(red(D(2021, 3, 5), 12), red(D(2022, 2, 1), 6)))
    outcome = reason(reduction_on(facts, D(2022, 6, 1)), "reduction.ceiling")
    assert outcome.never
    assert not outcome.passes
    assert outcome.max_months == 0
    assert "累计减刑不得超过18个月；已减18个月，尚可减0个月，不得再减刑" in outcome.text


# --- Fixed term: term end -----------------------------------------------------------------


def test_earliest_after_term_end_is_null() -> None:
    # 1 year from 2020-03-01 ends 2021-02-28; the 12-month threshold is 2021-03-01.
    decision = reduction_on(fixed(1), D(2021, 2, 1))
    assert decision.earliest_date is None
    assert not decision.eligible
    assert reason(decision, "reduction.term_end").not_after == D(2021, 2, 28)


def test_reduction_not_eligible_after_the_term_has_ended() -> None:
    facts = fixed(2)  # ends 2022-02-28
    assert reduction_on(facts, D(2022, 2, 28)).eligible
    after = reduction_on(facts, D(2022, 3, 1))
    assert not after.eligible
    assert after.earliest_date == D(2021, 3, 1)


def test_detention_brings_the_term_end_before_the_threshold() -> None:
    # Term start 2020-03-01 − 60 days = 2020-01-01; one year ends 2020-12-31, before the
    # 12-month threshold counted from execution (2021-03-01).
    decision = reduction_on(fixed(1, detention=60), D(2020, 12, 1))
    assert decision.earliest_date is None


# --- Fixed term: intervals ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "earliest"),
    [
        pytest.param(fixed(6, reductions=(red(D(2021, 9, 10), 9),)), D(2022, 9, 10), id="6y-12m"),
        pytest.param(
            fixed(6, reductions=(red(D(2021, 9, 10), 12),)), D(2022, 9, 10), id="6y-prev-12-12m"
        ),
        pytest.param(
            fixed(6, reductions=(red(D(2021, 9, 10), 18),)),
            D(2023, 3, 10),
            id="6y-prev-18-waits-18",
        ),
        pytest.param(fixed(12, reductions=(red(D(2021, 9, 10), 9),)), D(2023, 3, 10), id="12y-18m"),
        pytest.param(
            fixed(12, reductions=(red(D(2021, 9, 10), 24),)),
            D(2023, 9, 10),
            id="12y-prev-24-waits-24",
        ),
        pytest.param(
            fixed(6, categories=("duty_crime",), reductions=(red(D(2021, 9, 10), 18),)),
            D(2022, 9, 10),
            id="special-6y-12m-no-previous-amount-rule",
        ),
        pytest.param(
            fixed(12, categories=("violent_10y",), reductions=(red(D(2021, 9, 10), 24),)),
            D(2023, 3, 10),
            id="violent-12y-18m-no-previous-amount-rule",
        ),
        pytest.param(
            fixed(9, categories=("violent_10y",), reductions=(red(D(2021, 9, 10), 18),)),
            D(2023, 3, 10),
            id="violent-9y-ordinary-previous-amount-rule",
        ),
        pytest.param(
            fixed(10, reductions=(red(D(2021, 8, 31), 9),)), D(2023, 2, 28), id="aug31+18"
        ),
        pytest.param(
            fixed(6, start=D(2019, 3, 1), reductions=(red(D(2020, 2, 29), 9),)),
            D(2021, 2, 28),
            id="leap-day-ruling+12",
        ),
        pytest.param(
            fixed(10, merit=MAJOR, reductions=(red(D(2021, 9, 10), 24),)),
            D(2021, 9, 10),
            id="major-lifts-interval",
        ),
        pytest.param(
            fixed(
                10, merit=BOTH_MAJOR, categories=("mafia",), reductions=(red(D(2021, 9, 10), 12),)
            ),
            D(2021, 9, 10),
            id="both-major-lifts-special-interval",
        ),
    ],
)
def test_interval(facts: CaseFacts, earliest: dt.date) -> None:
    assert_threshold(reduction_on, facts, earliest)
    assert "reduction.first_threshold" not in codes(reduction_on(facts, earliest))


def test_interval_text_names_the_previous_amount() -> None:
    facts = fixed(6, reductions=(red(D(2021, 9, 10), 9),))
    text = reason(reduction_on(facts, D(2022, 9, 10)), "reduction.interval").text
    assert "两次减刑间隔不少于12个月，且不少于上次减去的刑期9个月" in text
    assert "上次裁定2021-09-10，即2022-09-10起" in text


# --- Life imprisonment (规定第八条、第九条) ------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "earliest"),
    [
        pytest.param(life(), D(2017, 7, 1), id="ordinary-24m"),
        pytest.param(life(start=D(2016, 2, 29)), D(2018, 2, 28), id="leap-day+24"),
        pytest.param(life(start=D(2015, 8, 31)), D(2017, 8, 31), id="aug31+24"),
        pytest.param(life(detention=400), D(2017, 7, 1), id="detention-ignored"),
        pytest.param(life(merit=MAJOR), D(2015, 7, 1), id="major-lifts"),
        pytest.param(life(merit=BOTH_MAJOR, categories=("mafia",)), D(2015, 7, 1), id="major-sp"),
    ],
)
def test_life_threshold(facts: CaseFacts, earliest: dt.date) -> None:
    assert_threshold(reduction_on, facts, earliest)


@pytest.mark.parametrize("category", [category.value for category in Category])
def test_life_special_categories_wait_36_months(category: str) -> None:
    facts = life(categories=(category,))
    assert_threshold(reduction_on, facts, D(2018, 7, 1))
    assert reason(reduction_on(facts, D(2018, 7, 1)), "reduction.life_threshold").basis == (
        "规定第九条"
    )


@pytest.mark.parametrize(
    ("merit", "categories", "years"),
    [
        pytest.param(REPENTANCE, (), (22, 22), id="repentance"),
        pytest.param(MERITORIOUS, (), (22, 22), id="meritorious"),
        pytest.param(BOTH, (), (21, 22), id="both"),
        pytest.param(MAJOR, (), (20, 21), id="major"),
        pytest.param(BOTH_MAJOR, (), (19, 20), id="both-major"),
        pytest.param(REPENTANCE, ("violent_10y",), (22, 22), id="special-repentance"),
        pytest.param(MAJOR, ("violent_10y",), (20, 21), id="special-major"),
        pytest.param(BOTH_MAJOR, ("duty_crime",), (20, 20), id="special-both-major-floor-20"),
    ],
)
def test_life_commutation_range(merit: str, categories: tuple[str, ...], years: tuple) -> None:
    decision = reduction_on(life(merit=merit, categories=categories), D(2019, 1, 1))
    assert decision.commute_to is CommuteTo.FIXED_TERM
    assert decision.commute_to_years == years
    assert decision.max_months is None
    assert codes(decision) == ["reduction.life_threshold", "reduction.life_commutation"]


COMMUTED_LIFE = (com(D(2017, 9, 15), 22),)


@pytest.mark.parametrize(
    ("facts", "earliest"),
    [
        pytest.param(life(reductions=COMMUTED_LIFE), D(2019, 9, 15), id="24m-after-commutation"),
        pytest.param(
            life(reductions=(*COMMUTED_LIFE, red(D(2019, 10, 8), 9))),
            D(2021, 10, 8),
            id="24m-after-reduction",
        ),
        pytest.param(
            life(categories=("financial",), reductions=COMMUTED_LIFE),
            D(2019, 9, 15),
            id="special-24m",
        ),
        pytest.param(
            life(start=D(2015, 8, 31), reductions=(com(D(2017, 8, 31), 22),)),
            D(2019, 8, 31),
            id="month-end",
        ),
        pytest.param(life(merit=MAJOR, reductions=COMMUTED_LIFE), D(2017, 9, 15), id="major-lifts"),
    ],
)
def test_life_interval(facts: CaseFacts, earliest: dt.date) -> None:
    assert_threshold(reduction_on, facts, earliest)


@pytest.mark.parametrize(
    ("merit", "categories", "max_months"),
    [
        pytest.param(REPENTANCE, (), 9, id="repentance"),
        pytest.param(BOTH, (), 12, id="both"),
        pytest.param(MAJOR, (), 18, id="major"),
        pytest.param(BOTH_MAJOR, (), 24, id="both-major"),
        pytest.param(BOTH_MAJOR, ("terrorism",), 12, id="special-capped-12"),
        pytest.param(MAJOR, ("combined_10y",), 12, id="combined-capped-12"),
        pytest.param(REPENTANCE, ("combined_10y",), 9, id="special-repentance-9"),
    ],
)
def test_life_later_amounts(merit: str, categories: tuple[str, ...], max_months: int) -> None:
    facts = life(merit=merit, categories=categories, reductions=COMMUTED_LIFE)
    assert reduction_on(facts, D(2020, 1, 1)).max_months == max_months


# Life from 2015-07-01: 13 years actually executed until 2028-06-30 inclusive.
LIFE_FLOOR_RULINGS = (
    red(D(2019, 7, 1), 24),
    red(D(2021, 7, 1), 24),
    red(D(2023, 7, 1), 24),
)


@pytest.mark.parametrize(
    ("facts", "max_months", "earliest"),
    [
        pytest.param(
            # 19 years from 2017-07-01 (228 months); 132 must remain, 72 taken, 24 left.
            life(merit=BOTH_MAJOR, reductions=(com(D(2017, 7, 1), 19), *LIFE_FLOOR_RULINGS)),
            24,
            D(2023, 7, 1),
            id="24-left",
        ),
        pytest.param(
            life(reductions=(com(D(2017, 7, 1), 19), *LIFE_FLOOR_RULINGS, red(D(2025, 7, 1), 18))),
            6,
            D(2027, 7, 1),
            id="6-left-caps-repentance-9",
        ),
        pytest.param(
            life(reductions=(com(D(2017, 7, 1), 19), *LIFE_FLOOR_RULINGS, red(D(2025, 7, 1), 24))),
            0,
            None,
            id="used-up-ends-exactly-on-floor",
        ),
        pytest.param(
            # From 2017-06-20: 2028-06-20 is short of 2028-07-01, so 133 months must remain;
            # 228 − 133 − 90 = 5 (the true room is 5 months and 19 days: rounded down).
            life(reductions=(com(D(2017, 6, 20), 19), *LIFE_FLOOR_RULINGS, red(D(2025, 7, 1), 18))),
            5,
            D(2027, 7, 1),
            id="rounded-down-to-whole-months",
        ),
        pytest.param(
            # Life from 2015-07-20: 13 years run to 2028-07-19. From 2017-07-10, 132 months
            # end 2028-07-09, short of it: 133 must remain; 228 − 133 − 90 = 5.
            life(
                start=D(2015, 7, 20),
                reductions=(com(D(2017, 7, 10), 19), *LIFE_FLOOR_RULINGS, red(D(2025, 7, 1), 18)),
            ),
            5,
            D(2027, 7, 1),
            id="floor-day-after-commutation-day",
        ),
    ],
)
def test_life_13_year_floor(facts: CaseFacts, max_months: int, earliest: dt.date | None) -> None:
    decision = reduction_on(facts, D(2027, 7, 1))
    assert decision.max_months == max_months
    assert decision.earliest_date == earliest
    assert reason(decision, "reduction.life_floor").max_months == max_months


def test_life_floor_term_end() -> None:
    facts = life(reductions=(com(D(2017, 7, 1), 19), *LIFE_FLOOR_RULINGS, red(D(2025, 7, 1), 24)))
    assert standing_of(facts).term_end == D(2028, 6, 30)
    text = reason(reduction_on(facts, D(2027, 7, 1)), "reduction.life_floor").text
    assert "刑期不得早于2028-06-30届满" in text


# --- Death with reprieve (刑法第五十条; 规定第十条至第十四条) --------------------------------


@pytest.mark.parametrize(
    ("facts", "earliest", "commute_to", "years"),
    [
        pytest.param(death(), D(2020, 3, 1), CommuteTo.LIFE, None, id="to-life"),
        pytest.param(death(start=D(2016, 2, 29)), D(2018, 2, 28), CommuteTo.LIFE, None, id="leap"),
        pytest.param(
            death(merit=MAJOR), D(2020, 3, 1), CommuteTo.FIXED_TERM, (25, 25), id="major-to-25"
        ),
        pytest.param(
            death(merit=BOTH_MAJOR, restricted=True),
            D(2020, 3, 1),
            CommuteTo.FIXED_TERM,
            (25, 25),
            id="both-major-restricted-to-25",
        ),
        pytest.param(death(merit=BOTH), D(2020, 3, 1), CommuteTo.LIFE, None, id="both-to-life"),
    ],
)
def test_reprieve_commutation(
    facts: CaseFacts, earliest: dt.date, commute_to: CommuteTo, years: tuple | None
) -> None:
    assert_threshold(reduction_on, facts, earliest)
    decision = reduction_on(facts, earliest)
    assert decision.commute_to is commute_to
    assert decision.commute_to_years == years
    assert decision.max_months is None


TO_LIFE = (com(D(2020, 3, 10)),)


@pytest.mark.parametrize(
    ("facts", "earliest"),
    [
        pytest.param(death(reductions=TO_LIFE), D(2023, 3, 10), id="36m"),
        pytest.param(death(categories=("mafia",), reductions=TO_LIFE), D(2023, 3, 10), id="sp"),
        pytest.param(death(restricted=True, reductions=TO_LIFE), D(2025, 3, 10), id="restr-60m"),
        pytest.param(death(merit=MAJOR, reductions=TO_LIFE), D(2023, 3, 10), id="major-not-lifted"),
        pytest.param(death(reductions=(com(D(2020, 8, 31)),)), D(2023, 8, 31), id="month-end"),
    ],
)
def test_reprieve_as_life_threshold(facts: CaseFacts, earliest: dt.date) -> None:
    assert_threshold(reduction_on, facts, earliest)


@pytest.mark.parametrize(
    ("merit", "categories", "restricted", "years"),
    [
        pytest.param(REPENTANCE, (), False, (25, 25), id="repentance"),
        pytest.param(MERITORIOUS, (), False, (25, 25), id="meritorious"),
        pytest.param(BOTH, (), False, (24, 25), id="both"),
        pytest.param(MAJOR, (), False, (23, 24), id="major"),
        pytest.param(BOTH_MAJOR, (), False, (22, 23), id="both-major"),
        pytest.param(BOTH_MAJOR, ("drug_ringleader",), False, (23, 23), id="special-floor-23"),
        pytest.param(BOTH, ("violent_10y",), False, (24, 25), id="special-both"),
        pytest.param(BOTH_MAJOR, (), True, (23, 23), id="restricted-floor-23"),
        pytest.param(REPENTANCE, (), True, (25, 25), id="restricted-repentance"),
    ],
)
def test_reprieve_as_life_commutation_range(
    merit: str, categories: tuple[str, ...], restricted: bool, years: tuple
) -> None:
    facts = death(merit=merit, categories=categories, restricted=restricted, reductions=TO_LIFE)
    decision = reduction_on(facts, D(2026, 1, 1))
    assert decision.commute_to is CommuteTo.FIXED_TERM
    assert decision.commute_to_years == years


TO_25 = (com(D(2020, 3, 10)), com(D(2023, 3, 20), 25))


@pytest.mark.parametrize(
    ("facts", "earliest"),
    [
        pytest.param(death(reductions=TO_25), D(2025, 3, 20), id="24m-after-commutation"),
        pytest.param(
            death(reductions=(*TO_25, red(D(2025, 4, 2), 9))), D(2027, 4, 2), id="24m-after-red"
        ),
        pytest.param(
            death(reductions=(com(D(2020, 3, 5), 25),)), D(2022, 3, 5), id="direct-25-from-ruling"
        ),
        pytest.param(death(restricted=True, reductions=TO_25), D(2025, 3, 20), id="restricted"),
        pytest.param(death(merit=MAJOR, reductions=TO_25), D(2023, 3, 20), id="major-lifts"),
        pytest.param(
            death(merit=MAJOR, restricted=True, reductions=TO_25),
            D(2023, 3, 20),
            id="major-lifts-restricted",
        ),
    ],
)
def test_reprieve_as_fixed_term_interval(facts: CaseFacts, earliest: dt.date) -> None:
    assert_threshold(reduction_on, facts, earliest)


@pytest.mark.parametrize(
    ("merit", "categories", "restricted", "max_months"),
    [
        pytest.param(REPENTANCE, (), False, 9, id="repentance"),
        pytest.param(BOTH, (), False, 12, id="both"),
        pytest.param(MAJOR, (), False, 18, id="major"),
        pytest.param(BOTH_MAJOR, (), False, 24, id="both-major"),
        pytest.param(BOTH_MAJOR, ("state_security",), False, 12, id="special-12"),
        pytest.param(REPENTANCE, (), True, 6, id="restricted-6"),
        pytest.param(BOTH, (), True, 6, id="restricted-both-6"),
        pytest.param(MAJOR, (), True, 12, id="restricted-major-12"),
        pytest.param(BOTH_MAJOR, (), True, 12, id="restricted-both-major-12"),
    ],
)
def test_reprieve_as_fixed_term_amounts(
    merit: str, categories: tuple[str, ...], restricted: bool, max_months: int
) -> None:
    facts = death(merit=merit, categories=categories, restricted=restricted, reductions=TO_25)
    assert reduction_on(facts, D(2026, 1, 1)).max_months == max_months


# Reprieve from 2018-03-01 ends 2020-03-01; commuted straight to 25 years, the term runs from
# 2020-03-01 (300 months). 15 years executed: until 2035-02-28, so at most 120 months come off;
# restricted and commuted to 25 years: 20 years, until 2040-02-29, so at most 60.
DIRECT_25 = (com(D(2020, 3, 5), 25),)


def _later(*months: int) -> tuple[Reduction, ...]:
    return tuple(red(D(2022 + 2 * number, 3, 5), amount) for number, amount in enumerate(months))


@pytest.mark.parametrize(
    ("facts", "max_months", "earliest"),
    [
        pytest.param(
            death(merit=BOTH_MAJOR, reductions=(*DIRECT_25, *_later(24, 24, 24, 24, 18))),
            6,
            D(2030, 3, 5),
            id="15y-6-left",
        ),
        pytest.param(
            death(merit=BOTH_MAJOR, reductions=(*DIRECT_25, *_later(24, 24, 24, 24, 24))),
            0,
            None,
            id="15y-used-up",
        ),
        pytest.param(
            death(restricted=True, reductions=(*DIRECT_25, *_later(12, 12, 12, 12))),
            6,
            D(2030, 3, 5),
            id="restricted-25y-20y-floor-12-left-capped-6",
        ),
        pytest.param(
            death(restricted=True, reductions=(*DIRECT_25, *_later(12, 12, 12, 12, 12))),
            0,
            None,
            id="restricted-25y-used-up",
        ),
        pytest.param(
            # To life 2020-03-10, to 25 years 2025-03-10 (until 2050-03-09); restricted and
            # commuted to life: 25 years from 2020-03-01, until 2045-02-28: 240 months must
            # remain, 60 may come off.
            death(
                restricted=True,
                merit=MAJOR,
                reductions=(com(D(2020, 3, 10)), com(D(2025, 3, 10), 25), red(D(2027, 3, 10), 12)),
            ),
            12,
            D(2027, 3, 10),
            id="restricted-via-life-25y-floor",
        ),
        pytest.param(
            death(
                restricted=True,
                merit=MAJOR,
                reductions=(
                    com(D(2020, 3, 10)),
                    com(D(2025, 3, 10), 25),
                    *[red(D(2027 + 2 * n, 3, 10), 12) for n in range(5)],
                ),
            ),
            0,
            None,
            id="restricted-via-life-used-up",
        ),
    ],
)
def test_reprieve_floors(facts: CaseFacts, max_months: int, earliest: dt.date | None) -> None:
    decision = reduction_on(facts, D(2036, 1, 1))
    assert decision.max_months == max_months
    assert decision.earliest_date == earliest


def test_reprieve_floor_text_and_basis() -> None:
    decision = reduction_on(death(reductions=DIRECT_25), D(2023, 1, 1))
    floor = reason(decision, "reduction.death_floor")
    assert floor.basis == "规定第十二条"
    assert "实际执行不得少于15年（不含缓期二年，自2020-03-01起，刑期不得早于2035-02-28届满）" in (
        floor.text
    )
    restricted = reduction_on(death(restricted=True, reductions=DIRECT_25), D(2023, 1, 1))
    assert reason(restricted, "reduction.death_floor").basis == "刑法第七十八条第二款第三项"
    assert reason(restricted, "reduction.death_amount").basis == "规定第十四条"


# --- Legal bases ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "code", "basis"),
    [
        pytest.param(fixed(3), "reduction.amount", "规定第六条第二款", id="ordinary-amount"),
        pytest.param(
            fixed(3, categories=("duty_crime",)), "reduction.amount", "规定第七条第一款", id="7-1"
        ),
        pytest.param(
            fixed(12, categories=("violent_10y",)), "reduction.amount", "规定第七条第二款", id="7-2"
        ),
        pytest.param(
            fixed(12, categories=("mafia",)),
            "reduction.first_threshold",
            "规定第七条第二款",
            id="t",
        ),
        pytest.param(
            fixed(12, merit=MAJOR), "reduction.first_threshold", "规定第六条第四款", id="6-4"
        ),
        pytest.param(
            fixed(3, merit=MAJOR, categories=("mafia",)),
            "reduction.first_threshold",
            "规定第七条第三款",
            id="7-3",
        ),
        pytest.param(fixed(3), "reduction.ceiling", "刑法第七十八条第二款", id="ceiling"),
        pytest.param(fixed(3), "reduction.term_end", "监狱法第三十五条", id="term-end"),
        pytest.param(life(), "reduction.life_threshold", "规定第八条", id="life"),
        pytest.param(
            life(categories=("mafia",)), "reduction.life_threshold", "规定第九条", id="life-9"
        ),
        pytest.param(
            life(merit=MAJOR), "reduction.life_threshold", "规定第八条第二款", id="life-major"
        ),
        pytest.param(
            life(reductions=COMMUTED_LIFE),
            "reduction.life_floor",
            "刑法第七十八条第二款第二项",
            id="life-floor",
        ),
        pytest.param(death(), "reduction.reprieve_end", "刑法第五十条第一款", id="reprieve"),
        pytest.param(
            death(reductions=TO_LIFE), "reduction.death_life_threshold", "规定第十条第一款", id="10"
        ),
        pytest.param(
            death(categories=("terrorism",), reductions=TO_LIFE),
            "reduction.death_life_threshold",
            "规定第十一条",
            id="11",
        ),
        pytest.param(
            death(restricted=True, reductions=TO_LIFE),
            "reduction.death_life_threshold",
            "规定第十三条",
            id="13",
        ),
        pytest.param(
            death(reductions=TO_25), "reduction.death_interval", "规定第十条第二款", id="10-2"
        ),
        pytest.param(
            death(restricted=True, reductions=TO_25),
            "reduction.death_interval",
            "规定第十四条",
            id="14",
        ),
    ],
)
def test_reduction_basis(facts: CaseFacts, code: str, basis: str) -> None:
    assert reason(reduction_on(facts, D(2030, 1, 1)), code).basis == basis


# --- Parole: fixed term -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "earliest"),
    [
        pytest.param(fixed(6), D(2023, 3, 1), id="even-72m-half-36"),
        pytest.param(fixed(6, detention=100), D(2022, 11, 22), id="detention-credited"),
        pytest.param(fixed(3, detention=200), D(2021, 2, 14), id="detention-200"),
        pytest.param(
            # 7 months after 2020-01-31 is 2020-08-31, 8 months 2020-09-30: 30 days, half 15.
            fixed(1, 3, start=D(2020, 1, 31)),
            D(2020, 9, 15),
            id="odd-15m-30-days",
        ),
        pytest.param(
            # 2021-01-01 .. 2021-02-01: 31 days, half rounded up to 16.
            fixed(1, 3, start=D(2020, 6, 1)),
            D(2021, 1, 17),
            id="odd-15m-31-days",
        ),
        pytest.param(
            # 2020-02-01 .. 2020-03-01: 29 days (leap), half rounded up to 15.
            fixed(1, 3, start=D(2019, 7, 1)),
            D(2020, 2, 16),
            id="odd-15m-29-days",
        ),
        pytest.param(
            # 2021-02-01 .. 2021-03-01: 28 days, half 14.
            fixed(1, 3, start=D(2020, 7, 1)),
            D(2021, 2, 15),
            id="odd-15m-28-days",
        ),
        pytest.param(fixed(2, start=D(2020, 2, 29)), D(2021, 2, 28), id="leap-day+12"),
        pytest.param(fixed(1, start=D(2020, 8, 31)), D(2021, 2, 28), id="aug31+6"),
        pytest.param(
            fixed(9, categories=("violent_10y",)), D(2024, 9, 1), id="violent-under-10y-allowed"
        ),
        pytest.param(fixed(12, categories=("combined_10y",)), D(2026, 3, 1), id="combined-ok"),
        pytest.param(fixed(6, categories=("duty_crime",)), D(2023, 3, 1), id="duty-crime-ok"),
        pytest.param(fixed(6, merit=BOTH_MAJOR), D(2023, 3, 1), id="merit-irrelevant"),
    ],
)
def test_parole_half_term(facts: CaseFacts, earliest: dt.date) -> None:
    assert_threshold(parole_on, facts, earliest)


@pytest.mark.parametrize(
    ("facts", "earliest"),
    [
        pytest.param(
            fixed(6, reductions=(red(D(2022, 6, 15), 9),)), D(2023, 6, 15), id="after-9-12m"
        ),
        pytest.param(
            fixed(6, reductions=(red(D(2022, 6, 15), 11),)), D(2023, 6, 15), id="after-11-12m"
        ),
        pytest.param(
            fixed(6, reductions=(red(D(2022, 6, 15), 12),)), D(2023, 12, 15), id="after-12-18m"
        ),
        pytest.param(
            fixed(6, reductions=(red(D(2022, 6, 15), 18),)), D(2023, 12, 15), id="after-18-18m"
        ),
        pytest.param(
            fixed(6, reductions=(red(D(2021, 10, 1), 9),)), D(2023, 3, 1), id="half-term-later"
        ),
        pytest.param(
            fixed(6, reductions=(red(D(2022, 8, 31), 9),)), D(2023, 8, 31), id="month-end"
        ),
        pytest.param(
            fixed(6, reductions=(red(D(2022, 8, 31), 12),)), D(2024, 2, 29), id="aug31+18-leap"
        ),
    ],
)
def test_parole_after_reduction(facts: CaseFacts, earliest: dt.date) -> None:
    assert_threshold(parole_on, facts, earliest)


def test_parole_after_term_end_is_null() -> None:
    # Two years from 2020-03-01 less 11 months ends 2021-03-31; half-term 2021-03-01 but the
    # 12-month wait after the 2021-03-05 ruling runs to 2022-03-05.
    facts = fixed(2, reductions=(red(D(2021, 3, 5), 11),))
    decision = parole_on(facts, D(2021, 3, 20))
    assert decision.earliest_date is None
    assert not decision.eligible
    assert reason(decision, "parole.term_end").not_after == D(2021, 3, 31)


def test_parole_not_eligible_after_release() -> None:
    facts = fixed(2)  # half-term 2021-03-01, ends 2022-02-28
    assert parole_on(facts, D(2022, 2, 28)).eligible
    assert not parole_on(facts, D(2022, 3, 1)).eligible


# --- Parole: life and death with reprieve ---------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "earliest"),
    [
        pytest.param(life(start=D(2010, 7, 1)), D(2023, 7, 1), id="life-13y"),
        pytest.param(life(start=D(2010, 7, 1), detention=300), D(2023, 7, 1), id="no-credit"),
        pytest.param(life(start=D(2012, 2, 29)), D(2025, 2, 28), id="leap-day"),
        pytest.param(
            life(start=D(2010, 7, 1), reductions=(com(D(2013, 1, 10), 22),)),
            D(2023, 7, 1),
            id="commuted-still-13y-from-start",
        ),
        pytest.param(
            life(start=D(2010, 1, 1), reductions=(com(D(2022, 6, 15), 22),)),
            D(2023, 12, 15),
            id="18m-after-commutation",
        ),
        pytest.param(
            life(start=D(2010, 1, 1), reductions=(com(D(2012, 6, 15), 22), red(D(2022, 6, 15), 9))),
            D(2023, 6, 15),
            id="12m-after-9-month-reduction",
        ),
        pytest.param(death(), D(2035, 3, 1), id="death-15y-after-reprieve"),
        pytest.param(death(reductions=TO_LIFE), D(2035, 3, 1), id="death-as-life"),
        pytest.param(death(reductions=TO_25), D(2035, 3, 1), id="death-as-25y"),
        pytest.param(
            death(start=D(2016, 2, 29), reductions=(com(D(2018, 3, 1)),)),
            D(2033, 2, 28),
            id="death-leap-day",
        ),
        pytest.param(
            death(reductions=(com(D(2020, 3, 10)), com(D(2034, 6, 1), 25))),
            D(2035, 12, 1),
            id="death-18m-after-late-commutation",
        ),
    ],
)
def test_parole_life_and_death(facts: CaseFacts, earliest: dt.date) -> None:
    assert_threshold(parole_on, facts, earliest)


@pytest.mark.parametrize(
    ("facts", "code"),
    [
        pytest.param(fixed(6, categories=("recidivist",)), "parole.recidivist", id="recidivist"),
        pytest.param(life(categories=("recidivist",)), "parole.recidivist", id="life-recidivist"),
        pytest.param(fixed(10, categories=("violent_10y",)), "parole.violent", id="violent-10y"),
        pytest.param(life(categories=("violent_10y",)), "parole.violent", id="violent-life"),
        pytest.param(
            life(categories=("violent_10y",), reductions=COMMUTED_LIFE),
            "parole.violent",
            id="violent-life-commuted",
        ),
        pytest.param(death(categories=("violent_10y",)), "parole.violent", id="violent-death"),
        pytest.param(
            fixed(3, categories=("property_unfulfilled",)), "parole.property", id="property"
        ),
        pytest.param(
            death(restricted=True, reductions=TO_25),
            "parole.restricted_reduction",
            id="restricted",
        ),
    ],
)
def test_parole_never(facts: CaseFacts, code: str) -> None:
    decision = parole_on(facts, D(2060, 1, 1))
    assert decision.earliest_date is None
    assert not decision.eligible
    outcome = reason(decision, code)
    assert outcome.never
    assert "不得假释" in outcome.text or "不予假释" in outcome.text


def test_parole_reasons_and_reminder() -> None:
    decision = parole_on(fixed(6, reductions=(red(D(2022, 6, 15), 9),)), D(2023, 7, 1))
    assert codes(decision) == [
        "parole.recidivist",
        "parole.violent",
        "parole.property",
        "parole.half_term",
        "parole.after_reduction",
        "parole.term_end",
        "parole.assessment",
    ]
    reminder = reason(decision, "parole.assessment")
    assert reminder.passes
    assert "再犯罪危险评估" in reminder.text
    assert decision.eligible
    half = reason(decision, "parole.half_term")
    assert half.basis == "刑法第八十一条第一款；规定第二十三条"
    assert "自刑期起算日（2020-03-01）起算，即2023-03-01起" in half.text
    death_codes = codes(parole_on(death(reductions=TO_25), D(2036, 1, 1)))
    assert death_codes == [
        "parole.recidivist",
        "parole.violent",
        "parole.restricted_reduction",
        "parole.property",
        "parole.death_executed",
        "parole.after_reduction",
        "parole.term_end",
        "parole.assessment",
    ]


# --- The output format --------------------------------------------------------------------


def test_assessment_to_json_fixed_term() -> None:
    facts = fixed(6, detention=100, reductions=(red(D(2021, 9, 10), 9),))
    result = assessment_to_json(assess(facts, D(2023, 1, 1)))
    assert set(result) == {"id", "reduction", "parole"}
    assert set(result["reduction"]) == {
        "eligible",
        "earliest_date",
        "max_months",
        "commute_to_years",
        "commute_to",
        "reasons",
    }
    assert set(result["parole"]) == {"eligible", "earliest_date", "reasons"}
    assert result["id"] == "case-1"
    assert result["reduction"]["eligible"] is True
    assert result["reduction"]["earliest_date"] == "2022-09-10"
    assert result["reduction"]["max_months"] == 9
    assert result["reduction"]["commute_to"] is None
    assert result["reduction"]["commute_to_years"] is None
    assert [item["rule"] for item in result["reduction"]["reasons"]] == [
        "reduction.interval",
        "reduction.amount",
        "reduction.ceiling",
        "reduction.term_end",
    ]
    assert set(result["reduction"]["reasons"][0]) == {"rule", "basis", "text"}
    # Term start 2019-11-22 (100 days credited); half of 72 months.
    assert result["parole"]["earliest_date"] == "2022-11-22"
    assert result["parole"]["eligible"] is True
    json.dumps(result, ensure_ascii=False)


def test_assessment_to_json_life_and_null_dates() -> None:
    result = assessment_to_json(assess(life(merit=BOTH), D(2016, 1, 1)))
    assert result["reduction"] == {
        "eligible": False,
        "earliest_date": "2017-07-01",
        "max_months": None,
        "commute_to_years": [21, 22],
        "commute_to": "fixed_term",
        "reasons": result["reduction"]["reasons"],
    }
    never = assessment_to_json(assess(fixed(6, categories=("recidivist",)), D(2024, 1, 1)))
    assert never["parole"]["earliest_date"] is None
    assert never["parole"]["eligible"] is False
    reprieve = assessment_to_json(assess(death(), D(2019, 1, 1)))
    assert reprieve["reduction"]["commute_to"] == "life"
    assert reprieve["reduction"]["commute_to_years"] is None


def test_reasons_are_stable_and_complete() -> None:
    facts = fixed(6)
    first = assessment_to_json(assess(facts, D(2022, 1, 1)))
    second = assessment_to_json(assess(facts, D(2022, 1, 1)))
    assert first == second
    for stage, rules in (*REDUCTION_RULES.items(), *PAROLE_RULES.items()):
        assert len({rule.code for rule in rules}) == len(rules), stage
        for rule in rules:
            assert rule.basis and rule.title and rule.description, rule.code


def test_reasons_are_built_once_and_read_as_text() -> None:
    decision = assess(life(reductions=COMMUTED_LIFE), D(2020, 1, 1)).reduction
    assert decision.reasons is decision.reasons
    assert all(isinstance(outcome.text, str) and outcome.text for outcome in decision.reasons)
    assert "Decision(eligible=True" in repr(decision)


def test_every_outcome_passes_consistently_with_the_decision() -> None:
    samples = [
        fixed(6, reductions=(red(D(2021, 9, 10), 9),)),
        life(reductions=COMMUTED_LIFE),
        death(reductions=TO_25),
        fixed(3, categories=("recidivist",)),
    ]
    for facts in samples:
        for on in (D(2021, 1, 1), D(2026, 1, 1), D(2040, 1, 1)):
            assessment = assess(facts, on)
            assert isinstance(assessment, Assessment)
            for decision in (assessment.reduction, assessment.parole):
                assert decision.eligible == all(outcome.passes for outcome in decision.reasons)


# --- Rule sets ----------------------------------------------------------------------------


def test_default_ruleset() -> None:
    assert DEFAULT_RULESET.version == "法释〔2016〕23号"
    assert DEFAULT_RULESET.effective_from == D(2017, 1, 1)
    assert DEFAULT_RULESET.reduction_amounts[Merit.REPENTANCE_AND_MAJOR_MERITORIOUS] == 24
    assert DEFAULT_RULESET.life_commutation_years[Merit.MAJOR_MERITORIOUS] == (20, 21)
    assert hash(DEFAULT_RULESET) == hash(RuleSet())


def test_tightened_ruleset_applies() -> None:
    hubei = DEFAULT_RULESET.with_overrides(
        version="法释〔2016〕23号（湖北从严）",
        first_threshold_under_5_years=15,
        reduction_amounts={"repentance": 6},
        parole_after_reduction=14,
    )
    assert hubei.version == "法释〔2016〕23号（湖北从严）"
    assert DEFAULT_RULESET.first_threshold_under_5_years == 12
    facts = fixed(3, reductions=())
    decision = assess(facts, D(2021, 6, 1), hubei).reduction
    assert decision.earliest_date == D(2021, 6, 1)
    assert decision.max_months == 6
    reduced = fixed(6, reductions=(red(D(2022, 6, 15), 9),))
    assert assess(reduced, D(2023, 1, 1), hubei).parole.earliest_date == D(2023, 8, 15)


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        pytest.param({"first_threshold_under_5_years": 6}, "first_threshold_under_5_years"),
        pytest.param({"life_interval": 23}, "life_interval"),
        pytest.param({"special_amount_cap": 13}, "special_amount_cap"),
        pytest.param({"restricted_amount_cap": 7}, "restricted_amount_cap"),
        pytest.param({"reduction_amounts": {"repentance": 10}}, "reduction_amounts[repentance]"),
        pytest.param(
            {"life_commutation_years": {"major_meritorious": [19, 21]}},
            "life_commutation_years[major_meritorious][0]",
        ),
        pytest.param({"parole_large_reduction": 13}, "parole_large_reduction"),
        pytest.param({"parole_death_min_executed": 179}, "parole_death_min_executed"),
        pytest.param({"life_interval": True}, "life_interval"),
        pytest.param({"life_interval": 30.0}, "life_interval"),
        pytest.param({"no_such_number": 3}, "no_such_number"),
        pytest.param({"reduction_amounts": {"genius": 3}}, "reduction_amounts['genius']"),
        pytest.param({"effective_from": D(2016, 1, 1)}, "effective_from"),
    ],
)
def test_ruleset_refuses_to_loosen(overrides: dict, named: str) -> None:
    with pytest.raises(ValueError, match=named.replace("[", r"\[").replace("]", r"\]")):
        DEFAULT_RULESET.with_overrides(**overrides)


def test_tightening_is_relative_to_the_copy() -> None:
    strict = DEFAULT_RULESET.with_overrides(life_interval=30)
    assert strict.with_overrides(life_interval=36).life_interval == 36
    with pytest.raises(ValueError, match="life_interval"):
        strict.with_overrides(life_interval=24)


def test_ruleset_round_trips_through_json() -> None:
    strict = DEFAULT_RULESET.with_overrides(
        version="湖北", life_commutation_years={"repentance": [23, 23]}
    )
    stored = json.loads(json.dumps(strict.to_dict(), ensure_ascii=False))
    assert stored["effective_from"] == "2017-01-01"
    assert stored["reduction_amounts"]["repentance"] == 9
    assert stored["life_commutation_years"]["repentance"] == [23, 23]
    restored = RuleSet.from_dict(stored)
    assert restored == strict
    assert restored.life_commutation_years[Merit.REPENTANCE] == (23, 23)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        pytest.param(lambda data: data.pop("life_interval"), "life_interval", id="missing"),
        pytest.param(lambda data: data.update(bonus=1), "bonus", id="unknown"),
        pytest.param(
            lambda data: data.update(effective_from="2017-13-01"), "effective_from", id="bad-date"
        ),
        pytest.param(
            lambda data: data["reduction_amounts"].pop("meritorious"),
            r"reduction_amounts\[meritorious\]",
            id="missing-merit",
        ),
        pytest.param(
            lambda data: data.update(special_amount_cap="12"), "special_amount_cap", id="string"
        ),
    ],
)
def test_ruleset_from_bad_dict(change, named: str) -> None:
    data = DEFAULT_RULESET.to_dict()
    change(data)
    with pytest.raises(ValueError, match=named):
        RuleSet.from_dict(data)


# --- Temporary execution outside prison (刑事诉讼法第二百六十五条) -------------------------


ILL = TemporaryConditions(serious_illness=True)
PREGNANT = TemporaryConditions(pregnant_or_nursing=True)
HELPLESS = TemporaryConditions(unable_to_self_care=True)


@pytest.mark.parametrize(
    ("facts", "conditions", "grounds"),
    [
        pytest.param(fixed(6), ILL, ("serious_illness",), id="fixed-ill"),
        pytest.param(
            fixed(6),
            TemporaryConditions(serious_illness=True, may_endanger_society=True),
            (),
            id="fixed-ill-dangerous",
        ),
        pytest.param(
            fixed(6),
            TemporaryConditions(serious_illness=True, self_harm_to_obtain=True),
            (),
            id="fixed-ill-self-harm",
        ),
        pytest.param(fixed(6), PREGNANT, ("pregnant_or_nursing",), id="fixed-pregnant"),
        pytest.param(
            fixed(6),
            TemporaryConditions(pregnant_or_nursing=True, may_endanger_society=True),
            ("pregnant_or_nursing",),
            id="fixed-pregnant-danger-not-a-bar",
        ),
        pytest.param(fixed(6), HELPLESS, ("unable_to_self_care",), id="fixed-self-care"),
        pytest.param(
            fixed(6),
            TemporaryConditions(unable_to_self_care=True, may_endanger_society=True),
            (),
            id="fixed-self-care-dangerous",
        ),
        pytest.param(
            fixed(6),
            TemporaryConditions(unable_to_self_care=True, self_harm_to_obtain=True),
            ("unable_to_self_care",),
            id="fixed-self-care-self-harm-bars-only-medical",
        ),
        pytest.param(
            fixed(6),
            TemporaryConditions(serious_illness=True, pregnant_or_nursing=True),
            ("serious_illness", "pregnant_or_nursing"),
            id="fixed-two-grounds",
        ),
        pytest.param(fixed(6), TemporaryConditions(), (), id="fixed-no-ground"),
        pytest.param(life(), PREGNANT, ("pregnant_or_nursing",), id="life-pregnant"),
        pytest.param(life(), ILL, (), id="life-ill"),
        pytest.param(life(), HELPLESS, (), id="life-self-care"),
        pytest.param(
            life(reductions=COMMUTED_LIFE), ILL, ("serious_illness",), id="life-commuted-ill"
        ),
        pytest.param(death(), PREGNANT, (), id="death-pregnant"),
        pytest.param(death(), ILL, (), id="death-ill"),
        pytest.param(
            death(reductions=TO_LIFE), PREGNANT, ("pregnant_or_nursing",), id="death-as-life"
        ),
        pytest.param(death(reductions=TO_LIFE), ILL, (), id="death-as-life-ill"),
        pytest.param(death(reductions=TO_25), HELPLESS, ("unable_to_self_care",), id="death-25"),
    ],
)
def test_temporary_execution(
    facts: CaseFacts, conditions: TemporaryConditions, grounds: tuple[str, ...]
) -> None:
    result = temporary_execution(facts, conditions)
    assert result.grounds == tuple(TemporaryGround(ground) for ground in grounds)
    assert result.applicable is bool(grounds)
    assert [reason.code for reason in result.reasons] == [
        "temporary.sentence_type",
        "temporary.serious_illness",
        "temporary.pregnant_or_nursing",
        "temporary.unable_to_self_care",
        "temporary.approval",
    ]
    for item in result.reasons:
        assert item.basis.startswith("刑事诉讼法第二百六十五条")
    as_json = temporary_to_json(result)
    assert as_json["grounds"] == list(grounds)
    assert as_json["applicable"] is bool(grounds)


def test_temporary_execution_explains_the_bar() -> None:
    result = temporary_execution(
        fixed(6), TemporaryConditions(serious_illness=True, self_harm_to_obtain=True)
    )
    (illness,) = [item for item in result.reasons if item.code == "temporary.serious_illness"]
    assert "自伤自残" in illness.text
    assert not illness.passes


# --- Speed --------------------------------------------------------------------------------


def test_screening_50000_prisoners_is_fast() -> None:
    """A province-wide screening: 50,000 mixed cases, results kept. Well under a second on an
    idle machine; the bound leaves room for a loaded CI runner."""
    samples = [
        fixed(6, detention=100, reductions=(red(D(2021, 9, 10), 9),)),
        fixed(12, categories=("violent_10y",), merit=BOTH),
        life(reductions=COMMUTED_LIFE),
        death(reductions=TO_25),
        death(restricted=True, reductions=TO_LIFE),
    ]
    cases = [samples[index % len(samples)] for index in range(50_000)]
    started = time.process_time()
    results = assess_many(cases, D(2024, 1, 1))
    elapsed = time.process_time() - started
    assert len(results) == 50_000
    assert elapsed < 5.0
