"""The privacy notice for citizens, linked from the rating and tracking pages."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from .services import (
    COMMENT_RETENTION_MONTHS,
    CONSENT_VERSION,
    PHONE_RETENTION_MONTHS,
    consent_text,
)

bp = Blueprint("privacy", __name__, template_folder="templates")
# The rating form shows the consent text through the same function that hashes it into
# the ledger, so the hash is always of the words the citizen saw.
bp.add_app_template_global(consent_text, "consent_text")


@bp.route("/privacy")
def notice():
    return render_template(
        "privacy/notice.html",
        version=CONSENT_VERSION,
        phone_months=PHONE_RETENTION_MONTHS,
        comment_months=COMMENT_RETENTION_MONTHS,
        contact=current_app.config.get("PRIVACY_CONTACT", ""),
    )
