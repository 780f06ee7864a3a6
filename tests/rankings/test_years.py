"""Year results: a year scored from its ratings and its last verified result, with the
quarters' own formulas, and compared with the year before (pages and public board)."""

from __future__ import annotations

import re
from datetime import date
from fractions import Fraction

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.assessments.models import AssessmentPeriod
from portal.extensions import db
from portal.rankings import services, years
from portal.rankings.models import ScoreSnapshot
from portal.scoring import rules

from .conftest import add_rollup, add_verified


def _quarter(code: str, opens: date, closes: date, version) -> AssessmentPeriod:
    period = AssessmentPeriod(
        code=code,
        name=f"Quý {code[-1]} năm {opens.year}",
        kind="quarter",
        opens_on=opens,
        closes_on=closes,
        standard_version=version,
    )
    db.session.add(period)
    db.session.flush()
    return period


def _own_q(c_verified, counts, pooled_counts, m=30) -> Fraction:
    """Q by this test's own arithmetic (not the portal's)."""
    n = sum(counts)
    s = Fraction(sum(i * k for i, k in enumerate(counts)) * 100, 4 * n)
    pn = sum(pooled_counts)
    pooled = Fraction(sum(i * k for i, k in enumerate(pooled_counts)) * 100, 4 * pn)
    s_adj = (n * s + m * pooled) / (n + m)
    return Fraction(7, 10) * Fraction(str(c_verified)) + Fraction(3, 10) * s_adj


def _two_years(standard_version, center, other_center):
    q4_25 = _quarter("2025-Q4", date(2025, 10, 1), date(2025, 12, 31), standard_version)
    q2 = _quarter("2026-Q2", date(2026, 4, 1), date(2026, 6, 30), standard_version)
    q3 = _quarter("2026-Q3", date(2026, 7, 1), date(2026, 9, 30), standard_version)
    add_verified(q4_25, center, verified=70.0)
    add_verified(q2, center, verified=75.0)
    add_verified(q3, center, verified=88.0)  # the last one within 2026 counts
    add_verified(q2, other_center, verified=81.0)
    add_rollup(center, (0, 0, 5, 10, 5), day=date(2025, 11, 3))
    add_rollup(center, (0, 1, 0, 20, 30), day=date(2026, 1, 15))  # no quarter, still 2026
    add_rollup(center, (1, 0, 0, 10, 30), day=date(2026, 8, 2))
    add_rollup(other_center, (2, 2, 2, 2, 2), day=date(2026, 5, 5))
    db.session.commit()
    return q4_25, q2, q3


def test_year_uses_its_ratings_and_last_verification(app, standard_version, center, other_center):
    _two_years(standard_version, center, other_center)
    result = years.year_result(2026, today=date(2026, 12, 7))
    mine, theirs = result.rows[center.id], result.rows[other_center.id]
    assert mine["n_ratings"] == 92 and mine["counts"] == [1, 1, 0, 30, 60]
    assert mine["compliance_verified"] == 88.0
    expected = _own_q(88.0, [1, 1, 0, 30, 60], [3, 3, 2, 32, 62])
    assert mine["quality"] == float(rules.round_half_up(expected))
    assert theirs["compliance_verified"] == 81.0
    ranks = sorted([(mine["rank"], "A"), (theirs["rank"], "B")])
    assert [r for r, _ in ranks] == [1, 2]
    before = years.year_result(2025, today=date(2026, 12, 7))
    assert before.rows[center.id]["n_ratings"] == 20
    assert before.rows[center.id]["compliance_verified"] == 70.0
    assert before.rows[other_center.id]["quality"] is None  # not verified in 2025


def test_year_comparison_and_quarter_against_a_year_before(
    app, client, auth, users, standard_version, center, other_center
):
    q4_25, q2, q3 = _two_years(standard_version, center, other_center)
    q4 = _quarter("2026-Q4", date(2026, 10, 1), date(2026, 12, 31), standard_version)
    add_verified(q4, center, verified=90.0)
    db.session.commit()
    for p in (q4_25, q4):
        services.recompute_snapshots(p, actor=users["admin"])
    db.session.commit()
    cmp = years.quarter_comparison(q4, center)
    assert cmp.before.compliance_verified == 70.0 and cmp.now.compliance_verified == 90.0
    auth.login(users["inspector"])
    html = client.get(f"/dashboards/centers/{center.code}?period=2026-Q4").text
    assert 'id="year-compare"' in html and 'id="quarter-compare"' in html
    assert "Năm 2026" in html and "Năm 2025" in html
    page = client.get("/dashboards/years/2026")
    assert page.status_code == 200
    assert f'data-code="{center.code}"' in page.text
    province = client.get("/dashboards/?period=2026-Q4").text
    assert 'class="year-ago"' in province


