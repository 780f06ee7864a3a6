"""Working days left to answer a complaint: weekends and public holidays never count."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.shared.workdays import (
    add_working_days,
    is_working_day,
    working_days_between,
    working_days_left,
)

TET_2026 = frozenset(date(2026, 2, d) for d in range(16, 21))  # Mon 16 – Fri 20 February

days = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))
holiday_sets = st.frozensets(days, max_size=25)


def _brute_force(start: date, end: date, holidays) -> int:
    return sum(
        1
        for n in range(1, (end - start).days + 1)
        if is_working_day(start + timedelta(days=n), holidays)
    )


@pytest.mark.parametrize(
    ("today", "due", "holidays", "left"),
    [
        (date(2026, 11, 23), date(2026, 11, 23), (), 0),  # due today
        (date(2026, 11, 20), date(2026, 11, 23), (), 1),  # Friday → Monday: one day
        (date(2026, 11, 23), date(2026, 11, 30), (), 5),  # a whole week
        (date(2026, 11, 21), date(2026, 11, 23), (), 1),  # seen on Saturday
        (date(2026, 2, 13), date(2026, 2, 23), TET_2026, 1),  # over Tết
        (date(2026, 2, 13), date(2026, 2, 23), (), 6),  # the same days without the holiday
        (date(2026, 11, 24), date(2026, 11, 23), (), -1),  # one day late
        (date(2026, 11, 21), date(2026, 11, 20), (), -1),  # late on the Saturday after
        (date(2026, 11, 30), date(2026, 11, 20), (), -6),  # Friday due, next Monday + 1 week
        (date(2026, 2, 23), date(2026, 2, 13), TET_2026, -1),  # Tết does not make it later
    ],
)
def test_working_days_left_examples(today, due, holidays, left):
    assert working_days_left(today, due, frozenset(holidays)) == left


@given(start=days, span=st.integers(0, 800), holidays=holiday_sets)
def test_counts_exactly_the_weekdays_that_are_not_holidays(start, span, holidays):
    end = start + timedelta(days=span)
    assert working_days_between(start, end, holidays) == _brute_force(start, end, holidays)


@given(today=days, due=days, holidays=holiday_sets, extra=days)
def test_a_weekend_or_holiday_never_counts(today, due, holidays, extra):
    """Declaring one more holiday changes the count by one exactly when that day was a
    working day inside the counted span; a Saturday, a Sunday or a day already off changes
    nothing."""
    before = working_days_left(today, due, holidays)
    after = working_days_left(today, due, holidays | {extra})
    low, high = sorted((today, due))
    inside = low < extra <= high and is_working_day(extra, holidays)
    if due >= today:
        assert after == before - (1 if inside else 0)
    else:  # overdue: at least one day late, otherwise the same count
        expected = -max(1, _brute_force(due, today, holidays) - (1 if inside else 0))
        assert after == expected
    if not is_working_day(extra, holidays):
        assert after == before


@given(today=days, due=days, holidays=holiday_sets)
def test_days_left_fall_by_at_most_one_a_day(today, due, holidays):
    tomorrow = today + timedelta(days=1)
    now, then = working_days_left(today, due, holidays), working_days_left(tomorrow, due, holidays)
    assert now - 1 <= then <= now
    if not is_working_day(tomorrow, holidays) and due != today:
        assert then == now  # nothing is lost over a weekend or a holiday


@given(start=days, n=st.integers(0, 60), holidays=holiday_sets)
def test_the_due_date_leaves_exactly_the_working_days_it_was_set_with(start, n, holidays):
    due = add_working_days(start, n, holidays)
    assert working_days_left(start, due, holidays) == n
    if n:
        assert is_working_day(due, holidays)
