"""Where a center's staff work from: each sign-in of a manager or officer of a center
records the keyed hashes of its network and device cookie (giving the browser the rating
pages' device cookie if it has none), so that a receipt rating sent from them is held
for an inspector, whoever the officer (:func:`screening.staff_rating_flags`)."""

from __future__ import annotations

import logging
import secrets

from flask import after_this_request, request
from flask_login import user_logged_in
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from . import fingerprints
from .receipts import record_staff_fingerprint

log = logging.getLogger("portal.ratings")


def _on_sign_in(_app, user, **_extra) -> None:
    from ..accounts.models import Role

    if user.center_id is None or user.role not in (Role.MANAGER, Role.OFFICER):
        return
    known = request.cookies.get(fingerprints.DEVICE_COOKIE)
    device = known if known and len(known) <= 64 else secrets.token_urlsafe(16)
    fingerprint = fingerprints.client_fingerprint(device)
    center_id, user_id = user.center_id, user.id

    @after_this_request
    def _remember(response):
        # After the sign-in's own commit: a failure here never refuses the sign-in.
        try:
            record_staff_fingerprint(center_id, user_id, fingerprint)
            db.session.commit()
        except SQLAlchemyError:
            db.session.rollback()
            log.exception("staff fingerprint not recorded")
        if device != known:
            fingerprints.set_device_cookie(response, device)
        return response


def connect() -> None:
    user_logged_in.connect(_on_sign_in)
