"""Public Administrative Service Centers, their counters and officers."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..shared.text import fold
from ..shared.timeutils import now_utc


class CenterLevel(enum.StrEnum):
    PROVINCE = "province"
    COMMUNE = "commune"


class Center(db.Model):
    """A center (Trung tâm Phục vụ hành chính công) serving one official unit.

    ``code`` is the official code of the unit it serves (2 digits for a
    province, 5 for a commune, ward or special zone), so it is unique across
    the country and stable across re-seeding.
    """

    __tablename__ = "centers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(10), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    level: Mapped[str] = mapped_column(sa.String(10), index=True)
    unit_code: Mapped[int]
    unit_name: Mapped[str] = mapped_column(sa.String(120))
    unit_type: Mapped[str] = mapped_column(sa.String(40))
    province_code: Mapped[int] = mapped_column(index=True)
    province_name: Mapped[str] = mapped_column(sa.String(120))
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    phone: Mapped[str] = mapped_column(sa.String(30), default="")
    opening_hours: Mapped[str] = mapped_column(sa.String(200), default="")
    #: Other reception points (e.g. a branch in a former commune), one per line.
    extra_sites: Mapped[str] = mapped_column(sa.Text, default="")
    #: Folded (lower-case, no diacritics) code and names, for searching.
    search_key: Mapped[str] = mapped_column(sa.String(400), default="")
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)

    counters: Mapped[list[Counter]] = relationship(
        back_populates="center", order_by="Counter.number", cascade="all, delete-orphan"
    )
    officers: Mapped[list[Officer]] = relationship(
        back_populates="center", order_by="Officer.full_name", cascade="all, delete-orphan"
    )

    __table_args__ = (sa.CheckConstraint("level IN ('province', 'commune')", name="level"),)

    def __repr__(self) -> str:
        return f"<Center {self.code} {self.name!r}>"

    @property
    def is_provincial(self) -> bool:
        return self.level == CenterLevel.PROVINCE

    def refresh_search_key(self) -> None:
        self.search_key = fold(f"{self.code} {self.name} {self.unit_name}")

    def audit_state(self) -> dict:
        return {
            "name": self.name,
            "address": self.address,
            "phone": self.phone,
            "opening_hours": self.opening_hours,
            "extra_sites": self.extra_sites,
        }

    @property
    def extra_site_list(self) -> list[str]:
        return [line.strip() for line in self.extra_sites.splitlines() if line.strip()]


class Counter(db.Model):
    """A reception counter (quầy) of a center, serving one field of procedures."""

    __tablename__ = "counters"

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("centers.id", ondelete="CASCADE"))
    number: Mapped[int]
    field: Mapped[str] = mapped_column(sa.String(200))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)

    center: Mapped[Center] = relationship(back_populates="counters")
    officers: Mapped[list[Officer]] = relationship(back_populates="counter")

    __table_args__ = (
        sa.UniqueConstraint("center_id", "number"),
        sa.CheckConstraint("number > 0", name="number_positive"),
    )

    def __repr__(self) -> str:
        return f"<Counter {self.center_id}#{self.number}>"

    def audit_state(self) -> dict:
        return {"number": self.number, "field": self.field, "is_active": self.is_active}


class Officer(db.Model):
    """A civil servant working at a center, optionally assigned to a counter."""

    __tablename__ = "officers"

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("centers.id", ondelete="CASCADE"))
    counter_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("counters.id", ondelete="SET NULL"), index=True
    )
    full_name: Mapped[str] = mapped_column(sa.String(120))
    position: Mapped[str] = mapped_column(sa.String(120), default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)

    center: Mapped[Center] = relationship(back_populates="officers")
    counter: Mapped[Counter | None] = relationship(back_populates="officers")

    def __repr__(self) -> str:
        return f"<Officer {self.id} of center {self.center_id}>"

    PERSONAL_FIELDS = ("full_name",)

    def audit_state(self) -> dict:
        return {
            "full_name": self.full_name,
            "position": self.position,
            "counter_id": self.counter_id,
            "is_active": self.is_active,
        }
