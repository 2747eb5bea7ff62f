"""`tongxin stats party`: the same figures as the pages, for scripts (JSON keys in English)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.party.test_services import record
from tongxin.cli import main as tongxin
from tongxin.party.models import ActivityKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_years(secretary_a1, party):
    for month in range(1, 13):
        record(
            secretary_a1,
            party.branch_a1,
            kind=ActivityKind.THEMED_DAY,
            held_on=dt.date(2023, month, 5),
        )
    for month in range(1, 9):
        record(
            secretary_a1,
            party.branch_a1,
            kind=ActivityKind.THEMED_DAY,
            held_on=dt.date(2022, month, 5),
        )
    record(
        secretary_a1, party.group_a1, kind=ActivityKind.GROUP_MEETING, held_on=dt.date(2023, 4, 1)
    )


def test_json_output(two_years, capsys):
    assert tongxin(["stats", "party", "--year", "2023", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    figures = data["figures"]
    assert data["year"] == 2023
    assert figures["themed_day"] == {"value": 12, "previous": 8, "change": pytest.approx(0.5)}
    assert figures["three_meetings_one_lecture"]["value"] == 1
    assert figures["organizations"]["value"] == 6
    assert all(key.isascii() for key in figures)


def test_unit_narrows_the_figures(two_years, capsys):
    assert tongxin(["stats", "party", "--year", "2023", "--unit", "P07", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)["figures"]
    assert figures["themed_day"]["value"] == 0
    assert figures["organizations"]["value"] == 2


def test_table_output_in_chinese(two_years, capsys):
    assert tongxin(["stats", "party", "--year", "2023"]) == 0
    out = capsys.readouterr().out
    assert "全省监狱系统 2023 年党建统计" in out and "主题党日" in out and "+50.00%" in out


def test_unknown_unit_is_an_error(party, capsys):
    assert tongxin(["stats", "party", "--year", "2023", "--unit", "NOPE"]) == 2
    assert "NOPE" in capsys.readouterr().err
