"""The prisoners part of the demo / province data generator.

The demo scale is seeded into the database once for the module (inside a transaction that is
rolled back at the end); the province scale is checked on the pure plan of a few prisons — a
province-scale seed writes about a million rows, see ``bench/seed_prisoners.py``. Every
ruling of the sentence history is replayed through the sentencing engine, which must find it
legal on its ruling date.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
import time
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.db import transaction

from tongxin import seeding
from tongxin.audit.models import AuditEntry
from tongxin.org import demo as org_demo
from tongxin.org import idcard
from tongxin.org.models import Officer, Unit
from tongxin.prisoners import conduct
from tongxin.prisoners import demo as prisoners_demo
from tongxin.prisoners.models import (
    JobAssignment,
    PointsEntry,
    PointsSetting,
    Prisoner,
    Punishment,
    Reward,
    SentenceChange,
    Violation,
)
from tongxin.sentencing import engine
from tongxin.sentencing.rules import Category, Merit, ReductionKind, SentenceType

TODAY = dt.date(2024, 6, 15)
THIS_MONTH = TODAY.replace(day=1)
LAST_MONTH = prisoners_demo.add_months(THIS_MONTH, -1)
WINDOW_START = prisoners_demo.add_months(THIS_MONTH, -prisoners_demo.LEDGER_MONTHS)
THRESHOLD = prisoners_demo.COMMENDATION_THRESHOLD


class _Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo scale (org, then prisoners), seeded once for this module and rolled back."""
    with django_db_blocker.unblock():
        try:
            with transaction.atomic():
                ctx = seeding.SeedContext(scale="demo", seed=2023, quiet=True, today=TODAY)
                org_demo.generate(ctx)
                started = time.perf_counter()
                prisoners_demo.generate(ctx)
                ctx.data["prisoners_seconds"] = time.perf_counter() - started
                yield ctx
                raise _Rollback
        except _Rollback:
            pass


def _prison_of(unit_path: str, prisons: list[Unit]) -> Unit:
    return next(p for p in prisons if unit_path.startswith(p.path))


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    return list(conduct.months_between(first, last))


def _expected_months(prisoner) -> list[dt.date]:
    return _months(max(WINDOW_START, prisoner.admitted_on.replace(day=1)), LAST_MONTH)


def _facts(prisoner, rulings, merit=Merit.REPENTANCE) -> engine.CaseFacts:
    sentence = engine.Sentence(
        SentenceType(prisoner.sentence_type),
        prisoner.execution_start,
        prisoner.term_years,
        prisoner.term_months,
        prisoner.detention_days,
        prisoner.restricted_reduction,
    )
    categories = frozenset(Category(c) for c in prisoner.engine_categories())
    return engine.CaseFacts(str(prisoner.pk), sentence, merit, categories, tuple(rulings))


def _ruling(change) -> engine.Reduction:
    return engine.Reduction(
        change.ruling_date, ReductionKind(change.kind), change.months, change.to_years
    )


def _merit_of(ruling: engine.Reduction) -> Merit:
    """What the generator rests a ruling on: more than 9 months, or a life sentence commuted
    to 21 years (a reprieve's life to 24), needs a merit besides repentance."""
    if ruling.months > 9 or ruling.to_years in (21, 24):
        return Merit.REPENTANCE_AND_MERITORIOUS
    return Merit.REPENTANCE


def _first_threshold(prisoner) -> int:
    term = prisoner.term_total_months
    categories = set(prisoner.engine_categories())
    special = categories & (prisoners_demo.ART7_PARA1 if term < 120 else prisoners_demo.STRICT_LONG)
    if special or term >= 120:
        return 24
    return 12 if term < 60 else 18


# --- demo scale, in the database -------------------------------------------------------------


@pytest.mark.django_db
def test_demo_scale_has_a_few_hundred_prisoners_in_every_custody_unit(seeded):
    assert seeded.data["prisoners_seconds"] < 30
    total = Prisoner.objects.count()
    assert 250 <= total <= 600
    per_unit = Counter(Prisoner.objects.values_list("unit__code", flat=True))
    custody = seeded.data["custody_units"]
    assert set(per_unit) == {u.code for u in custody}
    for unit in custody:
        low, high = (
            prisoners_demo.DEMO_PER_UNIT
            if unit.code[:3] in prisoners_demo.FEATURED_DEMO_PRISONS
            else prisoners_demo.DEMO_PER_UNIT_OTHERS
        )
        assert low <= per_unit[unit.code] <= high, unit.code
    assert per_unit["P01-D01"] >= 12 and per_unit["P07-D01"] >= 12
    # Women only in the women's prison, and only women there.
    genders = Counter(
        (code.startswith(org_demo.WOMENS_PRISON + "-"), gender)
        for code, gender in Prisoner.objects.values_list("unit__code", "gender")
    )
    assert genders[(True, "M")] == 0 and genders[(False, "F")] == 0
    assert genders[(True, "F")] > 0
    assert PointsSetting.current().commendation_threshold == THRESHOLD


