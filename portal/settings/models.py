"""Operational settings stored in the database; the config values are the defaults."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..shared.timeutils import now_utc


class Setting(db.Model):
    """One scalar setting (``key`` from ``services.DEFINITIONS``), stored as JSON text."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    value: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)


class OpeningHours(db.Model):
    """Opening hours of one center, or the default of a province (exactly one of the two).

    Times are minutes after local midnight; ``closed_weekdays`` lists Monday = 0 … Sunday = 6
    as comma-separated digits. Used by the off-hours flag of citizen ratings.
    """

    __tablename__ = "opening_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("centers.id", ondelete="CASCADE"), unique=True
    )
    province_code: Mapped[int | None] = mapped_column(unique=True)
    opens_minute: Mapped[int]
    closes_minute: Mapped[int]
    closed_weekdays: Mapped[str] = mapped_column(sa.String(20), default="")
    updated_at: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)

    __table_args__ = (
        sa.CheckConstraint(
            "(center_id IS NULL) <> (province_code IS NULL)", name="center_or_province"
        ),
        sa.CheckConstraint(
            "opens_minute >= 0 AND closes_minute <= 1440 AND opens_minute < closes_minute",
            name="minutes_in_day",
        ),
    )

    @property
    def weekdays(self) -> tuple[int, ...]:
        return tuple(int(d) for d in self.closed_weekdays.split(",") if d.strip())


class PublicHoliday(db.Model):
    """A public holiday (a day off for the centers): complaint due dates skip it."""

    __tablename__ = "public_holidays"

    day: Mapped[date] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
