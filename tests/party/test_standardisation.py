"""Branch standardisation (weighted checklists with evidence) and quarterly observation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.conftest import make_user
from tests.party.test_services import record
from tongxin.party import reports, services
from tongxin.party.models import ActivityKind, BranchAssessment, ChecklistItem, Observation
from tongxin.party.standards import DEFAULT_CHECKLISTS, ensure_default_checklists

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(roles, tree):
    return make_user("party", "party_affairs", tree.bureau)


def test_default_weights_add_up_to_100(db):
    total = sum(Decimal(w) for items in DEFAULT_CHECKLISTS.values() for _, w in items)
    assert total == 100
    assert ensure_default_checklists() == 21 and ensure_default_checklists() == 0


def full_scores(percent=100):
    return {item.pk: (percent, "支部工作手册、会议记录") for item in ChecklistItem.objects.all()}


def test_assessment_is_the_weighted_sum_and_ranks(office, party):
    ensure_default_checklists()
    scores = full_scores()
    first = next(iter(scores))
    scores[first] = (50, "换届材料不全")
    services.assess_branch(user=office, branch=party.branch_a1, year=2023, scores=scores)
    services.assess_branch(user=office, branch=party.branch_b1, year=2023, scores=full_scores())
    ranking = reports.standardisation_ranking(office, year=2023)
    assert [a.branch for a in ranking] == [party.branch_b1, party.branch_a1]
    assert ranking[0].total == 100 and ranking[1].total == Decimal("96.00")
    # redoing replaces the scores
    services.assess_branch(user=office, branch=party.branch_a1, year=2023, scores=full_scores())
    assert BranchAssessment.objects.get(branch=party.branch_a1).scores.count() == 21


def test_assessment_needs_every_item_with_evidence(office, party):
    ensure_default_checklists()
    scores = full_scores()
    scores.pop(next(iter(scores)))
    last = list(scores)[-1]
    scores[last] = (120, " ")
    with pytest.raises(ValidationError) as error:
        services.assess_branch(user=office, branch=party.branch_a1, year=2023, scores=scores)
    messages = error.value.message_dict["scores"]
    assert any("未评分" in m for m in messages)
    assert any("0到100" in m for m in messages) and any("佐证材料" in m for m in messages)
    assert not BranchAssessment.objects.exists()


def test_one_observation_a_quarter_of_a_themed_day(office, secretary_a1, party):
    themed = record(
        secretary_a1, party.branch_a1, kind=ActivityKind.THEMED_DAY, held_on=dt.date(2023, 10, 23)
    )
    meeting = record(secretary_a1, party.branch_a1, held_on=dt.date(2023, 11, 2))
    observation = services.record_observation(
        user=office,
        activity=themed,
        observers="局机关各党支部书记",
        comments="重温入党誓词环节庄重规范,党课联系监区实际。",
        score="92.5",
    )
    assert observation.quarter == "2023Q4"
    with pytest.raises(ValidationError) as error:
        services.record_observation(
            user=office, activity=meeting, observers="x", comments="", score=120
        )
    fields = error.value.message_dict
    assert {"activity", "score", "comments"} <= set(fields)
    assert any("每季度一次" in m for m in fields["activity"])
    assert Observation.objects.count() == 1
