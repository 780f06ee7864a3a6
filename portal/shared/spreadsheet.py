"""Cell values for spreadsheets (CSV and xlsx exports): formula injection neutralised.

Pure: no Flask, no database. A text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return would be read by Excel or LibreOffice as a formula (``=HYPERLINK(…)``,
``@SUM(…)``); it gets a leading ``'`` so that it stays text. Numbers, dates and booleans are
left as they are: a negative gap stays a number.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """A text starting like a formula becomes literal text (``'=1+1``)."""
    if value and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_cell(value):
    """A value ready for a spreadsheet cell: text neutralised, everything else unchanged."""
    if value is None or isinstance(value, bool | int | float | Decimal | date | datetime):
        return value
    return neutralise(str(value))


def csv_text(value) -> str:
    """A value as CSV text: numbers with a decimal point, dates dd/mm/yyyy, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return neutralise(str(value))
