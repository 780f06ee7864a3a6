"""Screening a rating before it is stored: the anomaly checks (opening hours, bursts,
more ratings than receipts, ratings by the receipt's own issuer) whose flags hold a
rating for review, never refuse it."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import orm

from ..extensions import db
from ..settings import services as settings
from ..shared.prepared import Prepared, PreparedFamily
from ..shared.timeutils import DISPLAY_TZ, as_aware_utc, local_day, now_utc
from .fingerprints import client_fingerprint
from .models import Channel, Rating, Receipt
from .tokens import Target


def _recent_count(dialect: str, by_counter: bool) -> sa.Executable:
    """How many ratings of the counter (or center) since ``since``, counted up to ``n``
    only: an index range scan of at most ``n`` entries, whatever the table's size."""
    column = Rating.counter_id if by_counter else Rating.center_id
    recent = (
        sa.select(sa.literal_column("1"))
        .where(column == sa.bindparam("key"), Rating.created_at >= sa.bindparam("since"))
        .limit(sa.bindparam("n", type_=sa.Integer()))
        .subquery()
    )
    return sa.select(sa.func.count()).select_from(recent)


_RECENT_COUNT = PreparedFamily(_recent_count)

_RECEIPTS_TODAY = Prepared(
    lambda _dialect: (
        sa.select(sa.func.count())
        .select_from(Receipt)
        .where(
            Receipt.center_id == sa.bindparam("center_id"),
            Receipt.created_at >= sa.bindparam("since"),
            # Only receipts from the one-stop software (API, with a dossier code) or a system
            # job are the reference: receipts staff issue themselves in the portal would let
            # them raise it at will.
            sa.or_(Receipt.issued_via == "api", Receipt.issued_by_id.is_(None)),
        )
    )
)

_RATINGS_TODAY = Prepared(
    lambda _dialect: (
        sa.select(sa.func.count())
        .select_from(Rating)
        .where(Rating.center_id == sa.bindparam("center_id"), Rating.day == sa.bindparam("day"))
    )
)


def anomaly_flags(target: Target, moment: datetime) -> list[str]:
    """Reasons to hold a new rating for review (it is stored either way)."""
    config = current_app.config
    flags = []
    local = as_aware_utc(moment).astimezone(DISPLAY_TZ)
    hours = settings.hours_for(target.center.id, target.center.province_code)
    if not hours.is_open(local.weekday(), local.hour * 60 + local.minute):
        flags.append("off_hours")
    # Burst: would this be more than BURST_MAX ratings in the window? Count at most
    # BURST_MAX of the window's ratings (an index range scan that stops there), never the
    # whole window, so the check costs the same at 10 or 10 million ratings.
    window_start = moment - timedelta(seconds=config["RATING_BURST_WINDOW_SECONDS"])
    burst_max = config["RATING_BURST_MAX"]
    if burst_max <= 0:
        flags.append("burst")
    else:
        by_counter = target.counter is not None
        recent = (
            _RECENT_COUNT[by_counter]
            .execute(
                key=target.counter.id if by_counter else target.center.id,
                since=window_start,
                n=burst_max,
            )
            .scalar_one()
        )
        if recent >= burst_max:
            flags.append("burst")
    if target.channel != Channel.RECEIPT_QR:
        # A center that hands out receipts should not get more ratings than receipts.
        day_start = datetime.combine(local.date(), datetime.min.time(), DISPLAY_TZ)
        day_start_utc = day_start.astimezone(as_aware_utc(moment).tzinfo).replace(tzinfo=None)
        receipts = _RECEIPTS_TODAY.execute(
            center_id=target.center.id, since=day_start_utc
        ).scalar_one()
        if receipts:
            ratings = _RATINGS_TODAY.execute(
                center_id=target.center.id, day=local.date()
            ).scalar_one()
            if ratings + 1 > receipts + config["RATING_RECEIPT_SLACK"]:
                flags.append("over_receipts")
    return flags


