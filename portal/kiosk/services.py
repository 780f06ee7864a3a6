"""The offline kiosk: enrolment, device keys and signatures, the time checks, and the
exactly-once sync of a tablet's queue.

A tablet signs each rating it queues with HMAC-SHA256 under its own key (WebCrypto in the
browser). The server never stores that key: it keeps a random salt per device and
derives the same key from the portal's secret when it verifies. A rating is stored at
most once per (device, rating id) — the primary key of ``kiosk_items`` — so a batch
replayed, resent after a cut connection, sent by two tabs at once or from a restored
backup of the tablet's storage never counts twice.

Services flush, never commit: the view commits once per request.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite

from ..audit import services as audit
from ..audit.sentences import register_action, register_fields, register_object_type
from ..centers.models import Counter
from ..extensions import db
from ..ratings import services as ratings
from ..ratings.models import Channel, Rating
from ..settings import services as settings
from ..shared.errors import PermissionDenied, PortalError
from ..shared.prepared import Prepared
from ..shared.text import clean_text
from ..shared.timeutils import DISPLAY_TZ, as_aware_utc, local_day, now_utc
from ..statistics.models import DossierStat
from .models import KioskDevice, KioskEnrolment, KioskItem

for _action, _name, _sentence in (
    (
        "kiosk.enrolment_issued",
        _l("Tablet enrolment link"),
        _l("%(actor)s issued a one-time link to enrol a kiosk tablet for %(object)s"),
    ),
    (
        "kiosk.enrolled",
        _l("Tablet enrolled"),
        _l("Kiosk tablet %(object)s was enrolled with a one-time link"),
    ),
    ("kiosk.revoked", _l("Tablet revoked"), _l("%(actor)s revoked kiosk tablet %(object)s")),
    (
        "kiosk.synced",
        _l("Tablet synced"),
        _l("Kiosk tablet %(object)s sent its queued ratings"),
    ),
    (
        "kiosk.sync_refused",
        _l("Tablet sync refused"),
        _l("A sync from kiosk tablet %(object)s was refused"),
    ),
):
    register_action(_action, name=_name, sentence=_sentence)
register_object_type("kiosk_device", _l("tablet"))
register_fields(
    {
        "stored": _l("Stored"),
        "duplicates": _l("Already stored"),
        "refused": _l("Refused"),
        "held": _l("Held for review"),
        "pending": _l("Still on the tablet"),
        "reason": _l("Reason"),
        "enrolled_by": _l("Enrolled by"),
    }
)


class KioskError(PortalError):
    pass


# Keys and signatures -----------------------------------------------------------------------


def device_key(device_id: int, key_salt: str) -> bytes:
    """The tablet's 256-bit HMAC key, derived from the portal's secret and the device's
    salt: the same on every worker, never stored."""
    secret = current_app.config["SECRET_KEY"].encode("utf-8")
    return hmac.new(
        secret, f"portal-kiosk-device-key|{device_id}|{key_salt}".encode(), hashlib.sha256
    ).digest()


def key_text(key: bytes) -> str:
    """The key as the tablet imports it (base64url, no padding)."""
    return base64.urlsafe_b64encode(key).rstrip(b"=").decode("ascii")


ITEM_ID_RE = re.compile(r"[0-9a-f]{32}", re.ASCII)
SIGNATURE_RE = re.compile(r"[0-9a-f]{64}", re.ASCII)


def item_message(device_id: int, item_id: str, t_ms: int, score: int, comment: str) -> bytes:
    """What a rating's signature covers, exactly as ``static/js/kiosk-app.js`` builds it.
    The comment comes last, so a newline in it cannot shift another field."""
    return "\n".join(("v1", str(device_id), item_id, str(t_ms), str(score), comment)).encode(
        "utf-8"
    )


def batch_message(device_id: int, sent_ms: int, pending: int) -> bytes:
    return "\n".join(("v1", "batch", str(device_id), str(sent_ms), str(pending))).encode("utf-8")


def sign(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def verify(key: bytes, message: bytes, signature: str) -> bool:
    if not isinstance(signature, str) or not SIGNATURE_RE.fullmatch(signature):
        return False
    return hmac.compare_digest(sign(key, message), signature)


# Enrolment ---------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _require_manager(actor, center) -> None:
    from ..accounts.permissions import can_manage_center

    if actor is None or not can_manage_center(actor, center):
        raise PermissionDenied(_l("You are not allowed to change this center."))


def issue_enrolment(counter: Counter, *, actor) -> tuple[KioskEnrolment, str]:
    """A one-time enrolment link's secret for ``counter``, valid ``KIOSK_ENROL_MINUTES``."""
    _require_manager(actor, counter.center)
    if not counter.is_active:
        raise KioskError(_l("This counter no longer takes ratings."))
    token = secrets.token_urlsafe(24)
    minutes = current_app.config["KIOSK_ENROL_MINUTES"]
    enrolment = KioskEnrolment(
        token_hash=_token_hash(token),
        center_id=counter.center_id,
        counter_id=counter.id,
        created_by_id=actor.id,
        created_at=now_utc(),
        expires_at=now_utc() + timedelta(minutes=minutes),
    )
    db.session.add(enrolment)
    db.session.flush()
    audit.record(
        actor=actor,
        action="kiosk.enrolment_issued",
        object_type="counter",
        object_id=counter.id,
        center_id=counter.center_id,
        summary={"minutes": minutes},
    )
    return enrolment, token


