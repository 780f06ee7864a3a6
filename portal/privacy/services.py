"""Consent texts and the ledger. Services flush, never commit."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import gettext as _

from ..extensions import db
from ..shared.timeutils import now_utc
from .models import ConsentRecord

#: Bump when the consent text changes: the ledger then shows which text each citizen saw.
CONSENT_VERSION = "2026-01"
PURPOSE_CALLBACK = "rating_callback"
#: Retention periods stated to citizens (consent box, privacy notice); the purge commands
#: default to them.
PHONE_RETENTION_MONTHS = 12
COMMENT_RETENTION_MONTHS = 24


def consent_text(center_name: str) -> str:
    """The exact words next to the consent box, in the current language."""
    return _(
        "I agree that %(center)s stores my phone number, encrypted, only to call me back "
        "about this feedback, and deletes it after 12 months.",
        center=center_name,
    )


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_consent(*, rating_id: int, center_name: str) -> ConsentRecord:
    """Ledger the consent given with a rating's phone number (the text as shown now)."""
    record = ConsentRecord(
        purpose=PURPOSE_CALLBACK,
        version=CONSENT_VERSION,
        locale=str(get_locale() or "vi"),
        text_hash=text_hash(consent_text(center_name)),
        rating_id=rating_id,
        created_at=now_utc(),
    )
    db.session.add(record)
    return record


def end_consents(rating_ids, *, reason: str) -> int:
    """Mark the open consents of these ratings as ended (their data was deleted)."""
    result = db.session.execute(
        sa.update(ConsentRecord)
        .where(ConsentRecord.rating_id.in_(rating_ids), ConsentRecord.ended_at.is_(None))
        .values(ended_at=now_utc(), end_reason=reason)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
