"""Query counts of the party pages that list rows, pinned as in tests/web/test_query_counts.py.

Each page is loaded with a few rows and again with three times as many: the number of queries
must be the same (no query per row) and exactly the number pinned here. When a change adds a
query on purpose, re-measure and update the pin in the same commit.

Every count includes 5 queries of session and authentication plumbing (session, user, and the
session saved on every request: savepoint, UPDATE, release), 2 of permissions (the user's and
their groups', then cached), the unread notifications of the navbar (1) and the scope paths
(1). The user is 洪山 prison's party affairs office, who sees every form on these pages.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_officer, make_user
from tests.party.conftest import make_member, make_org, seat
from tongxin.party import dues
from tongxin.party.models import (
    Activity,
    ActivityKind,
    AssessmentScore,
    BranchAssessment,
    Checklist,
    ChecklistItem,
    CommitteePost,
    DevelopmentCase,
    DuesPayment,
    MembershipTransfer,
    MinutesFlag,
    Observation,
    OrgKind,
    RequirementSetting,
    StudyRecord,
)

pytestmark = pytest.mark.django_db

SMALL, LARGE = 4, 12
YEAR = 2023


@pytest.fixture
def office(roles, tree, party):
    return make_user("office_a", "party_affairs", tree.prison_a)


def _branch(tree, party, i):
    return make_org(
        f"ZB-Q-{i}", f"第{i:02d}号支部", OrgKind.BRANCH, tree.district_a1, party.committee_a
    )


def _activity(org, i, kind=ActivityKind.THEMED_DAY, held_on=None):
    return Activity.objects.create(
        organization=org,
        kind=kind,
        held_on=held_on or timezone.localdate() - dt.timedelta(days=i % 30),
        topic=f"第{i:02d}次主题党日",
        minutes=f"会议记录{i}",
    )


# --- rows of each page --------------------------------------------------------------------
# Each ``grow`` adds rows ``start`` to ``stop`` (all in 洪山 prison, so that the user sees them)
# and returns the page's URL; ``pattern`` finds one row of ours in the page.


def grow_dues(tree, party, office, start, stop):
    today = timezone.localdate()
    for i in range(start, stop):
        member = make_member(tree.district_a1, f"党员{i:02d}", party.branch_a1)
        member.retired = i % 3 == 0
        member.save()
        # Paid some months of this year and the last: paid, unpaid and flagged cells all show.
        for back in range(0, 14, 1 + i % 3):
            month = dues.month_start(today)
            for _ in range(back + 1):
                month = dues.previous_month(month)
            DuesPayment.objects.create(
                member=member,
                month=month,
                base=member.dues_base,
                amount_due=Decimal("90"),
                amount_paid=Decimal("90"),
                paid_on=today,
            )
    return f"{reverse('party_records:dues')}?org={party.branch_a1.pk}&year={today.year}"


def grow_arrears(tree, party, office, start, stop):
    for i in range(start, stop):
        # Joined in 2010 and never paid: six months and more unpaid.
        make_member(tree.district_a1, f"党员{i:02d}", party.branch_a1)
    return reverse("party_records:arrears")


def grow_study(tree, party, office, start, stop):
    for i in range(start, stop):
        member = make_member(tree.district_a1, f"党员{i:02d}", party.branch_a1)
        record = StudyRecord.objects.create(
            level="branch",
            organization=party.branch_a1 if i % 2 else party.group_a1,
            held_on=timezone.localdate() - dt.timedelta(days=i),
            title=f"学习{i:02d}",
            hours=Decimal("2"),
        )
        record.participants.set([member, *party.a1[: 1 + i % 4]])
    return reverse("party_records:study")


def grow_standardisation(tree, party, office, start, stop):
    for i in range(start, stop):
        branch = _branch(tree, party, i)
        branch.is_pilot = i % 2 == 0
        branch.save()
        BranchAssessment.objects.create(
            branch=branch,
            year=YEAR,
            total=Decimal(50 + i),
            assessed_by=office,
            assessed_on=dt.date(YEAR, 12, 1),
        )
        _branch(tree, party, 100 + i)  # not assessed: in the pending list
    return f"{reverse('party_records:standardisation')}?year={YEAR}"


def grow_assess(tree, party, office, start, stop):
    assessment, _ = BranchAssessment.objects.get_or_create(
        branch=party.branch_a1,
        year=YEAR,
        defaults={"assessed_by": office, "assessed_on": dt.date(YEAR, 12, 1)},
    )
    for i in range(start, stop):
        checklist = Checklist.objects.create(name=f"清单{i:02d}", sort_order=i)
        for j in range(2):
            item = ChecklistItem.objects.create(
                checklist=checklist, title=f"项目{i:02d}-{j}", weight=Decimal("2"), sort_order=j
            )
            AssessmentScore.objects.create(
                assessment=assessment, item=item, percent=80, evidence=f"佐证{i}-{j}"
            )
    return reverse("party_records:assess", args=[party.branch_a1.pk, YEAR])


def grow_flags(tree, party, office, start, stop):
    for i in range(start, stop):
        earlier = _activity(party.branch_a1, 1000 + i)
        later = _activity(_branch(tree, party, i), i)
        MinutesFlag.objects.create(
            activity=later,
            similar_to=earlier,
            similarity=0.8 + i / 1000,
            same_org=False,
            reviewed_by=office if i % 2 else None,
            reviewed_at=timezone.now() if i % 2 else None,
            review_note="已核查" if i % 2 else "",
        )
    return reverse("party_records:flags")


def grow_requirements(tree, party, office, start, stop):
    combos = [
        (kind, org_kind, by_secretary)
        for kind in ActivityKind
        for org_kind in OrgKind
        for by_secretary in (False, True)
    ]
    for kind, org_kind, by_secretary in combos[start:stop]:
        RequirementSetting.objects.create(
            kind=kind, org_kind=org_kind, frequency="quarterly", by_secretary=by_secretary
        )
    return reverse("party_config:requirements")


def grow_observations(tree, party, office, start, stop):
    for i in range(start, stop):
        Observation.objects.create(
            activity=_activity(_branch(tree, party, i), i),
            quarter=f"{2000 + i}Q{1 + i % 4}",
            observers="局机关",
            comments="规范",
            score=Decimal("90"),
            recorded_by=office,
        )
    return reverse("party_config:observations")


def grow_development(tree, party, office, start, stop):
    applied = timezone.localdate() - dt.timedelta(days=400)
    for i in range(start, stop):
        officer = make_officer(tree.district_a1, f"申请人{i:02d}", "F")
        case = DevelopmentCase.objects.create(
            officer=officer,
            branch=party.branch_a1 if i % 2 else party.branch_a2,
            stage="activist",
            applied_on=applied,
            activist_on=applied + dt.timedelta(days=30 * (i % 12)),
        )
        case.contacts.set(party.a1[: 1 + i % 2])
    return reverse("party_membership:development-list")


def grow_transfers(tree, party, office, start, stop):
    today = timezone.localdate()
    for i in range(start, stop):
        member = make_member(tree.district_a1, f"党员{i:02d}", party.branch_a1)
        MembershipTransfer.objects.create(
            member=member,
            from_branch=party.branch_a1,
            to_branch=party.branch_a2 if i % 2 else party.branch_b1,
            letter_number=f"鄂组{i:03d}",
            issued_on=today,
            valid_until=today + dt.timedelta(days=30),
            status="pending" if i % 3 else "accepted",
        )
    return reverse("party_membership:transfer-list")


def grow_mentoring(tree, party, office, start, stop):
    for i in range(start, stop):
        member = make_member(tree.district_a1, f"党员{i:02d}", party.branch_a1)
        if i % 2:
            member.mentor = party.a1[i % 3]
            member.save()
    return f"{reverse('party_mentoring:branch')}?org={party.branch_a1.pk}"


def grow_compliance(tree, party, office, start, stop):
    for i in range(start, stop):
        branch = _branch(tree, party, i)
        _activity(branch, i, held_on=dt.date(YEAR, 1 + i % 12, 10))
        if i % 2:
            member = make_member(tree.district_a1, f"党员{i:02d}", branch)
            seat(branch, member, CommitteePost.SECRETARY)
    return f"{reverse('party:compliance')}?year={YEAR}"


# name -> (grow, pattern of one row of ours, queries). The comments list the page's own
# queries on top of the 9 above.
PAGES = {
    # the first branch, its committee, members, every month paid (the six-month flag), the
    # committee again and its last closing, this year's payments, the branch select, the
    # members of the payment form
    "dues": (grow_dues, r"党员\d\d", 18),
    # every month paid, the members, the organisation select
    "arrears": (grow_arrears, r"<td>党员\d\d</td>", 12),
    # count, page (participants counted), the filter's organisations, the form's
    # organisations and members
    "study": (grow_study, r"<td>学习\d\d</td>", 14),
    # the ranking (branch joined), the branches not yet assessed
    "standardisation": (grow_standardisation, r"第\d\d号支部", 11),
    # the branch, any checklist?, the items (checklist joined), the assessment, its scores
    "assess": (grow_assess, r"<td>项目\d\d-\d</td>", 14),
    # count, unreviewed count, page (activities, organisations and reviewer joined)
    "minutes-flags": (grow_flags, r"第\d\d次主题党日</a>", 12),
    # no scope query: the settings, any configured?, the effective requirements
    "requirements": (grow_requirements, r'name="setting" value="\d+"', 11),
    # count, page (activity and organisation joined), the form's themed days
    "observations": (grow_observations, r"第\d\d次主题党日</a>", 12),
    # count, page, its contacts and their officers; the open cases (due soon), their
    # contacts and officers; the organisation select
    "development": (grow_development, r"申请人\d\d</a></td>", 17),
    # count, page (member, branches and the receiving unit joined)
    "transfers": (grow_transfers, r"鄂组\d\d\d", 11),
    # the branch, the sitting committee, the members, the coverage, the branch select (the
    # mentor select of each row lists the committee already read: no query a row)
    "mentoring": (grow_mentoring, r"<td>党员\d\d", 14),
    # organisations, committee seats, activities, configured requirements?, the org select
    "compliance": (grow_compliance, r"第\d\d号支部", 14),
}


def _load(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), response.content.decode()


@pytest.mark.parametrize("name", list(PAGES))
def test_page_query_count_is_pinned_and_does_not_grow(client, office, tree, party, name):
    grow, pattern, pinned = PAGES[name]
    client.force_login(office)
    url = grow(tree, party, office, 0, SMALL)
    small, html = _load(client, url)
    small_rows = len(re.findall(pattern, html))
    assert small_rows >= SMALL
    grow(tree, party, office, SMALL, LARGE)
    large, html = _load(client, url)
    assert len(re.findall(pattern, html)) >= small_rows + (LARGE - SMALL)
    assert (small, large) == (pinned, pinned)
