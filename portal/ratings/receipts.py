"""Rating receipts: issuing a single-use receipt (a dossier's QR slip), its token, and
resolving a receipt token to a rating target with the receipt's state."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _

from ..audit import services as audit
from ..centers.models import Center, Counter, Officer
from ..extensions import db
from ..shared import qr
from ..shared.errors import NotFound, PermissionDenied, PortalError
from ..shared.timeutils import now_utc
from .fingerprints import Fingerprint
from .models import Channel, Receipt
from .tokens import Target, secret


class ReceiptUsed(PortalError):
    """The receipt QR has already been used for a rating."""


def receipt_token(receipt: Receipt) -> str:
    return qr.sign(secret(), "r", receipt.id)


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
