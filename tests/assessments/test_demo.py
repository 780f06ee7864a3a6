"""`flask demo seed` also imports the standard and opens the current quarter."""

from __future__ import annotations

from datetime import date

import pytest

from portal.assessments.models import AssessmentPeriod
from portal.demo.services import current_quarter
from portal.standards.models import StandardVersion


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 1, 1), ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31))),
        (date(2026, 5, 15), ("2026-Q2", date(2026, 4, 1), date(2026, 6, 30))),
        (date(2026, 9, 30), ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30))),
        (date(2026, 12, 31), ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31))),
    ],
)
def test_current_quarter(today, expected):
    assert current_quarter(today) == expected


def test_demo_seed_opens_the_checklist_once(demo_data, runner, count_rows):
    # demo_data: a copy of a database `flask demo seed --province 25` already filled once.
    result = runner.invoke(args=["demo", "seed", "--province", "25"])
    assert result.exit_code == 0, result.output
    assert count_rows(StandardVersion) == 1
    # The open quarter and the two earlier quarters that give the dashboards their trends.
    assert count_rows(AssessmentPeriod) == 3
