"""Locale and time-zone selection, and number/date formatting in Vietnamese conventions."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import format_datetime, format_decimal
from flask_login import current_user

LANGUAGES = ("vi", "en")
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


def select_locale() -> str:
    """``?lang=`` remembered in the session → the user's language → Vietnamese."""
    if not has_request_context():  # CLI commands and background jobs
        return current_app.config.get("BABEL_DEFAULT_LOCALE", "vi")
    lang = session.get("lang")
    if lang in LANGUAGES:
        return lang
    if (
        current_user
        and getattr(current_user, "is_authenticated", False)
        and current_user.language in LANGUAGES
    ):
        return current_user.language
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "vi")


def select_timezone() -> str:
    return current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Ho_Chi_Minh")


def remember_language_from_query() -> None:
    """``before_request``: a ``?lang=vi|en`` switch is remembered for the session."""
    lang = request.args.get("lang")
    if lang in LANGUAGES:
        session["lang"] = lang


def register_template_helpers(app: Flask) -> None:
    @app.template_filter("dt")
    def _datetime(value, fmt: str = "dd/MM/yyyy HH:mm"):
        if value is None:
            return ""
        from .shared.timeutils import as_aware_utc

        return format_datetime(as_aware_utc(value), fmt)

    @app.template_filter("day")
    def _day(value):
        from flask_babel import format_date

        return "" if value is None else format_date(value, "dd/MM/yyyy")

    @app.template_filter("num")
    def _number(value, digits: int = 0):
        if value is None:
            return "–"
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern)

    @app.context_processor
    def _languages():
        from flask_babel import get_locale

        return {
            "LANGUAGES": LANGUAGES,
            "LANGUAGE_NAMES": LANGUAGE_NAMES,
            "current_locale": str(get_locale()),
        }
