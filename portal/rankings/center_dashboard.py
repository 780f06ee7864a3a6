"""The center dashboard: its snapshot and rank in its level, the drill-down to each
criterion (self against verified), and what is open (cases, corrective actions, comments)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ..assessments.models import Answer, Assessment, AssessmentPeriod
from ..centers.models import Center
from ..complaints.models import Case, CaseStatus
from ..extensions import db
from ..inspections.models import (
    ActionStatus,
    CorrectiveAction,
    Inspection,
    InspectionStatus,
    ReviewItem,
)
from ..ratings.models import Channel, Rating
from ..standards.models import Criterion
from .board import snapshot_for
from .models import ScoreSnapshot


def snapshot(period: AssessmentPeriod, center: Center) -> ScoreSnapshot | None:
    """The center's figures of the period, read as the board reads them (one figure per
    center and period on every page)."""
    return snapshot_for(period, center)


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


# Drill-down -------------------------------------------------------------------------------


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


# What is open ----------------------------------------------------------------------------


def _soonest_due(stmt: sa.Select, item: type[Case] | type[CorrectiveAction], limit: int) -> list:
    """The first ``limit`` open items of ``stmt``, the soonest due first."""
    return list(db.session.scalars(stmt.order_by(item.due_on, item.id).limit(limit)))


def open_cases(center: Center, limit: int = 20) -> list[Case]:
    stmt = sa.select(Case).where(Case.center_id == center.id, Case.status == CaseStatus.OPEN)
    return _soonest_due(stmt, Case, limit)


def open_actions(center: Center, limit: int = 20) -> list[CorrectiveAction]:
    stmt = (
        sa.select(CorrectiveAction)
        .join(Inspection, Inspection.id == CorrectiveAction.inspection_id)
        .join(Assessment, Assessment.id == Inspection.assessment_id)
        .where(
            Assessment.center_id == center.id,
            CorrectiveAction.status != ActionStatus.CONFIRMED,
        )
    )
    return _soonest_due(stmt, CorrectiveAction, limit)


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
