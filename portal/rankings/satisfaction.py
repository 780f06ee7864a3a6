"""Satisfaction figures from the daily rollups (never raw ratings): per center, counter or
officer over a window, officers ranked within their center and the province, and a
center's monthly trend."""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from ..centers.models import Center, Officer
from ..extensions import db
from ..ratings.models import RatingRollup, RollupScope
from ..ratings.services import rollup_counts
from ..scoring import rules
from ..shared.timeutils import today_local

ZERO = (0, 0, 0, 0, 0)


def satisfaction_figures(
    scope: str, ids: Iterable[int], start: date, end: date
) -> dict[int, rules.Satisfaction]:
    """n, counts, CSAT, index and Wilson bound per center, counter or officer over [start, end]."""
    ids = list(ids)
    counts = rollup_counts(str(scope), ids, start, end) if ids else {}
    return {key: rules.satisfaction(counts.get(key, ZERO)) for key in ids}


@dataclass
class OfficerRow:
    officer: Officer
    figures: rules.Satisfaction
    center_rank: int | None
    center_ranked: int
    province_rank: int | None
    province_ranked: int


def officer_rows(
    province_code: int, start: date, end: date, *, min_n: int, center: Center | None = None
) -> list[OfficerRow]:
    """Officers' figures ranked within their center and the province, above ``min_n`` only."""
    officers = db.session.scalars(
        sa.select(Officer)
        .join(Center, Center.id == Officer.center_id)
        .where(Center.province_code == province_code)
        .order_by(Officer.center_id, Officer.full_name, Officer.id)
    ).all()
    figures = satisfaction_figures(RollupScope.OFFICER, [o.id for o in officers], start, end)

    def ranks(group: list[Officer]) -> dict[str, int]:
        rows = [
            rules.RankInput(str(o.id), None, None, figures[o.id].n, figures[o.id].wilson_lower)
            for o in group
        ]
        return rules.satisfaction_ranking(rows, min_n=min_n)

    province = ranks(officers)
    by_center: dict[int, list[Officer]] = {}
    for o in officers:
        by_center.setdefault(o.center_id, []).append(o)
    out = []
    for center_id, group in by_center.items():
        if center is not None and center_id != center.id:
            continue
        in_center = ranks(group)
        for o in group:
            out.append(
                OfficerRow(
                    o,
                    figures[o.id],
                    in_center.get(str(o.id)),
                    len(in_center),
                    province.get(str(o.id)),
                    len(province),
                )
            )
    return out


def officer_row(officer: Officer, start: date, end: date, *, min_n: int) -> OfficerRow:
    """One officer's figures and ranks (what the officer sees of themselves)."""
    rows = officer_rows(
        officer.center.province_code, start, end, min_n=min_n, center=officer.center
    )
    return next(r for r in rows if r.officer.id == officer.id)


#: The windows an officer's own page tries, shortest first (months back from today).
RANK_WINDOW_MONTHS = (1, 3, 6, 12)


@dataclass(frozen=True)
class RankWindow:
    """Days an officer's own page shows, and how many of their ratings those days hold."""

    start: date
    end: date
    months: int
    n: int
    #: Whether ``n`` reaches the minimum: the rank can be shown.
    ranked: bool


def months_back(end: date, months: int) -> date:
    """The first day of the ``months`` months that end on ``end`` (``end`` 20/05, 3 → 21/02)."""
    month = end.month - months
    year = end.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    day = min(end.day, monthrange(year, month)[1])
    return date(year, month, day) + timedelta(days=1)


def _officer_days(officer: Officer, end: date) -> list[tuple[date, int]]:
    """The officer's reportable ratings per day up to ``end``, latest day first."""
    t = RatingRollup
    rows = db.session.execute(
        sa.select(t.day, t.n1 + t.n2 + t.n3 + t.n4 + t.n5)
        .where(t.scope == RollupScope.OFFICER, t.key_id == officer.id, t.day <= end)
        .order_by(t.day.desc())
    ).all()
    return [(day, int(n or 0)) for day, n in rows]


def officer_rank_window(officer: Officer, *, min_n: int, today: date | None = None) -> RankWindow:
    """The default window of an officer's own page: the shortest of the last 1, 3, 6 or 12
    months in which they have ``min_n`` ratings, so that their rank is shown; otherwise the
    last 12 months (the most a default shows), with the rank hidden."""
    end = today or today_local()
    days = _officer_days(officer, end)
    window = None
    for months in RANK_WINDOW_MONTHS:
        start = months_back(end, months)
        n = sum(count for day, count in days if day >= start)
        window = RankWindow(start, end, months, n, n >= min_n)
        if window.ranked:
            break
    assert window is not None
    return window


def start_for_rank(officer: Officer, end: date, *, min_n: int) -> tuple[date | None, int]:
    """The latest first day of a window ending on ``end`` that holds ``min_n`` of the
    officer's ratings (None when all their ratings up to ``end`` do not), and how many
    ratings they have up to ``end``."""
    total = 0
    for day, count in _officer_days(officer, end):
        total += count
        if total >= min_n:
            return day, total
    return None, total


def monthly_trend(
    center: Center, *, months: int = 12, today: date | None = None
) -> list[tuple[date, rules.Satisfaction]]:
    """Satisfaction per calendar month (the last ``months``), from the month rollups
    (one row per month)."""
    today = today or today_local()
    first = today.replace(day=1)
    for _i in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    t = RatingRollup
    rows = db.session.execute(
        sa.select(t.day, t.n1, t.n2, t.n3, t.n4, t.n5).where(
            t.scope == RollupScope.MONTH, t.key_id == center.id, t.day >= first, t.day <= today
        )
    ).all()
    totals: dict[date, list[int]] = {}
    for row in rows:
        month = row.day.replace(day=1)
        acc = totals.setdefault(month, [0, 0, 0, 0, 0])
        for i, x in enumerate(row[1:]):
            acc[i] += int(x or 0)
    return [(m, rules.satisfaction(totals[m])) for m in sorted(totals)]
