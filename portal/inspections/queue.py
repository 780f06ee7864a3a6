"""The inspector's queue: every center in scope with its assessment, its inspection's status
and result state, and the warnings an inspector sorts by; the manager's own inspections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from ..accounts.models import User
from ..accounts.permissions import visible_centers_clause
from ..assessments.models import Assessment, AssessmentPeriod, AssessmentStatus, Evidence
from ..centers.models import Center
from ..extensions import db
from ..shared.text import fold
from ..shared.timeutils import now_utc, today_local
from .models import (
    ActionStatus,
    AppealStatus,
    CorrectiveAction,
    Inspection,
    InspectionStatus,
    QueueStatus,
    ResultState,
)


def queue_status(assessment: Assessment | None, inspection: Inspection | None) -> QueueStatus:
    if inspection is not None:
        return QueueStatus(inspection.status)
    if assessment is None:
        return QueueStatus.NOT_STARTED
    if assessment.status == AssessmentStatus.SUBMITTED:
        return QueueStatus.SUBMITTED
    return QueueStatus.DRAFT


def result_state(inspection: Inspection, today: date | None = None) -> ResultState | None:
    """Provisional until the appeal window closes; final after it or after an appeal decision."""
    if inspection.status == InspectionStatus.UNDER_APPEAL:
        return ResultState.UNDER_APPEAL
    if inspection.status != InspectionStatus.FINALIZED:
        return None
    if any(a.status == AppealStatus.DECIDED for a in inspection.appeals):
        return ResultState.FINAL
    today = today or today_local()
    if inspection.appeal_until is not None and today <= inspection.appeal_until:
        return ResultState.PROVISIONAL
    return ResultState.FINAL


@dataclass
class QueueRow:
    center: Center
    assessment: Assessment | None
    inspection: Inspection | None
    status: QueueStatus
    open_actions: int
    overdue_actions: int
    reuse_warnings: int
    result_state: ResultState | None = None

    @property
    def self_score(self) -> float | None:
        return self.assessment.self_score if self.assessment else None

    @property
    def verified_score(self) -> float | None:
        return self.inspection.verified_score if self.inspection else None

    @property
    def standardized(self) -> bool | None:
        return self.inspection.standardized if self.inspection else None


QUEUE_SORTS = ("age", "name", "self_score", "verified", "status")


def queue(
    user: User,
    period: AssessmentPeriod,
    *,
    status: str = "",
    level: str = "",
    area: str = "",
    standardized: str = "",
    search: str = "",
    sort: str = "age",
    today: date | None = None,
) -> list[QueueRow]:
    """Every center in the user's scope with its assessment and inspection for the period."""
    today = today or today_local()
    stmt = (
        sa.select(Center, Assessment, Inspection)
        .outerjoin(
            Assessment,
            sa.and_(Assessment.center_id == Center.id, Assessment.period_id == period.id),
        )
        .outerjoin(Inspection, Inspection.assessment_id == Assessment.id)
        .where(visible_centers_clause(user))
    )
    if level:
        stmt = stmt.where(Center.level == level)
    if area:
        stmt = stmt.where(Center.unit_type == area)
    if search.strip():
        stmt = stmt.where(Center.search_key.contains(fold(search), autoescape=True))
    rows = db.session.execute(stmt).all()
    inspection_ids = [i.id for _c, _a, i in rows if i is not None]
    open_counts: dict[int, int] = {}
    overdue_counts: dict[int, int] = {}
    if inspection_ids:
        for inspection_id, due_on in db.session.execute(
            sa.select(CorrectiveAction.inspection_id, CorrectiveAction.due_on).where(
                CorrectiveAction.inspection_id.in_(inspection_ids),
                CorrectiveAction.status == ActionStatus.OPEN,
            )
        ):
            open_counts[inspection_id] = open_counts.get(inspection_id, 0) + 1
            if due_on < today:
                overdue_counts[inspection_id] = overdue_counts.get(inspection_id, 0) + 1
    reused = _reused_photo_counts([a.id for _c, a, _i in rows if a is not None])
    out = []
    for center, assessment, inspection in rows:
        row = QueueRow(
            center=center,
            assessment=assessment,
            inspection=inspection,
            status=queue_status(assessment, inspection),
            open_actions=open_counts.get(inspection.id, 0) if inspection else 0,
            overdue_actions=overdue_counts.get(inspection.id, 0) if inspection else 0,
            reuse_warnings=reused.get(assessment.id, 0) if assessment else 0,
            result_state=result_state(inspection, today) if inspection else None,
        )
        if status and row.status != status:
            continue
        if standardized == "yes" and row.standardized is not True:
            continue
        if standardized == "no" and row.standardized is not False:
            continue
        out.append(row)
    far = now_utc()
    keys = {
        # Oldest submission first; never-submitted centers last.
        "age": lambda r: (
            r.assessment is None or r.assessment.submitted_at is None,
            (r.assessment.submitted_at if r.assessment and r.assessment.submitted_at else far),
            r.center.code,
        ),
        "name": lambda r: (fold(r.center.name), r.center.code),
        "self_score": lambda r: (r.self_score is None, -(r.self_score or 0), r.center.code),
        "verified": lambda r: (r.verified_score is None, -(r.verified_score or 0), r.center.code),
        "status": lambda r: (list(QueueStatus).index(r.status), r.center.code),
    }
    out.sort(key=keys.get(sort, keys["age"]))
    return out


