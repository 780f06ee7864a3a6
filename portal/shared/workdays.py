"""Working days: Monday to Friday, except the public holidays (pure; no Flask, no database).

The complaints' due dates are set in working days (``add_working_days``) and their
"days left" is counted the same way, so that a weekend or Tết never eats into the time a
center has to answer, nor shows as a day lost.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta


def is_working_day(day: date, holidays: Collection[date] = frozenset()) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, days: int, holidays: Collection[date] = frozenset()) -> date:
    """``days`` working days after ``start``."""
    current = start
    added = 0
    while added < days:
        current += timedelta(days=1)
        if is_working_day(current, holidays):
            added += 1
    return current


def working_days_between(start: date, end: date, holidays: Collection[date] = frozenset()) -> int:
    """How many working days lie after ``start`` up to and including ``end`` (0 if
    ``end`` is not after ``start``)."""
    if end <= start:
        return 0
    span = (end - start).days
    full_weeks, rest = divmod(span, 7)
    count = full_weeks * 5
    for offset in range(1, rest + 1):
        if (start + timedelta(days=offset)).weekday() < 5:
            count += 1
    count -= sum(1 for h in holidays if start < h <= end and h.weekday() < 5)
    return count


def working_days_left(today: date, due_on: date, holidays: Collection[date] = frozenset()) -> int:
    """Working days left until ``due_on`` as seen on ``today``: 0 when it is due today (or
    only weekends and holidays remain before it); negative when overdue, minus the working
    days since the due date, and at least one day late even when only a weekend or a
    holiday has passed since."""
    if due_on >= today:
        return working_days_between(today, due_on, holidays)
    return -max(1, working_days_between(due_on, today, holidays))