@pytest.mark.django_db
def test_demo_showcase_prisons_have_every_rare_case(seeded):
    for code in prisoners_demo.DEMO_SHOWCASE:
        mine = Prisoner.objects.filter(unit__code__startswith=code + "-")
        kinds = Counter(mine.values_list("sentence_type", flat=True))
        assert kinds["life"] >= 1 and kinds["death_reprieve"] >= 1, code
        rewards = Counter(Reward.objects.filter(prisoner__in=mine).values_list("kind", flat=True))
        assert rewards["commendation"] > len(mine)
        assert rewards["merit"] >= 2 and rewards["major_merit"] >= 1 and rewards["material"]
        assert Reward.objects.filter(prisoner__in=mine, rests_on_invention=True).exists()
        violations = Counter(
            Violation.objects.filter(prisoner__in=mine).values_list("severity", flat=True)
        )
        assert violations["serious"] >= 2 and violations["ordinary"] >= 3
        assert Punishment.objects.filter(prisoner__in=mine).exists()
        assert mine.filter(property_able_unfulfilled=True).count() >= 2
        reversals = PointsEntry.objects.filter(prisoner__in=mine, kind="reversal")
        assert reversals.filter(reverses__kind="base").exists()
        assert reversals.exclude(reverses__kind="base").count() >= 2
        assert SentenceChange.objects.filter(prisoner__in=mine, kind="reduction").exists()
    assert Prisoner.objects.filter(
        unit__code__startswith="P01-", sentence_type="death_reprieve", restricted_reduction=True
    ).exists()
    patterns = seeded.data["prisoner_patterns"]
    for key in ("points_surge", "lighter_job", "invention_merit"):
        assert patterns[key], key


@pytest.mark.django_db
def test_id_numbers_are_valid_and_agree_with_the_record(seeded):
    officer_ids = set(Officer.objects.values_list("id_number", flat=True))
    rows = list(
        Prisoner.objects.values_list("id_number", "birth_date", "gender", "unit__code", "name")
    )
    assert len({row[0] for row in rows}) == len(rows)
    for number, birth, gender, unit, name in rows:
        assert idcard.problem(number) is None, number
        assert idcard.birth_date(number) == birth
        assert idcard.gender(number) == gender
        assert number not in officer_ids
        assert 2 <= len(name) <= 3
        age = (TODAY - birth).days // 365
        if unit.startswith(org_demo.JUVENILE_PRISON + "-"):
            assert 17 <= age <= 25
        else:
            assert 20 <= age <= 65
    numbers = list(Prisoner.objects.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers)


@pytest.mark.django_db
def test_sentences_are_consistent(seeded):
    for p in Prisoner.objects.all():
        assert p.admitted_on >= p.execution_start
        assert (p.admitted_on - p.execution_start).days <= 60
        assert p.admitted_on <= TODAY
        assert 30 <= p.detention_days <= 400
        crimes = re.split(r"(?<=罪)、", p.crimes)  # a crime's name may hold a 、 itself
        categories = set(p.categories)
        if p.sentence_type == "fixed_term":
            assert 36 <= p.term_total_months <= 300
            if p.term_total_months > 180:
                assert len(crimes) >= 2  # above 15 years only for several crimes
        else:
            assert p.term_total_months == 0
        assert ("duty_crime" in categories) == bool({"贪污罪", "受贿罪"} & set(crimes))
        assert ("mafia" in categories) == (prisoners_demo.MAFIA_CRIME in crimes)
        if "violent_10y" in categories:
            assert crimes[0] in prisoners_demo.VIOLENT_CRIMES
            assert p.sentence_type != "fixed_term" or p.term_total_months >= 120
        if "combined_10y" in categories:
            assert len(crimes) >= 2
        if p.restricted_reduction:
            assert p.sentence_type == "death_reprieve"
        assert p.property_paid <= p.property_amount
        if p.property_able_unfulfilled:
            assert p.property_outstanding > 0
        assert p.court.endswith("法院") and p.judgment_number.startswith("(")
        assert "刑初" in p.judgment_number or "刑终" in p.judgment_number


