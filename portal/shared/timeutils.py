"""Time helpers: UTC in the database, Asia/Ho_Chi_Minh for display."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

DISPLAY_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def now_utc() -> datetime:
    """Current time as a naive UTC datetime (how every ``*_at`` column is stored)."""
    return datetime.now(UTC).replace(tzinfo=None)


def as_aware_utc(value: datetime) -> datetime:
    """Attach UTC to a naive UTC datetime read from the database."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
