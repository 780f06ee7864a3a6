"""Personal data of ratings: the retention purges of phone numbers and comments, and a
citizen's "delete my data" by tracking code."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from ..audit import services as audit
from ..extensions import db
from ..privacy import services as privacy
from ..shared.timeutils import now_utc
from .models import Rating


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
