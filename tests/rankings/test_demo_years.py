"""Year results on `flask demo seed`'s data (Phú Thọ, 149 centers), with the previous
year's fourth quarter added the way the demo seeds its earlier quarters.

Year 2026 is recomputed here from the raw ratings table with this test's own arithmetic
(not the portal's) and the last verified result of each center within the year; the
pages compare 2026 with 2025 and 2026-Q4 with 2025-Q4.
"""

from __future__ import annotations

import time
from datetime import date
from fractions import Fraction

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.accounts.models import Role, User
from portal.assessments import services as assessments
from portal.assessments.models import AssessmentPeriod
from portal.centers.models import Center
from portal.demo.history import EARLIER_PLAN, seed_earlier_ratings
from portal.demo.inspections import seed_inspections
from portal.demo.services import current_period, demo_accounts
from portal.extensions import db
from portal.rankings import services, years
from portal.rankings.models import ScoreSnapshot
from portal.ratings.models import Rating
from portal.shared.timeutils import today_local

from ..conftest import IsolatedClient, copy_demo

PASSWORDS = {a.username: a.password for a in demo_accounts(25)}


@pytest.fixture(scope="module")
def demo(demo_template, tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp, copy_demo(demo_template, tmp_path_factory) as data:
        mp.setenv("PORTAL_ENV", "testing")
        tmp = tmp_path_factory.mktemp("years-demo")
        app = create_app({**data.config(), "INSTANCE_TMP": str(tmp), "RATELIMIT_ENABLED": False})
        app.test_client_class = IsolatedClient
        with app.app_context():
            with app.test_request_context():
                _previous_year(current_period())
            yield app
            db.session.remove()
            db.engine.dispose()


def _previous_year(current: AssessmentPeriod) -> None:
    """The same quarter a year before the demo's current one, seeded like its history."""
    admin = db.session.scalar(sa.select(User).where(User.role == Role.ADMIN).order_by(User.id))
    opens = current.opens_on.replace(year=current.opens_on.year - 1)
    closes = current.closes_on.replace(year=current.closes_on.year - 1)
    period = assessments.create_period(
        actor=admin,
        code=f"{opens.year}-Q{(opens.month - 1) // 3 + 1}",
        name=f"Quý {(opens.month - 1) // 3 + 1} năm {opens.year}",
        kind="quarter",
        opens_on=opens,
        closes_on=closes,
        standard_version=current.standard_version,
    )
    seed_earlier_ratings(25, opens, closes, today=today_local())
    seed_inspections(period, 25, plan=EARLIER_PLAN, earlier=True)
    db.session.flush()
    services.publish(period, actor=None)
    db.session.commit()


def _raw_counts(start: date, end: date) -> dict[int, list[int]]:
    """Reportable ratings per center and score, read from the ratings table itself."""
    reportable = sa.and_(
        Rating.channel != "staff",
        sa.or_(Rating.flags == "", Rating.cleared_at.is_not(None)),
        sa.or_(Rating.flag_review.is_(None), Rating.flag_review != "confirmed"),
    )
    out: dict[int, list[int]] = {}
    for center_id, score, n in db.session.execute(
        sa.select(Rating.center_id, Rating.score, sa.func.count())
        .where(Rating.day >= start, Rating.day <= end, reportable)
        .group_by(Rating.center_id, Rating.score)
    ):
        out.setdefault(center_id, [0] * 5)[score - 1] = n
    return out


def _index(counts) -> Fraction | None:
    n = sum(counts)
    return Fraction(sum(i * k for i, k in enumerate(counts)) * 100, 4 * n) if n else None


def _half_up(x: Fraction) -> float:
    return float(Fraction(int(x * 100 + Fraction(1, 2)), 100))


def test_year_recomputed_from_raw_ratings_and_last_verification(demo):
    with demo.test_request_context():
        year = today_local().year
        started = time.perf_counter()
        result = years.year_result(year)
        elapsed = time.perf_counter() - started
        assert len(result.rows) == 149
        assert elapsed < 5, f"a year of 149 centers took {elapsed:.2f} s"
        raw = _raw_counts(date(year, 1, 1), min(date(year, 12, 31), today_local()))
        pooled = [sum(c[i] for c in raw.values()) for i in range(5)]
        s_bar = _index(pooled)
        periods = years.year_periods(year)
        checked = 0
        for center in db.session.scalars(sa.select(Center)):
            row = result.rows[center.id]
            counts = raw.get(center.id, [0] * 5)
            assert row["counts"] == counts, center.code
            # The last verified result within the year: the latest quarter's snapshot that has one.
            last = None
            for p in periods:
                snap = db.session.scalar(
                    sa.select(ScoreSnapshot).where(
                        ScoreSnapshot.period_id == p.id, ScoreSnapshot.center_id == center.id
                    )
                )
                if snap is not None and snap.compliance_verified is not None:
                    last = snap
            if last is None:
                assert row["quality"] is None
                continue
            c_exact = Fraction(last.exact["compliance_verified"])
            n = sum(counts)
            s_adj = (n * (_index(counts) or 0) + 30 * s_bar) / (n + 30)
            q = Fraction(7, 10) * c_exact + Fraction(3, 10) * s_adj
            assert row["compliance_verified"] == last.compliance_verified, center.code
            assert row["quality"] == _half_up(q), center.code
            checked += 1
        assert checked > 100


def test_pages_compare_with_the_previous_year(demo):
    with demo.test_request_context():
        year = today_local().year
        current = current_period()
        year_ago = years.same_quarter_last_year(current)
        assert year_ago is not None
        center = db.session.scalar(
            sa.select(Center)
            .join(ScoreSnapshot, ScoreSnapshot.center_id == Center.id)
            .where(ScoreSnapshot.period_id == year_ago.id, ScoreSnapshot.quality.is_not(None))
            .order_by(Center.code)
            .limit(1)
        )
        before = years.year_result(year - 1).rows[center.id]
        code, current_code = center.code, current.code
    client = demo.test_client()
    client.post("/account/login", data={"username": "thanhtra", "password": PASSWORDS["thanhtra"]})
    page = client.get(f"/dashboards/years/{year}").get_data(as_text=True)
    assert f"Kết quả năm {year}" in page
    assert page.count('data-code="') == 149
    shown = f"{before['quality']:.2f}".replace(".", ",")
    row = page.split(f'data-code="{code}"', 1)[1].split("</tr>", 1)[0]
    assert f'class="q-before">{shown}<' in row
    dash = client.get(f"/dashboards/centers/{code}?period={current_code}").get_data(as_text=True)
    assert 'id="year-compare"' in dash and 'id="quarter-compare"' in dash
    province = client.get(f"/dashboards/?period={current_code}").get_data(as_text=True)
    assert 'class="year-ago"' in province
    public = demo.test_client().get(f"/rankings/years/{year}")
    assert public.status_code == 200
    assert f"Q năm {year - 1}" in public.get_data(as_text=True)