@pytest.mark.django_db
def test_every_ruling_is_legal_on_its_day_and_everyone_is_still_serving(seeded):
    changes = defaultdict(list)
    for change in SentenceChange.objects.order_by("ruling_date", "id"):
        changes[change.prisoner_id].append(change)
    checked = Counter()
    for p in Prisoner.objects.all():
        rulings = [_ruling(c) for c in changes[p.pk]]
        for index, ruling in enumerate(rulings):
            facts = _facts(p, rulings[:index], _merit_of(ruling))
            decision = engine.assess(facts, ruling.ruling_date).reduction
            failed = [o.text for o in decision.reasons if not o.passes]
            assert decision.eligible, (p.pk, ruling, failed)
            if ruling.kind is ReductionKind.REDUCTION:
                assert 3 <= ruling.months <= decision.max_months, (p.pk, ruling)
            elif ruling.to_years is None:
                assert decision.commute_to is engine.CommuteTo.LIFE
            else:
                low, high = decision.commute_to_years
                assert low <= ruling.to_years <= high
            assert ruling.ruling_date < TODAY
            checked[ruling.kind] += 1
        standing = engine.standing_of(_facts(p, rulings))
        if standing.term_end is not None:
            assert standing.term_end > TODAY, p.pk
            assert standing.term_end == seeded.data["prisoner_term_end"][p.pk]
        if p.sentence_type == "fixed_term":
            reductions = [r for r in rulings if r.kind is ReductionKind.REDUCTION]
            assert sum(r.months for r in reductions) <= p.term_total_months // 2
            if reductions:
                first = prisoners_demo.add_months(p.execution_start, _first_threshold(p))
                assert reductions[0].ruling_date >= first
    assert checked[ReductionKind.REDUCTION] > 50 and checked[ReductionKind.COMMUTATION] >= 3


@pytest.mark.django_db
def test_every_ledger_month_has_one_live_base_line(seeded):
    entries = defaultdict(list)
    for entry in PointsEntry.objects.order_by("id"):
        entries[entry.prisoner_id].append(entry)
    reversed_ids = set(
        PointsEntry.objects.filter(reverses__isnull=False).values_list("reverses_id", flat=True)
    )
    for p in Prisoner.objects.all():
        mine = entries[p.pk]
        bases = [e for e in mine if e.kind == "base"]
        keys = [(e.month, e.revision) for e in bases]
        assert len(keys) == len(set(keys))
        live = sorted(e.month for e in bases if e.pk not in reversed_ids)
        assert live == _expected_months(p)
        for e in bases:
            assert e.supervision + e.education + e.labour == e.points
            assert Decimal(80) <= e.points <= Decimal(100)
            assert e.supervision <= 35 and e.education <= 35 and e.labour <= 30
        for e in mine:
            assert WINDOW_START <= e.month <= LAST_MONTH and e.month.day == 1
            assert e.officer_id is not None
            if e.kind == "addition":
                assert Decimal(5) <= e.points <= Decimal(30)
            elif e.kind == "deduction":
                assert Decimal(-30) <= e.points <= Decimal(-5)
    assert PointsEntry.objects.count() > 20 * Prisoner.objects.count()


@pytest.mark.django_db
def test_reversals_are_exact_negatives_of_the_entry_they_reverse(seeded):
    reversals = PointsEntry.objects.filter(kind="reversal").select_related("reverses")
    assert reversals.exists()
    for reversal in reversals:
        original = reversal.reverses
        assert original is not None and original.kind != "reversal"
        assert reversal.points == -original.points
        assert (reversal.prisoner_id, reversal.month) == (original.prisoner_id, original.month)
        assert reversal.pk > original.pk and reversal.reason
        if original.kind == "base":
            assert PointsEntry.objects.filter(
                prisoner_id=original.prisoner_id, month=original.month, kind="base", revision=1
            ).exists()
    assert not PointsEntry.objects.filter(kind="reversal", reverses__isnull=True).exists()
    assert not PointsEntry.objects.exclude(kind="reversal").filter(reverses__isnull=False).exists()


