"""The kiosk's staff forms: each is a confirmation button (CSRF-checked, no fields)."""

from __future__ import annotations

from flask_wtf import FlaskForm


class ConfirmForm(FlaskForm):
    """Enrol a tablet, revoke a tablet, or (on the tablet) accept an enrolment link."""
