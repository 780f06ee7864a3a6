"""Storing a rating: the submission (nonce, receipt, insert, rollups, case), the
staff-assisted rating, tracking codes and the thank-you page's reference.

Services flush, never commit: the view commits once per request, so the nonce,
the rating, the receipt's use, the rollups and any case commit or roll back together.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

import sqlalchemy as sa
from cryptography.fernet import InvalidToken
from flask_babel import gettext as _
from sqlalchemy import orm

from ..audit import services as audit
from ..centers.models import Center, Counter
from ..extensions import db
from ..privacy import services as privacy
from ..shared import crypto, qr
from ..shared.prepared import Prepared
from ..shared.timeutils import local_day
from .models import ASPECTS, Channel, Rating, Receipt
from .nonces import consume_nonce
from .receipts import ReceiptUsed
from .rollup_rows import apply_to_rollups
from .screening import Screening, holding_flags, screen_rating, staff_rating_flags
from .tokens import Target, secret

CONSENT_VERSION = privacy.CONSENT_VERSION


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
    held: bool = False  # held for an inspector's review: the page says so


def thanks_reference(tracking_code: str, *, token: str, case: bool, held: bool = False) -> str:
    """The reference in the thank-you URL: encrypted and authenticated, so the URL neither
    shows the tracking code nor lets anyone make a page for a code of their choosing."""
    body = f"{tracking_code}|{token}|{int(case)}|{int(held)}".encode("ascii")
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
    code, token, case, *held = body.decode("ascii").split("|")
    return ThanksRef(code, token, case == "1", held == ["1"])


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
class RatingToStore:
    """A rating ready to store: everything its transaction needs, read from the request
    beforehand (flags, encrypted phone, the center's name for the consent record), so
    that any thread can store it, the group-commit writer included."""

    nonce_key: str
    receipt_id: int | None
    values: dict
    center_name: str
    explicit_complaint: bool


def prepare_rating(
    target: Target, data: RatingInput, *, nonce_key: str, screening: Screening | None = None
) -> RatingToStore:
    """Screen a rating and build its row (reads only; needs the request for the flags).

    ``screening`` is :func:`screen_rating`'s result if the caller read it earlier; else
    the checks run here, in the current transaction.
    """
    if screening is None:
        screening = screen_rating(target)
    moment = screening.moment
    # Imported here: complaints' services import the ratings' models.
    from ..complaints.services import case_source

    flags = list(screening.flags)
    center_network = False
    if target.receipt is not None:
        extra, center_network = staff_rating_flags(target.receipt, moment)
        flags += extra
    opens_case = case_source(score=data.score, comment=data.comment, explicit=data.complaint)
    flags = holding_flags(flags, complaint=opens_case is not None)
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
    return RatingToStore(
        nonce_key=nonce_key,
        receipt_id=values["receipt_id"],
        values=values,
        center_name=target.center.name,
        explicit_complaint=data.complaint,
    )


def store_rating(item: RatingToStore) -> Rating:
    """Consume the nonce, use the receipt, insert, update rollups, open any case: the
    rating's writes, in the current transaction. Raises :class:`NonceUsed` or
    :class:`ReceiptUsed`; the caller rolls back."""
    consume_nonce(item.nonce_key)
    moment = item.values["created_at"]
    if item.receipt_id is not None:
        used = db.session.execute(
            sa.update(Receipt)
            .where(
                Receipt.id == item.receipt_id,
                Receipt.used_at.is_(None),
                Receipt.expires_at > moment,
            )
            .values(used_at=moment)
            .execution_options(synchronize_session=False)
        )
        if used.rowcount != 1:
            raise ReceiptUsed(_("This rating receipt has already been used or has expired."))
    from ..complaints.services import open_case_for_rating

    rating = _insert_rating(item.values)
    if item.values["phone_encrypted"] is not None:
        privacy.record_consent(rating_id=rating.id, center_name=item.center_name)
    if rating.is_reportable:
        apply_to_rollups(rating)
    open_case_for_rating(rating, explicit=item.explicit_complaint)
    return rating


def submit_rating(
    target: Target, data: RatingInput, *, nonce_key: str, screening: Screening | None = None
) -> Rating:
    """Store one rating in the current transaction: :func:`prepare_rating`, then
    :func:`store_rating`. Raises :class:`NonceUsed` or :class:`ReceiptUsed`; the caller
    rolls back."""
    return store_rating(prepare_rating(target, data, nonce_key=nonce_key, screening=screening))


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
