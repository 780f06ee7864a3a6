"""The charts' data: monthly satisfaction, self against verified scores, area means,
per-counter figures and ratings by hour of day.

The monthly trends sum the daily rollups. The one exception is "ratings by hour of day"
of one counter, which no rollup holds: it is a single grouped query on that counter's
ratings (index on counter_id, created_at) over one period.
"""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from ..accounts.models import User
from ..accounts.permissions import visible_centers_clause
from ..assessments.models import AssessmentPeriod
from ..centers.models import Center, Counter
from ..extensions import db
from ..ratings.models import Channel, Rating, RatingRollup, RollupScope
from ..scoring import rules
from .models import ScoreSnapshot
from .satisfaction import satisfaction_figures

ZERO = (0, 0, 0, 0, 0)


def _months_back(today: date, months: int) -> date:
    first = today.replace(day=1)
    for _i in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


def monthly_satisfaction(
    scope: str,
    key_ids: sa.Select | list[int],
    *,
    today: date,
    months: int = 12,
) -> list[tuple[date, rules.Satisfaction]]:
    """Satisfaction per calendar month over the last ``months`` (empty months included).

    Sums the rollups in SQL by year and month: one query for a province or a counter.
    Centers read their month rows (12 per center), counters and officers their days.
    """
    first = _months_back(today, months)
    t = RatingRollup
    if scope == RollupScope.CENTER:
        # Month rows are dated the first of their month: grouped by that day, no date math.
        scope = RollupScope.MONTH
        keys: tuple = (t.day,)
    else:
        keys = (sa.extract("year", t.day), sa.extract("month", t.day))
    rows = db.session.execute(
        sa.select(
            *keys,
            sa.func.sum(t.n1),
            sa.func.sum(t.n2),
            sa.func.sum(t.n3),
            sa.func.sum(t.n4),
            sa.func.sum(t.n5),
        )
        .where(t.scope == str(scope), t.key_id.in_(key_ids), t.day >= first, t.day <= today)
        .group_by(*keys)
    ).all()
    width = len(keys)
    totals = {
        (r[0].year, r[0].month) if width == 1 else (int(r[0]), int(r[1])): tuple(
            int(x or 0) for x in r[width:]
        )
        for r in rows
    }
    out = []
    m = first
    while m <= today:
        out.append((m, rules.satisfaction(totals.get((m.year, m.month), ZERO))))
        m = (m + timedelta(days=32)).replace(day=1)
    return out


def honesty_points(actor: User, period: AssessmentPeriod) -> list[tuple[str, float, float]]:
    """(center name, C_self, C_verified) of every verified center in scope."""
    rows = db.session.execute(
        sa.select(Center.name, ScoreSnapshot.compliance_self, ScoreSnapshot.compliance_verified)
        .join(Center, Center.id == ScoreSnapshot.center_id)
        .where(
            ScoreSnapshot.period_id == period.id,
            visible_centers_clause(actor),
            ScoreSnapshot.compliance_self.is_not(None),
            ScoreSnapshot.compliance_verified.is_not(None),
        )
        .order_by(Center.code)
    ).all()
    return [(name, float(s), float(v)) for name, s, v in rows]


def area_averages(
    actor: User, period: AssessmentPeriod
) -> dict[str, tuple[float | None, float | None, int]]:
    """Per area code: mean self and verified score over the verified centers in scope, and n.

    One query reads the snapshots' area column; the means are taken here (the column is
    JSON, which SQLite and PostgreSQL aggregate differently).
    """
    sums: dict[str, list[float]] = {}
    for (areas,) in db.session.execute(
        sa.select(ScoreSnapshot.areas)
        .join(Center, Center.id == ScoreSnapshot.center_id)
        .where(
            ScoreSnapshot.period_id == period.id,
            visible_centers_clause(actor),
            ScoreSnapshot.compliance_verified.is_not(None),
        )
    ):
        for code, pair in (areas or {}).items():
            acc = sums.setdefault(code, [0.0, 0, 0.0, 0])
            if pair[0] is not None:
                acc[0] += pair[0]
                acc[1] += 1
            if pair[1] is not None:
                acc[2] += pair[1]
                acc[3] += 1
    return {
        code: (
            round(a[0] / a[1], 2) if a[1] else None,
            round(a[2] / a[3], 2) if a[3] else None,
            max(a[1], a[3]),
        )
        for code, a in sorted(sums.items())
    }


# One center's counters --------------------------------------------------------------------


def counter_figures(
    center: Center, start: date, end: date
) -> list[tuple[Counter, rules.Satisfaction]]:
    counters = list(
        db.session.scalars(
            sa.select(Counter).where(Counter.center_id == center.id).order_by(Counter.number)
        )
    )
    figures = satisfaction_figures(RollupScope.COUNTER, [c.id for c in counters], start, end)
    return [(c, figures[c.id]) for c in counters]


#: Asia/Ho_Chi_Minh has a fixed offset (no daylight saving): local hour = UTC hour + 7.
LOCAL_OFFSET_HOURS = 7


def hour_counts(counter: Counter, start: date, end: date) -> list[int]:
    """Reportable ratings of one counter per local hour of day over [start, end].

    No rollup holds hours: one grouped query on the counter's ratings (ix counter_id,
    created_at), bounded to the period. Reportable as in the rollups: not staff-entered,
    not held for review, not confirmed abuse.
    """
    hour = sa.extract("hour", Rating.created_at)
    rows = db.session.execute(
        sa.select(hour, sa.func.count(Rating.id))
        .where(
            Rating.counter_id == counter.id,
            Rating.day >= start,
            Rating.day <= end,
            Rating.channel != Channel.STAFF,
            sa.or_(Rating.flags == "", Rating.cleared_at.is_not(None)),
            sa.or_(Rating.flag_review.is_(None), Rating.flag_review != "confirmed"),
        )
        .group_by(hour)
    ).all()
    counts = [0] * 24
    for h, n in rows:
        counts[(int(h) + LOCAL_OFFSET_HOURS) % 24] += int(n)
    return counts
