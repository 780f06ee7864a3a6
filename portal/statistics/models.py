"""The national Decision 766 index and the one-stop software's dossier figures, per month."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..shared.timeutils import now_utc

if TYPE_CHECKING:
    from ..accounts.models import User
    from ..centers.models import Center, Counter

#: The groups of the index as Cổng DVCQG displays them (DOMAIN.md §4.1, 🟡 secondary:
#: third-party reconstruction of the portal's display; the official 2022 text names five
#: groups of 18–22 points each and a 100-point total, ✅ verified). Attribute, maximum.
INDEX_GROUPS: tuple[tuple[str, float], ...] = (
    ("publicity", 18.0),
    ("progress", 20.0),
    ("online_service", 12.0),
    ("online_payment", 10.0),
    ("digitisation", 22.0),
    ("satisfaction", 18.0),
)
INDEX_TOTAL_MAX = 100.0
INDEX_LABELS = {
    "publicity": _l("Publicity and transparency"),
    "progress": _l("Progress of settlement"),
    "online_service": _l("Online public services"),
    "online_payment": _l("Online payment"),
    "digitisation": _l("Digitisation of dossiers"),
    "satisfaction": _l("Satisfaction"),
    "total": _l("Total (766)"),
}


class ServiceIndex(db.Model):
    """One center's Decision 766 index for one month, as imported from the national portal."""

    __tablename__ = "service_index_766"

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("centers.id", ondelete="CASCADE"))
    #: The first day of the month.
    month: Mapped[date]
    publicity: Mapped[float | None]
    progress: Mapped[float | None]
    online_service: Mapped[float | None]
    online_payment: Mapped[float | None]
    digitisation: Mapped[float | None]
    satisfaction: Mapped[float | None]
    total: Mapped[float]
    #: The file name it came from.
    source: Mapped[str] = mapped_column(sa.String(200))
    imported_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    imported_at: Mapped[datetime] = mapped_column(default=now_utc)

    center: Mapped[Center] = relationship()
    imported_by: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("center_id", "month"),
        sa.CheckConstraint("total >= 0 AND total <= 100", name="total_range"),
    )


class DossierStat(db.Model):
    """Dossiers of one center (and counter, when the software knows it) in one month.

    A row without a counter holds the center's dossiers not attributed to a counter; a
    center's month is the sum of its rows.
    """

    __tablename__ = "dossier_stats"

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("centers.id", ondelete="CASCADE"))
    counter_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("counters.id", ondelete="CASCADE"), index=True
    )
    month: Mapped[date]
    received: Mapped[int]
    on_time: Mapped[int]
    late: Mapped[int]
    #: Refused or returned for more documents.
    returned: Mapped[int]
    #: Received online (Cổng DVCQG); the online share is online / received.
    online: Mapped[int]
    #: The file name, or ``api:<key prefix>``.
    source: Mapped[str] = mapped_column(sa.String(200))
    imported_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    imported_at: Mapped[datetime] = mapped_column(default=now_utc)

    center: Mapped[Center] = relationship()
    counter: Mapped[Counter | None] = relationship()
    imported_by: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.Index("ix_dossier_stats_center_id_month", "center_id", "month"),
        sa.CheckConstraint(
            "received >= 0 AND on_time >= 0 AND late >= 0 AND returned >= 0 AND online >= 0",
            name="non_negative",
        ),
        sa.CheckConstraint("on_time + late <= received", name="settled_le_received"),
        sa.CheckConstraint("online <= received", name="online_le_received"),
    )

    @property
    def settled(self) -> int:
        return self.on_time + self.late