@pytest.mark.django_db
def test_commendations_are_what_the_ledger_earns(seeded):
    monthly = defaultdict(lambda: defaultdict(Decimal))
    for prisoner_id, month, points in PointsEntry.objects.values_list(
        "prisoner_id", "month", "points"
    ):
        monthly[prisoner_id][month] += points
    awarded = defaultdict(list)
    for reward in Reward.objects.filter(kind="commendation").order_by("awarded_on", "id"):
        awarded[reward.prisoner_id].append(reward)
    for p in Prisoner.objects.all():
        expected = []
        total, count = Decimal(0), 0
        for month in _expected_months(p):
            total += monthly[p.pk][month]
            for _ in range(conduct.commendations_due(total, count, THRESHOLD)):
                count += 1
                expected.append((month, Decimal(count * THRESHOLD)))
        got = [(r.awarded_on.replace(day=1), r.points_basis) for r in awarded[p.pk]]
        assert got == expected, p.pk
        for reward in awarded[p.pk]:
            assert reward.awarded_on >= p.admitted_on
            assert f"累计达到{int(reward.points_basis)}分" in reward.reason


@pytest.mark.django_db
def test_conduct_records_fall_inside_the_ledger_and_are_backed_by_points(seeded):
    prisoners = {p.pk: p for p in Prisoner.objects.all()}
    deductions = Counter(
        (e.prisoner_id, e.month)
        for e in PointsEntry.objects.filter(kind="deduction", reason__startswith="违规扣分")
    )
    for violation in Violation.objects.all():
        p = prisoners[violation.prisoner_id]
        assert max(p.admitted_on, WINDOW_START) <= violation.occurred_on < THIS_MONTH
        assert deductions[(p.pk, violation.occurred_on.replace(day=1))] >= 1
    for reward in Reward.objects.exclude(kind="commendation"):
        p = prisoners[reward.prisoner_id]
        assert max(p.admitted_on, WINDOW_START) <= reward.awarded_on < THIS_MONTH
        assert reward.officer_id is not None and reward.points_basis is None
        if reward.kind in ("merit", "major_merit"):
            assert reward.evidence
        else:
            assert not reward.rests_on_invention
    for punishment in Punishment.objects.all():
        assert Violation.objects.filter(
            prisoner_id=punishment.prisoner_id, occurred_on__lte=punishment.decided_on
        ).exists()
        assert punishment.decided_on <= TODAY


@pytest.mark.django_db
def test_officers_serve_in_the_prisoners_prison_mostly_in_their_district(seeded):
    prisons = seeded.data["prisons"]
    units = {u.pk: u for u in seeded.data["units"]}
    officer_unit = dict(Officer.objects.values_list("pk", "unit_id"))
    district_share = Counter()
    for unit_id, officer_id in PointsEntry.objects.values_list("prisoner__unit_id", "officer_id"):
        unit = units[unit_id]
        officer = units[officer_unit[officer_id]]
        assert _prison_of(officer.path, prisons) == _prison_of(unit.path, prisons)
        district = units[unit.parent_id] if unit.kind == "subdistrict" else unit
        district_share[officer.path.startswith(district.path)] += 1
    assert district_share[True] > 0.9 * sum(district_share.values())


@pytest.mark.django_db
def test_labour_posts(seeded):
    jobs = defaultdict(list)
    for job in JobAssignment.objects.order_by("started_on", "id"):
        jobs[job.prisoner_id].append(job)
    for p in Prisoner.objects.all():
        mine = jobs[p.pk]
        assert 1 <= len(mine) <= 3, p.pk
        assert p.admitted_on <= mine[0].started_on <= TODAY
        assert all(a.started_on < b.started_on for a, b in itertools.pairwise(mine))
        assert all(a.post != b.post for a, b in itertools.pairwise(mine))
    for pk in seeded.data["prisoner_patterns"]["lighter_job"]:
        last, before = jobs[pk][-1], jobs[pk][-2]
        assert last.intensity < before.intensity
        assert (TODAY - last.started_on).days <= 180


@pytest.mark.django_db
def test_later_generators_find_the_prisoners_in_ctx_data(seeded):
    prisoners = seeded.data["prisoners"]
    assert [p.pk for p in prisoners] == list(
        Prisoner.objects.order_by("pk").values_list("pk", flat=True)
    )
    changes = seeded.data["prisoner_changes"]
    assert sum(len(c) for c in changes.values()) == SentenceChange.objects.count()
    by_unit = seeded.data["prisoners_by_unit"]
    assert sum(len(v) for v in by_unit.values()) == len(prisoners)


