"""Outcome figures beside the scores: dossier statistics, rating coverage, the 766 index.

Coverage = reportable ratings per dossier settled (from the daily rating rollups, never the
raw ratings). A counter is flagged when its reportable ratings of a month exceed the
dossiers it received that month (PRODUCT.md "Beyond the peers" §3). The 766 index is shown
beside C_verified, S and Q of the snapshots; it never enters Q.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from ..assessments.models import AssessmentPeriod
from ..centers.models import Center, Counter
from ..extensions import db
from ..ratings.models import RatingRollup, RollupScope
from ..shared.search import like_contains
from ..shared.text import fold
from ..statistics.models import DossierStat, ServiceIndex
from .models import ScoreSnapshot

N = RatingRollup.n1 + RatingRollup.n2 + RatingRollup.n3 + RatingRollup.n4 + RatingRollup.n5


def month_end(month: date) -> date:
    nxt = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


def ratings_by_month(scope: str, key_ids, start: date, end: date) -> dict[tuple[int, date], int]:
    """Reportable ratings per (key, first day of month) over ``[start, end]``."""
    ids = list(key_ids)
    if not ids:
        return {}
    t = RatingRollup
    year, month = sa.extract("year", t.day), sa.extract("month", t.day)
    rows = db.session.execute(
        sa.select(t.key_id, year, month, sa.func.sum(N))
        .where(t.scope == scope, t.key_id.in_(ids), t.day >= start, t.day <= end)
        .group_by(t.key_id, year, month)
    ).all()
    return {(r[0], date(int(r[1]), int(r[2]), 1)): int(r[3] or 0) for r in rows}


@dataclass
class Figures:
    received: int = 0
    on_time: int = 0
    late: int = 0
    returned: int = 0
    online: int = 0
    ratings: int = 0
    sources: set[str] = field(default_factory=set)
    imported_at: object = None

    def add(self, row: DossierStat) -> None:
        self.received += row.received
        self.on_time += row.on_time
        self.late += row.late
        self.returned += row.returned
        self.online += row.online
        self.sources.add(row.source)
        if self.imported_at is None or row.imported_at > self.imported_at:
            self.imported_at = row.imported_at

    @property
    def settled(self) -> int:
        return self.on_time + self.late

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.settled if self.settled else None

    @property
    def online_share(self) -> float | None:
        return self.online / self.received if self.received else None

    @property
    def coverage(self) -> float | None:
        return self.ratings / self.settled if self.settled else None

    @property
    def exceeds(self) -> bool:
        """More reportable ratings than dossiers received."""
        return self.ratings > self.received

    @property
    def source(self) -> str:
        return ", ".join(sorted(self.sources))


@dataclass
class CounterMonth:
    counter: Counter
    figures: Figures


@dataclass
class CenterMonth:
    month: date
    figures: Figures
    counters: list[CounterMonth]
    index: ServiceIndex | None

    @property
    def flagged(self) -> list[CounterMonth]:
        return [c for c in self.counters if c.figures.exceeds]


def center_months(center: Center, months: int = 12, today: date | None = None) -> list[CenterMonth]:
    """The center's months with dossier statistics or a 766 index, newest first."""
    stats = db.session.scalars(
        sa.select(DossierStat)
        .where(DossierStat.center_id == center.id)
        .order_by(DossierStat.month.desc())
    ).all()
    indexes = {
        i.month: i
        for i in db.session.scalars(
            sa.select(ServiceIndex).where(ServiceIndex.center_id == center.id)
        )
    }
    keys = sorted({s.month for s in stats} | set(indexes), reverse=True)[:months]
    if not keys:
        return []
    start, end = min(keys), month_end(max(keys))
    center_n = ratings_by_month(RollupScope.CENTER, [center.id], start, end)
    counter_ids = {s.counter_id for s in stats if s.counter_id is not None}
    counter_n = ratings_by_month(RollupScope.COUNTER, counter_ids, start, end)
    counters = {
        c.id: c for c in db.session.scalars(sa.select(Counter).where(Counter.id.in_(counter_ids)))
    }
    result = []
    for month in keys:
        total = Figures(ratings=center_n.get((center.id, month), 0))
        per_counter: dict[int, Figures] = defaultdict(Figures)
        for s in stats:
            if s.month != month:
                continue
            total.add(s)
            if s.counter_id is not None:
                per_counter[s.counter_id].add(s)
        rows = []
        for counter_id, figures in per_counter.items():
            figures.ratings = counter_n.get((counter_id, month), 0)
            rows.append(CounterMonth(counters[counter_id], figures))
        rows.sort(key=lambda r: r.counter.number)
        result.append(CenterMonth(month, total, rows, indexes.get(month)))
    return result


