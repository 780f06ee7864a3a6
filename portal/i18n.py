"""Locale and time-zone selection, and number/date formatting in Vietnamese conventions."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

from babel import Locale
from babel.numbers import get_decimal_symbol, get_group_symbol
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import format_datetime, get_locale
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
    # Only a request that may carry a signed-in user asks Flask-Login for one (a citizen's
    # page would otherwise look for a user to load on every request).
    remember = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    if ("_user_id" in session or remember in request.cookies) and (
        current_user
        and getattr(current_user, "is_authenticated", False)
        and current_user.language in LANGUAGES
    ):
        return current_user.language
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "vi")


@lru_cache(maxsize=8)
def _parsed(code: str) -> Locale:
    return Locale.parse(code)


def locale_selector() -> Locale:
    """:func:`select_locale` as the Babel ``Locale`` Flask-Babel wants, parsed once per
    process (parsing one per request looked up Babel's locale data files each time)."""
    return _parsed(select_locale())


def select_timezone() -> str:
    return current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Ho_Chi_Minh")


def remember_language_from_query() -> None:
    """``before_request``: a ``?lang=vi|en`` switch is remembered for the session (a
    request without a query string parses nothing)."""
    if not request.query_string:
        return
    lang = request.args.get("lang")
    if lang in LANGUAGES:
        session["lang"] = lang


@lru_cache(maxsize=16)
def _separators(locale: str) -> dict[int, str]:
    return {ord(","): get_group_symbol(locale), ord("."): get_decimal_symbol(locale)}


def format_number(value, digits: int = 0, *, trim: bool = False, locale: str | None = None) -> str:
    """``format_decimal(value, "#,##0.00")`` of the request's locale, exactly, but without
    parsing a pattern per call: a dashboard prints a few thousand numbers.

    ``digits`` decimals, rounded half to even on the decimal value as Babel does;
    ``trim`` drops trailing zeros (the ``#,##0.#`` patterns).
    """
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    text = f"{number.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_EVEN):,.{digits}f}"
    if trim and digits:
        text = text.rstrip("0").rstrip(".")
    return text.translate(_separators(locale or str(get_locale())))


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
        return format_number(value, digits)

    from .shared import labels

    # Vietnamese values (unit types, fields, holidays, hours, legal documents) in the
    # page's language: portal/shared/labels.py.
    app.add_template_filter(labels.unit_type, "unit_type")
    app.add_template_filter(labels.subject_area, "subject_area")
    app.add_template_filter(labels.holiday, "holiday")
    app.add_template_filter(labels.opening_hours, "opening_hours")
    app.add_template_filter(labels.document_symbols, "doc_symbols")
    app.add_template_filter(labels.legal_references, "legal_refs")

    @app.context_processor
    def _languages():
        from flask_babel import get_locale

        return {
            "LANGUAGES": LANGUAGES,
            "LANGUAGE_NAMES": LANGUAGE_NAMES,
            "current_locale": str(get_locale()),
        }
