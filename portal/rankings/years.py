"""Year results: a calendar year scored with the same formulas as its quarters.

A year is computed on the fly, never stored (nothing to keep in step, no migration): the
reportable ratings of the year from the center rollups (one aggregate query, never the
ratings table) and, per center, the last finalized verification within the year (the
verified result of its latest quarter that has one). Everything then goes through the
snapshots' own :func:`snapshots.figures_row` and :func:`snapshots.rank_rows`, with the
settings of the year's latest quarter. The province dashboard, the center pages and the
public board compare a year with the previous one, and a quarter with the same quarter a
year before.

Staff pages read a year live (every quarter, the ratings up to today). The public board
reads only what was published: the published quarters of the year, their verified results
and the ratings up to the last day a published quarter counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, selectinload

from ..assessments.models import Assessment, AssessmentPeriod
from ..centers.models import Center
from ..extensions import db
from ..inspections.models import Inspection, InspectionStatus
from ..ratings.models import RollupScope
from ..ratings.services import rollup_counts
from ..scoring import rules
from ..shared.timeutils import now_utc, today_local
from .board import snapshot_for
from .models import ScoreSnapshot, ScoringSettings
from .satisfaction import ZERO
from .scoring_settings import settings_for
from .snapshots import (
    _state,
    exact_compliance,
    figures_row,
    period_window,
    rank_rows,
    standard_criteria,
)


@dataclass
class YearResult:
    """Every center's figures for one year (``rows`` by center id, as snapshot fields)."""

    year: int
    periods: list[AssessmentPeriod]
    start: date
    end: date
    published_only: bool
    computed_at: datetime
    rows: dict[int, dict] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """The ratings cover the whole year (it has ended)."""
        return self.end >= date(self.year, 12, 31)

    def snapshot(self, center_id: int) -> ScoreSnapshot | None:
        """One center's year figures as an unsaved snapshot (the pages' own reader)."""
        row = self.rows.get(center_id)
        if row is None:
            return None
        return ScoreSnapshot(
            center_id=center_id, **{name: row[name] for name in ScoreSnapshot.FIGURES}
        )


def year_periods(year: int, *, published_only: bool = False) -> list[AssessmentPeriod]:
    """The periods that end within the calendar year (its quarters, or the year itself),
    by end: a period belongs to the year its results close in."""
    stmt = sa.select(AssessmentPeriod).where(
        AssessmentPeriod.closes_on >= date(year, 1, 1),
        AssessmentPeriod.closes_on <= date(year, 12, 31),
    )
    if published_only:
        stmt = stmt.join(ScoringSettings, ScoringSettings.period_id == AssessmentPeriod.id).where(
            ScoringSettings.published_at.is_not(None)
        )
    return list(db.session.scalars(stmt.order_by(AssessmentPeriod.closes_on)))


def _last_verifications(periods: list[AssessmentPeriod]) -> dict[int, Inspection]:
    """Per center, the finalized verified result of the latest of ``periods`` that has one."""
    order = {p.id: i for i, p in enumerate(periods)}
    rows = db.session.scalars(
        sa.select(Inspection)
        .join(Assessment, Assessment.id == Inspection.assessment_id)
        .options(contains_eager(Inspection.assessment), selectinload(Inspection.appeals))
        .where(
            Assessment.period_id.in_(list(order)),
            Inspection.status.in_([InspectionStatus.FINALIZED, InspectionStatus.UNDER_APPEAL]),
            Inspection.verified_score.is_not(None),
        )
    ).all()
    out: dict[int, Inspection] = {}
    for i in rows:
        center_id = i.assessment.center_id
        held = out.get(center_id)
        if held is None or order[i.assessment.period_id] > order[held.assessment.period_id]:
            out[center_id] = i
    return out


def year_result(
    year: int, *, published_only: bool = False, today: date | None = None
) -> YearResult | None:
    """The year's figures for every center; ``None`` when the year has no quarter."""
    today = today or today_local()
    periods = year_periods(year, published_only=published_only)
    if not periods:
        return None
    start = date(year, 1, 1)
    if published_only:
        end = max(period_window(p, settings_for(p))[1] for p in periods)
    else:
        end = min(date(year, 12, 31), today)
    end = max(end, start)
    settings = settings_for(periods[-1])
    centers = db.session.scalars(sa.select(Center).order_by(Center.code)).all()
    counts = rollup_counts(RollupScope.CENTER, [c.id for c in centers], start, end)
    inspections = _last_verifications(periods)
    standards = {p.id: standard_criteria(p) for p in periods}
    pooled: dict[int, Fraction | None] = {}
    for province in {c.province_code for c in centers}:
        pooled[province] = rules.pooled_index_exact(
            counts.get(c.id, ZERO) for c in centers if c.province_code == province
        )
    result = YearResult(year, periods, start, end, published_only, now_utc())
    for c in centers:
        inspection = inspections.get(c.id)
        state, final_on = _state(inspection, today)
        compliance_ = None
        if inspection is not None:
            criteria, weights = standards[inspection.assessment.period_id]
            compliance_ = exact_compliance(inspection, criteria, weights)
        row = figures_row(
            sat=rules.satisfaction(counts.get(c.id, ZERO)),
            pooled=pooled[c.province_code],
            compliance_=compliance_,
            gates_ok=None if inspection is None else inspection.gates_ok,
            settings=settings,
        )
        row.update(
            state=str(state),
            final_on=final_on,
            areas={},
            settings=settings.as_dict(),
            standard_version=periods[-1].standard_version.version,
            _province=c.province_code,
            _code=c.code,
            _period=None if inspection is None else inspection.assessment.period,
        )
        result.rows[c.id] = row
    for province in pooled:
        rank_rows(
            [r for r in result.rows.values() if r["_province"] == province], min_n=settings.min_n
        )
    return result


