"""The procedure a case follows (pure: no ORM), as the rules document sets it out.

监区 collective discussion and proposal → 刑罚执行科 review → 评审中心 evaluation → 评审委员会
→ public notice (at least 5 working days; objections answered) → 监狱长办公会 → sent to the
court with a copy to the procuratorate (life sentences through the bureau to the high court) →
ruling recorded. Temporary execution outside prison ends with the bureau's approval instead.

Each transition names the permission it needs and whether it is a *decision* step. The people
who take the decision steps of one case must all be different (separation of duties); the
clerical acts of the penalty-execution section (publishing the notice, answering objections,
sending the case on, recording the ruling) are open to any holder of that section's permission
who has not decided at an earlier step of the same case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

PROPOSED = "proposed"
SECTION_REVIEWED = "section_reviewed"
CENTRE_REVIEWED = "centre_reviewed"
COMMITTEE_APPROVED = "committee_approved"
IN_NOTICE = "in_notice"
NOTICE_CLOSED = "notice_closed"
DIRECTOR_APPROVED = "director_approved"
SUBMITTED = "submitted"
SUBMITTED_TO_BUREAU = "submitted_to_bureau"
CLOSED = "closed"

NOTICE_WORKING_DAYS = 5


@dataclass(frozen=True)
class Transition:
    code: str
    label: str
    source: str
    target: str
    permission: str
    decision: bool  # a decision step: its actor may act at no other step of the case
    kinds: tuple[str, ...] = ("reduction", "parole", "temporary")


TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "section_review",
        "刑罚执行科审查",
        PROPOSED,
        SECTION_REVIEWED,
        "sentencing.review_section",
        True,
    ),
    Transition(
        "centre_review",
        "评审中心评审",
        SECTION_REVIEWED,
        CENTRE_REVIEWED,
        "sentencing.review_centre",
        True,
    ),
    Transition(
        "committee",
        "评审委员会评审",
        CENTRE_REVIEWED,
        COMMITTEE_APPROVED,
        "sentencing.decide_committee",
        True,
    ),
    Transition(
        "publish_notice",
        "狱内公示",
        COMMITTEE_APPROVED,
        IN_NOTICE,
        "sentencing.review_section",
        False,
    ),
    Transition(
        "close_notice", "公示结束", IN_NOTICE, NOTICE_CLOSED, "sentencing.review_section", False
    ),
    Transition(
        "director",
        "监狱长办公会决定",
        NOTICE_CLOSED,
        DIRECTOR_APPROVED,
        "sentencing.decide_director",
        True,
    ),
    Transition(
        "submit_court",
        "提请人民法院(抄送检察院)",
        DIRECTOR_APPROVED,
        SUBMITTED,
        "sentencing.review_section",
        False,
        ("reduction", "parole"),
    ),
    Transition(
        "record_ruling",
        "登记法院裁定",
        SUBMITTED,
        CLOSED,
        "sentencing.review_section",
        False,
        ("reduction", "parole"),
    ),
    Transition(
        "submit_bureau",
        "报省局审批",
        DIRECTOR_APPROVED,
        SUBMITTED_TO_BUREAU,
        "sentencing.review_section",
        False,
        ("temporary",),
    ),
    Transition(
        "bureau_approval",
        "省局审批",
        SUBMITTED_TO_BUREAU,
        CLOSED,
        "sentencing.approve_temporary",
        True,
        ("temporary",),
    ),
)
BY_CODE = {t.code: t for t in TRANSITIONS}

# Steps where the case may be turned down inside the prison (不予提请), closing it.
REJECTABLE = {"section_review", "centre_review", "committee", "director", "bureau_approval"}


def available(kind: str, status: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == status and kind in t.kinds]


@dataclass(frozen=True)
class PastAct:
    step: str
    actor_id: int


def separation_problem(
    transition: Transition | str, actor_id: int, past: Iterable[PastAct]
) -> str | None:
    """Why ``actor_id`` may not take ``transition`` given the acts already on the case, or
    ``None``. The proposer counts as a decision-taker ("propose")."""
    code = transition if isinstance(transition, str) else transition.code
    if code == "withdraw":  # the proposer takes back their own proposal (services check who)
        return None
    acted = {a.step for a in past if a.actor_id == actor_id}
    if _is_decision(code) and acted - {code}:
        return "您已在本案其他环节履职,按分权要求不能再办理本环节。"
    if not _is_decision(code) and any(_is_decision(step) for step in acted):
        return "您已在本案的决策环节履职,按分权要求不能再办理本环节。"
    return None


def _is_decision(step: str) -> bool:
    return step == "propose" or (step in BY_CODE and BY_CODE[step].decision)


def working_days_after(
    start: dt.date, count: int, is_working: Callable[[dt.date], bool]
) -> dt.date:
    """The last day of a period of ``count`` working days beginning on ``start`` (``start``
    counts when it is a working day)."""
    day = start
    seen = 0
    while True:
        if is_working(day):
            seen += 1
            if seen == count:
                return day
        day += dt.timedelta(days=1)


def weekday_calendar(exceptions: dict[dt.date, bool]) -> Callable[[dt.date], bool]:
    """Monday to Friday are working days, except where ``exceptions`` says otherwise."""

    def is_working(day: dt.date) -> bool:
        if day in exceptions:
            return exceptions[day]
        return day.weekday() < 5

    return is_working