def open_enrolment(token: str) -> KioskEnrolment | None:
    """The enrolment of a link if it is unused, unexpired and its counter takes ratings."""
    if not token or len(token) > 64:
        return None
    enrolment = db.session.scalar(
        sa.select(KioskEnrolment).where(KioskEnrolment.token_hash == _token_hash(token))
    )
    if enrolment is None or enrolment.used_at is not None:
        return None
    if enrolment.expires_at <= now_utc() or not enrolment.counter.is_active:
        return None
    return enrolment


def redeem_enrolment(token: str) -> tuple[KioskDevice, bytes] | None:
    """Use a one-time link: a new device and its key (shown to the tablet once), or
    ``None`` if the link is unknown, used or expired. The link is marked used with a
    conditional update, so two tablets opening it at once enrol one device."""
    enrolment = open_enrolment(token)
    if enrolment is None:
        return None
    moment = now_utc()
    used = db.session.execute(
        sa.update(KioskEnrolment)
        .where(KioskEnrolment.id == enrolment.id, KioskEnrolment.used_at.is_(None))
        .values(used_at=moment)
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:
        return None
    device = KioskDevice(
        center_id=enrolment.center_id,
        counter_id=enrolment.counter_id,
        key_salt=secrets.token_hex(16),
        enrolled_at=moment,
        enrolled_by_id=enrolment.created_by_id,
    )
    db.session.add(device)
    db.session.flush()
    enrolment.device_id = device.id
    _record_device(
        device,
        "kiosk.enrolled",
        actor=None,
        summary={"counter_id": device.counter_id, "enrolled_by": enrolment.created_by_id},
    )
    return device, device_key(device.id, device.key_salt)


def revoke_device(device: KioskDevice, *, actor) -> None:
    """Refuse every later signature of this tablet (what it still holds is never stored)."""
    _require_manager(actor, device.center)
    if device.revoked_at is not None:
        return
    device.revoked_at = now_utc()
    device.revoked_by_id = actor.id
    db.session.flush()
    _record_device(
        device,
        "kiosk.revoked",
        actor=actor,
        summary={"counter_id": device.counter_id, "pending": device.pending},
    )


def _record_device(device: KioskDevice, action: str, *, actor, summary: dict) -> None:
    """An audit entry about a tablet (``actor`` is ``None`` when the tablet itself acted)."""
    audit.record_about(device, "kiosk_device", action, actor=actor, summary=summary)


def devices_of(center_id: int) -> list[KioskDevice]:
    return list(
        db.session.scalars(
            sa.select(KioskDevice)
            .where(KioskDevice.center_id == center_id)
            .order_by(KioskDevice.revoked_at.is_not(None), KioskDevice.id.desc())
        )
    )


# Time checks -------------------------------------------------------------------------------


def time_flags(
    device_time: datetime, *, now: datetime, enrolled_at: datetime, too_close: bool = False
) -> list[str]:
    """Why a queued rating's time is implausible (naive UTC datetimes): ahead of the
    server, before the tablet had a key, older than ``KIOSK_MAX_AGE_DAYS``, or (``too_close``,
    see :func:`too_close`) within ``KIOSK_MIN_GAP_SECONDS`` of another rating of the tablet:
    a person cannot rate after another that fast, and the tablet itself refuses to."""
    config = current_app.config
    slack = timedelta(seconds=config["KIOSK_FUTURE_SLACK_SECONDS"])
    flags = []
    if device_time > now + slack:
        flags.append("kiosk_future")
    if device_time < enrolled_at - slack:
        flags.append("kiosk_before_enrolment")
    if now - device_time > timedelta(days=config["KIOSK_MAX_AGE_DAYS"]):
        flags.append("kiosk_stale")
    if too_close:
        flags.append("kiosk_burst")
    return flags


def off_hours(center_id: int, province_code: int, moment: datetime) -> bool:
    local = as_aware_utc(moment).astimezone(DISPLAY_TZ)
    hours = settings.hours_for(center_id, province_code)
    return not hours.is_open(local.weekday(), local.hour * 60 + local.minute)


_TOO_CLOSE = Prepared(
    lambda _dialect: sa.select(sa.func.count()).select_from(
        sa.select(sa.literal_column("1"))
        .where(
            KioskItem.device_id == sa.bindparam("device_id"),
            KioskItem.item_id != sa.bindparam("item_id"),
            KioskItem.device_time > sa.bindparam("low", type_=sa.DateTime()),
            KioskItem.device_time < sa.bindparam("high", type_=sa.DateTime()),
        )
        .limit(1)
        .subquery()
    )
)


def too_close(device_id: int, item_id: str, moment: datetime) -> bool:
    """Whether the tablet stored another rating within ``KIOSK_MIN_GAP_SECONDS`` of
    ``moment``, before or after it (one index range read of at most one row)."""
    gap = timedelta(seconds=current_app.config["KIOSK_MIN_GAP_SECONDS"])
    found = _TOO_CLOSE.execute(
        device_id=device_id, item_id=item_id, low=moment - gap, high=moment + gap
    ).scalar_one()
    return bool(found)


#: Working days in a month, to turn a month's dossiers into a day's.
WORKING_DAYS_PER_MONTH = 22


def daily_volume_limit(counter_id: int, center_id: int, day) -> int:
    """How many ratings one counter may plausibly get in a day: ``KIOSK_VOLUME_FACTOR``
    times its average day of dossiers that month (its own rows, else its center's share),
    never below ``KIOSK_VOLUME_FLOOR``."""
    config = current_app.config
    month = day.replace(day=1)
    own = db.session.scalar(
        sa.select(sa.func.sum(DossierStat.received)).where(
            DossierStat.counter_id == counter_id, DossierStat.month == month
        )
    )
    received = own
    if not received:
        total = db.session.scalar(
            sa.select(sa.func.sum(DossierStat.received)).where(
                DossierStat.center_id == center_id, DossierStat.month == month
            )
        )
        counters = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Counter)
            .where(Counter.center_id == center_id, Counter.is_active.is_(True))
        )
        received = (total or 0) / max(counters or 1, 1)
    per_day = (received or 0) / WORKING_DAYS_PER_MONTH
    return max(int(config["KIOSK_VOLUME_FLOOR"]), int(per_day * config["KIOSK_VOLUME_FACTOR"]))


