"""Enrolled counter tablets, their one-time enrolment links, and the ratings they synced."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..centers.models import Center, Counter
from ..extensions import db
from ..shared.timeutils import now_utc


class KioskEnrolment(db.Model):
    """A one-time link (or QR) that enrols one tablet for one counter, valid minutes.

    Only a hash of the link's secret is stored: the database alone cannot enrol a tablet.
    """

    __tablename__ = "kiosk_enrolments"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    center_id: Mapped[int] = mapped_column(
        sa.ForeignKey("centers.id", ondelete="CASCADE"), index=True
    )
    counter_id: Mapped[int] = mapped_column(sa.ForeignKey("counters.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    device_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("kiosk_devices.id", ondelete="SET NULL")
    )

    counter: Mapped[Counter] = relationship()


class KioskDevice(db.Model):
    """An enrolled tablet of one counter.

    The tablet holds a secret key (in its browser, never shown again); the server keeps
    only ``key_salt``, from which it derives the same key with the portal's secret to
    verify the tablet's signatures. Revoking refuses every later signature.
    """

    __tablename__ = "kiosk_devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(
        sa.ForeignKey("centers.id", ondelete="CASCADE"), index=True
    )
    counter_id: Mapped[int] = mapped_column(sa.ForeignKey("counters.id", ondelete="CASCADE"))
    key_salt: Mapped[str] = mapped_column(sa.String(32))
    enrolled_at: Mapped[datetime] = mapped_column(default=now_utc)
    enrolled_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    #: The last sync with at least one genuine signature, and what the tablet still held.
    last_sync_at: Mapped[datetime | None]
    pending: Mapped[int] = mapped_column(default=0)
    #: Ratings stored from this tablet, and how many of them were held for an inspector.
    received: Mapped[int] = mapped_column(default=0)
    held: Mapped[int] = mapped_column(default=0)

    center: Mapped[Center] = relationship()
    counter: Mapped[Counter] = relationship()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class KioskItem(db.Model):
    """One rating a tablet queued, stored at most once: the primary key is the tablet and
    the rating's random id, so a replayed batch, a resent batch after a cut connection, two
    tabs or a restored backup of the tablet find the row and store nothing again."""

    __tablename__ = "kiosk_items"

    device_id: Mapped[int] = mapped_column(
        sa.ForeignKey("kiosk_devices.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    #: The tablet's clock when the citizen tapped (what the signature covers).
    device_time: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=now_utc)
    rating_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("ratings.id", ondelete="SET NULL"), unique=True
    )

    __table_args__ = (
        # The tablet's own pace (bursts) and its day's volume read its recent items.
        sa.Index("ix_kiosk_items_device_id_device_time", "device_id", "device_time"),
    )
