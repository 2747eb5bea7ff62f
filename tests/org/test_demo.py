"""The org part of the demo / province data generator and the seeding framework around it."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from tongxin import seeding
from tongxin.audit.models import AuditEntry
from tongxin.org import demo, idcard
from tongxin.org.models import Officer, PartyStatus, Unit, UnitKind, User, path_segment
from tongxin.org.roles import ROLES


def _seed_org(seed: int = 2023, scale: str = "demo") -> seeding.SeedContext:
    ctx = seeding.SeedContext(scale=scale, seed=seed, quiet=True)
    demo.generate(ctx)
    return ctx


class _Rollback(Exception):
    pass


def _officer_rows_of_a_rolled_back_seed(seed: int) -> list[tuple]:
    """Seed in a transaction of its own, read the officers, then undo everything."""
    try:
        with transaction.atomic():
            _seed_org(seed)
            rows = list(
                Officer.objects.order_by("police_number").values_list(
                    "police_number", "name", "id_number", "unit__code", "post", "party_status"
                )
            )
            raise _Rollback
    except _Rollback:
        pass
    assert not Unit.objects.exists()
    return rows


@pytest.fixture
def seeded(db) -> seeding.SeedContext:
    return _seed_org()


# --- the framework ---------------------------------------------------------------------------


def test_generators_follow_installed_apps_and_start_with_org(settings):
    labels = [label for label, _ in seeding.discover_generators()]
    assert labels[0] == "org"
    app_names = [name.rsplit(".", 1)[-1] for name in settings.INSTALLED_APPS]
    assert labels == sorted(labels, key=app_names.index)
    assert seeding.discover_generators() == seeding.GENERATORS


def test_unknown_scale_is_refused():
    with pytest.raises(seeding.SeedError):
        seeding.SeedContext(scale="country")


@pytest.mark.django_db
def test_run_seeds_once_and_then_refuses(monkeypatch):
    monkeypatch.setattr(seeding, "discover_generators", lambda: [("org", demo.generate)])
    assert not seeding.is_seeded()
    timings = seeding.run(scale="demo", quiet=True)
    assert list(timings) == ["org"] and timings["org"] > 0
    assert seeding.is_seeded()
    with pytest.raises(seeding.SeedError, match="已有单位数据"):
        seeding.run(scale="demo", quiet=True)


@pytest.mark.django_db
def test_a_failing_generator_leaves_nothing_behind(monkeypatch):
    def broken(ctx):
        raise RuntimeError("boom")

    monkeypatch.setattr(
        seeding, "discover_generators", lambda: [("org", demo.generate), ("later", broken)]
    )
    with pytest.raises(RuntimeError):
        seeding.run(scale="demo", quiet=True)
    assert not seeding.is_seeded()
    assert not Officer.objects.exists()


def test_demo_logins_describe_every_demo_user():
    assert [login[0] for login in seeding.DEMO_LOGINS] == [u.username for u in demo.DEMO_USERS]
    assert {login[1] for login in seeding.DEMO_LOGINS} == {demo.DEMO_PASSWORD}
    assert ("hongshan_admin", demo.DEMO_PASSWORD, "监狱系统管理员", "洪山监狱") in (
        seeding.DEMO_LOGINS
    )


# --- determinism -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_same_seed_gives_the_same_officers_and_another_seed_does_not():
    first = _officer_rows_of_a_rolled_back_seed(2023)
    second = _officer_rows_of_a_rolled_back_seed(2023)
    other = _officer_rows_of_a_rolled_back_seed(7)
    assert len(first) == demo.DEMO_OFFICERS
    assert first == second
    assert [row[1] for row in first] != [row[1] for row in other]


@pytest.mark.django_db
def test_database_holds_exactly_the_pure_plan(seeded):
    plan = demo.build_plan("demo", seeded.fork("org"))
    assert list(Officer.objects.order_by("pk").values_list("police_number", "name")) == [
        (o.police_number, o.name) for o in plan.officers
    ]
    assert list(Unit.objects.order_by("pk").values_list("pk", "code", "path")) == [
        (u.pk, u.code, u.path) for u in plan.units
    ]


# --- the unit tree ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_tree_paths_and_depths_follow_parents(seeded):
    units = {u.pk: u for u in Unit.objects.all()}
    assert units
    for unit in units.values():
        parent = units.get(unit.parent_id)
        assert unit.path == (parent.path if parent else "") + path_segment(unit.pk)
        assert unit.depth == (parent.depth + 1 if parent else 0)
    roots = {u.code for u in units.values() if u.parent_id is None}
    assert roots == {"HBJ", "WX"}


@pytest.mark.django_db
def test_units_added_after_the_seed_get_fresh_keys(seeded):
    """The seed writes explicit keys; PostgreSQL's sequence must have been moved past them."""
    prison = seeded.data["units_by_code"]["P01"]
    unit = Unit.objects.create(code="P01-NEW", name="新监区", kind=UnitKind.DISTRICT, parent=prison)
    assert unit.pk > max(u.pk for u in seeded.data["units"])
    assert unit.path == prison.path + path_segment(unit.pk)


