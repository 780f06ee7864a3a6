"""The consent ledger: proof that a citizen consented, kept apart from the rating."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..shared.timeutils import now_utc


class ConsentRecord(db.Model):
    """One consent as it was given: which text (version and SHA-256 of the exact words
    shown, in the language shown), for which purpose, when. It holds no personal data: the
    phone number stays, encrypted, on the rating, and goes when the consent ends; this row
    stays as the record that consent was given and when it ended."""

    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(sa.String(40))
    version: Mapped[str] = mapped_column(sa.String(20))
    locale: Mapped[str] = mapped_column(sa.String(8))
    text_hash: Mapped[str] = mapped_column(sa.String(64))
    rating_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("ratings.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=now_utc, index=True)
    #: When the data given under this consent was deleted, and why.
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(sa.String(12))

    __table_args__ = (
        sa.CheckConstraint(
            "end_reason IS NULL OR end_reason IN ('erased', 'retention')", name="end_reason"
        ),
    )
