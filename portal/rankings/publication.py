"""Publication: a period's results made public as provisional (during the period, with
the data's cut-off day) or final (after its last day and its appeal windows), each as a
numbered revision (``revisions``); the published periods and a revision's status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from ..assessments.models import Assessment, AssessmentPeriod
from ..audit import services as audit
from ..centers.models import Center
from ..extensions import db
from ..inspections.models import Inspection, InspectionStatus
from ..shared.timeutils import local_day, now_utc, today_local
from .dashboard_periods import periods_with_rows
from .errors import RankingsError
from .models import (
    ResultRevision,
    RevisionReason,
    RevisionStatus,
    ScoreSnapshot,
    SnapshotState,
)
from .revisions import create_revision, latest_revision
from .scoring_settings import settings_for
from .snapshots import Change, recompute_snapshots


def _day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def _refusal(period: AssessmentPeriod, *, final: bool, today: date) -> str | None:
    """Why the period cannot be published now (as final or provisional), or ``None``."""
    latest = latest_revision(period)
    if today < period.opens_on:
        return _("%(period)s has not started yet.", period=period.code)
    if latest is not None and latest.is_final:
        return _("This period is already published as final; later changes create new revisions.")
    if not final:
        if latest is not None:
            return _(
                "This period is already published as provisional; later changes create new "
                "revisions."
            )
        return None
    if today <= period.closes_on:
        return _(
            "%(period)s runs until %(date)s: it can be published as final only after its "
            "last day (publish it as provisional meanwhile).",
            period=period.code,
            date=_day(period.closes_on),
        )
    return None


def _open_appeal_windows(period: AssessmentPeriod) -> tuple[list[str], date | None]:
    """The centers whose result may still change (appeal window open or appeal pending)."""
    codes = list(
        db.session.scalars(
            sa.select(Center.code)
            .join(ScoreSnapshot, ScoreSnapshot.center_id == Center.id)
            .where(
                ScoreSnapshot.period_id == period.id,
                ScoreSnapshot.state.in_([SnapshotState.PROVISIONAL, SnapshotState.UNDER_APPEAL]),
            )
            .order_by(Center.code)
        )
    )
    until = db.session.scalar(
        sa.select(sa.func.max(Inspection.appeal_until))
        .join(Assessment, Assessment.id == Inspection.assessment_id)
        .where(
            Assessment.period_id == period.id,
            Inspection.status.in_([InspectionStatus.FINALIZED, InspectionStatus.UNDER_APPEAL]),
        )
    )
    return codes, until


def publish(
    period: AssessmentPeriod, *, actor, final: bool = False, today: date | None = None
) -> list[Change]:
    """Publish the period's results as revision 1 (provisional, during the period) or as
    final (after its last day, once every appeal window has closed); settings lock."""
    today = today or today_local()
    refusal = _refusal(period, final=final, today=today)
    if refusal:
        raise RankingsError(refusal)
    settings = settings_for(period)
    changes = recompute_snapshots(period, actor=actor, today=today, reason=None)
    verified = db.session.scalar(
        sa.select(sa.func.count(ScoreSnapshot.id)).where(
            ScoreSnapshot.period_id == period.id, ScoreSnapshot.rank.is_not(None)
        )
    )
    if not verified:
        raise RankingsError(
            _("Nothing to publish: no center of this period has a finalized verified result.")
        )
    if final:
        codes, until = _open_appeal_windows(period)
        if codes:
            raise RankingsError(
                _(
                    "Not final yet: the results of %(num)d centers may still change by appeal "
                    "(%(codes)s); the last appeal window closes on %(date)s.",
                    num=len(codes),
                    codes=", ".join(codes[:10]) + (" …" if len(codes) > 10 else ""),
                    date=_day(until) if until else "–",
                )
            )
    first = not settings.is_published
    if first:
        settings.published_at = now_utc()
        settings.published_by_id = actor.id if actor is not None else None
    db.session.flush()
    status = RevisionStatus.FINAL if final else RevisionStatus.PROVISIONAL
    revision = create_revision(
        period,
        status=status,
        reason=RevisionReason.PUBLISHED_FINAL if final else RevisionReason.PUBLISHED,
        actor=actor,
        today=today,
    )
    audit.record(
        actor=actor,
        action="scores.publish",
        object_type="period",
        object_id=period.code,
        summary={
            "published": ["no" if first else "provisional", str(status)],
            "ranked": verified,
            "revision": revision.number,
        },
    )
    return changes


def published_periods() -> list[AssessmentPeriod]:
    """The periods with at least one published revision, newest first."""
    return periods_with_rows(ResultRevision.period_id)


def published_period(code: str | None) -> AssessmentPeriod | None:
    """The published period with this code, or the latest published one."""
    periods = published_periods()
    if code is None:
        return periods[0] if periods else None
    return next((p for p in periods if p.code == code), None)


@dataclass(frozen=True)
class PeriodStatus:
    """What a page says of a period's publication: the revision it shows and its status."""

    final: bool
    final_on: date | None
    published_on: date | None
    revision: int | None = None
    revised_on: date | None = None
    cut_off: date | None = None
    reason: str = ""
    moved: tuple = ()
    latest: bool = True


def period_status(period: AssessmentPeriod, revision: ResultRevision | None = None) -> PeriodStatus:
    """The status of ``revision`` (by default the period's latest): provisional or final,
    its number, date and reason, the data's cut-off day and the first publication day."""
    latest = latest_revision(period)
    revision = revision or latest
    if revision is None:
        return PeriodStatus(False, None, None)
    first = db.session.scalar(
        sa.select(sa.func.min(ResultRevision.created_at)).where(
            ResultRevision.period_id == period.id
        )
    )
    final_on = None
    if revision.is_final:
        final_on = local_day(
            db.session.scalar(
                sa.select(sa.func.min(ResultRevision.created_at)).where(
                    ResultRevision.period_id == period.id,
                    ResultRevision.status == RevisionStatus.FINAL,
                    ResultRevision.number <= revision.number,
                )
            )
        )
    return PeriodStatus(
        final=revision.is_final,
        final_on=final_on,
        published_on=local_day(first),
        revision=revision.number,
        revised_on=local_day(revision.created_at),
        cut_off=revision.cut_off,
        reason=revision.reason_label,
        moved=tuple(tuple(m) for m in revision.moved or ()),
        latest=latest is not None and revision.id == latest.id,
    )
