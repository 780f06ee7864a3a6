"""Strict parsing of ids, dates and request input (QUALITY.md §3.5, issue 12).

Python's ``int`` and ``date.fromisoformat`` accept more than they should (``int('٣')``,
``int(' 4 ')``, ``10**30``, ``date(1, 1, 1)``); the database then fails with a 500
(SQLite: ``OverflowError``; PostgreSQL: out of range, or NUL bytes in text). These
helpers accept only ASCII digits, ids within the columns' range and dates the portal can
represent.
"""

from __future__ import annotations

import re
from datetime import date

from flask import abort, current_app, request
from werkzeug.routing import IntegerConverter

#: The largest id the portal's columns hold. Every primary key (and the counter number) is an
#: ``INTEGER``: 64-bit on SQLite but 32-bit on PostgreSQL, where ``2**31`` fails with "integer
#: out of range" (issue 22). An id column that becomes ``BIGINT`` needs its own converter.
MAX_ID = 2**31 - 1
#: Dates a period filter, an export or a report may name.
MIN_DATE = date(2000, 1, 1)
MAX_DATE = date(2099, 12, 31)
#: Page numbers beyond this are nonsense (50 rows a page: 50 million rows).
MAX_PAGE = 1_000_000

_DIGITS = re.compile(r"[0-9]{1,10}", re.ASCII)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def parse_id(value: object) -> int | None:
    """A positive id within :data:`MAX_ID` from ASCII digits (or an int), else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value):
        number = int(value)
    else:
        return None
    return number if 0 < number <= MAX_ID else None


def parse_iso_date(text: str) -> date:
    """``YYYY-MM-DD`` in ASCII digits between :data:`MIN_DATE` and :data:`MAX_DATE`.

    Raises ``ValueError`` otherwise.
    """
    if not isinstance(text, str) or not _ISO_DATE.fullmatch(text):
        raise ValueError("not an ISO date")
    value = date.fromisoformat(text)
    if not MIN_DATE <= value <= MAX_DATE:
        raise ValueError("date out of range")
    return value


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route: ASCII digits only, 1 to :data:`MAX_ID`, so
    ``/cases/2147483648``, ``/cases/99999999999999999999999`` or ``/cases/٣`` is a plain 404
    on every database."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's name
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _has_nul(value: str | None) -> bool:
    return value is not None and "\x00" in value


def refuse_bad_input() -> None:
    """``before_request``: NUL bytes anywhere in the path, the query or the form → 400
    (PostgreSQL refuses them in text); absurd page numbers → 404.

    Every request runs this: the query is parsed only when there is one, the view's
    markers are read only for a request with a form."""
    view_args = request.view_args
    if "\x00" in request.path or (
        view_args and any(isinstance(v, str) and _has_nul(v) for v in view_args.values())
    ):
        abort(400)
    if request.query_string:
        for key, value in request.args.items(multi=True):
            if _has_nul(key) or _has_nul(value):
                abort(400)
        for name in ("page", "per_page"):
            if name in request.args:
                number = parse_id(request.args.get(name, ""))
                if number is None or number > MAX_PAGE:
                    abort(404)
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        view = current_app.view_functions.get(request.endpoint or "")
        if getattr(view, "cleans_text", False):
            return
        for key, value in request.form.items(multi=True):
            if _has_nul(key) or _has_nul(value):
                abort(400)
        for key, upload in request.files.items(multi=True):
            if _has_nul(key) or _has_nul(upload.filename):
                abort(400)
