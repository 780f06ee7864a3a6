"""Moderation of ratings: an inspector's verdict on a rating held for review, and
hiding or showing a comment, each with a reason and audited."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from ..audit import services as audit
from ..extensions import db
from ..shared.errors import PortalError
from ..shared.timeutils import now_utc
from .models import FlagReview, Rating
from .rollup_rows import apply_to_rollups

REASON_MAX = 500


def clean_reason(reason: str) -> str:
    """A verdict's or a hidden comment's reason, spaces folded; a translated error if it
    is missing or too long."""
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
    reason = clean_reason(reason)
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
    reason = clean_reason(reason) if hidden else " ".join((reason or "").split())[:REASON_MAX]
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
