"""Statistics charts: server-drawn SVG from the records, within the user's scope."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from tests.conftest import make_user
from tests.party.test_services import record
from tongxin.party import reports
from tongxin.party.models import ActivityKind

pytestmark = pytest.mark.django_db


def test_monthly_counts_and_chart(roles, tree, secretary_a1, party, client):
    for day in (
        dt.date(2023, 1, 5),
        dt.date(2023, 1, 20),
        dt.date(2023, 3, 9),
        dt.date(2022, 3, 9),
    ):
        record(secretary_a1, party.branch_a1, kind=ActivityKind.THEMED_DAY, held_on=day)
    other = make_user("sec_b", "branch_secretary", tree.district_b1)
    record(other, party.branch_b1, kind=ActivityKind.THEMED_DAY, held_on=dt.date(2023, 1, 7))
    counts = reports.monthly_activity_counts(
        secretary_a1, root=None, year=2023, kinds=[ActivityKind.THEMED_DAY]
    )
    assert counts[2023][:3] == [2, 0, 1] and counts[2022][2] == 1 and sum(counts[2023]) == 3
    client.force_login(secretary_a1)
    response = client.get(reverse("party:statistics-chart", args=["themed_day"]), {"year": 2023})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    svg = response.content.decode()
    assert svg.startswith("<svg") and "主题党日" in svg and "2023年" in svg
    assert not re.findall(r'(?:href|src)="https?://', svg)  # nothing fetched from elsewhere
    assert client.get(reverse("party:statistics-chart", args=["nope"])).status_code == 404


def test_statistics_page_embeds_the_charts(secretary_a1, party, client):
    client.force_login(secretary_a1)
    body = client.get(reverse("party:statistics"), {"year": 2023}).content.decode()
    assert reverse("party:statistics-chart", args=["themed_day"]) in body
