"""The periods a dashboard can show: those with score snapshots, newest first."""

from __future__ import annotations

import sqlalchemy as sa

from ..assessments.models import AssessmentPeriod
from ..extensions import db
from .models import ScoreSnapshot, SnapshotState


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


def state_choices() -> tuple[SnapshotState, ...]:
    return tuple(SnapshotState)