def test_public_year_reads_only_published_quarters(
    app, client, users, standard_version, center, other_center
):
    q4_25, q2, q3 = _two_years(standard_version, center, other_center)
    assert client.get("/rankings/years/2026").status_code == 404
    services.publish(q2, actor=users["admin"])
    db.session.commit()
    published = years.year_result(2026, published_only=True)
    # Only Q2 is published: its verified result, ratings up to its end.
    assert published.rows[center.id]["compliance_verified"] == 75.0
    assert published.rows[center.id]["n_ratings"] == 51
    page = client.get("/rankings/years/2026")
    assert page.status_code == 200
    assert "2025" in page.text
    assert client.get(f"/rankings/centers/{center.code}?period=2026-Q2").status_code == 200


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.lists(st.integers(0, 6), min_size=5, max_size=5)),
        min_size=1,
        max_size=8,
    )
)
def test_year_counts_are_the_sum_of_its_quarters(app, standard_version, center, data):
    """Quarters that cover the year: the year's n and S are their pooled n and S, exactly."""
    db.session.rollback()
    from portal.ratings.models import RatingRollup

    db.session.query(RatingRollup).delete()
    db.session.query(AssessmentPeriod).filter(AssessmentPeriod.code.like("2024-%")).delete()
    quarters = [
        _quarter(f"2024-Q{q + 1}", date(2024, 3 * q + 1, 1), end, standard_version)
        for q, end in enumerate(
            (date(2024, 3, 31), date(2024, 6, 30), date(2024, 9, 30), date(2024, 12, 31))
        )
    ]
    days: dict = {}
    for q, counts in data:
        day = quarters[q].opens_on.replace(day=1 + len(days) % 28)
        acc = days.setdefault(day, [0] * 5)
        for i, k in enumerate(counts):
            acc[i] += k
    for day, counts in days.items():
        add_rollup(center, tuple(counts), day=day)
    db.session.commit()
    year = years.year_result(2024, today=date(2026, 1, 1)).rows[center.id]
    by_quarter = []
    for p in quarters:
        start, end = p.opens_on, p.closes_on
        by_quarter.append(rules.pooled_counts(c for d, c in days.items() if start <= d <= end))
    total = rules.pooled_counts(by_quarter)
    assert year["n_ratings"] == sum(total)
    assert year["counts"] == total
    if sum(total):
        exact = Fraction(sum(i * k for i, k in enumerate(total)) * 100, 4 * sum(total))
        assert year["satisfaction_index"] == float(rules.round_half_up(exact))


def test_board_shows_the_same_quarter_a_year_before_once_published(
    app, client, users, standard_version, center, other_center
):
    q4_25, _q2, _q3 = _two_years(standard_version, center, other_center)
    q4 = _quarter("2026-Q4", date(2026, 10, 1), date(2026, 12, 31), standard_version)
    add_verified(q4, center, verified=90.0)
    db.session.commit()
    services.publish(q4, actor=users["admin"])
    db.session.commit()
    board = client.get("/rankings/?period=2026-Q4").get_data(as_text=True)
    assert "year-ago" not in board  # 2025-Q4 not published: nothing to compare
    services.publish(q4_25, actor=users["admin"])
    db.session.commit()
    before = db.session.scalar(
        sa.select(ScoreSnapshot.quality).where(
            ScoreSnapshot.period_id == q4_25.id, ScoreSnapshot.center_id == center.id
        )
    )
    board = client.get("/rankings/?period=2026-Q4").get_data(as_text=True)
    shown = f"{before:.2f}".replace(".", ",")
    # The cell carries its label for the phone layout's cards, then the value.
    assert re.search(rf'<td class="cell-num year-ago">.*?</span>{re.escape(shown)}</td>', board)