@dataclass(frozen=True)
class PeriodScores:
    period: AssessmentPeriod
    snapshot: ScoreSnapshot


def period_scores(center: Center) -> list[PeriodScores]:
    """The center's score snapshots (C_verified, S, Q), newest period first."""
    rows = db.session.execute(
        sa.select(AssessmentPeriod, ScoreSnapshot)
        .join(ScoreSnapshot, ScoreSnapshot.period_id == AssessmentPeriod.id)
        .where(ScoreSnapshot.center_id == center.id)
        .order_by(AssessmentPeriod.opens_on.desc())
    ).all()
    return [PeriodScores(p, s) for p, s in rows]


def latest_month(scope: sa.ColumnElement[bool]) -> date | None:
    return db.session.scalar(
        sa.select(sa.func.max(DossierStat.month))
        .join(Center, Center.id == DossierStat.center_id)
        .where(scope)
    )


@dataclass
class OverviewRow:
    center: Center
    figures: Figures
    flagged_counters: int
    index_total: float | None


SORTS = ("name", "received", "on_time_share", "online_share", "coverage", "index")


def overview(
    scope: sa.ColumnElement[bool],
    month: date,
    *,
    q: str = "",
    sort: str = "name",
    descending: bool = False,
) -> list[OverviewRow]:
    """Every center of the scope with the month's figures (one query per table)."""
    centers_stmt = sa.select(Center).where(scope)
    for word in fold(q).split()[:8]:
        centers_stmt = centers_stmt.where(like_contains(Center.search_key, word))
    centers = db.session.scalars(centers_stmt).all()
    ids = [c.id for c in centers]
    stats = (
        db.session.scalars(
            sa.select(DossierStat).where(DossierStat.center_id.in_(ids), DossierStat.month == month)
        ).all()
        if ids
        else []
    )
    end = month_end(month)
    center_n = ratings_by_month(RollupScope.CENTER, ids, month, end)
    counter_ids = {s.counter_id for s in stats if s.counter_id is not None}
    counter_n = ratings_by_month(RollupScope.COUNTER, counter_ids, month, end)
    index = (
        dict(
            db.session.execute(
                sa.select(ServiceIndex.center_id, ServiceIndex.total).where(
                    ServiceIndex.center_id.in_(ids), ServiceIndex.month == month
                )
            ).all()
        )
        if ids
        else {}
    )
    figures: dict[int, Figures] = {i: Figures(ratings=center_n.get((i, month), 0)) for i in ids}
    flagged: dict[int, int] = defaultdict(int)
    per_counter: dict[int, Figures] = defaultdict(Figures)
    owner = {}
    for s in stats:
        figures[s.center_id].add(s)
        if s.counter_id is not None:
            per_counter[s.counter_id].add(s)
            owner[s.counter_id] = s.center_id
    for counter_id, f in per_counter.items():
        f.ratings = counter_n.get((counter_id, month), 0)
        if f.exceeds:
            flagged[owner[counter_id]] += 1
    rows = [OverviewRow(c, figures[c.id], flagged[c.id], index.get(c.id)) for c in centers]
    keys = {
        "received": lambda r: r.figures.received,
        "on_time_share": lambda r: r.figures.on_time_share,
        "online_share": lambda r: r.figures.online_share,
        "coverage": lambda r: r.figures.coverage,
        "index": lambda r: r.index_total,
    }
    if sort in keys:
        key = keys[sort]
        present = [r for r in rows if key(r) is not None]
        missing = [r for r in rows if key(r) is None]
        present.sort(key=lambda r: (key(r), r.center.code), reverse=descending)
        rows = present + sorted(missing, key=lambda r: r.center.code)
    else:
        rows.sort(
            key=lambda r: (not r.center.is_provincial, fold(r.center.unit_name)), reverse=descending
        )
    return rows