@pytest.mark.django_db
def test_demo_tree_shape(seeded):
    kinds = Counter(Unit.objects.values_list("kind", flat=True))
    assert kinds[UnitKind.PRISON] >= 15
    assert kinds[UnitKind.TOWN] == 12
    assert kinds[UnitKind.VILLAGE] == 12 * demo.DEMO_VILLAGES_PER_TOWN
    hongshan = Unit.objects.get(code="P01")
    assert hongshan.name == "湖北省洪山监狱" and hongshan.short_name == "洪山监狱"
    assert Unit.objects.get(code="P07").short_name == "襄南监狱"
    assert [u.code for u in seeded.data["prisons"]] == [f"P{i:02d}" for i in range(1, 18)]
    assert hongshan.children.filter(kind=UnitKind.DISTRICT).count() == 3
    assert Unit.objects.get(code="P17").children.filter(kind=UnitKind.DISTRICT).count() == 2
    assert not Unit.objects.filter(kind=UnitKind.SUBDISTRICT).exists()


@pytest.mark.django_db
def test_under_a_prison_is_that_prison_and_nothing_else(seeded):
    hongshan = seeded.data["units_by_code"]["P01"]
    expected = set(Unit.objects.filter(code__startswith="P01-").values_list("code", flat=True)) | {
        "P01"
    }
    under = Unit.objects.under(hongshan)
    assert set(under.values_list("code", flat=True)) == expected
    assert set(under.values_list("kind", flat=True)) == {
        UnitKind.PRISON,
        UnitKind.DEPARTMENT,
        UnitKind.DISTRICT,
    }
    assert "P01" not in set(
        Unit.objects.under(hongshan, include_self=False).values_list("code", flat=True)
    )
    # Units whose keys extend the prison's key (1 → 10, 11, …) are elsewhere in the tree.
    assert not Unit.objects.under(hongshan).filter(code__startswith="WX").exists()


# --- officers --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_officers_are_valid_people(seeded):
    officers = list(Officer.objects.all())
    assert len(officers) == demo.DEMO_OFFICERS
    for officer in officers:
        assert idcard.problem(officer.id_number) is None, officer.id_number
        assert idcard.gender(officer.id_number) == officer.gender
        assert idcard.birth_date(officer.id_number) == officer.birth_date
        assert 1965 <= officer.birth_date.year <= 2001
        assert officer.joined_on > officer.birth_date
        assert officer.phone[0] == "1" and officer.phone[1] in "3456789"
        assert len(officer.phone) == 11
        assert 2 <= len(officer.name) <= 3
    assert len({o.police_number for o in officers}) == len(officers)
    assert any(o.lives_apart for o in officers)
    assert not Officer.objects.filter(unit__kind__in=[UnitKind.TOWN, UnitKind.VILLAGE]).exists()
    assert Officer.objects.filter(unit__code="P01-D01").count() >= 3