def self_rating_flags(receipt: Receipt, moment: datetime) -> tuple[list[str], bool]:
    """Flags for a rating through a receipt issued in the portal, and whether it comes
    soon after issuance from the center's own network.

    ``issuer_device`` / ``issuer_network``: the rating comes from the browser or the
    network of the staff session that issued the receipt. ``center_network``: from a
    network the center's staff issue receipts from, within ``RATING_SELF_WINDOW_MINUTES``
    of issuance, and such ratings are more than ``RATING_CENTER_NETWORK_SHARE`` of the
    center's receipt ratings today (at least ``RATING_CENTER_NETWORK_MIN``): a few
    citizens rating on the center's Wi-Fi are normal, most of them are not.
    """
    config = current_app.config
    mine = client_fingerprint()
    flags = []
    if (
        mine.device
        and receipt.issuer_device
        and hmac.compare_digest(mine.device, receipt.issuer_device)
    ):
        flags.append("issuer_device")
    if mine.network and receipt.issuer_network == mine.network:
        flags.append("issuer_network")
    if mine.network is None or flags:
        return flags, False
    quick = as_aware_utc(moment) - as_aware_utc(receipt.created_at) <= timedelta(
        minutes=config["RATING_SELF_WINDOW_MINUTES"]
    )
    if not quick:
        return flags, False
    since = moment - timedelta(days=30)
    center_network = (
        db.session.scalar(
            sa.select(Receipt.id)
            .where(
                Receipt.center_id == receipt.center_id,
                Receipt.issuer_network == mine.network,
                Receipt.created_at >= since,
            )
            .limit(1)
        )
        is not None
    )
    if not center_network:
        return flags, False
    today = sa.and_(
        Rating.center_id == receipt.center_id,
        Rating.day == local_day(moment),
        Rating.channel == Channel.RECEIPT_QR.value,
    )
    total, same = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(sa.case((Rating.from_center_network, 1), else_=0)), 0),
        ).where(today)
    ).one()
    total, same = int(total) + 1, int(same) + 1
    if (
        total >= config["RATING_CENTER_NETWORK_MIN"]
        and same / total > config["RATING_CENTER_NETWORK_SHARE"]
    ):
        flags.append("center_network")
    return flags, True


def self_issued_shares(center_id: int, start: date, end: date) -> dict[int, tuple[int, int]]:
    """Per officer of the center: ``(ratings through receipts the officer issued
    themselves, all citizen ratings of the officer)`` over ``[start, end]``."""
    from ..accounts.models import User

    issuer = orm.aliased(User)
    own = sa.case((issuer.officer_id == Rating.officer_id, 1), else_=0)
    rows = db.session.execute(
        sa.select(Rating.officer_id, sa.func.count(), sa.func.coalesce(sa.func.sum(own), 0))
        .select_from(Rating)
        .outerjoin(Receipt, Receipt.id == Rating.receipt_id)
        .outerjoin(issuer, issuer.id == Receipt.issued_by_id)
        .where(
            Rating.center_id == center_id,
            Rating.officer_id.is_not(None),
            Rating.channel != Channel.STAFF.value,
            Rating.day >= start,
            Rating.day <= end,
        )
        .group_by(Rating.officer_id)
    ).all()
    return {officer_id: (int(mine), int(total)) for officer_id, total, mine in rows}


@dataclass(frozen=True)
class Screening:
    """What a rating's anomaly checks read, taken before it is written."""

    moment: datetime
    flags: tuple[str, ...]


def screen_rating(target: Target) -> Screening:
    """The anomaly reads of a rating about to be submitted (opening hours, bursts,
    receipts of the day), so that a view can make them before it takes SQLite's write
    lock (:func:`portal.database.begin_writing`) and hold that lock only for the writes.
    Concurrent ratings then do not see each other in these counts, exactly as on
    PostgreSQL, where uncommitted ratings are invisible to each other anyway; the flags
    only send a rating to review, they never refuse one."""
    moment = now_utc()
    flags = [] if target.channel == Channel.STAFF else anomaly_flags(target, moment)
    return Screening(moment=moment, flags=tuple(flags))
