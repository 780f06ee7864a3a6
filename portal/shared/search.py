"""Searches typed by people, as SQL LIKE conditions.

A search box takes text, not a pattern: ``%``, ``_`` and the escape character itself are
escaped, so ``q=_`` finds names containing an underscore instead of every row. Every
user-supplied search that reaches LIKE goes through here (or SQLAlchemy's
``contains(..., autoescape=True)``, which does the same).
"""

from __future__ import annotations

import sqlalchemy as sa

ESCAPE = "\\"


def escape_like(text: str) -> str:
    """``text`` with LIKE's wildcards and the escape character taken literally."""
    return text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")


def like_contains(column: sa.ColumnElement[str], text: str) -> sa.ColumnElement[bool]:
    """``column`` contains ``text`` literally (case as stored: fold or lower both sides)."""
    return column.like(f"%{escape_like(text)}%", escape=ESCAPE)
