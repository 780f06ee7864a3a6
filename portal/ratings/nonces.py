"""Form nonces: signed at GET (no write), consumed once at POST, and the confirmation
token of a form posted faster than a person fills it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..extensions import db
from ..shared import qr
from ..shared.errors import PortalError
from ..shared.prepared import Prepared
from ..shared.timeutils import now_utc
from .models import Channel, UsedNonce
from .tokens import Target, secret

TARGET_CODES = {Channel.COUNTER_QR: 1, Channel.RECEIPT_QR: 2, Channel.KIOSK: 3, Channel.STAFF: 4}


class NonceUsed(PortalError):
    """This form was already submitted (or the nonce is stale)."""


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
