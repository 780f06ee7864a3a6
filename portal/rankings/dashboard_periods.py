"""The periods a dashboard can show: those with score snapshots, newest first. The query
behind it, the periods with rows in a table, also gives the published periods."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute

from ..assessments.models import AssessmentPeriod
from ..assessments.services import choose_period
from ..extensions import db
from .models import ScoreSnapshot, SnapshotState


def _has_rows(period_id: InstrumentedAttribute[int]) -> sa.Exists:
    """The period has a row in the table of the column ``period_id``."""
    return sa.select(period_id).where(period_id == AssessmentPeriod.id).exists()


def periods_with_rows(period_id: InstrumentedAttribute[int]) -> list[AssessmentPeriod]:
    """The periods with at least one row in the table of the column ``period_id``, newest
    first."""
    return list(
        db.session.scalars(
            sa.select(AssessmentPeriod)
            .where(_has_rows(period_id))
            .order_by(AssessmentPeriod.opens_on.desc(), AssessmentPeriod.code.desc())
        )
    )


def dashboard_periods() -> list[AssessmentPeriod]:
    """Periods that have score snapshots, newest first."""
    return periods_with_rows(ScoreSnapshot.period_id)


def pick_period(code: str | None, user=None) -> AssessmentPeriod | None:
    """The period asked for by its code (None if it has no snapshots), else the one chosen
    last (remembered), else the newest with submitted work in ``user``'s scope: an empty
    new period, scored as soon as it opens, never becomes the default."""
    periods = dashboard_periods()
    if code:
        asked = [p for p in periods if p.code == code]
        return choose_period(asked, code, by="code") if asked else None
    return choose_period(periods, None, user=user)


def previous_period(period: AssessmentPeriod) -> AssessmentPeriod | None:
    """The latest period with snapshots that opened before ``period``."""
    return db.session.scalar(
        sa.select(AssessmentPeriod)
        .where(AssessmentPeriod.opens_on < period.opens_on, _has_rows(ScoreSnapshot.period_id))
        .order_by(AssessmentPeriod.opens_on.desc())
        .limit(1)
    )


def state_choices() -> tuple[SnapshotState, ...]:
    return tuple(SnapshotState)