@dataclass(frozen=True)
class Comparison:
    """One center's figures in a year (or quarter) and the year before."""

    now: ScoreSnapshot | None
    before: ScoreSnapshot | None

    @staticmethod
    def _delta(a, b) -> float | None:
        if a is None or b is None:
            return None
        return float(rules.shown(a) - rules.shown(b))

    @property
    def quality(self) -> float | None:
        return self._delta(
            self.now.quality if self.now else None, self.before.quality if self.before else None
        )

    @property
    def satisfaction(self) -> float | None:
        return self._delta(
            self.now.satisfaction_index if self.now else None,
            self.before.satisfaction_index if self.before else None,
        )

    @property
    def compliance(self) -> float | None:
        return self._delta(
            self.now.compliance_verified if self.now else None,
            self.before.compliance_verified if self.before else None,
        )

    @property
    def rank(self) -> int | None:
        """Places gained (positive) or lost against the year before."""
        if not self.now or not self.before or self.now.rank is None or self.before.rank is None:
            return None
        return self.before.rank - self.now.rank


@dataclass
class YearComparison:
    year: int
    now: YearResult | None
    before: YearResult | None

    def center(self, center_id: int) -> Comparison:
        return Comparison(
            self.now.snapshot(center_id) if self.now else None,
            self.before.snapshot(center_id) if self.before else None,
        )


def compare_years(
    year: int, *, published_only: bool = False, today: date | None = None
) -> YearComparison:
    """The year and the year before, computed the same way."""
    return YearComparison(
        year,
        year_result(year, published_only=published_only, today=today),
        year_result(year - 1, published_only=published_only, today=today),
    )


def years_with_results(*, published_only: bool = False) -> list[int]:
    """The calendar years in which a period ends, newest first."""
    stmt = sa.select(AssessmentPeriod)
    if published_only:
        stmt = stmt.join(ScoringSettings, ScoringSettings.period_id == AssessmentPeriod.id).where(
            ScoringSettings.published_at.is_not(None)
        )
    periods = db.session.scalars(stmt)
    return sorted({p.closes_on.year for p in periods}, reverse=True)


def same_quarter_last_year(period: AssessmentPeriod) -> AssessmentPeriod | None:
    """The quarter that opened one year before ``period`` (2026-Q4 → 2025-Q4)."""
    try:
        opens = period.opens_on.replace(year=period.opens_on.year - 1)
    except ValueError:  # 29 February
        opens = period.opens_on.replace(year=period.opens_on.year - 1, day=28)
    return db.session.scalar(
        sa.select(AssessmentPeriod).where(
            AssessmentPeriod.kind == period.kind, AssessmentPeriod.opens_on == opens
        )
    )


def quarter_comparison(
    period: AssessmentPeriod, center: Center, *, published_only: bool = False
) -> Comparison | None:
    """The center's quarter against the same quarter of the previous year (stored figures;
    on the public board only a published one)."""
    before = same_quarter_last_year(period)
    if before is None or (published_only and not settings_for(before).is_published):
        return None

    return Comparison(snapshot_for(period, center), snapshot_for(before, center))


def year_rows(
    comparison: YearComparison, center_ids: set[int] | None = None
) -> list[tuple[Center, Comparison]]:
    """The year's centers (those in ``center_ids``, if given) with their comparison, ranked
    first (by rank), then by code."""
    if comparison.now is None:
        return []
    ids = [i for i in comparison.now.rows if center_ids is None or i in center_ids]
    centers = {c.id: c for c in db.session.scalars(sa.select(Center).where(Center.id.in_(ids)))}
    rows = [(centers[i], comparison.center(i)) for i in ids]
    rows.sort(
        key=lambda r: (r[0].province_code, r[1].now.rank is None, r[1].now.rank or 0, r[0].code)
    )
    return rows


def year_ago_qualities(period: AssessmentPeriod, *, published_only: bool = False) -> tuple:
    """The same quarter a year before and its Q per center id (on the public board, only
    if that quarter was published): ``(period or None, {center_id: Q})``."""
    before = same_quarter_last_year(period)
    if before is None or (published_only and not settings_for(before).is_published):
        return None, {}
    rows = db.session.execute(
        sa.select(ScoreSnapshot.center_id, ScoreSnapshot.quality).where(
            ScoreSnapshot.period_id == before.id
        )
    )
    return before, {center_id: q for center_id, q in rows}
