"""The province dashboard: the list of centers in the actor's scope and the headline counts.

The list is one query on the snapshots (filtered, sorted and paged in SQL, with the
previous period joined for the trend); the headline counts are one aggregate per table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ..accounts.models import User
from ..accounts.permissions import visible_centers_clause
from ..assessments.models import Assessment, AssessmentPeriod
from ..centers.models import Center, Counter
from ..complaints.models import Case, CaseStatus
from ..extensions import db
from ..inspections.models import ActionStatus, CorrectiveAction, Inspection
from ..ratings.models import RatingRollup, RollupScope
from ..scoring import rules
from ..settings import services as settings
from .dashboard_periods import previous_period
from .models import ScoreSnapshot
from .years import same_quarter_last_year

#: Sortable columns of the province list: name → SQL expression (built per query).
SORTS = (
    "rank",
    "name",
    "compliance_self",
    "compliance_verified",
    "gap",
    "satisfaction_index",
    "csat",
    "n",
    "quality",
    "classification",
    "standardized",
    "trend",
)


@dataclass(frozen=True)
class ProvinceFilter:
    level: str | None = None
    classification: str | None = None
    standardized: bool | None = None
    state: str | None = None
    search_key: str | None = None
    sort: str = "rank"
    descending: bool = False


@dataclass
class CenterRow:
    snapshot: ScoreSnapshot
    center: Center
    previous_quality: float | None
    #: Q in the same quarter a year before, if that quarter has a result.
    year_ago_quality: float | None = None

    @property
    def year_ago(self) -> float | None:
        """Q now minus Q in the same quarter a year before, two decimals."""
        if self.snapshot.quality is None or self.year_ago_quality is None:
            return None
        return float(rules.shown(self.snapshot.quality) - rules.shown(self.year_ago_quality))

    @property
    def trend(self) -> float | None:
        """Q now minus Q in the previous period (both verified), two decimals."""
        if self.snapshot.quality is None or self.previous_quality is None:
            return None
        return float(rules.shown(self.snapshot.quality) - rules.shown(self.previous_quality))


@dataclass
class Page:
    """A page of rows, with what ``macros/pagination.html`` reads."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page)) if self.per_page else 1

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def _where(actor: User, period: AssessmentPeriod, f: ProvinceFilter) -> list:
    clauses = [ScoreSnapshot.period_id == period.id, visible_centers_clause(actor)]
    if f.level:
        clauses.append(Center.level == f.level)
    if f.classification:
        clauses.append(ScoreSnapshot.classification == f.classification)
    if f.standardized is not None:
        clauses.append(ScoreSnapshot.standardized.is_(f.standardized))
    if f.state:
        clauses.append(ScoreSnapshot.state == f.state)
    if f.search_key:
        clauses.append(Center.search_key.contains(f.search_key, autoescape=True))
    return clauses