# --- users -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_role_has_a_demo_user_with_the_right_scope(seeded):
    for role in ROLES:
        assert User.objects.filter(groups__name=role.name).exists(), role.key
    for demo_user in demo.DEMO_USERS:
        user = User.objects.get(username=demo_user.username)
        assert user.must_change_password
        assert set(user.scope_units.values_list("code", flat=True)) == set(demo_user.scope)
        if demo_user.officer_unit:
            unit = Unit.objects.get(code=demo_user.officer_unit)
            assert user.officer is not None and user.officer.unit.is_under(unit)
            if demo_user.party_member:
                assert user.officer.party_status == PartyStatus.MEMBER
    assert User.objects.get(username="secretary").officer.post == "教导员"
    root = User.objects.get(username="root")
    assert root.is_superuser and root.is_staff
    assert not User.objects.filter(is_superuser=True).exclude(username="root").exists()


@pytest.mark.django_db
def test_demo_password_works_and_passes_the_validators(seeded):
    user = User.objects.get(username="hongshan_admin")
    assert user.check_password(demo.DEMO_PASSWORD)
    assert user.password.startswith("argon2")
    for demo_user in User.objects.all():
        validate_password(demo.DEMO_PASSWORD, demo_user)


@pytest.mark.django_db
def test_one_audit_entry_summarises_the_seed(seeded):
    entry = AuditEntry.objects.get(action="seed.org")
    assert entry.actor_id is None
    assert f"民警 {demo.DEMO_OFFICERS} 名" in entry.summary


# --- province scale, planned without a database ----------------------------------------------


@pytest.fixture(scope="module")
def province_plan() -> demo.OrgPlan:
    return demo.build_plan("province", random.Random("2023/org"))


def test_province_plan_matches_the_reported_figures(province_plan):
    officers = province_plan.officers
    assert len(officers) == pytest.approx(24_700, rel=0.01)
    assert sum(o.gender == "F" for o in officers) == pytest.approx(3_000, rel=0.03)
    party = sum(o.party_status in (PartyStatus.MEMBER, PartyStatus.PROBATIONARY) for o in officers)
    assert party == pytest.approx(14_000, rel=0.03)
    living_apart = sum(
        bool(o.spouse_work_region) and o.spouse_work_region != o.home_region for o in officers
    )
    assert 154 < living_apart < 1_000  # the reunion programme brought 154 of them home


def test_province_plan_has_349_wuxue_governance_centres(province_plan):
    wuxue = next(u for u in province_plan.units if u.code == "WX")
    under_wuxue = [u for u in province_plan.units if u.path.startswith(wuxue.path)]
    assert len(under_wuxue) == 349
    villages = [u for u in under_wuxue if u.kind == UnitKind.VILLAGE]
    assert len(villages) == 336
    for town in (u for u in under_wuxue if u.kind == UnitKind.TOWN):
        names = [v.name for v in villages if v.parent_pk == town.pk]
        assert len(names) == len(set(names))


def test_province_plan_units_and_people_are_consistent(province_plan):
    units = province_plan.units
    assert len({u.code for u in units}) == len(units)
    prisons = [u for u in units if u.kind == UnitKind.PRISON]
    assert len(prisons) >= 15
    for prison in prisons:
        districts = [u for u in units if u.parent_pk == prison.pk and u.kind == "district"]
        assert 8 <= len(districts) <= 16
    officers = province_plan.officers
    assert len({o.police_number for o in officers}) == len(officers)
    assert len({o.id_number for o in officers}) == len(officers)
    sample = random.Random(1).sample(officers, 2_000)
    assert all(idcard.problem(o.id_number) is None for o in sample)
    assert all(idcard.gender(o.id_number) == o.gender for o in sample)
    heads = Counter(o.post for o in officers)
    assert heads["监狱长"] == len(prisons)
    assert heads["局长"] == 1
