"""Dashboard reads: score snapshots, rollups, inspections, complaints and corrective actions.

Every figure of a dashboard comes from here, scoped to the actor (an inspector sees only
the centers in scope, a manager only their own). Nothing here scans the ratings table for
a figure that a rollup or a snapshot holds: the province list is one query on the
snapshots (filtered, sorted and paged in SQL, with the previous period joined for the
trend), the monthly trends sum the daily rollups, the headline counts are one aggregate
per table. The one exception is "ratings by hour of day" of one counter, which no rollup
holds: it is a single grouped query on that counter's ratings (index on counter_id,
created_at) over one period.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ..accounts.models import User
from ..accounts.permissions import visible_centers_clause
from ..assessments.models import Answer, Assessment, AssessmentPeriod
from ..centers.models import Center, Counter
from ..complaints.models import Case, CaseStatus
from ..extensions import db
from ..inspections.models import (
    ActionStatus,
    CorrectiveAction,
    Inspection,
    InspectionStatus,
    ReviewItem,
)
from ..ratings.models import Channel, Rating, RatingRollup, RollupScope
from ..scoring import rules
from ..settings import services as settings
from ..standards.models import Criterion
from .models import ScoreSnapshot, SnapshotState

ZERO = (0, 0, 0, 0, 0)

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


# Periods ---------------------------------------------------------------------------------


def dashboard_periods() -> list[AssessmentPeriod]:
    """Periods that have score snapshots, newest first."""
    has = sa.select(ScoreSnapshot.id).where(ScoreSnapshot.period_id == AssessmentPeriod.id)
    return list(
        db.session.scalars(
            sa.select(AssessmentPeriod)
            .where(has.exists())
            .order_by(AssessmentPeriod.opens_on.desc(), AssessmentPeriod.code.desc())
        )
    )


def pick_period(code: str | None) -> AssessmentPeriod | None:
    periods = dashboard_periods()
    if code:
        return next((p for p in periods if p.code == code), None)
    return periods[0] if periods else None


def previous_period(period: AssessmentPeriod) -> AssessmentPeriod | None:
    """The latest period with snapshots that opened before ``period``."""
    has = sa.select(ScoreSnapshot.id).where(ScoreSnapshot.period_id == AssessmentPeriod.id)
    return db.session.scalar(
        sa.select(AssessmentPeriod)
        .where(AssessmentPeriod.opens_on < period.opens_on, has.exists())
        .order_by(AssessmentPeriod.opens_on.desc())
        .limit(1)
    )


# The province list -----------------------------------------------------------------------


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
    before = aliased(ScoreSnapshot)
    stmt = (
        sa.select(ScoreSnapshot, Center, before.quality)
        .join(Center, Center.id == ScoreSnapshot.center_id)
        .outerjoin(
            before,
            sa.and_(
                before.center_id == ScoreSnapshot.center_id,
                before.period_id == (prev.id if prev else -1),
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
    items = [CenterRow(s, c, q) for s, c, q in rows]
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


# Charts' data ----------------------------------------------------------------------------


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


# One center ------------------------------------------------------------------------------


def snapshot(period: AssessmentPeriod, center: Center) -> ScoreSnapshot | None:
    return db.session.scalar(
        sa.select(ScoreSnapshot).where(
            ScoreSnapshot.period_id == period.id, ScoreSnapshot.center_id == center.id
        )
    )


@dataclass(frozen=True)
class LevelRank:
    rank: int | None
    ranked: int


def rank_in_level(period: AssessmentPeriod, center: Center) -> LevelRank:
    """The center's place among ranked centers of the same level and province, by rank."""
    mine = snapshot(period, center)
    same = sa.and_(
        ScoreSnapshot.period_id == period.id,
        Center.level == center.level,
        Center.province_code == center.province_code,
        ScoreSnapshot.rank.is_not(None),
    )
    ranked = db.session.scalar(
        sa.select(sa.func.count(ScoreSnapshot.id))
        .join(Center, Center.id == ScoreSnapshot.center_id)
        .where(same)
    )
    if mine is None or mine.rank is None:
        return LevelRank(None, int(ranked or 0))
    ahead = db.session.scalar(
        sa.select(sa.func.count(ScoreSnapshot.id))
        .join(Center, Center.id == ScoreSnapshot.center_id)
        .where(same, ScoreSnapshot.rank < mine.rank)
    )
    return LevelRank(int(ahead or 0) + 1, int(ranked or 0))


def verified_inspection(period: AssessmentPeriod, center: Center) -> Inspection | None:
    return db.session.scalar(
        sa.select(Inspection)
        .join(Assessment, Assessment.id == Inspection.assessment_id)
        .where(
            Assessment.period_id == period.id,
            Assessment.center_id == center.id,
            Inspection.status.in_([InspectionStatus.FINALIZED, InspectionStatus.UNDER_APPEAL]),
        )
    )


def assessment_for(period: AssessmentPeriod, center: Center) -> Assessment | None:
    return db.session.scalar(
        sa.select(Assessment).where(
            Assessment.period_id == period.id, Assessment.center_id == center.id
        )
    )


