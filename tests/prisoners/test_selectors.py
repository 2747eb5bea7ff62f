"""Reads: scope, filters, the ledger with its running total, the merit level and what it rests
on, and the sentence as it is shown."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone

from tests.conftest import make_officer
from tests.prisoners.conftest import base_line, make_prisoner, months_back
from tongxin.prisoners import conduct, selectors, services
from tongxin.prisoners.models import (
    PointsEntry,
    PointsKind,
    Punishment,
    Reward,
    RewardKind,
    SentenceChange,
    SentenceType,
    Violation,
    sentence_text,
)

pytestmark = pytest.mark.django_db


def names(rows) -> set[str]:
    return {p.name for p in rows}


# --- scope and filters -----------------------------------------------------------------------


def test_each_user_sees_only_their_subtree(people, district_a, district_b, penalty_a, inspector):
    assert names(selectors.prisoners_for(district_a)) == {"张某"}
    assert names(selectors.prisoners_for(district_b)) == {"王某"}
    assert names(selectors.prisoners_for(penalty_a)) == {"张某", "李某"}
    assert names(selectors.prisoners_for(inspector)) == {"张某", "李某", "王某"}


def test_detail_outside_the_scope_is_a_404(people, penalty_a):
    assert selectors.prisoner_for(penalty_a, people.a.pk) == people.a
    with pytest.raises(Http404):
        selectors.prisoner_for(penalty_a, people.b.pk)


def test_filters(tree, people, inspector):
    make_prisoner(
        tree.district_a1,
        "赵某某",
        number="9900000001",
        sentence_type=SentenceType.LIFE,
        term_years=0,
        term_months=0,
        categories=["duty_crime", "financial"],
        status="paroled",
    )
    make_prisoner(tree.district_b1, "钱某", is_recidivist=True)
    make_prisoner(tree.district_b1, "孙某", categories=["recidivist"])
    make_prisoner(tree.district_a2, "周某", property_able_unfulfilled=True)

    def find(**filters):
        return names(selectors.prisoners_for(inspector, **filters))

    assert find(search="赵") == {"赵某某"}
    assert find(search="990000") == {"赵某某"}
    assert find(search="0000001") == set()  # numbers match from the start only
    assert find(status="paroled") == {"赵某某"}
    assert find(sentence_type=SentenceType.LIFE) == {"赵某某"}
    assert find(category="financial") == {"赵某某"}
    assert find(category="duty_crime") == {"赵某某"}
    assert find(category="mafia") == set()
    assert find(category="recidivist") == {"钱某", "孙某"}
    assert find(category="property_unfulfilled") == {"周某"}
    assert find(under=tree.prison_b) == {"王某", "钱某", "孙某"}
    assert find(under=tree.district_a2) == {"李某", "周某"}
    assert find(under=tree.prison_a, status="in_custody") == {"张某", "李某", "周某"}


def test_ledger_rows_are_scoped(people, district_a, inspector, officer_a, officers):
    today = timezone.localdate()
    for prisoner, officer in ((people.a, officer_a), (people.b, officers["b1"])):
        base_line(prisoner, months_back(1), officer=officer)
        Reward.objects.create(prisoner=prisoner, kind="material", awarded_on=today, reason="x")
        Punishment.objects.create(prisoner=prisoner, kind="warning", decided_on=today, reason="x")
        Violation.objects.create(
            prisoner=prisoner, severity="ordinary", occurred_on=today, description="x"
        )
    for read in (
        selectors.points_for,
        selectors.rewards_for,
        selectors.punishments_for,
        selectors.violations_for,
    ):
        assert {row.prisoner for row in read(district_a)} == {people.a}
        assert {row.prisoner for row in read(inspector)} == {people.a, people.b}


# --- the officers of a prison ----------------------------------------------------------------


def test_prison_of_and_its_officers(tree, people, officers):
    assert selectors.prison_of(people.a.unit) == tree.prison_a
    assert selectors.prison_of(tree.prison_b) == tree.prison_b
    assert selectors.prison_of(tree.bureau) is None
    make_officer(tree.district_a1, "离职民警", is_active=False)
    make_officer(tree.bureau, "局机关民警")
    assert set(selectors.prison_officers(people.a)) == {officers["a1"], officers["a2"]}
    assert set(selectors.prison_officers(people.b)) == {officers["b1"], officers["b2"]}


# --- the ledger ---------------------------------------------------------------------------------


def test_ledger_by_month_with_running_total_in_one_query(
    people, district_a, officer_a, django_assert_num_queries
):
    base_line(people.a, months_back(3), "100", officer_a)
    base_line(people.a, months_back(2), "90", officer_a)
    addition = services.record_adjustment(
        user=district_a,
        prisoner=people.a,
        month=months_back(2),
        points="5",
        reason="劳动竞赛",
        officer=officer_a,
    )
    services.record_adjustment(
        user=district_a,
        prisoner=people.a,
        month=months_back(1),
        points="-3",
        reason="内务",
        officer=officer_a,
    )
    reversal = services.reverse_points(user=district_a, entry=addition, reason="重复加分")
    base_line(people.b, months_back(2), "100")  # another prisoner's line: not in this ledger
    with django_assert_num_queries(1):
        months = selectors.ledger(people.a)
        reversed_line = months[1].entries[1]
        assert reversed_line.reversal.reason == "重复加分"
        assert reversed_line.officer == officer_a
    assert [m.month for m in months] == [months_back(1), months_back(2), months_back(3)]
    assert [m.net for m in months] == [Decimal(-3), Decimal(90), Decimal(100)]
    assert [m.running_total for m in months] == [Decimal(187), Decimal(190), Decimal(100)]
    middle = months[1]
    assert (middle.base, middle.additions, middle.reversals) == (90, 5, -5)
    assert [e.kind for e in middle.entries] == [
        PointsKind.BASE,
        PointsKind.ADDITION,
        PointsKind.REVERSAL,
    ]
    assert middle.entries[1].is_reversed and middle.entries[1].reversal == reversal
    assert not middle.entries[0].is_reversed
    assert middle.entries[2].reversal is None
    assert selectors.ledger(people.b)[0].running_total == 100


def test_an_empty_ledger(people):
    assert selectors.ledger(people.a) == []


def test_with_revocations_lists_originals_with_what_revoked_them(people, district_a, officer_a):
    today = timezone.localdate()
    kept = Reward.objects.create(prisoner=people.a, kind="material", awarded_on=today, reason="a")
    revoked = Reward.objects.create(
        prisoner=people.a, kind="material", awarded_on=today, reason="b"
    )
    services.revoke_reward(user=district_a, reward=revoked, reason="不实")
    rows = selectors.with_revocations(selectors.rewards_of(people.a))
    assert [r.pk for r in rows] == [kept.pk, revoked.pk]
    assert rows[0].revocation is None
    assert rows[1].revocation.reason == "不实"
    assert rows[1].revoked


# --- merit level --------------------------------------------------------------------------------


def _reward(prisoner, kind, day, **extra):
    return Reward.objects.create(prisoner=prisoner, kind=kind, awarded_on=day, reason="x", **extra)


def test_merit_rests_on_commendations_merits_and_serious_violations(people, district_a):
    day = timezone.localdate() - dt.timedelta(days=10)
    p = people.a
    assert selectors.merit_of(p)[0] is None
    _reward(p, RewardKind.COMMENDATION, day, points_basis=600)
    assert selectors.merit_of(p)[0] is None
    _reward(p, RewardKind.COMMENDATION, day, points_basis=1200)
    level, explanation = selectors.merit_of(p)
    assert level == conduct.REPENTANCE
    assert "表扬2次" in explanation and f"自{p.execution_start:%Y-%m-%d}起" in explanation
    merit = _reward(p, RewardKind.MERIT, day, evidence="检举")
    assert selectors.merit_of(p)[0] == conduct.REPENTANCE_AND_MERITORIOUS
    serious = Violation.objects.create(
        prisoner=p, severity="serious", occurred_on=day, description="殴打他犯"
    )
    assert selectors.merit_of(p)[0] == conduct.MERITORIOUS
    services.revoke_violation(user=district_a, violation=serious, reason="经复查不属实")
    assert selectors.merit_of(p)[0] == conduct.REPENTANCE_AND_MERITORIOUS
    services.revoke_reward(user=district_a, reward=merit, reason="证据不足")
    assert selectors.merit_of(p)[0] == conduct.REPENTANCE
    assert selectors.merit_label(conduct.REPENTANCE) == "确有悔改表现"
    assert selectors.merit_label(None) == ""


def test_merit_counts_only_since_the_last_ruling(people):
    p = people.a
    long_ago = timezone.localdate() - dt.timedelta(days=400)
    _reward(p, RewardKind.COMMENDATION, long_ago, points_basis=600)
    _reward(p, RewardKind.COMMENDATION, long_ago, points_basis=1200)
    assert selectors.merit_of(p)[0] == conduct.REPENTANCE
    ruling = timezone.localdate() - dt.timedelta(days=100)
    SentenceChange.objects.create(prisoner=p, kind="reduction", ruling_date=ruling, months=6)
    level, explanation = selectors.merit_of(p)
    assert level is None
    assert f"自{ruling:%Y-%m-%d}起" in explanation and "表扬0次" in explanation


def test_bulk_conduct_agrees_with_the_single_window(people, district_a, officer_a):
    day = timezone.localdate() - dt.timedelta(days=10)
    for p in (people.a, people.b):
        _reward(p, RewardKind.COMMENDATION, day, points_basis=600)
        base_line(p, months_back(1), "100")
    Violation.objects.create(
        prisoner=people.b, severity="serious", occurred_on=day, description="x"
    )
    starts = {p.pk: p.execution_start for p in (people.a, people.b)}
    bulk = selectors.bulk_conduct(list(starts), starts)
    for p in (people.a, people.b):
        assert bulk[p.pk] == selectors.conduct_window(p, p.execution_start)


# --- the sentence as shown -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "months", "text"),
    [
        (SentenceType.FIXED_TERM, 102, "有期徒刑 8年6个月"),
        (SentenceType.FIXED_TERM, 120, "有期徒刑 10年"),
        (SentenceType.FIXED_TERM, 7, "有期徒刑 7个月"),
        (SentenceType.LIFE, 0, "无期徒刑"),
        (SentenceType.DEATH_REPRIEVE, 0, "死刑缓期二年执行"),
    ],
)
def test_sentence_text(kind, months, text):
    assert sentence_text(kind, months) == text


def test_current_sentence_after_rulings(tree):
    fixed = make_prisoner(tree.district_a1)
    assert fixed.sentence_label == "有期徒刑 8年6个月"
    cut = SentenceChange(kind="reduction", ruling_date=dt.date(2023, 1, 1), months=9)
    assert fixed.current_sentence_label([cut]) == "有期徒刑 7年9个月"
    reprieve = make_prisoner(
        tree.district_a1, sentence_type=SentenceType.DEATH_REPRIEVE, term_years=0, term_months=0
    )
    to_life = SentenceChange(kind="commutation", ruling_date=dt.date(2019, 1, 1))
    to_fixed = SentenceChange(kind="commutation", ruling_date=dt.date(2022, 1, 1), to_years=22)
    reduced = SentenceChange(kind="reduction", ruling_date=dt.date(2024, 1, 1), months=12)
    # Applied in the order of the rulings, whatever the order given.
    assert reprieve.current_sentence_label([reduced, to_fixed, to_life]) == "有期徒刑 21年"
    assert reprieve.current_sentence_label([to_life]) == "无期徒刑"


def test_categories_include_the_personal_facts(tree):
    p = make_prisoner(
        tree.district_a1,
        categories=["duty_crime", "nonsense"],
        is_recidivist=True,
        property_able_unfulfilled=True,
    )
    assert p.engine_categories() == ["duty_crime", "recidivist", "property_unfulfilled"]
    assert p.category_labels() == ["职务犯罪", "累犯", "确有履行能力而不履行财产性判项"]


def test_points_total_is_the_sum_of_every_line(people):
    base_line(people.a, months_back(2), "100")
    PointsEntry.objects.create(
        prisoner=people.a, month=months_back(2), kind="deduction", points=-4, reason="x"
    )
    assert services.ledger_total(people.a) == Decimal(96)