@pytest.mark.django_db
def test_one_audit_entry_summarises_the_seed(seeded):
    entry = AuditEntry.objects.get(action="seed.prisoners")
    assert entry.actor_id is None
    assert f"罪犯 {Prisoner.objects.count()} 名" in entry.summary
    assert f"计分条目 {PointsEntry.objects.count()} 条" in entry.summary


@pytest.mark.django_db
def test_the_database_holds_exactly_the_plan_of_the_seed(seeded):
    """Same seed, same rows: the plan made again from the seed and the org data is what was
    written, down to the ledger's keys and recording times."""
    inputs = prisoners_demo.inputs_from_models(seeded.data["units"], seeded.data["officers"])
    salt, counts = prisoners_demo.plan_setup("demo", seeded.fork("prisoners"), inputs)
    plans = list(prisoners_demo.plan_all("demo", salt, counts, TODAY, inputs))
    planned = [p for plan in plans for p in plan.prisoners]
    assert list(
        Prisoner.objects.order_by("pk").values_list(
            "pk", "number", "name", "id_number", "unit_id", "crimes", "execution_start"
        )
    ) == [
        (p.pk, p.number, p.name, p.id_number, p.unit_pk, "、".join(p.crimes), p.execution_start)
        for p in planned
    ]
    assert list(
        PointsEntry.objects.order_by("pk").values_list(
            "pk", "prisoner_id", "month", "kind", "points", "officer_id", "reverses_id"
        )
    ) == [
        (e[0], p.pk, e[1], e[2], Decimal(e[6]) / 10, e[9], e[10][0] if e[10] else None)
        for p in planned
        for e in p.entries
    ]
    assert list(
        SentenceChange.objects.order_by("pk").values_list(
            "prisoner_id", "ruling_date", "months", "to_years", "ruling_number"
        )
    ) == [
        (p.pk, c.ruling_date, c.months, c.to_years, c.ruling_number)
        for p in planned
        for c in p.changes
    ]
    # Ledger lines are stamped as a clerk would have entered them, not with the seed's time.
    stamps = set(PointsEntry.objects.values_list("recorded_at", flat=True))
    assert len(stamps) <= 2 * prisoners_demo.LEDGER_MONTHS + 2
    assert max(stamps).date() <= TODAY


# --- pure planning -----------------------------------------------------------------------


def _demo_plans(seed: int) -> list[prisoners_demo.PrisonerPlan]:
    plan = org_demo.build_plan("demo", random.Random(f"{seed}/org"))
    inputs = prisoners_demo.inputs_from_org_plan(plan)
    salt, counts = prisoners_demo.plan_setup("demo", random.Random(f"{seed}/prisoners"), inputs)
    return [
        p
        for prison in prisoners_demo.plan_all("demo", salt, counts, TODAY, inputs)
        for p in prison.prisoners
    ]


def _fingerprint(prisoners) -> list[tuple]:
    return [
        (
            p.pk, p.name, p.id_number, p.crimes, p.term_total, p.execution_start,
            tuple((e[1], e[2], e[6], e[9]) for e in p.entries),
            tuple((c.ruling_date, c.months, c.to_years) for c in p.changes),
            tuple(p.rewards), tuple(p.jobs), tuple(p.violations), tuple(p.commendations),
        )
        for p in prisoners
    ]  # fmt: skip


def test_the_plan_is_deterministic_and_follows_the_seed():
    first = _fingerprint(_demo_plans(2023))
    assert first == _fingerprint(_demo_plans(2023))
    other = _fingerprint(_demo_plans(7))
    assert [row[1] for row in first] != [row[1] for row in other]


@pytest.fixture(scope="module")
def province():
    plan = org_demo.build_plan("province", random.Random("2023/org"))
    inputs = prisoners_demo.inputs_from_org_plan(plan)
    salt, counts = prisoners_demo.plan_setup("province", random.Random("2023/prisoners"), inputs)
    prisons = {p.code: p for p in inputs.prisons}
    started = time.perf_counter()
    plans = {
        code: prisoners_demo.plan_prison(
            "province", salt, TODAY, prisons[code], counts[code], used_ids=set(inputs.officer_ids)
        )
        for code in ("P01", org_demo.WOMENS_PRISON, org_demo.JUVENILE_PRISON)
    }
    return counts, plans, time.perf_counter() - started


