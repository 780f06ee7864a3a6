"""Screening a rating before it is stored: the anomaly checks (opening hours, bursts,
more ratings than receipts, receipt ratings from the center's own staff) whose flags hold a
rating for review, never refuse it."""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import orm

from ..extensions import db
from ..settings import services as settings
from ..shared.prepared import Prepared, PreparedFamily
from ..shared.timeutils import DISPLAY_TZ, as_aware_utc, now_utc
from .fingerprints import Fingerprint, client_fingerprint
from .models import Channel, Rating, Receipt, StaffFingerprint
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


def _staff_session_of(center_id: int) -> bool:
    """Whether the request comes from a signed-in session of a staff member of the center
    (read only for receipt ratings: a counter rating never loads a user)."""
    from flask_login import current_user

    from ..accounts.models import Role

    return bool(
        current_user.is_authenticated
        and current_user.role in (Role.MANAGER, Role.OFFICER)
        and current_user.center_id == center_id
    )


def _staff_seen(center_id: int, mine: Fingerprint, moment: datetime) -> tuple[bool, bool]:
    """``(device, network)``: whether a staff member of the center signed in or issued a
    receipt from this device cookie (within ``RATING_STAFF_DEVICE_DAYS``) or this network
    (within ``RATING_STAFF_NETWORK_DAYS``). One round trip, two index range scans."""
    if mine.device is None and mine.network is None:
        return False, False
    config = current_app.config
    ours = StaffFingerprint.center_id == center_id
    device = sa.exists().where(
        ours,
        StaffFingerprint.device == mine.device,
        StaffFingerprint.seen_at >= moment - timedelta(days=config["RATING_STAFF_DEVICE_DAYS"]),
    )
    network = sa.exists().where(
        ours,
        StaffFingerprint.network == mine.network,
        StaffFingerprint.seen_at >= moment - timedelta(days=config["RATING_STAFF_NETWORK_DAYS"]),
    )
    row = db.session.execute(sa.select(device, network)).one()
    return bool(row[0]) and mine.device is not None, bool(row[1]) and mine.network is not None


def staff_rating_flags(receipt: Receipt, moment: datetime) -> tuple[list[str], bool]:
    """Flags for a rating through a receipt (from the portal or the API), and whether it
    comes from a network of the center's staff.

    ``issuer_device`` / ``issuer_network``: from the browser or the network of the staff
    session that issued the receipt. ``staff_session``: sent from a signed-in session of a
    staff member of the center, whoever the receipt's officer. ``staff_device`` /
    ``staff_network``: from a device cookie or a network a staff member of the center
    signed in or issued receipts from recently. A citizen rating on the center's Wi-Fi is
    held too, when staff use that network: an inspector lets it count.
    """
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
    if _staff_session_of(receipt.center_id):
        flags.append("staff_session")
    device, network = _staff_seen(receipt.center_id, mine, moment)
    if device and "issuer_device" not in flags:
        flags.append("staff_device")
    if network and "issuer_network" not in flags:
        flags.append("staff_network")
    return flags, network or "issuer_network" in flags


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


def holding_flags(flags: Sequence[str], *, complaint: bool) -> list[str]:
    """The flags a new rating is stored with (any flag holds it for review).

    A complaint sent after closing time is what a citizen writes at home in the evening,
    not a sign of fraud: when the hour is its only reason, a rating that opens a case (a
    complaint, or a dissatisfied rating with a comment) is not held. Any other reason
    still holds it, and then every reason is kept for the inspector.
    """
    if complaint and list(flags) == ["off_hours"]:
        return []
    return list(flags)


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