@dataclass(frozen=True)
class CriterionScore:
    criterion: Criterion
    self_fraction: float | None
    verified_fraction: float | None

    @property
    def lost_points(self) -> float:
        """Points lost against the full score, as verified."""
        if self.verified_fraction is None:
            return 0.0
        return self.criterion.points * (1 - self.verified_fraction)


def criterion_scores(
    period: AssessmentPeriod, center: Center, area_code: str | None = None
) -> list[CriterionScore]:
    """Self and verified fraction per criterion, from the verified inspection's result."""
    inspection = verified_inspection(period, center)
    if inspection is None:
        return []
    fractions = (inspection.result or {}).get("criteria", {})
    out = []
    for c in period.standard_version.criteria:
        if area_code is not None and c.area.code != area_code:
            continue
        pair = fractions.get(c.code, [None, None])
        out.append(CriterionScore(c, pair[0], pair[1]))
    return out


def weakest_criteria(period: AssessmentPeriod, center: Center, limit: int = 5):
    rows = [r for r in criterion_scores(period, center) if r.lost_points > 0]
    rows.sort(key=lambda r: (-r.lost_points, r.criterion.position))
    return rows[:limit]


@dataclass(frozen=True)
class CriterionDetail:
    criterion: Criterion
    assessment: Assessment | None
    inspection: Inspection | None
    answer: Answer | None
    item: ReviewItem | None
    score: CriterionScore | None


def criterion_detail(
    period: AssessmentPeriod, center: Center, criterion: Criterion
) -> CriterionDetail:
    assessment = assessment_for(period, center)
    answer = item = inspection = None
    if assessment is not None:
        answer = db.session.scalar(
            sa.select(Answer).where(
                Answer.assessment_id == assessment.id, Answer.criterion_id == criterion.id
            )
        )
        inspection = db.session.scalar(
            sa.select(Inspection).where(Inspection.assessment_id == assessment.id)
        )
        if inspection is not None:
            item = db.session.scalar(
                sa.select(ReviewItem).where(
                    ReviewItem.inspection_id == inspection.id,
                    ReviewItem.criterion_id == criterion.id,
                )
            )
    fractions = ((inspection.result or {}) if inspection else {}).get("criteria", {})
    pair = fractions.get(criterion.code)
    score = CriterionScore(criterion, pair[0], pair[1]) if pair else None
    return CriterionDetail(criterion, assessment, inspection, answer, item, score)


def open_cases(center: Center, limit: int = 20) -> list[Case]:
    return list(
        db.session.scalars(
            sa.select(Case)
            .where(Case.center_id == center.id, Case.status == CaseStatus.OPEN)
            .order_by(Case.due_on, Case.id)
            .limit(limit)
        )
    )


def open_actions(center: Center, limit: int = 20) -> list[CorrectiveAction]:
    return list(
        db.session.scalars(
            sa.select(CorrectiveAction)
            .join(Inspection, Inspection.id == CorrectiveAction.inspection_id)
            .join(Assessment, Assessment.id == Inspection.assessment_id)
            .where(
                Assessment.center_id == center.id,
                CorrectiveAction.status != ActionStatus.CONFIRMED,
            )
            .order_by(CorrectiveAction.due_on, CorrectiveAction.id)
            .limit(limit)
        )
    )


def recent_comments(center: Center, limit: int = 5) -> list[Rating]:
    """The latest citizens' comments to read (the list the ratings page shows, newest first)."""
    return list(
        db.session.scalars(
            sa.select(Rating)
            .where(
                Rating.center_id == center.id,
                Rating.comment != "",
                Rating.comment_hidden.is_(False),
                Rating.channel != Channel.STAFF,
            )
            .order_by(Rating.created_at.desc())
            .limit(limit)
        )
    )


def counter_figures(
    center: Center, start: date, end: date
) -> list[tuple[Counter, rules.Satisfaction]]:
    counters = list(
        db.session.scalars(
            sa.select(Counter).where(Counter.center_id == center.id).order_by(Counter.number)
        )
    )
    counts = _counts(RollupScope.COUNTER, [c.id for c in counters], start, end)
    return [(c, rules.satisfaction(counts.get(c.id, ZERO))) for c in counters]


def _counts(scope, ids, start, end) -> dict[int, tuple]:
    if not ids:
        return {}
    t = RatingRollup
    rows = db.session.execute(
        sa.select(
            t.key_id,
            sa.func.sum(t.n1),
            sa.func.sum(t.n2),
            sa.func.sum(t.n3),
            sa.func.sum(t.n4),
            sa.func.sum(t.n5),
        )
        .where(t.scope == str(scope), t.key_id.in_(ids), t.day >= start, t.day <= end)
        .group_by(t.key_id)
    ).all()
    return {r[0]: tuple(int(x or 0) for x in r[1:]) for r in rows}


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


def state_choices() -> tuple[SnapshotState, ...]:
    return tuple(SnapshotState)