def test_province_has_30000_prisoners_in_prisons_of_1200_to_2500(province):
    counts, _, seconds = province
    assert sum(sum(c) for c in counts.values()) == prisoners_demo.PROVINCE_PRISONERS
    assert len(counts) == len(org_demo.PRISONS)
    for code, per_unit in counts.items():
        assert 1200 <= sum(per_unit) <= 2500, code
        assert min(per_unit) > 20
    assert seconds < 10


def test_province_sentences_follow_the_brief(province):
    _, plans, _ = province
    prisoners = plans["P01"].prisoners
    n = len(prisoners)
    classes = Counter(p.sentence_class for p in prisoners)
    for klass, share, tolerance in (
        ("3-5", 0.30, 0.04),
        ("5-10", 0.40, 0.04),
        ("10-15", 0.20, 0.03),
        ("15-25", 0.05, 0.015),
        ("life", 0.04, 0.015),
        ("death", 0.01, 0.008),
    ):
        assert abs(classes[klass] / n - share) <= tolerance, klass
    assert 0.05 <= sum(p.is_recidivist for p in prisoners) / n <= 0.11
    assert sum(p.property_able_unfulfilled for p in prisoners) == round(0.03 * n)
    assert 0.3 <= sum(p.property_amount > 0 for p in prisoners) / n <= 0.9
    assert all(p.gender == "M" for p in prisoners)
    for p in prisoners:
        if "violent_10y" in p.categories:
            assert p.crimes[0] in prisoners_demo.VIOLENT_CRIMES
            assert p.sentence_type != "fixed_term" or p.term_total >= 120
        if p.crimes[0] in prisoners_demo.VIOLENT_CRIMES and (
            p.sentence_type != "fixed_term" or p.term_total >= 120
        ):
            assert "violent_10y" in p.categories
        if set(p.crimes) & prisoners_demo.FINANCIAL_CRIMES:
            assert "financial" in p.categories
    women = plans[org_demo.WOMENS_PRISON].prisoners
    assert all(p.gender == "F" for p in women)
    assert not any("强奸罪" in p.crimes for p in women)
    juveniles = plans[org_demo.JUVENILE_PRISON].prisoners
    assert all(p.sentence_type == "fixed_term" and p.term_total <= 180 for p in juveniles)
    assert not any(p.is_recidivist for p in juveniles)
    assert all(17 <= (TODAY - p.birth_date).days // 365 <= 25 for p in juveniles)


def test_province_conduct_shares(province):
    _, plans, _ = province
    prisoners = plans["P01"].prisoners
    n = len(prisoners)
    merits = Counter(r[0] for p in prisoners for r in p.rewards)
    assert merits["merit"] == round(0.03 * n) and merits["major_merit"] == round(0.003 * n)
    inventions = sum(r[4] for p in prisoners for r in p.rewards)
    assert inventions == round(0.15 * (merits["merit"] + merits["major_merit"]))
    severities = Counter(v[0] for p in prisoners for v in set(p.violations))
    violators = Counter(
        "serious" if any(v[0] == "serious" for v in p.violations) else "ordinary"
        for p in prisoners
        if p.violations
    )
    assert violators["serious"] == round(0.03 * n)
    assert violators["ordinary"] == round(0.15 * n)
    assert severities["ordinary"] >= violators["ordinary"]
    assert 0.02 <= sum(bool(p.punishments) for p in prisoners) / n <= 0.045
    kinds = Counter(e[2] for p in prisoners for e in p.entries)
    months = sum(len(p.ledger_months) for p in prisoners)
    assert kinds["base"] == months + kinds["reversal"] - sum(
        1 for p in prisoners for e in p.entries if e[2] == "reversal" and e[10][2] != "base"
    )
    assert 0.06 <= kinds["addition"] / months <= 0.10
    assert 0.05 <= kinds["deduction"] / months <= 0.10
    # About a million ledger lines for the province's 30,000 prisoners.
    assert 22 <= len([e for p in prisoners for e in p.entries]) / n <= 40
    # Commendations at each month's end, as conduct.commendations_due says.
    for p in prisoners:
        total, count, expected = 0, 0, []
        by_month = Counter()
        for e in p.entries:
            by_month[e[1]] += e[6]
        for month in p.ledger_months:
            total += by_month[month]
            for _ in range(conduct.commendations_due(Decimal(total) / 10, count, THRESHOLD)):
                count += 1
                expected.append((month, count * THRESHOLD))
        assert [(d.replace(day=1), basis) for d, basis in p.commendations] == expected
