"""Member development: order of steps, periods to the day, conditions, reasons, due dates."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace

import pytest

from tongxin.party.development import (
    PIPELINE,
    CaseFacts,
    DevelopmentRules,
    Stage,
    add_months,
    check_application,
    check_extension,
    check_step,
    due_soon,
    earliest_date,
    next_step,
)

D = dt.date


def rules_of(reasons) -> list[str]:
    return [reason.rule for reason in reasons]


# A case that satisfies every condition at every stage; tests change one thing at a time.
APPLICANT = CaseFacts(
    birth_date=D(1995, 6, 15),
    applied_on=D(2022, 3, 1),
    stage=Stage.APPLICANT,
    contact_persons=2,
)
ACTIVIST = replace(APPLICANT, stage=Stage.ACTIVIST, activist_on=D(2022, 4, 12))
CANDIDATE = replace(
    ACTIVIST,
    stage=Stage.CANDIDATE,
    candidate_on=D(2023, 5, 10),
    political_review_done=True,
    training_hours_as_candidate=24,
)
PROBATIONARY = replace(CANDIDATE, stage=Stage.PROBATIONARY, probationary_on=D(2023, 7, 1))
FULL = replace(PROBATIONARY, stage=Stage.FULL, full_on=D(2024, 7, 1))
WITHDRAWN = replace(ACTIVIST, stage=Stage.WITHDRAWN)
FACTS = {
    Stage.APPLICANT: APPLICANT,
    Stage.ACTIVIST: ACTIVIST,
    Stage.CANDIDATE: CANDIDATE,
    Stage.PROBATIONARY: PROBATIONARY,
    Stage.FULL: FULL,
    Stage.WITHDRAWN: WITHDRAWN,
}
FAR_FUTURE = D(2030, 1, 1)


# --- Dates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (D(2023, 3, 15), 12, D(2024, 3, 15)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2024, 2, 29), 48, D(2028, 2, 29)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2023, 1, 31), 1, D(2023, 2, 28)),
        (D(2023, 8, 31), 1, D(2023, 9, 30)),
        (D(2023, 12, 31), 2, D(2024, 2, 29)),
        (D(2024, 2, 29), 18, D(2025, 8, 29)),  # counted from the original date, not chained
        (D(2023, 7, 1), -12, D(2022, 7, 1)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(start, months, end):
    assert add_months(start, months) == end


# --- Order --------------------------------------------------------------------------------

NEXT = dict(itertools.pairwise(PIPELINE))
OUT_OF_ORDER = [
    (current, to)
    for current in Stage
    for to in Stage
    if to != NEXT.get(current) and not (to == Stage.WITHDRAWN and current in NEXT)
]


def test_there_are_out_of_order_steps_for_every_stage():
    assert {current for current, _ in OUT_OF_ORDER} == set(Stage)
    assert (Stage.APPLICANT, Stage.CANDIDATE) in OUT_OF_ORDER
    assert (Stage.PROBATIONARY, Stage.ACTIVIST) in OUT_OF_ORDER
    assert (Stage.FULL, Stage.WITHDRAWN) in OUT_OF_ORDER


@pytest.mark.parametrize(("current", "to"), OUT_OF_ORDER)
def test_every_out_of_order_step_is_refused(current, to):
    reasons = check_step(FACTS[current], to, FAR_FUTURE)
    assert rules_of(reasons) == ["stage_order"]
    assert reasons[0].basis == "《中国共产党发展党员工作细则》"


def test_out_of_order_message_names_the_expected_step():
    (reason,) = check_step(APPLICANT, Stage.CANDIDATE, FAR_FUTURE)
    assert reason.text == "当前为「入党申请人」,下一步只能是「入党积极分子」,不能办理「发展对象」"
    (reason,) = check_step(FULL, Stage.WITHDRAWN, FAR_FUTURE)
    assert "已是「正式党员」" in reason.text


@pytest.mark.parametrize(
    "facts", [APPLICANT, ACTIVIST, CANDIDATE, PROBATIONARY], ids=lambda f: f.stage
)
def test_the_in_order_step_and_withdrawal_are_allowed_for_a_complete_case(facts):
    assert check_step(facts, NEXT[facts.stage], FAR_FUTURE) == []
    assert check_step(facts, Stage.WITHDRAWN, facts.applied_on) == []


# --- Applying and becoming an activist ----------------------------------------------------


def test_under_18_applicant_is_refused():
    born = D(2006, 5, 20)
    assert check_application(birth_date=born, applied_on=D(2024, 5, 20)) == []
    (reason,) = check_application(birth_date=born, applied_on=D(2024, 5, 19))
    assert reason.rule == "applicant_age"
    assert reason.basis == "《中国共产党发展党员工作细则》第五条"
    assert "2024年5月20日" in reason.text


def test_born_on_29_february_is_18_on_28_february():
    born = D(2008, 2, 29)
    assert check_application(birth_date=born, applied_on=D(2026, 2, 28)) == []
    assert rules_of(check_application(birth_date=born, applied_on=D(2026, 2, 27))) == [
        "applicant_age"
    ]


def test_an_application_made_under_18_cannot_lead_to_activist():
    under_age = replace(APPLICANT, birth_date=D(2005, 1, 1), applied_on=D(2022, 12, 31))
    assert rules_of(check_step(under_age, Stage.ACTIVIST, D(2023, 6, 1))) == ["applicant_age"]


def test_activist_not_before_the_application():
    assert check_step(APPLICANT, Stage.ACTIVIST, APPLICANT.applied_on) == []
    (reason,) = check_step(APPLICANT, Stage.ACTIVIST, D(2022, 2, 28))
    assert reason.rule == "after_application"
    assert "最早可于2022年3月1日进行" in reason.text


@pytest.mark.parametrize(("count", "allowed"), [(0, False), (1, True), (2, True), (3, False)])
def test_an_activist_needs_one_or_two_contact_persons(count, allowed):
    applicant = replace(APPLICANT, contact_persons=count)
    activist = replace(ACTIVIST, contact_persons=count)
    for facts, to in ((applicant, Stage.ACTIVIST), (activist, Stage.CANDIDATE)):
        reasons = check_step(facts, to, FAR_FUTURE)
        assert (reasons == []) is allowed
        if not allowed:
            assert rules_of(reasons) == ["contact_persons"]
            assert reasons[0].basis.endswith("第九条")


def test_activist_without_contact_persons_message():
    (reason,) = check_step(replace(ACTIVIST, contact_persons=0), Stage.CANDIDATE, FAR_FUTURE)
    assert reason.text == "尚未指定培养联系人,应指定1至2名正式党员作为培养联系人"


# --- Activist to candidate: one year -------------------------------------------------------


def test_candidate_on_the_day_one_year_is_complete_and_not_the_day_before():
    # Activist on 2022-04-12.
    assert check_step(ACTIVIST, Stage.CANDIDATE, D(2023, 4, 12)) == []
    (reason,) = check_step(ACTIVIST, Stage.CANDIDATE, D(2023, 4, 11))
    assert reason.rule == "activist_education"
    assert reason.basis == "《中国共产党发展党员工作细则》第十三条"
    assert "最早可于2023年4月12日进行" in reason.text


def test_leap_day_activist_may_become_candidate_on_28_february():
    leap = replace(ACTIVIST, activist_on=D(2024, 2, 29))
    assert earliest_date(leap, Stage.CANDIDATE) == D(2025, 2, 28)
    assert check_step(leap, Stage.CANDIDATE, D(2025, 2, 28)) == []
    (reason,) = check_step(leap, Stage.CANDIDATE, D(2025, 2, 27))
    assert "最早可于2025年2月28日进行" in reason.text


def test_missing_activist_date_is_a_reason_not_a_crash():
    facts = replace(ACTIVIST, activist_on=None)
    assert rules_of(check_step(facts, Stage.CANDIDATE, FAR_FUTURE)) == ["activist_education"]
    step = next_step(facts, today=FAR_FUTURE)
    assert step.earliest_on is None
    assert not step.allowed_now


# --- Candidate to probationary: review and training ----------------------------------------


def test_candidate_with_23_training_hours_is_refused():
    facts = replace(CANDIDATE, training_hours_as_candidate=23)
    (reason,) = check_step(facts, Stage.PROBATIONARY, FAR_FUTURE)
    assert reason.rule == "short_training"
    assert reason.basis == "《中国共产党发展党员工作细则》第十七条"
    assert reason.text == "发展对象短期集中培训为23学时,应不少于三天(或不少于24个学时)"
    assert (
        check_step(replace(facts, training_hours_as_candidate=24), Stage.PROBATIONARY, FAR_FUTURE)
        == []
    )


def test_candidate_without_political_review_is_refused():
    facts = replace(CANDIDATE, political_review_done=False, training_hours_as_candidate=0)
    reasons = check_step(facts, Stage.PROBATIONARY, FAR_FUTURE)
    assert rules_of(reasons) == ["political_review", "short_training"]
    assert reasons[0].basis.endswith("第十六条")


def test_probationary_not_before_candidacy():
    assert check_step(CANDIDATE, Stage.PROBATIONARY, D(2023, 5, 10)) == []
    (reason,) = check_step(CANDIDATE, Stage.PROBATIONARY, D(2023, 5, 9))
    assert reason.rule == "after_candidacy"
    assert "最早可于2023年5月10日进行" in reason.text


# --- Probation ----------------------------------------------------------------------------


def test_full_membership_on_the_anniversary_of_admission():
    # Probationary on 2023-07-01.
    assert earliest_date(PROBATIONARY, Stage.FULL) == D(2024, 7, 1)
    assert check_step(PROBATIONARY, Stage.FULL, D(2024, 7, 1)) == []
    (reason,) = check_step(PROBATIONARY, Stage.FULL, D(2024, 6, 30))
    assert reason.rule == "probation_period"
    assert reason.basis == "《中国共产党章程》第七条;《中国共产党发展党员工作细则》第三十二条"
    assert "最早可于2024年7月1日进行" in reason.text


def test_leap_day_probation_ends_on_28_february():
    leap = replace(PROBATIONARY, probationary_on=D(2024, 2, 29))
    assert check_step(leap, Stage.FULL, D(2025, 2, 28)) == []
    assert check_step(leap, Stage.FULL, D(2025, 2, 27)) != []


@pytest.mark.parametrize(
    ("extension", "day_before", "day_of"),
    [(6, D(2024, 12, 31), D(2025, 1, 1)), (12, D(2025, 6, 30), D(2025, 7, 1))],
)
def test_extended_probation_ends_later(extension, day_before, day_of):
    facts = replace(PROBATIONARY, probation_extended_months=extension)
    assert check_step(facts, Stage.FULL, day_of) == []
    (reason,) = check_step(facts, Stage.FULL, day_before)
    assert f"已延长{extension}个月" in reason.text


@pytest.mark.parametrize("extension", [13, 24, -1, 3])
def test_probation_extension_outside_six_to_twelve_months_is_refused(extension):
    facts = replace(PROBATIONARY, probation_extended_months=extension)
    reasons = check_step(facts, Stage.FULL, FAR_FUTURE)
    assert "probation_extension" in rules_of(reasons)


def test_deciding_an_extension():
    assert check_extension(PROBATIONARY, months=6) == []
    assert check_extension(PROBATIONARY, months=12) == []
    assert rules_of(check_extension(PROBATIONARY, months=13)) == ["probation_extension"]
    assert rules_of(check_extension(PROBATIONARY, months=5)) == ["probation_extension"]
    assert rules_of(check_extension(PROBATIONARY, months=0)) == ["probation_extension"]
    extended = replace(PROBATIONARY, probation_extended_months=6)
    assert rules_of(check_extension(extended, months=6)) == ["extension_once"]
    assert rules_of(check_extension(CANDIDATE, months=6)) == ["extension_stage"]


# --- Next step and due dates --------------------------------------------------------------


def test_next_step_explains_itself():
    step = next_step(ACTIVIST, today=D(2023, 1, 1))
    assert step.stage_to == Stage.CANDIDATE
    assert step.earliest_on == D(2023, 4, 12)
    assert not step.allowed_now
    assert rules_of(step.reasons) == ["activist_education"]

    step = next_step(ACTIVIST, today=D(2023, 4, 12))
    assert step.allowed_now and step.reasons == []


def test_next_step_lists_missing_conditions_beside_the_period():
    facts = replace(ACTIVIST, contact_persons=0)
    step = next_step(facts, today=D(2023, 1, 1))
    assert rules_of(step.reasons) == ["activist_education", "contact_persons"]


@pytest.mark.parametrize("facts", [FULL, WITHDRAWN], ids=lambda f: f.stage)
def test_no_next_step_after_the_end(facts):
    step = next_step(facts, today=FAR_FUTURE)
    assert step.stage_to is None and step.earliest_on is None and not step.allowed_now


def test_rules_are_configuration():
    strict = DevelopmentRules(candidate_training_hours=32, activist_education_months=18)
    assert rules_of(check_step(CANDIDATE, Stage.PROBATIONARY, FAR_FUTURE, rules=strict)) == [
        "short_training"
    ]
    assert earliest_date(ACTIVIST, Stage.CANDIDATE, rules=strict) == D(2023, 10, 12)


def test_due_soon_lists_steps_becoming_possible_within_the_window():
    today = D(2024, 6, 10)
    cases = {
        1: PROBATIONARY,  # full on 2024-07-01: in 21 days
        2: replace(ACTIVIST, activist_on=D(2023, 7, 10)),  # candidate on 2024-07-10: 30 days
        3: replace(ACTIVIST, activist_on=D(2023, 7, 11)),  # 31 days: outside
        4: replace(PROBATIONARY, probationary_on=D(2023, 6, 10)),  # today
        5: replace(PROBATIONARY, probationary_on=D(2023, 5, 1)),  # overdue
        6: FULL,
        7: replace(ACTIVIST, activist_on=D(2023, 6, 20), contact_persons=0),  # due, not ready
    }
    due = due_soon(cases, today)
    assert [item.key for item in due] == [4, 7, 1, 2]
    assert [item.step.earliest_on for item in due] == [
        D(2024, 6, 10),
        D(2024, 6, 20),
        D(2024, 7, 1),
        D(2024, 7, 10),
    ]
    assert rules_of(due[1].step.reasons) == ["activist_education", "contact_persons"]
    assert [item.key for item in due_soon(cases, today, within_days=20)] == [4, 7]
    assert [item.key for item in due_soon(cases.items(), today, include_overdue=True)][:2] == [5, 4]
