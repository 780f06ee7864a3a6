"""Assessment periods, self-assessments, answers and evidence files."""

from __future__ import annotations

import enum
import re
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..shared.timeutils import now_utc

if TYPE_CHECKING:
    from ..accounts.models import User
    from ..centers.models import Center
    from ..standards.models import Criterion, StandardVersion
    from .evidence import CleanFile


class PeriodKind(enum.StrEnum):
    QUARTER = "quarter"
    YEAR = "year"


PERIOD_KIND_LABELS = {PeriodKind.QUARTER: _l("Quarter"), PeriodKind.YEAR: _l("Year")}

#: Period codes as the portal makes them: ``2026-Q4`` for a quarter, ``2026`` for a year.
QUARTER_CODE = re.compile(r"^(\d{4})-Q([1-4])$")
YEAR_CODE = re.compile(r"^(\d{4})$")


class AssessmentStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


STATUS_LABELS = {
    AssessmentStatus.DRAFT: _l("Draft"),
    AssessmentStatus.SUBMITTED: _l("Submitted"),
}


class AssessmentPeriod(db.Model):
    """A quarter or a year. Managers answer between ``opens_on`` and ``closes_on`` (inclusive)."""

    __tablename__ = "assessment_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[str] = mapped_column(sa.String(10))
    opens_on: Mapped[date]
    closes_on: Mapped[date]
    standard_version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("standard_versions.id", ondelete="RESTRICT"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=now_utc)

    standard_version: Mapped[StandardVersion] = relationship()

    __table_args__ = (
        sa.CheckConstraint("kind IN ('quarter', 'year')", name="kind"),
        sa.CheckConstraint("closes_on >= opens_on", name="dates_ordered"),
    )

    def is_open(self, today: date) -> bool:
        return self.opens_on <= today <= self.closes_on

    @property
    def kind_label(self) -> str:
        return str(PERIOD_KIND_LABELS[PeriodKind(self.kind)])

    @property
    def label(self) -> str:
        """The period's name in the reader's language.

        Vietnamese shows the stored name, as the province wrote it ("Quý 4 năm 2026");
        another language names a quarter or a year from its code ("Q4 2026"), and falls
        back to the stored name only for a code of another form.
        """
        locale = get_locale()
        if locale is None or locale.language == "vi":
            return self.name
        if quarter := QUARTER_CODE.match(self.code):
            return _("Q%(quarter)s %(year)s", quarter=quarter[2], year=quarter[1])
        if year := YEAR_CODE.match(self.code):
            return _("Year %(year)s", year=year[1])
        return self.name

    def audit_state(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "opens_on": self.opens_on.isoformat(),
            "closes_on": self.closes_on.isoformat(),
            "standard_version_id": self.standard_version_id,
        }


class Assessment(db.Model):
    """One center's self-assessment in one period."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assessment_periods.id", ondelete="RESTRICT")
    )
    center_id: Mapped[int] = mapped_column(
        sa.ForeignKey("centers.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[str] = mapped_column(sa.String(12), default=AssessmentStatus.DRAFT)
    #: Incremented on every save; the offline draft script compares it.
    revision: Mapped[int] = mapped_column(default=0)
    #: C_self (0–100) frozen at submission; drafts show it live.
    self_score: Mapped[float | None]
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc)
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    period: Mapped[AssessmentPeriod] = relationship()
    center: Mapped[Center] = relationship()
    submitted_by: Mapped[User | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan"
    )
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="assessment", order_by="Evidence.id"
    )

    __table_args__ = (
        sa.UniqueConstraint("period_id", "center_id"),
        sa.CheckConstraint("status IN ('draft', 'submitted')", name="status"),
    )

    @property
    def is_submitted(self) -> bool:
        return self.status == AssessmentStatus.SUBMITTED

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[AssessmentStatus(self.status)])


class Answer(db.Model):
    """The manager's answer to one criterion."""

    __tablename__ = "assessment_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessments.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(
        sa.ForeignKey("criteria.id", ondelete="RESTRICT"), index=True
    )
    #: met / partial / not_met for level criteria, yes / no for yes-no criteria.
    choice: Mapped[str | None] = mapped_column(sa.String(10))
    number: Mapped[float | None]
    not_applicable: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=now_utc)

    assessment: Mapped[Assessment] = relationship(back_populates="answers")
    criterion: Mapped[Criterion] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("assessment_id", "criterion_id"),
        sa.CheckConstraint(
            "choice IS NULL OR choice IN ('met', 'partial', 'not_met', 'yes', 'no')",
            name="choice",
        ),
    )

    @property
    def is_answered(self) -> bool:
        return self.not_applicable or self.choice is not None or self.number is not None

    def audit_state(self) -> dict:
        return {
            "choice": self.choice,
            "number": self.number,
            "not_applicable": self.not_applicable,
            "note": self.note,
        }


class Evidence(db.Model):
    """A photo (re-encoded, metadata removed) or PDF attached to one answer's criterion."""

    __tablename__ = "assessment_evidence"

    @classmethod
    def from_clean(
        cls,
        assessment: Assessment,
        criterion: Criterion,
        clean: CleanFile,
        *,
        storage_name: str,
        original_name: str,
        actor: User,
    ) -> Evidence:
        """The record of a checked file stored as ``storage_name`` (checklist and corrections)."""
        return cls(
            assessment=assessment,
            criterion=criterion,
            center_id=assessment.center_id,
            storage_name=storage_name,
            kind=clean.kind,
            content_type=clean.content_type,
            size=len(clean.content),
            width=clean.width,
            height=clean.height,
            phash=clean.phash,
            sha256=clean.sha256,
            original_name=original_name[:120],
            uploaded_by_id=actor.id,
        )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assessments.id", ondelete="RESTRICT"), index=True
    )
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("criteria.id", ondelete="RESTRICT"))
    #: Denormalised from the assessment, for the reuse search.
    center_id: Mapped[int] = mapped_column(
        sa.ForeignKey("centers.id", ondelete="RESTRICT"), index=True
    )
    #: Random name inside ``EVIDENCE_DIR``; never derived from the upload.
    storage_name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    content_type: Mapped[str] = mapped_column(sa.String(40))
    size: Mapped[int]
    width: Mapped[int | None]
    height: Mapped[int | None]
    #: 64-bit difference hash (16 hex digits) of photos, for reuse detection.
    phash: Mapped[str | None] = mapped_column(sa.String(16), index=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    original_name: Mapped[str] = mapped_column(sa.String(120), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=now_utc)

    assessment: Mapped[Assessment] = relationship(back_populates="evidence")
    criterion: Mapped[Criterion] = relationship()

    __table_args__ = (sa.CheckConstraint("kind IN ('photo', 'pdf')", name="kind"),)

    @property
    def is_photo(self) -> bool:
        return self.kind == "photo"

    def audit_state(self) -> dict:
        return {
            "criterion_id": self.criterion_id,
            "kind": self.kind,
            "size": self.size,
            "sha256": self.sha256,
            "phash": self.phash,
        }
