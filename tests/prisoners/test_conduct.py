"""The pure rules of the conduct record: commendations earned by points, and merit levels."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tongxin.prisoners import conduct

START = dt.date(2022, 1, 1)


def window(commendations=0, merits=0, major_merits=0, serious=0, points="0"):
    return conduct.ConductWindow(
        start=START,
        commendations=commendations,
        merits=merits,
        major_merits=major_merits,
        serious_violations=serious,
        points=Decimal(points),
    )


@pytest.mark.parametrize(
    ("total", "awarded", "due"),
    [
        ("0", 0, 0),
        ("599.9", 0, 0),
        ("600", 0, 1),
        ("600", 1, 0),
        ("1199.9", 1, 0),
        ("1200", 1, 1),
        ("1200", 0, 2),  # two thresholds crossed at once: both are due
        ("1800", 3, 0),
        ("-50", 0, 0),  # a net negative ledger earns nothing
        ("550", 1, 0),  # below a threshold already rewarded: nothing due, nothing negative
    ],
)
def test_commendations_due(total, awarded, due):
    assert conduct.commendations_due(Decimal(total), awarded, 600) == due


def test_commendations_follow_the_threshold_setting():
    assert conduct.commendations_due(Decimal("500"), 0, 500) == 1
    assert conduct.commendations_due(Decimal("999"), 1, 500) == 0


@pytest.mark.parametrize("threshold", [0, -600])
def test_threshold_must_be_positive(threshold):
    with pytest.raises(ValueError):
        conduct.commendations_due(Decimal("600"), 0, threshold)


@pytest.mark.parametrize(
    ("record", "level"),
    [
        (window(), None),
        (window(commendations=1), None),
        (window(commendations=2), conduct.REPENTANCE),
        (window(commendations=2, serious=1), None),
        (window(merits=1), conduct.MERITORIOUS),
        (window(merits=1, commendations=2), conduct.REPENTANCE_AND_MERITORIOUS),
        (window(merits=1, commendations=2, serious=1), conduct.MERITORIOUS),
        (window(major_merits=1), conduct.MAJOR_MERITORIOUS),
        (
            window(major_merits=1, merits=2, commendations=3),
            conduct.REPENTANCE_AND_MAJOR_MERITORIOUS,
        ),
        (window(major_merits=1, commendations=5, serious=2), conduct.MAJOR_MERITORIOUS),
    ],
)
def test_merit_level(record, level):
    assert conduct.merit_level(record, commendations_for_repentance=2) == level


def test_repentance_follows_the_setting():
    assert conduct.merit_level(window(commendations=2), commendations_for_repentance=3) is None
    assert (
        conduct.merit_level(window(commendations=3), commendations_for_repentance=3)
        == conduct.REPENTANCE
    )


def test_every_level_has_a_chinese_label():
    levels = [
        conduct.REPENTANCE,
        conduct.MERITORIOUS,
        conduct.REPENTANCE_AND_MERITORIOUS,
        conduct.MAJOR_MERITORIOUS,
        conduct.REPENTANCE_AND_MAJOR_MERITORIOUS,
    ]
    assert set(conduct.MERIT_LABELS) == set(levels)


def test_explanation_names_what_the_level_rests_on():
    text = conduct.merit_explanation(
        window(commendations=2, merits=1, serious=0, points="1250.5"),
        commendations_for_repentance=2,
    )
    assert "自2022-01-01起累计1250.5分" in text
    assert "表扬2次(认定确有悔改表现需2次)" in text
    assert "立功1次" in text
    assert "重大立功" not in text
    assert "严重违规0次" in text


def test_months_between_crosses_years():
    months = list(conduct.months_between(dt.date(2022, 11, 15), dt.date(2023, 2, 3)))
    assert months == [
        dt.date(2022, 11, 1),
        dt.date(2022, 12, 1),
        dt.date(2023, 1, 1),
        dt.date(2023, 2, 1),
    ]
    assert list(conduct.months_between(dt.date(2023, 3, 1), dt.date(2023, 2, 1))) == []
