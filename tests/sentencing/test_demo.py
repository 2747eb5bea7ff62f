"""The sentencing part of the demo / province data generator.

The demo scale is seeded once for the module (org, prisoners, sentencing; inside a transaction
that is rolled back at the end) and every case is checked against the workflow, the separation
of duties, the rulings and the law. The province's figure (reduction cases up 41.33% in 2023)
is checked on the pure plan, without a database: seeding the province takes about a minute,
see ``bench/seed_sentencing.py``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import time
from collections import Counter, defaultdict

import pytest
from django.db import transaction
from django.utils import timezone

from tongxin import seeding
from tongxin.audit.models import AuditEntry
from tongxin.org import demo as org_demo
from tongxin.org import scope
from tongxin.org.models import User
from tongxin.prisoners import demo as prisoners_demo
from tongxin.prisoners import selectors as prisoner_selectors
from tongxin.prisoners.models import Prisoner, SentenceChange
from tongxin.sentencing import demo, judge, services, workflow
from tongxin.sentencing.models import (
    Case,
    CaseStep,
    Objection,
    ReviewerAssignment,
    RiskAlert,
    RuleSetVersion,
)
from tongxin.sentencing.rules import DEFAULT_RULESET

TODAY = dt.date(2026, 11, 25)  # a day of the platform's use: cases from 2022 on
OPEN = {
    "proposed", "section_reviewed", "centre_reviewed", "committee_approved", "in_notice",
    "notice_closed", "director_approved", "submitted", "submitted_to_bureau",
}  # fmt: skip


class _Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo scale (org, prisoners, sentencing), seeded once for this module."""
    with django_db_blocker.unblock():
        try:
            with transaction.atomic():
                ctx = seeding.SeedContext(scale="demo", seed=2023, quiet=True, today=TODAY)
                org_demo.generate(ctx)
                prisoners_demo.generate(ctx)
                started = time.perf_counter()
                demo.generate(ctx)
                ctx.data["sentencing_seconds"] = time.perf_counter() - started
                yield ctx
                raise _Rollback
        except _Rollback:
            pass


def _steps() -> dict[int, list[CaseStep]]:
    steps = defaultdict(list)
    for step in CaseStep.objects.order_by("case_id", "acted_at", "id"):
        steps[step.case_id].append(step)
    return steps


def _changes() -> dict[int, list[SentenceChange]]:
    changes = defaultdict(list)
    for change in SentenceChange.objects.order_by("ruling_date", "id"):
        changes[change.prisoner_id].append(change)
    return changes


