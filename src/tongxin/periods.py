"""Periods of the statistics, shared by every app: year-on-year change is computed from two
spans of records, never stored. For the year in progress both spans run to the same day."""

from __future__ import annotations

import datetime as dt


def year_on_year(current: float | None, previous: float | None) -> float | None:
    """Relative change, e.g. 0.4133 for +41.33%; ``None`` when there is no base."""
    if current is None or not previous:
        return None
    return (current - previous) / previous


def same_day_a_year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def year_spans(year: int, today: dt.date | None) -> tuple[tuple[dt.date, dt.date], tuple]:
    """(this year's span, the same span a year before); the year in progress ends ``today``."""
    end = dt.date(year, 12, 31)
    if today is not None and today.year == year:
        end = today
    return (dt.date(year, 1, 1), end), (dt.date(year - 1, 1, 1), same_day_a_year_before(end))
