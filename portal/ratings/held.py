"""The province-wide queue of ratings held for review: what an inspector reads every
morning instead of opening each center's ratings page, and the bulk verdict on a page of
them (each rating through :func:`moderation.review_flags`, as a single verdict).

Every read and write is limited to the actor's centers (``visible_centers_clause``), the
scope the per-center moderation checks with ``can_view_center``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import orm

from ..accounts.permissions import visible_centers_clause
from ..centers.models import Center
from ..extensions import db
from ..settings import services as settings
from ..shared.errors import PermissionDenied, PortalError
from ..shared.search import like_contains
from ..shared.text import fold
from .models import FlagReview, Rating
from .moderation import clean_reason, review_flags

#: At most this many ratings in one bulk verdict (a page of the queue is fewer).
BULK_MAX = 200

#: Held: flagged by the screening and not yet decided (``Rating.is_pending_review``).
HELD = sa.and_(Rating.flags != "", Rating.cleared_at.is_(None))


@dataclass(frozen=True)
class HeldFilter:
    """The queue's filters; ``None`` or empty: no filter."""

    flag: str = ""
    center: str = ""  # a center's code, or words of its name
    older_than_days: int | None = None


def _has_flag(flag: str) -> sa.ColumnElement[bool]:
    # ``flags`` is a comma-separated list: ",a,b," contains ",a,".
    return like_contains(sa.literal(",") + Rating.flags + sa.literal(","), f",{flag},")


def held_query(actor, filters: HeldFilter, *, now: datetime) -> sa.Select:
    """The held ratings of the actor's centers matching ``filters``, oldest first."""
    stmt = (
        sa.select(Rating)
        .join(Center, Center.id == Rating.center_id)
        .where(HELD, visible_centers_clause(actor))
        .options(orm.contains_eager(Rating.center), orm.joinedload(Rating.counter))
    )
    if filters.flag:
        stmt = stmt.where(_has_flag(filters.flag))
    text = filters.center.strip()
    if text:
        words = fold(text).split()[:8]
        stmt = stmt.where(
            sa.or_(
                Center.code == text,
                sa.and_(*(like_contains(Center.search_key, w) for w in words)),
            )
        )
    if filters.older_than_days:
        stmt = stmt.where(Rating.created_at <= now - timedelta(days=filters.older_than_days))
    return stmt.order_by(Rating.created_at, Rating.id)


def held_count(actor) -> int:
    """How many ratings of the actor's centers wait for an inspector's verdict."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Rating)
            .join(Center, Center.id == Rating.center_id)
            .where(HELD, visible_centers_clause(actor))
        )
        or 0
    )


@dataclass(frozen=True)
class BulkResult:
    decided: int
    #: Decided by someone else meanwhile (no longer held): left as they are.
    skipped: int


def review_many(rating_ids: Iterable[int], verdict: str, reason: str, *, actor) -> BulkResult:
    """One verdict with one reason on several held ratings, each exactly as a single
    verdict (:func:`review_flags`: rollups, audit event). Flushes, never commits: the
    caller commits once, so all are decided or none.

    Raises :class:`PermissionDenied` if any id is not a rating of the actor's centers
    (nothing is decided then), :class:`PortalError` for a missing reason or verdict.
    """
    ids = sorted(set(rating_ids))
    if not ids:
        raise PortalError(_("Select at least one rating."))
    if len(ids) > BULK_MAX:
        raise PortalError(_("Select at most %(max)d ratings at once.", max=BULK_MAX))
    if verdict not in (FlagReview.CONFIRMED, FlagReview.REJECTED):
        raise PortalError(_("Choose whether to confirm or reject the flags."))
    clean_reason(reason)  # a bad reason refuses the whole request before anything changes
    ratings = db.session.scalars(
        sa.select(Rating)
        .join(Center, Center.id == Rating.center_id)
        .where(Rating.id.in_(ids), visible_centers_clause(actor))
        .order_by(Rating.id)
    ).all()
    if len(ratings) != len(ids):
        raise PermissionDenied(_("Some of these ratings are not in your centers."))
    decided = skipped = 0
    for rating in ratings:
        if not rating.is_pending_review:
            skipped += 1
            continue
        try:
            review_flags(rating, verdict, reason, actor=actor)
        except PortalError:
            db.session.refresh(rating)
            if rating.is_pending_review:
                raise
            skipped += 1  # decided by another inspector a moment ago
            continue
        decided += 1
    return BulkResult(decided=decided, skipped=skipped)


def review_due(day: date, holidays: frozenset[date] | None = None) -> date:
    """The day by which an inspector checks a rating held on ``day``: the working days
    the citizen is told (``RATING_REVIEW_WORKING_DAYS``), holidays excluded."""
    from ..complaints.services import add_working_days

    if holidays is None:
        holidays = settings.holidays()
    return add_working_days(day, current_app.config["RATING_REVIEW_WORKING_DAYS"], holidays)