def _counter_ratings_on(counter_id: int, day) -> int:
    start = datetime.combine(day, datetime.min.time(), DISPLAY_TZ).astimezone(UTC)
    start = start.replace(tzinfo=None)
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Rating)
        .where(
            Rating.counter_id == counter_id,
            Rating.created_at >= start,
            Rating.created_at < start + timedelta(days=1),
        )
    )


# Sync --------------------------------------------------------------------------------------


class SyncRefused(KioskError):
    """The whole batch is refused: ``status`` is the HTTP status, ``code`` the reason."""

    def __init__(self, status: int, code: str):
        super().__init__(code)
        self.status = status
        self.code = code


@dataclass
class ItemResult:
    id: str
    status: str  # stored | duplicate | refused
    reason: str = ""
    held: bool = False

    def as_json(self) -> dict:
        out = {"id": self.id, "status": self.status}
        if self.reason:
            out["reason"] = self.reason
        if self.status == "stored":
            out["held"] = self.held
        return out


@dataclass
class SyncResult:
    device: KioskDevice
    items: list[ItemResult]

    def count(self, status: str) -> int:
        return sum(1 for i in self.items if i.status == status)


def _int(value, low: int, high: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return None
    return value


#: Milliseconds since the epoch a tablet may send (2020 to 2100): anything else is malformed.
T_MIN, T_MAX = 1_577_836_800_000, 4_102_444_800_000


def _claim_statement(dialect: str) -> sa.Executable:
    table = KioskItem.__table__
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(table)
        .values(
            device_id=sa.bindparam("device_id"),
            item_id=sa.bindparam("item_id"),
            device_time=sa.bindparam("device_time", type_=sa.DateTime()),
            received_at=sa.bindparam("received_at", type_=sa.DateTime()),
        )
        .on_conflict_do_nothing(index_elements=[table.c.device_id, table.c.item_id])
        .returning(table.c.device_id)
    )


