"""Complaints and petitions (phản ánh, kiến nghị) opened from ratings, with the manager's answer."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..centers.models import Center
from ..extensions import db
from ..shared.timeutils import now_utc


class CaseStatus(enum.StrEnum):
    OPEN = "open"
    ANSWERED = "answered"


class CaseSource(enum.StrEnum):
    DISSATISFIED = "dissatisfied"  # a score of 1–2 with a comment
    COMPLAINT = "complaint"  # the citizen ticked "treat this as a complaint"


class Case(db.Model):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(
        sa.ForeignKey("centers.id", ondelete="CASCADE"), index=True
    )
    rating_id: Mapped[int] = mapped_column(
        sa.ForeignKey("ratings.id", ondelete="CASCADE"), unique=True
    )
    source: Mapped[str] = mapped_column(sa.String(12))
    status: Mapped[str] = mapped_column(sa.String(10), default=CaseStatus.OPEN, index=True)
    due_on: Mapped[date] = mapped_column(index=True)
    answer: Mapped[str] = mapped_column(sa.Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    answered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    #: Who handles the case: a manager of its center or an inspector in whose scope it is.
    assignee_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    assigned_at: Mapped[datetime | None]

    center: Mapped[Center] = relationship()
    rating = relationship("Rating")
    assignee = relationship("User", foreign_keys=[assignee_id])
    #: Staff-only notes, oldest first; never shown to the citizen.
    notes: Mapped[list[CaseNote]] = relationship(
        viewonly=True, order_by="CaseNote.created_at, CaseNote.id"
    )

    __table_args__ = (
        sa.CheckConstraint("status IN ('open', 'answered')", name="status"),
        sa.CheckConstraint("source IN ('dissatisfied', 'complaint')", name="source"),
    )

    def is_overdue(self, today: date) -> bool:
        return self.status == CaseStatus.OPEN and self.due_on < today


#: The longest internal note, in characters.
NOTE_MAX_LENGTH = 4000


class CaseNote(db.Model):
    """An internal note on a case, for the staff who handle it: append-only (written once,
    never edited) and never shown on a citizen's page."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)

    author = relationship("User")


@sa.event.listens_for(CaseNote, "before_update")
def _notes_are_append_only(_mapper, _connection, note: CaseNote) -> None:
    raise ValueError(f"case note {note.id} is append-only")


class AlertKind(enum.StrEnum):
    DISSATISFIED = "dissatisfied"
    SILENT_COUNTER = "silent_counter"
    OVERDUE_CASE = "overdue_case"


class AlertAcknowledgement(db.Model):
    """Someone has seen an alert and acted: it leaves the open list until ``until_day``.

    Alerts are computed, not stored; an acknowledgement names the alert by its kind,
    center and subject (the counter of a silent-counter alert, else 0). If the
    situation lasts past ``until_day`` the alert opens again.
    """

    __tablename__ = "alert_acknowledgements"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    center_id: Mapped[int] = mapped_column(
        sa.ForeignKey("centers.id", ondelete="CASCADE"), index=True
    )
    subject_id: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    until_day: Mapped[date]
    acknowledged_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    acknowledged_at: Mapped[datetime] = mapped_column(default=now_utc)

    center: Mapped[Center] = relationship()
    acknowledged_by = relationship("User")

    __table_args__ = (
        sa.CheckConstraint(
            "kind IN ('dissatisfied', 'silent_counter', 'overdue_case')", name="kind"
        ),
    )
