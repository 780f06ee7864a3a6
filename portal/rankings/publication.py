"""Publication: a period's ranking made public (its settings lock), the published periods
and whether a period's results are still provisional."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from ..assessments.models import AssessmentPeriod
from ..audit import services as audit
from ..extensions import db
from ..shared.timeutils import local_day, now_utc
from .errors import RankingsError
from .models import ScoreSnapshot, ScoringSettings, SnapshotState
from .scoring_settings import settings_for
from .snapshots import Change, recompute_snapshots


def publish(period: AssessmentPeriod, *, actor) -> list[Change]:
    """Compute the snapshots and make the period's ranking public; settings lock."""
    settings = settings_for(period)
    if settings.is_published:
        raise RankingsError(_("This period is already published."))
    changes = recompute_snapshots(period, actor=actor)
    verified = db.session.scalar(
        sa.select(sa.func.count(ScoreSnapshot.id)).where(
            ScoreSnapshot.period_id == period.id, ScoreSnapshot.rank.is_not(None)
        )
    )
    if not verified:
        raise RankingsError(
            _("Nothing to publish: no center of this period has a finalized verified result.")
        )
    settings.published_at = now_utc()
    settings.published_by_id = actor.id if actor is not None else None
    db.session.flush()
    audit.record(
        actor=actor,
        action="scores.publish",
        object_type="period",
        object_id=period.code,
        summary={"published": ["no", "yes"], "ranked": verified},
    )
    return changes


def published_periods() -> list[AssessmentPeriod]:
    return list(
        db.session.scalars(
            sa.select(AssessmentPeriod)
            .join(ScoringSettings, ScoringSettings.period_id == AssessmentPeriod.id)
            .where(ScoringSettings.published_at.is_not(None))
            .order_by(AssessmentPeriod.opens_on.desc(), AssessmentPeriod.code.desc())
        )
    )


def published_period(code: str | None) -> AssessmentPeriod | None:
    """The published period with this code, or the latest published one."""
    periods = published_periods()
    if code is None:
        return periods[0] if periods else None
    return next((p for p in periods if p.code == code), None)


@dataclass(frozen=True)
class PeriodStatus:
    final: bool
    final_on: date | None
    published_on: date | None


def period_status(period: AssessmentPeriod) -> PeriodStatus:
    """Provisional while any verified result may still change; final from the last day one did."""
    settings = settings_for(period)
    rows = db.session.execute(
        sa.select(ScoreSnapshot.state, ScoreSnapshot.final_on).where(
            ScoreSnapshot.period_id == period.id,
            ScoreSnapshot.state != SnapshotState.NOT_VERIFIED,
        )
    ).all()
    final = bool(rows) and all(r.state == SnapshotState.FINAL for r in rows)
    final_on = max((r.final_on for r in rows if r.final_on), default=None) if final else None
    published_on = local_day(settings.published_at) if settings.published_at else None
    return PeriodStatus(final, final_on, published_on)