def province_page(
    actor: User,
    period: AssessmentPeriod,
    f: ProvinceFilter,
    *,
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """One page of the centers in scope: filter, sort and page in SQL (one query + a count)."""
    where = _where(actor, period, f)
    total = db.session.scalar(
        sa.select(sa.func.count(ScoreSnapshot.id))
        .join(Center, Center.id == ScoreSnapshot.center_id)
        .where(*where)
    )
    prev = previous_period(period)
    ago = same_quarter_last_year(period)
    before = aliased(ScoreSnapshot)
    year_ago = aliased(ScoreSnapshot)
    stmt = (
        sa.select(ScoreSnapshot, Center, before.quality, year_ago.quality)
        .join(Center, Center.id == ScoreSnapshot.center_id)
        .outerjoin(
            before,
            sa.and_(
                before.center_id == ScoreSnapshot.center_id,
                before.period_id == (prev.id if prev else -1),
            ),
        )
        .outerjoin(
            year_ago,
            sa.and_(
                year_ago.center_id == ScoreSnapshot.center_id,
                year_ago.period_id == (ago.id if ago else -1),
            ),
        )
        .where(*where)
    )
    gap = ScoreSnapshot.compliance_self - ScoreSnapshot.compliance_verified
    columns = {
        "rank": ScoreSnapshot.rank,
        "name": Center.name,
        "compliance_self": ScoreSnapshot.compliance_self,
        "compliance_verified": ScoreSnapshot.compliance_verified,
        "gap": gap,
        "satisfaction_index": ScoreSnapshot.satisfaction_index,
        "csat": ScoreSnapshot.csat,
        "n": ScoreSnapshot.n_ratings,
        "quality": ScoreSnapshot.quality,
        "classification": ScoreSnapshot.quality,  # classes follow Q
        "standardized": ScoreSnapshot.standardized,
        "trend": ScoreSnapshot.quality - before.quality,
    }
    column = columns.get(f.sort, ScoreSnapshot.rank)
    # Empty values last in both directions, then a stable tie-break by code.
    ordered = column.desc() if f.descending else column.asc()
    stmt = stmt.order_by(column.is_(None), ordered, Center.code)
    page = max(1, page)
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    items = [CenterRow(s, c, q, y) for s, c, q, y in rows]
    return Page(items, page, per_page, int(total or 0))


# Headline figures ------------------------------------------------------------------------


@dataclass
class Headline:
    centers: int = 0
    verified: int = 0
    standardized: int = 0
    by_class: dict[str, int] = field(default_factory=dict)
    overdue_cases: int = 0
    overdue_actions: int = 0
    silent_counters: int = 0

    @property
    def standardized_share(self) -> float | None:
        return self.standardized / self.centers if self.centers else None


def _scope_ids(actor: User) -> sa.Select:
    return sa.select(Center.id).where(visible_centers_clause(actor))


def headline(actor: User, period: AssessmentPeriod, today: date) -> Headline:
    out = Headline()
    in_scope = _scope_ids(actor)
    row = db.session.execute(
        sa.select(
            sa.func.count(ScoreSnapshot.id),
            sa.func.count(ScoreSnapshot.quality),
            sa.func.sum(sa.case((ScoreSnapshot.standardized.is_(True), 1), else_=0)),
        ).where(ScoreSnapshot.period_id == period.id, ScoreSnapshot.center_id.in_(in_scope))
    ).one()
    out.centers, out.verified, out.standardized = int(row[0]), int(row[1]), int(row[2] or 0)
    out.by_class = {
        str(k): int(n)
        for k, n in db.session.execute(
            sa.select(ScoreSnapshot.classification, sa.func.count())
            .where(
                ScoreSnapshot.period_id == period.id,
                ScoreSnapshot.center_id.in_(in_scope),
                ScoreSnapshot.classification.is_not(None),
            )
            .group_by(ScoreSnapshot.classification)
        )
    }
    out.overdue_cases = int(
        db.session.scalar(
            sa.select(sa.func.count(Case.id)).where(
                Case.center_id.in_(in_scope), Case.status == CaseStatus.OPEN, Case.due_on < today
            )
        )
        or 0
    )
    out.overdue_actions = int(
        db.session.scalar(
            sa.select(sa.func.count(CorrectiveAction.id))
            .join(Inspection, Inspection.id == CorrectiveAction.inspection_id)
            .join(Assessment, Assessment.id == Inspection.assessment_id)
            .where(
                Assessment.center_id.in_(in_scope),
                CorrectiveAction.status == ActionStatus.OPEN,
                CorrectiveAction.due_on < today,
            )
        )
        or 0
    )
    out.silent_counters = silent_counter_count(in_scope, today)
    return out


def silent_counter_count(center_ids: sa.Select, today: date) -> int:
    """Active counters with no reportable rating in the alert window (from the rollups)."""
    since = today - timedelta(days=settings.get("alert_silent_days"))
    recent = sa.select(RatingRollup.key_id).where(
        RatingRollup.scope == RollupScope.COUNTER,
        RatingRollup.key_id == Counter.id,
        RatingRollup.day >= since,
    )
    return int(
        db.session.scalar(
            sa.select(sa.func.count(Counter.id)).where(
                Counter.center_id.in_(center_ids), Counter.is_active.is_(True), ~recent.exists()
            )
        )
        or 0
    )
