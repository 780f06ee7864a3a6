"""Rating receipts: issuing a single-use receipt (a dossier's QR slip), its link and short
code, reprinting it, and resolving a link or a typed code to a rating target with the
receipt's state.

A receipt's link and short code carry a random secret of which the database keeps only a
keyed hash: the portal shows them once, to whoever issued the receipt (on the slip printed
right after issuing, or in the API's answer to the calling software), and can never show
them again, to anyone. A reprint by the issuer draws a new secret: the old slip dies.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..audit import services as audit
from ..centers.models import Center, Counter, Officer
from ..extensions import db
from ..shared import qr
from ..shared.errors import NotFound, PermissionDenied, PortalError
from ..shared.timeutils import now_utc
from .fingerprints import Fingerprint
from .models import Channel, Receipt, StaffFingerprint
from .tokens import Target, secret


class ReceiptUsed(PortalError):
    """The receipt QR has already been used for a rating."""


class LinkNotShown(PortalError):
    """A receipt's link exists only in the request that issued or reprinted it."""


#: The receipt's short code: 12 letters of the 31-letter short-code alphabet, about 59
#: bits, all of them the random secret. With the per-network lookup limit of ``/r/``
#: (``RATING_LIMIT_LOOKUP``) guessing one of even a million open receipts is hopeless.
CODE_LENGTH = 12
_ALPHABET = qr.SHORT_CODE_ALPHABET
_SECRET_RANGE = len(_ALPHABET) ** CODE_LENGTH  # < 2**63: a token value


def _new_secret() -> int:
    return secrets.randbelow(_SECRET_RANGE)


def _secret_hash(value: int) -> str:
    key = qr.derive_key(secret(), "receipt-secret")
    return hmac.new(key, str(value).encode("ascii"), hashlib.sha256).hexdigest()


def _code_of(value: int) -> str:
    letters = []
    for _position in range(CODE_LENGTH):
        value, digit = divmod(value, len(_ALPHABET))
        letters.append(_ALPHABET[digit])
    return "".join(reversed(letters))


def _value_of(code: str) -> int | None:
    code = qr.normalise_short_code(code)
    if len(code) != CODE_LENGTH or any(ch not in _ALPHABET for ch in code):
        return None
    value = 0
    for ch in code:
        value = value * len(_ALPHABET) + _ALPHABET.index(ch)
    return value


def _arm(receipt: Receipt) -> None:
    """Draw the receipt's secret: kept on this object for this request only (the link and
    code to show now), stored as a keyed hash."""
    value = _new_secret()
    receipt.secret_hash = _secret_hash(value)
    receipt.fresh_secret = value


def _fresh_secret(receipt: Receipt) -> int:
    value = getattr(receipt, "fresh_secret", None)
    if value is None:
        raise LinkNotShown(_("The rating link is shown only once, when the receipt is issued."))
    return value


def receipt_token(receipt: Receipt) -> str:
    """The token of a receipt issued or reprinted in this request (else :class:`LinkNotShown`)."""
    return qr.sign(secret(), "r", receipt.id, _fresh_secret(receipt))


def receipt_short_code(receipt: Receipt) -> str:
    """The receipt's own short code, grouped for reading (``ABCD-EFGH-JKMN``); only in the
    request that issued or reprinted it."""
    code = _code_of(_fresh_secret(receipt))
    return "-".join(code[i : i + 4] for i in range(0, CODE_LENGTH, 4))


class ReceiptState:
    OK = "ok"
    USED = "used"
    EXPIRED = "expired"


def _genuine(receipt: Receipt, values: tuple[int, ...]) -> bool:
    if len(values) == 1:  # a slip printed before secrets: valid until it expires
        return receipt.secret_hash is None
    return receipt.secret_hash is not None and hmac.compare_digest(
        receipt.secret_hash, _secret_hash(values[1])
    )


def resolve_receipt_token(token: str) -> tuple[Target | None, str]:
    values = qr.verify(secret(), token, "r", arity=2) or qr.verify(secret(), token, "r", arity=1)
    if values is None:
        return None, ""
    receipt = db.session.get(Receipt, values[0])
    if receipt is None or not _genuine(receipt, values):
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


def is_receipt_short_code(code: str) -> bool:
    """Whether a typed code has a receipt code's shape (a counter's code of this length
    would need a counter id near a billion: none is looked up for it)."""
    return _value_of(code) is not None


def resolve_receipt_short_code(code: str) -> tuple[str | None, str]:
    """``(token, state)`` of the receipt whose short code was typed, ``(None, "")`` if
    none. The token is the one on the slip, so the rating form is the same."""
    value = _value_of(code)
    if value is None:
        return None, ""
    receipt = db.session.scalar(
        sa.select(Receipt).where(Receipt.secret_hash == _secret_hash(value))
    )
    if receipt is None:
        return None, ""
    token = qr.sign(secret(), "r", receipt.id, value)
    if receipt.used_at is not None:
        return token, ReceiptState.USED
    if receipt.expires_at <= now_utc():
        return token, ReceiptState.EXPIRED
    return token, ReceiptState.OK


def record_staff_fingerprint(center_id: int, user_id: int | None, fingerprint: Fingerprint) -> None:
    """Remember a network and device a staff member of the center works from (refreshing
    the row of the same user, network and device if there is one)."""
    if fingerprint.network is None and fingerprint.device is None:
        return
    row = db.session.scalar(
        sa.select(StaffFingerprint)
        .where(
            StaffFingerprint.center_id == center_id,
            StaffFingerprint.user_id == user_id,
            StaffFingerprint.network == fingerprint.network,
            StaffFingerprint.device == fingerprint.device,
        )
        .limit(1)
    )
    if row is None:
        db.session.add(
            StaffFingerprint(
                center_id=center_id,
                user_id=user_id,
                network=fingerprint.network,
                device=fingerprint.device,
                seen_at=now_utc(),
            )
        )
    else:
        row.seen_at = now_utc()


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
    _arm(receipt)
    db.session.add(receipt)
    db.session.flush()
    if actor is not None and fingerprint is not None:
        record_staff_fingerprint(center.id, actor.id, fingerprint)
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


def reprint_receipt(receipt: Receipt, *, actor, fingerprint: Fingerprint | None = None) -> None:
    """A new link and short code for a lost or spoiled slip, by the staff member who issued
    it only: the old slip's link and code stop working. Audited (without the dossier code
    or the secret). Raises :class:`ReceiptUsed` for a used or expired receipt."""
    if (
        actor is None
        or receipt.issued_via != "portal"
        or receipt.issued_by_id is None
        or receipt.issued_by_id != actor.id
    ):
        raise PermissionDenied(_("Only the staff member who issued this receipt may reprint it."))
    _require_issuer(actor, None, receipt.center)
    if receipt.used_at is not None or receipt.expires_at <= now_utc():
        raise ReceiptUsed(_("This rating receipt has already been used or has expired."))
    _arm(receipt)
    db.session.flush()
    if fingerprint is not None:
        record_staff_fingerprint(receipt.center_id, actor.id, fingerprint)
    audit.record(
        actor=actor,
        action="receipt.reprinted",
        object_type="receipt",
        object_id=receipt.id,
        center_id=receipt.center_id,
        summary={"officer_id": receipt.officer_id},
    )
