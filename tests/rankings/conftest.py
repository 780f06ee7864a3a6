"""A small period with known answers: three centers, verified results and daily rollups."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.assessments.models import Assessment
from portal.assessments.services import today_local
from portal.extensions import db
from portal.inspections.models import Inspection
from portal.ratings import rollups
from portal.ratings.models import RatingRollup
from portal.shared.timeutils import now_utc

from ..assessments import conftest as checklist_fixtures

app_config = checklist_fixtures.app_config
standard_version = checklist_fixtures.standard_version
create_period = checklist_fixtures.create_period
period = checklist_fixtures.period


def add_rollup(center, counts, *, day=None, scope="center", key_id=None):
    """A day's rollup row; a center's day also counts in its month row, as a rating does."""
    day = day or today_local() - timedelta(days=1)
    n1, n2, n3, n4, n5 = counts
    db.session.add(
        RatingRollup(
            day=day,
            scope=scope,
            key_id=key_id or center.id,
            center_id=center.id,
            n1=n1,
            n2=n2,
            n3=n3,
            n4=n4,
            n5=n5,
        )
    )
    if scope == "center":
        month = {"day": day.replace(day=1), "scope": "month", "key_id": center.id}
        figures = dict(zip(rollups.COUNTS, counts, strict=True))
        rollups.add_counts([{**month, "center_id": center.id, **figures}])


def add_verified(period, center, *, verified, self_score=None, gates_ok=True, days_left=5):
    """A finalized inspection with this C_verified (appeal window still open by default)."""
    assessment = Assessment(period=period, center=center, status="submitted")
    db.session.add(assessment)
    db.session.flush()
    inspection = Inspection(
        assessment=assessment,
        status="finalized",
        self_score=self_score if self_score is not None else verified,
        verified_score=verified,
        gates_ok=gates_ok,
        standardized=False,
        result={"areas": {"NL": [0.9, 0.8625], "TB": [1.0, None]}, "criteria": {}},
        finalized_at=now_utc(),
        appeal_until=today_local() + timedelta(days=days_left),
    )
    db.session.add(inspection)
    db.session.flush()
    return inspection


@pytest.fixture
def small_period(period, center, other_center, create_center, users):
    """Việt Trì: C_verified 86.10 and 250 ratings with S = 99.10 (Q exactly 90.00 when m = 0);
    Nông Trang: C_verified 80.00 and no ratings; a third center: 20 ratings, not verified."""
    third = create_center("07901", name="Trung tâm Phục vụ hành chính công phường Gia Cẩm")
    add_verified(period, center, verified=86.1, self_score=92.0)
    add_verified(period, other_center, verified=80.0)
    add_rollup(center, (0, 0, 0, 9, 241))
    add_rollup(third, (10, 0, 0, 0, 10))
    db.session.commit()
    return {"period": period, "A": center, "B": other_center, "C": third}
