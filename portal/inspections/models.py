"""The inspector's half of a checklist: the review, its verdicts and history, visits,
corrective actions and appeals.

An :class:`Inspection` exists once an inspector opens a submitted self-assessment.
One :class:`ReviewItem` per criterion holds the current verdict and the verified
answer; :class:`ReviewEvent` is the append-only history of every answer and verdict
of a criterion, shown to both sides.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..shared.timeutils import now_utc

if TYPE_CHECKING:
    from ..accounts.models import User
    from ..assessments.models import Assessment, Evidence
    from ..standards.models import Criterion


class InspectionStatus(enum.StrEnum):
    UNDER_REVIEW = "under_review"
    RETURNED = "returned"
    RESUBMITTED = "resubmitted"
    FINALIZED = "finalized"
    UNDER_APPEAL = "under_appeal"


class QueueStatus(enum.StrEnum):
    """What the queue shows for a center: the inspection status, or the self-assessment's."""

    NOT_STARTED = "not_started"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    RETURNED = "returned"
    RESUBMITTED = "resubmitted"
    FINALIZED = "finalized"
    UNDER_APPEAL = "under_appeal"


QUEUE_STATUS_LABELS = {
    QueueStatus.NOT_STARTED: _l("Not started"),
    QueueStatus.DRAFT: _l("Draft in progress"),
    QueueStatus.SUBMITTED: _l("Submitted, waiting for review"),
    QueueStatus.UNDER_REVIEW: _l("Under review"),
    QueueStatus.RETURNED: _l("Returned for correction"),
    QueueStatus.RESUBMITTED: _l("Corrected and resubmitted"),
    QueueStatus.FINALIZED: _l("Finalized"),
    QueueStatus.UNDER_APPEAL: _l("Under appeal"),
}


class Verdict(enum.StrEnum):
    ACCEPT = "accept"
    ADJUST = "adjust"
    CORRECT = "correct"


VERDICT_LABELS = {
    Verdict.ACCEPT: _l("Accepted"),
    Verdict.ADJUST: _l("Adjusted by the inspector"),
    Verdict.CORRECT: _l("Correction requested"),
}


class EventKind(enum.StrEnum):
    SUBMITTED = "submitted"  # the manager's answer when the review started
    ACCEPT = "accept"
    ADJUST = "adjust"
    CORRECT = "correct"
    FIX = "fix"  # the manager changed the answer after a return
    EVIDENCE = "evidence"
    FINDING = "finding"  # an on-site visit finding
    APPEAL = "appeal"
    APPEAL_UPHELD = "appeal_upheld"
    APPEAL_REJECTED = "appeal_rejected"


EVENT_LABELS = {
    EventKind.SUBMITTED: _l("Answer submitted"),
    EventKind.ACCEPT: _l("Accepted"),
    EventKind.ADJUST: _l("Adjusted by the inspector"),
    EventKind.CORRECT: _l("Correction requested"),
    EventKind.FIX: _l("Answer corrected by the center"),
    EventKind.EVIDENCE: _l("Evidence added"),
    EventKind.FINDING: _l("On-site visit finding"),
    EventKind.APPEAL: _l("Appealed by the center"),
    EventKind.APPEAL_UPHELD: _l("Appeal upheld"),
    EventKind.APPEAL_REJECTED: _l("Appeal rejected"),
}


class ResultState(enum.StrEnum):
    PROVISIONAL = "provisional"
    FINAL = "final"
    UNDER_APPEAL = "under_appeal"


RESULT_STATE_LABELS = {
    ResultState.PROVISIONAL: _l("Provisional"),
    ResultState.FINAL: _l("Final"),
    ResultState.UNDER_APPEAL: _l("Under appeal"),
}


