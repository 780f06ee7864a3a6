"""Time helpers: UTC in the database, Asia/Ho_Chi_Minh for display."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from .validation import MIN_DATE, parse_iso_date

DISPLAY_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def now_utc() -> datetime:
    """Current time as a naive UTC datetime (how every ``*_at`` column is stored)."""
    return datetime.now(UTC).replace(tzinfo=None)


def as_aware_utc(value: datetime) -> datetime:
    """Attach UTC to a naive UTC datetime read from the database."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def local_day(moment: datetime) -> date:
    """The local calendar day (Asia/Ho_Chi_Minh) of a naive UTC moment."""
    return as_aware_utc(moment).astimezone(DISPLAY_TZ).date()


def today_local() -> date:
    """Today in Asia/Ho_Chi_Minh."""
    return datetime.now(DISPLAY_TZ).date()


def parse_period(args, *, default_days: int = 30) -> tuple[date, date]:
    """``from``/``to`` ISO dates (inclusive) of a query string; defaults to the last
    ``default_days`` local days.

    Raises ``ValueError`` for a malformed or reversed period (or one over ten years).
    """
    end = parse_iso_date(args["to"]) if args.get("to") else local_day(now_utc())
    start = (
        parse_iso_date(args["from"])
        if args.get("from")
        else max(end - timedelta(days=default_days - 1), MIN_DATE)
    )
    if start > end or (end - start).days > 3700:
        raise ValueError("bad period")
    return start, end