_CLAIM = Prepared(_claim_statement)
_LINK_RATING = Prepared(
    lambda _dialect: (
        sa.update(KioskItem.__table__)
        .where(
            KioskItem.__table__.c.device_id == sa.bindparam("device_id"),
            KioskItem.__table__.c.item_id == sa.bindparam("item_id"),
        )
        .values(rating_id=sa.bindparam("rating_id"))
    )
)


def _claim(device_id: int, item_id: str, device_time: datetime, moment: datetime) -> bool:
    """Insert the (device, item) row unless it exists: ``True`` if this call inserted it.

    ``ON CONFLICT DO NOTHING``: a concurrent transaction holding the same key makes this
    one wait for it and then insert nothing (PostgreSQL); SQLite serialises writers."""
    row = _CLAIM.execute(
        device_id=device_id, item_id=item_id, device_time=device_time, received_at=moment
    ).first()
    return row is not None


def device_for_sync(device_id) -> KioskDevice:
    device_id = _int(device_id, 1, 2**31 - 1)  # an INTEGER column on PostgreSQL
    if device_id is None:
        raise SyncRefused(400, "malformed")
    device = db.session.get(KioskDevice, device_id)
    if device is None:
        raise SyncRefused(404, "unknown_device")
    return device


def sync_batch(payload) -> SyncResult:
    """Store a tablet's batch: verify each signature, store each rating once, answer per
    item. Raises :class:`SyncRefused` for a batch refused as a whole (malformed, unknown
    or revoked device, a batch signature that does not verify)."""
    config = current_app.config
    if not isinstance(payload, dict):
        raise SyncRefused(400, "malformed")
    device = device_for_sync(payload.get("device"))
    items = payload.get("items")
    sent = _int(payload.get("sent"), T_MIN, T_MAX)
    pending = _int(payload.get("pending"), 0, 10_000_000)
    if not isinstance(items, list) or sent is None or pending is None:
        raise SyncRefused(400, "malformed")
    if len(items) > config["KIOSK_BATCH_MAX"]:
        raise SyncRefused(413, "too_many")
    key = device_key(device.id, device.key_salt)
    if device.is_revoked:
        _record_device(
            device,
            "kiosk.sync_refused",
            actor=None,
            summary={"reason": "revoked", "refused": len(items)},
        )
        raise SyncRefused(403, "revoked")
    if not verify(key, batch_message(device.id, sent, pending), payload.get("sig")):
        raise SyncRefused(401, "signature")
    target = _target(device)
    moment = now_utc()
    results: list[ItemResult] = []
    volumes: dict = {}
    for raw in items:
        results.append(_store_item(device, key, target, raw, moment, volumes))
    result = SyncResult(device=device, items=results)
    stored = result.count("stored")
    held = sum(1 for i in results if i.held)
    device.last_sync_at = moment
    # What the tablet still holds once it drops the items answered for here.
    device.pending = max(0, pending - len(results))
    device.received += stored
    device.held += held
    _record_device(
        device,
        "kiosk.synced",
        actor=None,
        summary={
            "stored": stored,
            "duplicates": result.count("duplicate"),
            "refused": result.count("refused"),
            "held": held,
            "pending": pending,
        },
    )
    return result