class Inspection(db.Model):
    """The verification of one submitted self-assessment."""

    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assessments.id", ondelete="RESTRICT"), unique=True
    )
    status: Mapped[str] = mapped_column(sa.String(15), default=InspectionStatus.UNDER_REVIEW)
    #: 1 for the first review; +1 each time the center resubmits corrections.
    round: Mapped[int] = mapped_column(default=1)
    started_at: Mapped[datetime] = mapped_column(default=now_utc)
    started_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    returned_at: Mapped[datetime | None]
    resubmitted_at: Mapped[datetime | None]
    finalized_at: Mapped[datetime | None]
    finalized_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    #: Last day (local date, inclusive) on which the center may appeal.
    appeal_until: Mapped[date | None]
    #: C_self and C_verified (0–100) at finalization, and the result.
    self_score: Mapped[float | None]
    verified_score: Mapped[float | None]
    gates_ok: Mapped[bool | None]
    standardized: Mapped[bool | None]
    #: {"areas": {code: [self, verified]}, "criteria": {code: [self, verified]}} (fractions 0–1).
    result: Mapped[dict | None] = mapped_column(sa.JSON)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc)

    assessment: Mapped[Assessment] = relationship()
    started_by: Mapped[User | None] = relationship(foreign_keys=[started_by_id])
    finalized_by: Mapped[User | None] = relationship(foreign_keys=[finalized_by_id])
    items: Mapped[list[ReviewItem]] = relationship(
        back_populates="inspection", cascade="all, delete-orphan"
    )
    appeals: Mapped[list[Appeal]] = relationship(
        back_populates="inspection", order_by="Appeal.id", cascade="all, delete-orphan"
    )
    visits: Mapped[list[Visit]] = relationship(
        back_populates="inspection", order_by="Visit.visited_on", cascade="all, delete-orphan"
    )
    actions: Mapped[list[CorrectiveAction]] = relationship(
        back_populates="inspection", order_by="CorrectiveAction.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('under_review', 'returned', 'resubmitted', 'finalized', 'under_appeal')",
            name="status",
        ),
    )

    @property
    def gap(self) -> float | None:
        if self.self_score is None or self.verified_score is None:
            return None
        return self.self_score - self.verified_score

    @property
    def is_locked(self) -> bool:
        return self.status in (InspectionStatus.FINALIZED, InspectionStatus.UNDER_APPEAL)


class ReviewItem(db.Model):
    """The inspector's current verdict on one criterion, and the verified answer."""

    __tablename__ = "inspection_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(sa.ForeignKey("inspections.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("criteria.id", ondelete="RESTRICT"))
    verdict: Mapped[str | None] = mapped_column(sa.String(10))
    #: The inspector's reason (mandatory for adjust and correct).
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    #: The verified answer (a copy of the manager's answer when accepted).
    choice: Mapped[str | None] = mapped_column(sa.String(10))
    number: Mapped[float | None]
    not_applicable: Mapped[bool] = mapped_column(default=False)
    #: Open for the manager's correction (after a return).
    reopened: Mapped[bool] = mapped_column(default=False)
    #: The manager changed the answer since the inspector's last review.
    changed: Mapped[bool] = mapped_column(default=False)
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    inspection: Mapped[Inspection] = relationship(back_populates="items")
    criterion: Mapped[Criterion] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("inspection_id", "criterion_id"),
        sa.CheckConstraint(
            "verdict IS NULL OR verdict IN ('accept', 'adjust', 'correct')", name="verdict"
        ),
    )

    @property
    def is_answered(self) -> bool:
        return True


class ReviewEvent(db.Model):
    """One step in the history of a criterion (or of the whole inspection)."""

    __tablename__ = "inspection_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(
        sa.ForeignKey("inspections.id", ondelete="CASCADE"), index=True
    )
    criterion_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("criteria.id", ondelete="RESTRICT")
    )
    kind: Mapped[str] = mapped_column(sa.String(20))
    round: Mapped[int] = mapped_column(default=1)
    choice: Mapped[str | None] = mapped_column(sa.String(10))
    number: Mapped[float | None]
    not_applicable: Mapped[bool] = mapped_column(default=False)
    text: Mapped[str] = mapped_column(sa.Text, default="")
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=now_utc)

    actor: Mapped[User | None] = relationship()

    @property
    def label(self) -> str:
        return str(EVENT_LABELS[EventKind(self.kind)])


class AppealStatus(enum.StrEnum):
    OPEN = "open"
    DECIDED = "decided"


