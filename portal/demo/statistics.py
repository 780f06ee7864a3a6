"""Demo dossier statistics and Decision 766 index rows for the last nine months.

Consistent with the demo ratings: in months with ratings a counter settled between about
1.7 and 5 times as many dossiers as it got ratings (coverage 20–60%); a few counters get
fewer dossiers than ratings, so that "more ratings than dossiers" shows. Centers that
already have statistics are left alone (idempotent); rows are inserted in bulk.
"""

from __future__ import annotations

import random
from datetime import date, datetime

import sqlalchemy as sa

from ..audit import services as audit
from ..centers.models import Center, Counter
from ..extensions import db
from ..rankings.coverage import month_end, ratings_by_month
from ..ratings.models import RollupScope
from ..shared.timeutils import DISPLAY_TZ, now_utc
from ..statistics.models import INDEX_GROUPS, DossierStat, ServiceIndex

MONTHS = 9
SOURCE_DOSSIERS = "demo: thong-ke-ho-so.csv"
SOURCE_INDEX = "demo: chi-so-766.csv"
#: Share of (counter, month) pairs with ratings that get fewer dossiers than ratings.
FLAG_SHARE = 0.03


def _months(today: date) -> list[date]:
    first = today.replace(day=1)
    out = []
    for i in range(MONTHS):
        y, m = divmod(first.year * 12 + first.month - 1 - i, 12)
        out.append(date(y, m + 1, 1))
    return sorted(out)


def seed_statistics(province_code: int, *, today: date | None = None) -> int:
    """Add demo statistics to the province's centers that have none. Returns rows added."""
    today = today or datetime.now(DISPLAY_TZ).date()
    rng = random.Random(province_code * 7663)  # noqa: S311 - demo data, reproducible
    centers = db.session.scalars(
        sa.select(Center).where(Center.province_code == province_code).order_by(Center.code)
    ).all()
    done = set(
        db.session.scalars(
            sa.select(DossierStat.center_id)
            .where(DossierStat.center_id.in_([c.id for c in centers]))
            .distinct()
        )
    )
    todo = [c for c in centers if c.id not in done]
    if not todo:
        return 0
    counters = db.session.scalars(
        sa.select(Counter)
        .where(Counter.center_id.in_([c.id for c in todo]), Counter.is_active)
        .order_by(Counter.center_id, Counter.number)
    ).all()
    by_center: dict[int, list[Counter]] = {}
    for counter in counters:
        by_center.setdefault(counter.center_id, []).append(counter)
    months = _months(today)
    ratings = ratings_by_month(
        RollupScope.COUNTER, [c.id for c in counters], months[0], month_end(months[-1])
    )
    now = now_utc()
    stats, index = [], []
    for center in todo:
        base = 180 if center.is_provincial else 35
        quality = rng.uniform(0.6, 0.95)
        for month in months:
            partial = month.year == today.year and month.month == today.month
            scale = max(today.day / month_end(month).day, 0.05) if partial else 1.0
            for counter in by_center.get(center.id, []):
                n = ratings.get((counter.id, month), 0)
                if n and rng.random() < FLAG_SHARE:
                    received = max(1, n - rng.randint(1, max(1, n // 3)))
                    settled = received
                elif n:
                    settled = max(n, round(n / rng.uniform(0.2, 0.6)))
                    received = settled + round(settled * rng.uniform(0.02, 0.08))
                else:
                    settled = max(1, round(base * scale * rng.uniform(0.6, 1.4)))
                    received = settled + round(settled * rng.uniform(0.02, 0.08))
                late = min(settled, round(settled * rng.uniform(0.0, 1 - quality) / 2))
                stats.append(
                    {
                        "center_id": center.id,
                        "counter_id": counter.id,
                        "month": month,
                        "received": received,
                        "on_time": settled - late,
                        "late": late,
                        "returned": received - settled,
                        "online": round(received * rng.uniform(0.3, 0.75)),
                        "source": SOURCE_DOSSIERS,
                        "imported_at": now,
                    }
                )
            if partial:
                continue  # the national portal publishes a month once it is over
            groups = {
                k: round(maximum * rng.uniform(quality - 0.15, 1.0), 2)
                for k, maximum in INDEX_GROUPS
            }
            groups = {k: min(v, dict(INDEX_GROUPS)[k]) for k, v in groups.items()}
            index.append(
                {
                    "center_id": center.id,
                    "month": month,
                    **groups,
                    "total": round(sum(groups.values()), 2),
                    "source": SOURCE_INDEX,
                    "imported_at": now,
                }
            )
    if stats:
        db.session.execute(sa.insert(DossierStat), stats)
    existing = set(
        db.session.execute(
            sa.select(ServiceIndex.center_id, ServiceIndex.month).where(
                ServiceIndex.center_id.in_([c.id for c in todo])
            )
        ).all()
    )
    index = [r for r in index if (r["center_id"], r["month"]) not in existing]
    if index:
        db.session.execute(sa.insert(ServiceIndex), index)
    audit.record(
        actor=None,
        action="demo.statistics_seeded",
        object_type="province",
        object_id=province_code,
        summary={"dossier_rows": len(stats), "index_rows": len(index)},
    )
    return len(stats) + len(index)
