"""Rating flow: resolving QR tokens, nonces, storing a rating with its rollups and flags.

Services flush, never commit: the view commits once per request, so the nonce,
the rating, the receipt's use, the rollups and any case commit or roll back together.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from cryptography.fernet import InvalidToken
from flask import current_app, has_request_context, request
from flask_babel import gettext as _
from sqlalchemy import orm
from sqlalchemy.dialects import postgresql, sqlite

from ..audit import services as audit
from ..centers.models import Center, Counter, Officer
from ..extensions import db
from ..privacy import services as privacy
from ..settings import services as settings
from ..shared import crypto, qr
from ..shared.errors import NotFound, PermissionDenied, PortalError
from ..shared.prepared import Prepared, PreparedFamily
from ..shared.timeutils import DISPLAY_TZ, as_aware_utc, local_day, now_utc
from .models import (
    ASPECTS,
    Channel,
    CounterQR,
    FlagReview,
    Rating,
    RatingRollup,
    Receipt,
    RollupScope,
    UsedNonce,
)

TARGET_CODES = {Channel.COUNTER_QR: 1, Channel.RECEIPT_QR: 2, Channel.KIOSK: 3, Channel.STAFF: 4}
CONSENT_VERSION = privacy.CONSENT_VERSION


class NonceUsed(PortalError):
    """This form was already submitted (or the nonce is stale)."""


class ReceiptUsed(PortalError):
    """The receipt QR has already been used for a rating."""


def secret() -> str:
    return current_app.config["SECRET_KEY"]


#: The rating pages' device cookie (``public.DEVICE_COOKIE``): a random id per browser.
DEVICE_COOKIE = "rdev"


@dataclass(frozen=True)
class Fingerprint:
    """Keyed hashes of a client's network (/24, /64) and device cookie: comparable, but
    neither the address nor the cookie can be read back from them."""

    network: str | None = None
    device: str | None = None


def _keyed(value: str) -> str:
    return hmac.new(qr.derive_key(secret(), "fingerprint"), value.encode(), "sha256").hexdigest()[
        :32
    ]


def client_fingerprint(device_cookie: str | None = None) -> Fingerprint:
    """The current request's fingerprint (empty outside a request). ``device_cookie``
    overrides the cookie sent (a staff browser that gets its cookie with this response)."""
    if not has_request_context():
        return Fingerprint()
    from ..shared.netkeys import client_network

    device = device_cookie or request.cookies.get(DEVICE_COOKIE)
    return Fingerprint(
        network=_keyed("net:" + client_network()),
        device=_keyed("dev:" + device) if device and len(device) <= 64 else None,
    )


class PublicUrlMissing(PortalError):
    """Production without ``PUBLIC_BASE_URL``: no QR code or receipt link can be issued."""


def public_base_url() -> str:
    """The public address printed in QR codes and receipt links, never the request's Host
    header (a client controls it). Raises :class:`PublicUrlMissing` in production when
    ``PUBLIC_BASE_URL`` is not set."""
    base = current_app.config.get("PUBLIC_BASE_URL") or current_app.config.get(
        "PUBLIC_BASE_URL_FALLBACK"
    )
    if not base:
        raise PublicUrlMissing(
            _(
                "The portal's public address (PUBLIC_BASE_URL) is not configured, so QR "
                "codes and receipt links cannot be issued. Ask the administrator to set it."
            )
        )
    return base.rstrip("/")


# Tokens ------------------------------------------------------------------------------------


@dataclass
class Target:
    """What a rating is about, resolved from a verified token."""

    channel: Channel
    center: Center | CenterRef
    counter: Counter | CounterRef | None = None
    officer: Officer | OfficerRef | None = None
    receipt: Receipt | None = None
    token: str = ""

    @property
    def target_id(self) -> int:
        if self.receipt is not None:
            return self.receipt.id
        assert self.counter is not None
        return self.counter.id


def counter_version(counter_id: int) -> int:
    row = db.session.get(CounterQR, counter_id)
    return row.version if row else 1


def counter_token(counter: Counter | CounterRef, *, kiosk: bool = False) -> str:
    return qr.sign(secret(), "k" if kiosk else "c", counter.id, counter_version(counter.id))


def counter_short_code(counter: Counter) -> str:
    return qr.short_code(secret(), counter.id, counter_version(counter.id))


def receipt_token(receipt: Receipt) -> str:
    return qr.sign(secret(), "r", receipt.id)


def _counter_lookup(_dialect: str, with_officer: bool) -> sa.Executable:
    """Counter, its center, its poster version and (for a submission) its one active
    officer, in one statement: this runs on every rating page view and every POST."""
    columns = [
        Counter.id,
        Counter.number,
        Counter.field,
        Counter.is_active,
        sa.func.coalesce(CounterQR.version, 1),
        Center.id,
        Center.name,
        Center.province_code,
    ]
    if with_officer:
        active = sa.and_(Officer.counter_id == Counter.id, Officer.is_active.is_(True))
        columns += [
            sa.select(sa.func.count()).where(active).scalar_subquery(),
            sa.select(sa.func.min(Officer.id)).where(active).scalar_subquery(),
        ]
    return (
        sa.select(*columns)
        .join(Center, Center.id == Counter.center_id)
        .outerjoin(CounterQR, CounterQR.counter_id == Counter.id)
        .where(Counter.id == sa.bindparam("counter_id"))
    )


_COUNTER_LOOKUP = PreparedFamily(_counter_lookup)


@dataclass(frozen=True, slots=True)
class CenterRef:
    """The center of a counter token, as the counter lookup read it: what the rating
    page, the anomaly checks and the insert use, without an ORM object to build."""

    id: int
    name: str
    province_code: int


@dataclass(frozen=True, slots=True)
class CounterRef:
    id: int
    center_id: int
    number: int
    field: str


@dataclass(frozen=True, slots=True)
class OfficerRef:
    id: int


def _active_counter(
    counter_id: int, version: int, *, with_officer: bool = False
) -> tuple[CounterRef | None, CenterRef | None, OfficerRef | None]:
    """The counter and its center if the counter is active and ``version`` is its current
    poster version, and the officer assigned to it if exactly one (``with_officer``)."""
    row = _COUNTER_LOOKUP[with_officer].execute(counter_id=counter_id).first()
    if row is None:
        return None, None, None
    cid, number, field_name, is_active, current, center_id, center_name, province = row[:8]
    if not is_active or current != version:
        return None, None, None
    center = CenterRef(id=center_id, name=center_name, province_code=province)
    counter = CounterRef(id=cid, center_id=center_id, number=number, field=field_name)
    officer = OfficerRef(id=row[9]) if with_officer and row[8] == 1 else None
    return counter, center, officer


def resolve_counter_token(
    token: str, *, kiosk: bool = False, with_officer: bool = True
) -> Target | None:
    """The target of a counter (or kiosk) token; ``with_officer=False`` skips the officer
    lookup, which only a submission needs (the page does not show it)."""
    values = qr.verify(secret(), token, "k" if kiosk else "c", arity=2)
    if values is None:
        return None
    # Attribute the rating to the officer assigned to the counter, if exactly one.
    counter, center, officer = _active_counter(*values, with_officer=with_officer)
    if counter is None:
        return None
    return Target(
        channel=Channel.KIOSK if kiosk else Channel.COUNTER_QR,
        center=center,
        counter=counter,
        officer=officer,
        token=token,
    )


def resolve_short_code(code: str) -> str | None:
    """The counter token for a typed short code, or ``None``."""
    parsed = qr.parse_short_code(code)
    if parsed is None:
        return None
    counter_id, _mac = parsed
    version = counter_version(counter_id)
    if not qr.verify_short_code(secret(), code, counter_id, version):
        return None
    counter, _center, _officer = _active_counter(counter_id, version)
    return counter_token(counter) if counter else None


def short_code_replaced(code: str) -> bool:
    """Whether ``code`` is the genuine short code of one of its counter's last 50 posters
    before the current one (a bounded loop: this runs on an anonymous lookup)."""
    parsed = qr.parse_short_code(code)
    if parsed is None:
        return False
    counter_id, _mac = parsed
    current = counter_version(counter_id)
    return any(
        qr.verify_short_code(secret(), code, counter_id, version)
        for version in range(max(1, current - 50), current)
    )


class TokenProblem:
    """Why a counter or kiosk token opens no rating form."""

    REPLACED = "replaced"  # genuine, but the counter's posters were reprinted since
    RETIRED = "retired"  # genuine, but the counter no longer takes ratings
    UNKNOWN = "unknown"  # forged, mistyped or of a counter that does not exist


def counter_token_problem(token: str, *, kiosk: bool = False) -> str:
    """Tell an old poster (valid signature of an older version) from a forged link."""
    values = qr.verify(secret(), token, "k" if kiosk else "c", arity=2)
    if values is None:
        return TokenProblem.UNKNOWN
    counter_id, version = values
    row = db.session.execute(
        sa.select(Counter.is_active, CounterQR.version)
        .outerjoin(CounterQR, CounterQR.counter_id == Counter.id)
        .where(Counter.id == counter_id)
    ).first()
    if row is None:
        return TokenProblem.UNKNOWN
    is_active, current = row
    if version < (current or 1):
        return TokenProblem.REPLACED
    if not is_active:
        return TokenProblem.RETIRED
    return TokenProblem.UNKNOWN


class ReceiptState:
    OK = "ok"
    USED = "used"
    EXPIRED = "expired"


def resolve_receipt_token(token: str) -> tuple[Target | None, str]:
    values = qr.verify(secret(), token, "r", arity=1)
    if values is None:
        return None, ""
    receipt = db.session.get(Receipt, values[0])
    if receipt is None:
        return None, ""
    target = Target(
        channel=Channel.RECEIPT_QR,
        center=receipt.center,
        counter=receipt.counter,
        officer=receipt.officer,
        receipt=receipt,
        token=token,
    )
    if receipt.used_at is not None:
        return target, ReceiptState.USED
    if receipt.expires_at <= now_utc():
        return target, ReceiptState.EXPIRED
    return target, ReceiptState.OK


# Nonces ------------------------------------------------------------------------------------


def issue_nonce(target: Target) -> str:
    """A signed, single-use form nonce: issued at GET (no write), consumed at POST."""
    return qr.sign(
        secret(),
        "n",
        TARGET_CODES[target.channel],
        target.target_id,
        int(time.time() * 1000),
        secrets.randbits(48),
    )


@dataclass(frozen=True)
class NonceCheck:
    valid: bool
    age_seconds: float = 0.0
    key: str = ""


def check_nonce(nonce: str, target: Target) -> NonceCheck:
    values = qr.verify(secret(), nonce, "n", arity=4)
    if values is None:
        return NonceCheck(False)
    code, target_id, issued_ms, _rand = values
    if code != TARGET_CODES[target.channel] or target_id != target.target_id:
        return NonceCheck(False)
    age = time.time() - issued_ms / 1000
    if age < -5 or age > current_app.config["RATING_NONCE_MAX_AGE_SECONDS"]:
        return NonceCheck(False)
    return NonceCheck(True, age, nonce_key(values))


def nonce_key(values: tuple[int, ...]) -> str:
    """The single-use key of a nonce, from its verified values (its canonical form), never
    from the submitted string, so no other spelling of one nonce counts as a new one."""
    canonical = "n" + ".".join(str(v) for v in values)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


#: A confirmation ("Send this rating?") is good for this long after it was shown.
CONFIRMATION_MAX_AGE_SECONDS = 30 * 60


def confirmation_token(nonce: str) -> str:
    """The token of the confirmation step shown with ``nonce``: a person who posted faster
    than the minimum fill time sends it back by pressing "Send"; a bot that repeats its
    blind post does not have it. It lives as long as the nonce it is bound to, at most
    :data:`CONFIRMATION_MAX_AGE_SECONDS` (the nonce carries its issue time)."""
    digest = hmac.new(
        qr.derive_key(secret(), "rating-confirmation"), nonce.encode("ascii"), hashlib.sha256
    ).digest()[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def check_confirmation(nonce: str, token: str | None, check: NonceCheck) -> bool:
    if not token or not check.valid or check.age_seconds > CONFIRMATION_MAX_AGE_SECONDS:
        return False
    return hmac.compare_digest(confirmation_token(nonce), token)


_INSERT_NONCE = Prepared(
    lambda _dialect: sa.insert(UsedNonce.__table__).values(
        nonce=sa.bindparam("nonce"), used_at=sa.bindparam("used_at", type_=sa.DateTime())
    )
)


def consume_nonce(key: str) -> None:
    """Insert the nonce key; a second consumption raises :class:`NonceUsed`.

    No savepoint: on failure the caller rolls the whole transaction back. On
    PostgreSQL a concurrent insert of the same key waits for the first transaction
    and then fails; on SQLite ``BEGIN IMMEDIATE`` serialises writers.
    """
    try:
        _INSERT_NONCE.execute(nonce=key, used_at=now_utc())
    except sa.exc.IntegrityError as exc:
        raise NonceUsed(_("This form has already been sent.")) from exc


def purge_nonces(older_than: timedelta) -> int:
    result = db.session.execute(
        sa.delete(UsedNonce).where(UsedNonce.used_at < now_utc() - older_than)
    )
    return result.rowcount or 0


def purge_phone_numbers(*, older_than: timedelta) -> int:
    """Retention: drop phone numbers older than the period stated on the consent box; their
    consents in the ledger end with the reason "retention"."""
    expired = sa.and_(
        Rating.phone_encrypted.is_not(None), Rating.created_at < now_utc() - older_than
    )
    privacy.end_consents(sa.select(Rating.id).where(expired), reason="retention")
    result = db.session.execute(
        sa.update(Rating)
        .where(expired)
        .values(phone_encrypted=None, phone_hmac=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def purge_comments(*, older_than: timedelta) -> int:
    """Retention: blank comments older than the period stated in the privacy notice. A
    comment whose complaint is still open stays until the complaint is answered."""
    from ..complaints.services import has_open_case

    open_case = has_open_case(Rating.id)
    result = db.session.execute(
        sa.update(Rating)
        .where(Rating.comment != "", Rating.created_at < now_utc() - older_than, ~open_case)
        .values(comment="")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def erase_personal_data(rating: Rating) -> bool:
    """ "Delete my data" by tracking code: the phone number and the comment go, the rating
    stays as anonymous data (it still counts). Returns whether there was anything to erase."""
    had_data = bool(rating.phone_encrypted or rating.comment)
    if not had_data:
        return False
    rating.phone_encrypted = None
    rating.phone_hmac = None
    rating.consent_version = None
    rating.comment = ""
    privacy.end_consents([rating.id], reason="erased")
    audit.record(
        actor=None,
        action="rating.personal_data_erased",
        object_type="rating",
        object_id=rating.id,
        center_id=rating.center_id,
        summary={"phone": "changed", "comment": "changed", "by": "citizen, tracking code"},
    )
    return True


# Storing a rating --------------------------------------------------------------------------


@dataclass
class RatingInput:
    score: int
    aspects: dict[str, int] = field(default_factory=dict)
    chips: list[str] = field(default_factory=list)
    comment: str = ""
    phone_e164: str | None = None
    complaint: bool = False


TRACKING_ALPHABET = qr.SHORT_CODE_ALPHABET


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(8))


#: How long the thank-you page of a rating keeps showing its tracking code.
THANKS_MAX_AGE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class ThanksRef:
    tracking_code: str
    token: str  # the counter, kiosk or receipt token the rating was sent from
    case: bool


def thanks_reference(tracking_code: str, *, token: str, case: bool) -> str:
    """The reference in the thank-you URL: encrypted and authenticated, so the URL neither
    shows the tracking code nor lets anyone make a page for a code of their choosing."""
    body = f"{tracking_code}|{token}|{int(case)}".encode("ascii")
    return crypto.fernet_for(secret(), "rating-thanks").encrypt(body).decode("ascii")


def read_thanks_reference(reference: str) -> ThanksRef | None:
    if len(reference) > 400:
        return None
    try:
        body = crypto.fernet_for(secret(), "rating-thanks").decrypt(
            reference.encode("ascii"), ttl=THANKS_MAX_AGE_SECONDS
        )
    except (InvalidToken, UnicodeEncodeError, ValueError):
        return None
    code, token, case = body.decode("ascii").split("|")
    return ThanksRef(code, token, case == "1")


def _rollup_upsert(dialect: str, key: tuple[int, int]) -> sa.Executable:
    rows, score = key
    table = RatingRollup.__table__
    counts = {f"n{s}": sa.bindparam("delta") if s == score else 0 for s in range(1, 6)}
    values = [
        {
            "day": sa.bindparam(f"day{i}", type_=sa.Date()),
            "scope": sa.bindparam(f"scope{i}"),
            "key_id": sa.bindparam(f"key{i}"),
            "center_id": sa.bindparam("center_id"),
            **counts,
        }
        for i in range(rows)
    ]
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table).values(values)
    column = f"n{score}"
    return stmt.on_conflict_do_update(
        index_elements=[table.c.day, table.c.scope, table.c.key_id],
        set_={column: table.c[column] + stmt.excluded[column]},
    )


#: One multi-row upsert per (number of rows, score), compiled once per database.
_ROLLUP_UPSERTS = PreparedFamily(_rollup_upsert)


def rollup_keys(
    center_id: int, counter_id: int | None, officer_id: int | None, day: date
) -> list[tuple[RollupScope, int, date]]:
    """``(scope, key_id, day)`` of the rollup rows a reportable rating counts in: its day's
    center, counter and officer rows, and its center's month row. Every writer of rollups
    (this module, the demo, the bulk rebuild's SQL) keeps to this list."""
    keys = [(RollupScope.CENTER, center_id, day)]
    if counter_id is not None:
        keys.append((RollupScope.COUNTER, counter_id, day))
    if officer_id is not None:
        keys.append((RollupScope.OFFICER, officer_id, day))
    keys.append((RollupScope.MONTH, center_id, day.replace(day=1)))
    return keys


def apply_to_rollups(rating: Rating, delta: int = 1) -> None:
    """Add (or with ``delta=-1`` remove) a reportable rating in its rollups.

    One multi-row ``INSERT … ON CONFLICT DO UPDATE`` for the center, counter, officer and
    month rows (PostgreSQL and SQLite ≥ 3.24 share the syntax), in the caller's transaction.
    """
    keys = rollup_keys(rating.center_id, rating.counter_id, rating.officer_id, rating.day)
    params = {"center_id": rating.center_id, "delta": delta}
    for i, (scope, key_id, day) in enumerate(keys):
        params[f"scope{i}"] = str(scope)
        params[f"key{i}"] = key_id
        params[f"day{i}"] = day
    _ROLLUP_UPSERTS[len(keys), rating.score].execute(**params)


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


#: Every column but the id: the insert is compiled once, and the ORM object built from the
#: same values is complete (nothing to reload before the thank-you page).
_RATING_COLUMNS = tuple(c.name for c in Rating.__table__.columns if c.name != "id")

_INSERT_RATING = Prepared(
    lambda _dialect: (
        sa.insert(Rating.__table__)
        .values({n: sa.bindparam(n, type_=Rating.__table__.c[n].type) for n in _RATING_COLUMNS})
        .returning(Rating.__table__.c.id)
    )
)


def _insert_rating(values: dict) -> Rating:
    """Insert one rating row (prepared statement) and return it as a persistent ORM
    object of the session, without a flush or a reload."""
    missing = set(_RATING_COLUMNS) - set(values)
    if missing:
        raise TypeError(f"rating values missing: {sorted(missing)}")
    rating_id = _INSERT_RATING.execute(**values).scalar_one()
    rating = Rating(id=rating_id, **values)
    orm.make_transient_to_detached(rating)
    db.session.add(rating)
    return rating


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


def submit_rating(
    target: Target, data: RatingInput, *, nonce_key: str, screening: Screening | None = None
) -> Rating:
    """Store one rating: consume the nonce, use the receipt, insert, update rollups.

    ``screening`` is :func:`screen_rating`'s result if the caller read it earlier; else
    the checks run here, in this transaction. Raises :class:`NonceUsed` or
    :class:`ReceiptUsed`; the caller rolls back.
    """
    consume_nonce(nonce_key)
    if screening is None:
        screening = screen_rating(target)
    moment = screening.moment
    if target.receipt is not None:
        used = db.session.execute(
            sa.update(Receipt)
            .where(
                Receipt.id == target.receipt.id,
                Receipt.used_at.is_(None),
                Receipt.expires_at > moment,
            )
            .values(used_at=moment)
            .execution_options(synchronize_session=False)
        )
        if used.rowcount != 1:
            raise ReceiptUsed(_("This rating receipt has already been used or has expired."))
    flags = list(screening.flags)
    center_network = False
    if target.receipt is not None and target.receipt.issued_via == "portal":
        extra, center_network = self_rating_flags(target.receipt, moment)
        flags += extra
    values = {
        "tracking_code": new_tracking_code(),
        "center_id": target.center.id,
        "counter_id": target.counter.id if target.counter else None,
        "officer_id": target.officer.id if target.officer else None,
        "receipt_id": target.receipt.id if target.receipt else None,
        "channel": str(target.channel),
        "score": data.score,
        **{f"aspect_{aspect}": data.aspects.get(aspect) for aspect in ASPECTS},
        "chips": ",".join(data.chips),
        "comment": data.comment,
        "comment_hidden": False,
        "comment_hidden_reason": "",
        "phone_encrypted": None,
        "phone_hmac": None,
        "consent_version": None,
        "flags": ",".join(flags),
        "from_center_network": center_network,
        "cleared_at": None,
        "cleared_by_id": None,
        "flag_review": None,
        "flag_review_reason": "",
        "day": local_day(moment),
        "created_at": moment,
    }
    if data.phone_e164:
        values["phone_encrypted"] = crypto.encrypt_phone(secret(), data.phone_e164)
        values["phone_hmac"] = crypto.phone_hmac(secret(), data.phone_e164)
        values["consent_version"] = CONSENT_VERSION
    rating = _insert_rating(values)
    if data.phone_e164:
        privacy.record_consent(rating_id=rating.id, center_name=target.center.name)
    if rating.is_reportable:
        apply_to_rollups(rating)
    from ..complaints.services import open_case_for_rating

    open_case_for_rating(rating, explicit=data.complaint)
    return rating


# Review and moderation ---------------------------------------------------------------------


def submit_staff_assisted(
    center: Center, counter: Counter, *, score: int, comment: str, actor
) -> Rating:
    """A rating an officer enters for a citizen who cannot rate themselves.

    Stored with the ``staff`` channel (listed, never counted in scores) and audited
    with the officer who entered it.
    """
    target = Target(channel=Channel.STAFF, center=center, counter=counter)
    rating = submit_rating(
        target,
        RatingInput(score=score, comment=comment),
        nonce_key="staff-" + secrets.token_hex(16),
    )
    audit.record(
        actor=actor,
        action="rating.staff_assisted",
        object_type="rating",
        object_id=rating.id,
        center_id=center.id,
        summary={"counter_id": counter.id},
    )
    return rating


REASON_MAX = 500


def _reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise PortalError(_("Give a reason."))
    if len(reason) > REASON_MAX:
        raise PortalError(_("The reason is too long (at most %(max)d characters).", max=REASON_MAX))
    return reason


def review_flags(rating: Rating, verdict: str, reason: str, *, actor) -> None:
    """An inspector's verdict on a rating held for review, with a mandatory reason.

    ``rejected``: a false alarm, the rating is cleared and counts from now on (it enters
    the rollups of its day). ``confirmed``: abuse, the rating stays flagged and never
    counts. Either way it leaves the review queue; both are audited with the reason.
    """
    if not rating.is_pending_review:
        raise PortalError(_("This rating is not held for review."))
    if verdict not in (FlagReview.CONFIRMED, FlagReview.REJECTED):
        raise PortalError(_("Choose whether to confirm or reject the flags."))
    reason = _reason(reason)
    # One conditional UPDATE: of two inspectors deciding at once, only one verdict (and one
    # rollup change) is recorded; the other gets an error.
    result = db.session.execute(
        sa.update(Rating)
        .where(Rating.id == rating.id, Rating.cleared_at.is_(None))
        .values(
            cleared_at=now_utc(),
            cleared_by_id=actor.id,
            flag_review=str(verdict),
            flag_review_reason=reason,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise PortalError(_("This rating is not held for review."))
    db.session.refresh(rating)
    if rating.is_reportable:
        apply_to_rollups(rating)
    audit.record(
        actor=actor,
        action=(
            "rating.flags_cleared" if verdict == FlagReview.REJECTED else "rating.flags_confirmed"
        ),
        object_type="rating",
        object_id=rating.id,
        center_id=rating.center_id,
        summary={"flags": rating.flags, "verdict": str(verdict), "reason": reason},
    )


def set_comment_hidden(rating: Rating, hidden: bool, *, actor, reason: str = "") -> None:
    """Hide a comment from public view (a reason is required) or show it again."""
    if rating.comment_hidden == hidden:
        return
    reason = _reason(reason) if hidden else " ".join((reason or "").split())[:REASON_MAX]
    rating.comment_hidden = hidden
    rating.comment_hidden_reason = reason if hidden else ""
    audit.record(
        actor=actor,
        action="rating.comment_hidden" if hidden else "rating.comment_shown",
        object_type="rating",
        object_id=rating.id,
        center_id=rating.center_id,
        summary={"comment_hidden": [not hidden, hidden], "reason": reason},
    )


def _require_manager(actor, center: Center) -> None:
    from ..accounts.permissions import can_manage_center

    if actor is None or not can_manage_center(actor, center):
        raise PermissionDenied(_("You are not allowed to change this center."))


def _require_issuer(actor, api_key, center: Center) -> None:
    """Receipts: an administrator or a manager/officer of the center, or an API key of the
    center's province (no actor and no key: a command-line job)."""
    from ..accounts.models import Role

    staff_of_center = actor is not None and (
        actor.role == Role.ADMIN
        or (actor.role in (Role.MANAGER, Role.OFFICER) and actor.center_id == center.id)
    )
    if actor is not None and (not actor.is_active or not staff_of_center):
        raise PermissionDenied(_("You may not issue receipts for this center."))
    if api_key is not None and (
        not api_key.is_active
        or (api_key.province_code is not None and api_key.province_code != center.province_code)
    ):
        raise PermissionDenied(_("You may not issue receipts for this center."))


def revoke_counter_posters(counter: Counter, *, actor) -> int:
    """Reprint: bump the poster version so every older poster and short code stops working."""
    _require_manager(actor, counter.center)
    row = db.session.get(CounterQR, counter.id)
    if row is None:
        row = CounterQR(counter_id=counter.id, version=2)
        db.session.add(row)
    else:
        row.version += 1
    db.session.flush()
    audit.record(
        actor=actor,
        action="qr.posters_revoked",
        object_type="counter",
        object_id=counter.id,
        center_id=counter.center_id,
        summary={"version": [row.version - 1, row.version]},
    )
    return row.version


# Receipts ----------------------------------------------------------------------------------


def issue_receipt(
    center: Center,
    *,
    dossier_code: str,
    outcome: str,
    counter: Counter | None,
    officer: Officer | None,
    actor=None,
    api_key=None,
    fingerprint: Fingerprint | None = None,
) -> Receipt:
    """Issue a single-use rating receipt, audited without personal data (no dossier code).

    ``fingerprint``: the issuing staff session's (see :func:`client_fingerprint`), kept so
    that a rating from the same network or browser is held for an inspector.
    """
    _require_issuer(actor, api_key, center)
    if counter is not None and counter.center_id != center.id:
        raise NotFound("counter")
    if officer is not None and officer.center_id != center.id:
        raise NotFound("officer")
    now = now_utc()
    receipt = Receipt(
        center_id=center.id,
        counter_id=counter.id if counter else None,
        officer_id=officer.id if officer else None,
        dossier_code=dossier_code,
        outcome=outcome,
        issued_via="api" if api_key is not None else "portal",
        issued_by_id=actor.id if actor is not None else None,
        api_key_id=api_key.id if api_key is not None else None,
        issuer_network=fingerprint.network if fingerprint else None,
        issuer_device=fingerprint.device if fingerprint else None,
        expires_at=now + timedelta(days=current_app.config["RECEIPT_VALID_DAYS"]),
        created_at=now,
    )
    db.session.add(receipt)
    db.session.flush()
    self_issued = (
        actor is not None
        and officer is not None
        and getattr(actor, "officer_id", None) == officer.id
    )
    audit.record(
        actor=actor,
        action="receipt.issued",
        object_type="receipt",
        object_id=receipt.id,
        center_id=center.id,
        summary={
            "via": receipt.issued_via,
            "api_key": api_key.audit_label if api_key is not None else None,
            "counter_id": receipt.counter_id,
            "officer_id": receipt.officer_id,
            "self_issued": self_issued,
        },
    )
    return receipt


# Reading -----------------------------------------------------------------------------------


def rollup_counts(
    scope: str, key_ids, start: date, end: date
) -> dict[int, tuple[int, int, int, int, int]]:
    """Counts per score 1–5 per key over ``[start, end]`` (inclusive), from the rollups."""
    t = RatingRollup
    rows = db.session.execute(
        sa.select(
            t.key_id,
            sa.func.sum(t.n1),
            sa.func.sum(t.n2),
            sa.func.sum(t.n3),
            sa.func.sum(t.n4),
            sa.func.sum(t.n5),
        )
        .where(t.scope == scope, t.key_id.in_(list(key_ids)), t.day >= start, t.day <= end)
        .group_by(t.key_id)
    ).all()
    return {row[0]: tuple(int(x or 0) for x in row[1:]) for row in rows}  # type: ignore[misc]