class Appeal(db.Model):
    """The center's appeal against a finalized result, per criterion."""

    __tablename__ = "inspection_appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(
        sa.ForeignKey("inspections.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(sa.String(10), default=AppealStatus.OPEN)
    filed_at: Mapped[datetime] = mapped_column(default=now_utc)
    filed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    decision_note: Mapped[str] = mapped_column(sa.Text, default="")

    inspection: Mapped[Inspection] = relationship(back_populates="appeals")
    filed_by: Mapped[User | None] = relationship(foreign_keys=[filed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    items: Mapped[list[AppealItem]] = relationship(
        back_populates="appeal", order_by="AppealItem.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.CheckConstraint("status IN ('open', 'decided')", name="status"),
        # One open appeal per inspection, whatever two simultaneous requests do.
        sa.Index(
            "uq_inspection_appeals_one_open",
            "inspection_id",
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        ),
    )

    @property
    def is_open(self) -> bool:
        return self.status == AppealStatus.OPEN


class AppealItem(db.Model):
    __tablename__ = "inspection_appeal_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("inspection_appeals.id", ondelete="CASCADE")
    )
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("criteria.id", ondelete="RESTRICT"))
    reason: Mapped[str] = mapped_column(sa.Text)
    #: None while open; True: the verified answer was changed; False: kept.
    upheld: Mapped[bool | None]
    decision_note: Mapped[str] = mapped_column(sa.Text, default="")

    appeal: Mapped[Appeal] = relationship(back_populates="items")
    criterion: Mapped[Criterion] = relationship()

    __table_args__ = (sa.UniqueConstraint("appeal_id", "criterion_id"),)


class Visit(db.Model):
    """An on-site visit: date, team, findings per criterion, photos."""

    __tablename__ = "inspection_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(
        sa.ForeignKey("inspections.id", ondelete="CASCADE"), index=True
    )
    visited_on: Mapped[date]
    team: Mapped[str] = mapped_column(sa.Text, default="")
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=now_utc)

    inspection: Mapped[Inspection] = relationship(back_populates="visits")
    created_by: Mapped[User | None] = relationship()
    findings: Mapped[list[VisitFinding]] = relationship(
        back_populates="visit", order_by="VisitFinding.id", cascade="all, delete-orphan"
    )


class VisitFinding(db.Model):
    __tablename__ = "inspection_visit_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(
        sa.ForeignKey("inspection_visits.id", ondelete="CASCADE"), index=True
    )
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("criteria.id", ondelete="RESTRICT"))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    #: A photo taken on site, stored through the checklist's evidence pipeline.
    evidence_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("assessment_evidence.id", ondelete="SET NULL")
    )

    visit: Mapped[Visit] = relationship(back_populates="findings")
    criterion: Mapped[Criterion] = relationship()
    evidence: Mapped[Evidence | None] = relationship()


class ActionStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # the manager says it is done
    CONFIRMED = "confirmed"  # the inspector checked it


ACTION_STATUS_LABELS = {
    ActionStatus.OPEN: _l("Open"),
    ActionStatus.CLOSED: _l("Done, waiting for confirmation"),
    ActionStatus.CONFIRMED: _l("Confirmed"),
}


class CorrectiveAction(db.Model):
    """Something the center must fix for a criterion not met."""

    __tablename__ = "corrective_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(
        sa.ForeignKey("inspections.id", ondelete="CASCADE"), index=True
    )
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("criteria.id", ondelete="RESTRICT"))
    description: Mapped[str] = mapped_column(sa.Text)
    owner: Mapped[str] = mapped_column(sa.String(120))
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(sa.String(10), default=ActionStatus.OPEN)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    closed_note: Mapped[str] = mapped_column(sa.Text, default="")
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    closed_evidence_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("assessment_evidence.id", ondelete="SET NULL")
    )
    confirmed_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    inspection: Mapped[Inspection] = relationship(back_populates="actions")
    criterion: Mapped[Criterion] = relationship()
    closed_evidence: Mapped[Evidence | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("status IN ('open', 'closed', 'confirmed')", name="status"),
    )

    @property
    def status_label(self) -> str:
        return str(ACTION_STATUS_LABELS[ActionStatus(self.status)])

    def is_overdue(self, today: date) -> bool:
        return self.status == ActionStatus.OPEN and self.due_on < today
