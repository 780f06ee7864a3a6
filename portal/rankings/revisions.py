"""Numbered revisions of a published period: frozen copies of its snapshots.

A publication writes revision 1; from then on every recompute whose figures differ from
the latest revision's (an inspection finalized late, an appeal filed or decided, ratings
released) writes the next one, with its date, reason and the ranks it moved. The public
board, the open data, the exports and the API read a revision's rows, never the live
snapshots, so nothing public changes without a revision.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from ..assessments.models import AssessmentPeriod
from ..audit import services as audit
from ..centers.models import Center
from ..database import refresh_statistics
from ..extensions import db
from ..shared.timeutils import now_utc, today_local
from .models import PublishedRow, ResultRevision, RevisionReason, RevisionStatus, ScoreSnapshot


def latest_revision(period: AssessmentPeriod) -> ResultRevision | None:
    return db.session.scalar(
        sa.select(ResultRevision)
        .where(ResultRevision.period_id == period.id)
        .order_by(ResultRevision.number.desc())
        .limit(1)
    )


def revision_number(period: AssessmentPeriod, number: int) -> ResultRevision | None:
    return db.session.scalar(
        sa.select(ResultRevision).where(
            ResultRevision.period_id == period.id, ResultRevision.number == number
        )
    )


def revisions_of(period: AssessmentPeriod) -> list[ResultRevision]:
    """Every revision of the period, the latest first."""
    return list(
        db.session.scalars(
            sa.select(ResultRevision)
            .where(ResultRevision.period_id == period.id)
            .order_by(ResultRevision.number.desc())
        )
    )


def latest_revision_ids() -> sa.Select:
    """The id of the latest revision of every published period (a subquery)."""
    latest = (
        sa.select(ResultRevision.period_id, sa.func.max(ResultRevision.number).label("number"))
        .group_by(ResultRevision.period_id)
        .subquery()
    )
    return sa.select(ResultRevision.id).join(
        latest,
        sa.and_(
            latest.c.period_id == ResultRevision.period_id,
            latest.c.number == ResultRevision.number,
        ),
    )


def _plain(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def frozen_figures(snapshot: ScoreSnapshot) -> dict:
    """The snapshot's figures as a revision stores them (JSON values)."""
    return {name: _plain(getattr(snapshot, name)) for name in ScoreSnapshot.FIGURES}


def _same(old, new) -> bool:
    if isinstance(old, float) and isinstance(new, float):
        return math.isclose(old, new, rel_tol=0, abs_tol=1e-9)
    if isinstance(old, dict) and isinstance(new, dict):
        return old.keys() == new.keys() and all(_same(old[k], new[k]) for k in old)
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(_same(a, b) for a, b in zip(old, new, strict=True))
    return old == new


def _snapshots(period: AssessmentPeriod) -> list[tuple[ScoreSnapshot, str]]:
    return [
        (s, code)
        for s, code in db.session.execute(
            sa.select(ScoreSnapshot, Center.code)
            .join(Center, Center.id == ScoreSnapshot.center_id)
            .where(ScoreSnapshot.period_id == period.id)
        ).all()
    ]


def _rows_of(revision: ResultRevision) -> dict[int, PublishedRow]:
    return {
        r.center_id: r
        for r in db.session.scalars(
            sa.select(PublishedRow).where(PublishedRow.revision_id == revision.id)
        )
    }


def differs(period: AssessmentPeriod, revision: ResultRevision) -> bool:
    """Whether the live snapshots of the period differ from what ``revision`` published."""
    rows = _rows_of(revision)
    snapshots = _snapshots(period)
    if {s.center_id for s, _code in snapshots} != set(rows):
        return True
    return any(not _same(rows[s.center_id].figures, frozen_figures(s)) for s, _code in snapshots)


def create_revision(
    period: AssessmentPeriod,
    *,
    status: RevisionStatus,
    reason: RevisionReason,
    actor=None,
    detail: str = "",
    today: date | None = None,
) -> ResultRevision:
    """Freeze the period's current snapshots as its next revision."""
    today = today or today_local()
    previous = latest_revision(period)
    before = (
        {}
        if previous is None
        else dict(
            db.session.execute(
                sa.select(Center.code, PublishedRow.rank)
                .join(Center, Center.id == PublishedRow.center_id)
                .where(PublishedRow.revision_id == previous.id)
            ).all()
        )
    )
    snapshots = _snapshots(period)
    moved = sorted(
        [code, before.get(code), s.rank]
        for s, code in snapshots
        if previous is not None and before.get(code) != s.rank
    )
    revision = ResultRevision(
        period_id=period.id,
        number=(previous.number + 1) if previous else 1,
        status=str(status),
        reason=str(reason),
        detail=detail[:200],
        cut_off=min(period.closes_on, max(today, period.opens_on)),
        moved=moved,
        created_at=now_utc(),
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(revision)
    db.session.flush()
    if snapshots:
        db.session.execute(
            sa.insert(PublishedRow),
            [
                {
                    "revision_id": revision.id,
                    "center_id": s.center_id,
                    "state": s.state,
                    "classification": s.classification,
                    "rank": s.rank,
                    "figures": frozen_figures(s),
                }
                for s, _code in snapshots
            ],
        )
        refresh_statistics(PublishedRow.__tablename__, ScoreSnapshot.__tablename__)
    audit.record(
        actor=actor,
        action="scores.revision",
        object_type="period",
        object_id=period.code,
        summary={
            "revision": revision.number,
            "status": revision.status,
            "reason": revision.reason,
            "detail": revision.detail,
            "moved": moved[:50],
        },
    )
    return revision


def revise_if_changed(
    period: AssessmentPeriod,
    *,
    reason: RevisionReason,
    actor=None,
    detail: str = "",
    today: date | None = None,
) -> ResultRevision | None:
    """A new revision of a published period whose snapshots no longer match its latest one."""
    latest = latest_revision(period)
    if latest is None or not differs(period, latest):
        return None
    return create_revision(
        period,
        status=RevisionStatus(latest.status),
        reason=reason,
        actor=actor,
        detail=detail,
        today=today,
    )
