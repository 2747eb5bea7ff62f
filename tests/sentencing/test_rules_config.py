"""The province tightens the rule table from a date on; the engine uses the version in force."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.conftest import make_user
from tongxin.audit.models import AuditEntry
from tongxin.sentencing import judge, rule_services
from tongxin.sentencing.models import RuleSetVersion
from tongxin.sentencing.rules import DEFAULT_RULESET

pytestmark = pytest.mark.django_db


@pytest.fixture
def bureau(roles, tree):
    return make_user("hbj_penalty", "bureau_penalty", tree.bureau)


def _numbers(**changes) -> dict[str, int]:
    return {name: changes.get(name, value) for name, _, value in rule_services.scalar_numbers()}


def test_a_tightened_version_is_used_from_its_date(bureau):
    rule_services.create_version(
        user=bureau,
        version="鄂2025-1",
        effective_from=dt.date(2025, 1, 1),
        numbers=_numbers(first_threshold_under_5_years=15),
        note="省局从严意见",
    )
    assert judge.ruleset_on(dt.date(2024, 12, 31)) == DEFAULT_RULESET
    tightened = judge.ruleset_on(dt.date(2025, 1, 1))
    assert tightened.first_threshold_under_5_years == 15
    assert tightened.version == "鄂2025-1"
    assert AuditEntry.objects.filter(action="sentencing.ruleset.create").exists()


def test_loosening_is_refused_on_the_number(bureau):
    with pytest.raises(ValidationError) as refused:
        rule_services.create_version(
            user=bureau,
            version="放宽",
            effective_from=dt.date(2025, 1, 1),
            numbers=_numbers(first_threshold_under_5_years=6),
        )
    assert "first_threshold_under_5_years" in refused.value.message_dict
    assert not RuleSetVersion.objects.exists()


def test_nothing_changed_is_refused(bureau):
    with pytest.raises(ValidationError, match="没有收紧任何数值"):
        rule_services.create_version(
            user=bureau, version="同", effective_from=dt.date(2025, 1, 1), numbers=_numbers()
        )


def test_a_deactivated_version_is_no_longer_used(bureau):
    row = rule_services.create_version(
        user=bureau,
        version="鄂2025-2",
        effective_from=dt.date(2025, 1, 1),
        numbers=_numbers(life_interval=30),
    )
    rule_services.set_active(user=bureau, row=row, active=False)
    assert judge.ruleset_on(dt.date(2026, 1, 1)) == DEFAULT_RULESET


def test_only_a_province_wide_holder_of_the_permission_may_configure(roles, tree):
    prison_user = make_user("p_pen", "penalty_officer", tree.prison_a)
    with pytest.raises(PermissionDenied):
        rule_services.create_version(
            user=prison_user,
            version="x",
            effective_from=dt.date(2025, 1, 1),
            numbers=_numbers(life_interval=30),
        )
    assert not RuleSetVersion.objects.exists()


def test_the_page_lists_versions_and_shows_errors_by_the_field(client, bureau, roles, tree):
    client.force_login(bureau)
    url = reverse("sentencing_rules:page")
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="rules-form"' in page.content.decode()
    data = {"action": "create", "version": "鄂2026-1", "effective_from": "2026-01-01"}
    bad = client.post(url, {**data, **_numbers(special_amount_cap=20)})
    assert bad.status_code == 400
    assert "is-invalid" in bad.content.decode()
    assert not RuleSetVersion.objects.exists()
    good = client.post(url, {**data, **_numbers(special_amount_cap=9)})
    assert good.status_code == 302
    listing = client.get(url).content.decode()
    assert "鄂2026-1" in listing and "12 → 9" in listing
    reader = make_user("pen_reader", "penalty_officer", tree.prison_a)
    client.force_login(reader)
    html = client.get(url).content.decode()
    assert "鄂2026-1" in html and 'data-testid="rules-form"' not in html
    assert client.post(url, {**data, **_numbers(life_interval=30)}).status_code == 403