def _local(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date()


# --- demo scale, in the database -------------------------------------------------------------


@pytest.mark.django_db
def test_demo_has_cases_of_every_kind_and_outcome(seeded):
    assert seeded.data["sentencing_seconds"] < 20
    kinds = Counter(Case.objects.values_list("kind", flat=True))
    assert kinds["reduction"] > 150 and kinds["parole"] > 10 and kinds["temporary"] >= 2
    outcomes = Counter(Case.objects.filter(status="closed").values_list("outcome", flat=True))
    assert set(outcomes) == {"granted", "partly_granted", "denied", "rejected", "withdrawn"}
    assert outcomes["granted"] > outcomes["rejected"] + outcomes["denied"] + outcomes["withdrawn"]
    years = Counter(
        Case.objects.filter(kind="reduction").values_list("proposed_on__year", flat=True)
    )
    assert set(years) == set(range(2022, TODAY.year + 1))
    assert Case.objects.filter(proposed_on__lt=demo.PLATFORM_START).count() == 0
    assert Case.objects.filter(proposed_on__gt=TODAY).count() == 0
    assert RiskAlert.objects.exists() and Objection.objects.exists()
    assert RuleSetVersion.objects.filter(
        version=DEFAULT_RULESET.version, numbers=DEFAULT_RULESET.to_dict()
    ).exists()
    entry = AuditEntry.objects.get(action="seed.sentencing")
    assert entry.actor_id is None and f"案件 {Case.objects.count()} 件" in entry.summary


@pytest.mark.django_db
def test_every_case_follows_the_workflow_in_order(seeded):
    steps = _steps()
    for case in Case.objects.all():
        status, approvals, last = "", 0, None
        for step in steps[case.pk]:
            assert step.from_status == status, (case.number, step.step)
            if step.step == "propose":
                assert status == "" and step.to_status == "proposed"
                assert _local(step.acted_at) == case.proposed_on
            elif step.step == "withdraw":
                assert status == "proposed" and step.to_status == "closed"
            else:
                transition = workflow.BY_CODE[step.step]
                assert case.kind in transition.kinds and transition.source == status
                if step.decision == "reject":
                    assert step.step in workflow.REJECTABLE or step.step == "record_ruling"
                    assert step.to_status == "closed"
                elif step.step == "centre_review":
                    approvals += 1
                    expected = "centre_reviewed" if approvals == 2 else "section_reviewed"
                    assert step.to_status == expected
                else:
                    assert step.to_status == transition.target
            assert last is None or step.acted_at >= last
            last, status = step.acted_at, step.to_status
        assert status == case.status, case.number
        # Every act bumps the version, as the services do.
        disposals = case.alerts.filter(disposed_at__isnull=False).count()
        answers = case.objections.filter(answered_on__isnull=False).count()
        acts = len(steps[case.pk]) - 1 + disposals + case.objections.count() + answers
        assert case.version == 1 + acts
        if case.status == "closed":
            assert case.outcome and case.closed_on == _local(last) <= TODAY
        else:
            assert not case.outcome and case.closed_on is None
        if case.notice_start:
            is_working = workflow.weekday_calendar({})
            assert case.notice_end == workflow.working_days_after(
                case.notice_start, workflow.NOTICE_WORKING_DAYS, is_working
            )
            close = next((s for s in steps[case.pk] if s.step == "close_notice"), None)
            assert close is None or _local(close.acted_at) > case.notice_end
        if case.submitted_on:
            assert case.submitted_to
            assert case.ruling_date is None or case.ruling_date >= case.submitted_on


@pytest.mark.django_db
def test_separation_of_duties_permissions_and_scope_hold_on_every_case(seeded):
    users = {u.pk: u for u in User.objects.all()}
    allowed: dict[tuple[int, str, int], bool] = {}

    def may(user_id: int, permission: str, case: Case) -> bool:
        key = (user_id, permission, case.unit_id)
        if key not in allowed:
            user = users[user_id]
            allowed[key] = user.has_perm(permission) and scope.can_see_unit(user, case.unit)
        return allowed[key]

    steps = _steps()
    for case in Case.objects.select_related("unit"):
        past: list[workflow.PastAct] = []
        for step in steps[case.pk]:
            if step.step == "propose":
                assert may(step.actor_id, "sentencing.propose_case", case)
                assert case.created_by_id == step.actor_id
            elif step.step == "withdraw":  # the proposer's own act (services.withdraw_case)
                assert step.actor_id == case.created_by_id
            else:
                assert workflow.separation_problem(step.step, step.actor_id, past) is None, (
                    case.number,
                    step.step,
                )
                assert may(step.actor_id, workflow.BY_CODE[step.step].permission, case)
            past.append(workflow.PastAct(step.step, step.actor_id))
        # The reviewers are the two drawn for the case, and only they reviewed.
        drawn = list(case.reviewers.values_list("reviewer_id", "decision"))
        reviewed = [s.actor_id for s in steps[case.pk] if s.step == "centre_review"]
        if any(s.step == "section_review" and s.decision == "approve" for s in steps[case.pk]):
            assert len(drawn) == services.REVIEWERS_PER_CASE
            assert len({r for r, _ in drawn}) == services.REVIEWERS_PER_CASE
            assert set(reviewed) <= {r for r, _ in drawn}
            assert len([d for _, d in drawn if d]) == len(reviewed)
        else:
            assert not drawn and not reviewed
        for alert in case.alerts.all():
            assert alert.disposed_by_id is None or alert.disposed_by_id in {r for r, _ in drawn}


@pytest.mark.django_db
def test_granted_reductions_are_the_seeded_rulings(seeded):
    linked = {c.case_id: c for c in SentenceChange.objects.filter(case_id__isnull=False)}
    granted = Case.objects.filter(kind="reduction", outcome__in=["granted", "partly_granted"])
    assert granted.count() == len(linked) > 50
    for case in granted:
        change = linked[case.pk]
        assert change.prisoner_id == case.prisoner_id
        assert case.ruling_date == change.ruling_date and case.ruling_number == change.ruling_number
        if change.kind == "reduction":
            assert case.ruling_months == change.months and case.ruling_to_years is None
            partly = case.ruling_months < case.proposed_months
        else:
            assert case.ruling_months is None and case.ruling_to_years == change.to_years
            partly = bool(change.to_years) and change.to_years > (
                case.proposed_to_years or change.to_years
            )
        assert (case.outcome == "partly_granted") == partly
        assert change.recorded_by_id is not None
    assert Case.objects.filter(outcome="partly_granted").exists()
    # Nothing else changed a sentence; the rulings without a case predate the platform's cases.
    assert not Case.objects.exclude(pk__in=linked).filter(ruling_months__isnull=False).exists()
    unlinked = SentenceChange.objects.filter(case_id__isnull=True, ruling_date__gte="2022-06-01")
    assert unlinked.count() <= 0.05 * SentenceChange.objects.count()


@pytest.mark.django_db
def test_every_case_was_lawful_when_proposed_and_when_sent_on(seeded):
    changes = _changes()
    checked = Counter()
    for case in Case.objects.select_related("prisoner"):
        prisoner = case.prisoner
        # The verdict kept on the case: the proposal day's, or the submission day's.
        assert case.verdict["on"] == (case.submitted_on or case.proposed_on).isoformat()
        assert case.ruleset_version == DEFAULT_RULESET.version
        problems = services._law_problems(
            case.kind, case.verdict, prisoner, case.proposed_months, case.proposed_to_years
        )
        assert problems == {}, (case.number, problems)
        # The engine again, on the day the district proposed.
        before = [c for c in changes[prisoner.pk] if c.ruling_date < case.proposed_on]
        verdict, _ = judge.verdict_for(
            prisoner,
            on=case.proposed_on,
            merit=case.merit or None,
            grounds=case.temporary_grounds,
            changes=before,
        )
        problems = services._law_problems(
            case.kind, verdict, prisoner, case.proposed_months, case.proposed_to_years
        )
        assert problems == {}, (case.number, problems)
        if case.kind != "temporary":
            assert case.merit and case.merit_basis
        else:
            assert case.medical_assessment or case.temporary_grounds["pregnant_or_nursing"]
        if case.kind == "parole":
            assert case.risk_assessment and case.proposed_months is None
        checked[case.kind] += 1
    assert checked["reduction"] > 150 and checked["parole"] > 10


@pytest.mark.django_db
def test_a_prisoners_cases_never_overlap_and_open_ones_are_recent(seeded):
    spans = defaultdict(list)
    for case in Case.objects.order_by("proposed_on"):
        spans[case.prisoner_id].append((case.proposed_on, case.closed_on or TODAY, case))
    for mine in spans.values():
        for (_, end, _), (start, _, later) in itertools.pairwise(mine):
            assert start > end, later.number
        assert sum(1 for *_, case in mine if case.status != "closed") <= 1
    open_cases = Case.objects.exclude(status="closed")
    assert set(open_cases.values_list("status", flat=True)) == OPEN
    assert not open_cases.filter(proposed_on__lt=TODAY - dt.timedelta(days=150)).exists()
    for case in open_cases.filter(status="in_notice"):
        assert case.notice_start <= TODAY <= case.notice_end and case.objections.exists()
    # The demo users' prison has a case waiting at (nearly) every step.
    p01 = set(open_cases.filter(unit__code__startswith="P01-").values_list("status", flat=True))
    assert len(p01) >= 6
    # Alerts: undisposed while the centre has not agreed, disposed once it has.
    past_centre = RiskAlert.objects.filter(
        case__steps__step="centre_review", case__steps__decision="approve"
    ).distinct()
    assert past_centre.exists() and not past_centre.filter(disposed_at__isnull=True).exists()
    waiting = RiskAlert.objects.filter(case__status="section_reviewed")
    assert waiting.filter(disposed_at__isnull=True).exists()
    assert ReviewerAssignment.objects.filter(case__status="section_reviewed").exists()


@pytest.mark.django_db
def test_granted_parole_and_temporary_execution_took_the_prisoner_out(seeded):
    for case in Case.objects.filter(kind__in=["parole", "temporary"], outcome="granted"):
        expected = "paroled" if case.kind == "parole" else "temporary_outside"
        assert case.prisoner.status == expected
        assert case.ruling_date >= TODAY.replace(day=1)
        assert not Case.objects.filter(
            prisoner=case.prisoner, proposed_on__gt=case.proposed_on
        ).exists()
    granted = Case.objects.filter(kind__in=["parole", "temporary"], outcome="granted")
    assert Prisoner.objects.exclude(status="in_custody").count() == granted.count() > 0


@pytest.mark.django_db
def test_the_district_demo_user_has_a_prisoner_to_propose(seeded):
    user = User.objects.get(username="district")
    ready = []
    for prisoner in Prisoner.objects.filter(status="in_custody"):
        if not scope.can_see_unit(user, prisoner.unit):
            continue
        if Case.objects.filter(prisoner=prisoner).exclude(status="closed").exists():
            continue
        merit, _ = prisoner_selectors.merit_of(prisoner)
        if merit is None:
            continue
        verdict, _ = judge.verdict_for(prisoner, on=TODAY, merit=merit)
        if verdict["reduction"]["eligible"]:
            ready.append(prisoner)
    assert ready


@pytest.mark.django_db
def test_staff_logins_per_prison(seeded):
    prisons = seeded.data["prisons"]
    for prison in prisons:
        for username, role in (
            ("penalty1", "penalty_officer"),
            ("reviewer3", "reviewer"),
            ("committee", "review_committee"),
            ("warden", "warden"),
        ):
            name = f"{prison.code.lower()}_{username}"
            if prison.code == "P01":
                continue
            user = User.objects.get(username=name)
            assert user.groups.filter(name=org_demo.roles.ROLE_BY_KEY[role].name).exists()
            assert list(user.scope_units.values_list("code", flat=True)) == [prison.code]
    # 洪山 is the demo users' prison: no second staff there.
    assert not User.objects.filter(username__startswith="p01_penalty").exists()
    assert User.objects.filter(username="p01_district02").exists()
    officers = [o for o in User.objects.values_list("officer_id", flat=True) if o]
    assert len(officers) == len(set(officers))


# --- pure planning -----------------------------------------------------------------------


def _world(scale: str, today: dt.date, seed: int = 2023) -> demo.World:
    plan = org_demo.build_plan(scale, random.Random(f"{seed}/org"))
    inputs = prisoners_demo.inputs_from_org_plan(plan)
    salt, counts = prisoners_demo.plan_setup(scale, random.Random(f"{seed}/prisoners"), inputs)
    prisons = list(prisoners_demo.plan_all(scale, salt, counts, today, inputs))
    return demo.world_from_plans(scale, today, plan, prisons)


def _fingerprint(plan: demo.Plan) -> list[tuple]:
    return [
        (
            c.number, c.prisoner.pk, c.kind, c.status, c.outcome, c.proposed_on,
            c.proposed_months, tuple((s.code, s.actor, s.at) for s in c.steps),
            tuple(a.kind for a in c.alerts),
        )
        for c in plan.cases
    ]  # fmt: skip


def test_the_plan_is_deterministic():
    world = _world("demo", TODAY)
    first = _fingerprint(demo.plan_cases(world, random.Random("2023/sentencing")))
    assert first == _fingerprint(demo.plan_cases(world, random.Random("2023/sentencing")))
    assert first != _fingerprint(demo.plan_cases(world, random.Random("7/sentencing")))


def test_targets_give_the_seeds_figure():
    assert round((demo.TARGETS[2023] / demo.TARGETS[2022] - 1) * 100, 2) == 41.33


def test_province_plan_has_the_seeds_reduction_cases_exactly():
    """The whole province planned without a database, on a day of the platform's real use:
    the granted cases of 2022 and 2023 fall short of the targets and cases that changed
    nothing make up the rest."""
    world = _world("province", TODAY)
    started = time.perf_counter()
    plan = demo.plan_cases(world, random.Random("2023/sentencing"))
    seconds = time.perf_counter() - started
    reductions = Counter(c.proposed_on.year for c in plan.cases if c.kind == "reduction")
    assert reductions[2022] == demo.TARGETS[2022] and reductions[2023] == demo.TARGETS[2023]
    assert round((reductions[2023] / reductions[2022] - 1) * 100, 2) == 41.33
    assert reductions[2024] > reductions[2023]
    for year in (2022, 2023):
        mine = [c for c in plan.cases if c.kind == "reduction" and c.proposed_on.year == year]
        granted = sum(1 for c in mine if c.change is not None)
        assert 0.6 * len(mine) < granted <= demo.GRANTED_CAP * len(mine)
        paroles = sum(1 for c in plan.cases if c.kind == "parole" and c.proposed_on.year == year)
        assert 0.07 * len(mine) <= paroles <= 0.13 * len(mine)
    assert sum(plan.unlinked.values()) - plan.unlinked["pre_platform"] < 0.05 * len(plan.cases)
    open_by_prison = Counter(c.prisoner.prison for c in plan.cases if c.open)
    assert set(open_by_prison) == {p.code for p in world.prisons}
    assert seconds < 60


@pytest.mark.django_db
def test_the_case_pages_show_the_generated_cases(seeded, client):
    client.force_login(User.objects.get(username="penalty"))
    assert client.get("/sentencing/").status_code == 200
    assert client.get("/sentencing/tasks/").status_code == 200
    mine = Case.objects.filter(unit__code__startswith="P01-")
    shown = set()
    for case in mine.order_by("pk"):
        key = (case.kind, case.status, case.outcome)
        if key in shown:
            continue
        shown.add(key)
        response = client.get(f"/sentencing/{case.pk}/")
        assert response.status_code == 200, case.number
        assert case.number in response.content.decode()
    assert len(shown) >= 10
    granted = mine.filter(outcome="granted", kind="reduction").first()
    assert client.get(f"/sentencing/{granted.pk}/pdf/").status_code == 200