def _target(device: KioskDevice) -> ratings.Target:
    token = ratings.counter_token(device.counter, kiosk=True)
    target = ratings.resolve_counter_token(token, kiosk=True, with_officer=True)
    if target is None:
        raise SyncRefused(410, "counter_retired")
    return dataclasses.replace(target, channel=Channel.KIOSK_OFFLINE, token="")


def _store_item(device, key, target, raw, moment, volumes) -> ItemResult:
    config = current_app.config
    item_id = raw.get("id") if isinstance(raw, dict) else None
    if not isinstance(item_id, str) or not ITEM_ID_RE.fullmatch(item_id):
        return ItemResult(
            id=str(item_id)[:40] if item_id else "", status="refused", reason="malformed"
        )
    t_ms = _int(raw.get("t"), T_MIN, T_MAX)
    score = _int(raw.get("score"), 1, 5)
    comment = raw.get("comment", "")
    if (
        t_ms is None
        or score is None
        or not isinstance(comment, str)
        or len(comment) > config["RATING_COMMENT_MAX"]
    ):
        return ItemResult(id=item_id, status="refused", reason="malformed")
    if not verify(key, item_message(device.id, item_id, t_ms, score, comment), raw.get("sig")):
        return ItemResult(id=item_id, status="refused", reason="signature")
    device_time = datetime.fromtimestamp(t_ms / 1000, UTC).replace(tzinfo=None)
    if not _claim(device.id, item_id, device_time, moment):
        return ItemResult(id=item_id, status="duplicate")
    flags = time_flags(
        device_time,
        now=moment,
        enrolled_at=device.enrolled_at,
        too_close=too_close(device.id, item_id, device_time),
    )
    # An implausible time is not trusted for the rating's day: it is dated on arrival.
    when = moment if flags and set(flags) - {"kiosk_burst"} else device_time
    if off_hours(target.center.id, target.center.province_code, when):
        flags.append("off_hours")
    # The counter's day: its limit and count are read once per batch, then counted here.
    day = local_day(when)
    if day not in volumes:
        volumes[day] = [
            daily_volume_limit(device.counter_id, device.center_id, day),
            _counter_ratings_on(device.counter_id, day),
        ]
    volumes[day][1] += 1
    if volumes[day][1] > volumes[day][0]:
        flags.append("kiosk_volume")
    rating = ratings.submit_rating(
        target,
        ratings.RatingInput(score=score, comment=clean_text(comment)),
        nonce_key=f"kiosk-{device.id}-{item_id}",
        screening=ratings.Screening(moment=when, flags=tuple(flags)),
    )
    _LINK_RATING.execute(device_id=device.id, item_id=item_id, rating_id=rating.id)
    return ItemResult(id=item_id, status="stored", held=rating.is_pending_review)