def unit_types(user: User) -> list[str]:
    """The kinds of units (xã, phường, đặc khu…) in the user's scope, for the area filter."""
    return list(
        db.session.scalars(
            sa.select(Center.unit_type)
            .where(visible_centers_clause(user))
            .distinct()
            .order_by(Center.unit_type)
        )
    )


def _reused_photo_counts(assessment_ids: list[int]) -> dict[int, int]:
    """Photos of these assessments whose exact hash appears at another center."""
    if not assessment_ids:
        return {}
    other = sa.orm.aliased(Evidence)
    rows = db.session.execute(
        sa.select(Evidence.assessment_id, sa.func.count(sa.distinct(Evidence.id)))
        .join(
            other,
            sa.and_(other.phash == Evidence.phash, other.center_id != Evidence.center_id),
        )
        .where(Evidence.assessment_id.in_(assessment_ids), Evidence.phash.is_not(None))
        .group_by(Evidence.assessment_id)
    ).all()
    return dict(rows)


def manager_inspections(user: User) -> list[Inspection]:
    """The inspections of the manager's own center, newest period first."""
    if user.center_id is None:
        return []
    return list(
        db.session.scalars(
            sa.select(Inspection)
            .join(Assessment)
            .join(AssessmentPeriod)
            .where(Assessment.center_id == user.center_id)
            .order_by(AssessmentPeriod.opens_on.desc())
        )
    )


def waiting_elsewhere(user: User, period: AssessmentPeriod) -> list[tuple[AssessmentPeriod, int]]:
    """Other periods with self-assessments in ``user``'s scope that wait for an inspector
    (submitted and not opened, under review, or resubmitted), newest first, so that the
    previous quarter's resubmitted work is not hidden behind the period shown."""
    waiting = sa.or_(
        Inspection.id.is_(None),
        Inspection.status.in_([InspectionStatus.UNDER_REVIEW, InspectionStatus.RESUBMITTED]),
    )
    rows = db.session.execute(
        sa.select(AssessmentPeriod, sa.func.count(Assessment.id))
        .join(Assessment, Assessment.period_id == AssessmentPeriod.id)
        .join(Center, Center.id == Assessment.center_id)
        .outerjoin(Inspection, Inspection.assessment_id == Assessment.id)
        .where(
            AssessmentPeriod.id != period.id,
            Assessment.status == AssessmentStatus.SUBMITTED,
            waiting,
            visible_centers_clause(user),
        )
        .group_by(AssessmentPeriod.id)
        .order_by(AssessmentPeriod.opens_on.desc())
    ).all()
    return [(p, n) for p, n in rows]
