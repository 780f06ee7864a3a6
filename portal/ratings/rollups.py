"""Rollups from raw ratings, in SQL: built in bulk and checked against what is stored.

``rating_rollups`` is maintained row by row in the transaction of every rating (see
``services.apply_to_rollups``). Two jobs need the same figures computed from the raw
ratings instead, grouped in the database (never a Python loop over ratings):

- :func:`rebuild` fills the rollups of bulk-loaded ratings (``bench/generate.py``)
  with one ``INSERT … SELECT … GROUP BY`` per scope;
- :func:`differences` (``flask rollups verify``) recomputes every rollup row and names
  each one that differs from the stored row (missing, extra or other counts).

"Reportable" here is the SQL form of :attr:`Rating.is_reportable`; the test of
``flask rollups verify`` after randomized inserts through the real paths keeps the two
in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from ..extensions import db
from .models import Channel, FlagReview, Rating, RatingRollup, RollupScope

COUNTS = ("n1", "n2", "n3", "n4", "n5")

#: The rating column that is the key of each scope.
SCOPE_COLUMNS = {
    RollupScope.CENTER: Rating.center_id,
    RollupScope.COUNTER: Rating.counter_id,
    RollupScope.OFFICER: Rating.officer_id,
    RollupScope.MONTH: Rating.center_id,
}


class month_start(FunctionElement):  # noqa: N801 - a SQL function, named as one
    """The first day of a date's month, in SQL (``date_trunc`` / ``date(…, 'start of
    month')``): the ``day`` of a month rollup row."""

    type = sa.Date()
    inherit_cache = True
    name = "month_start"


@compiles(month_start)
def _month_start_postgresql(element, compiler, **kw):
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(month_start, "sqlite")
def _month_start_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


def reportable_clause() -> sa.ColumnElement[bool]:
    """SQL for :attr:`Rating.is_reportable`: not staff-entered, not held, not confirmed abuse."""
    return sa.and_(
        Rating.channel != Channel.STAFF,
        sa.or_(Rating.flags == "", Rating.cleared_at.is_not(None)),
        sa.or_(Rating.flag_review.is_(None), Rating.flag_review != FlagReview.CONFIRMED),
    )


def recomputed(scope: RollupScope) -> sa.Select:
    """The rollup rows of one scope computed from the raw ratings (day, key, center, n1–n5)."""
    key = SCOPE_COLUMNS[scope]
    day = month_start(Rating.day) if scope == RollupScope.MONTH else Rating.day
    return (
        sa.select(
            day.label("day"),
            sa.literal(str(scope)).label("scope"),
            key.label("key_id"),
            sa.func.min(Rating.center_id).label("center_id"),
            *(
                sa.func.sum(sa.case((Rating.score == s, 1), else_=0)).label(f"n{s}")
                for s in range(1, 6)
            ),
        )
        .where(reportable_clause(), key.is_not(None))
        .group_by(day, key)
    )


def add_counts(rows: list[dict]) -> None:
    """Add bulk-counted rollup rows (``day, scope, key_id, center_id, n1…n5``) to what is
    stored: a row that exists gets the counts added (a month shared with earlier ratings),
    in one ``INSERT … ON CONFLICT DO UPDATE`` executed for all rows."""
    if not rows:
        return
    from sqlalchemy.dialects import postgresql, sqlite

    table = RatingRollup.__table__
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    stmt = insert.on_conflict_do_update(
        index_elements=[table.c.day, table.c.scope, table.c.key_id],
        set_={n: table.c[n] + insert.excluded[n] for n in COUNTS},
    )
    db.session.execute(stmt, rows)


def rebuild() -> int:
    """Replace every rollup row by the figures of the raw ratings; return the rows written.

    For bulk loads and repairs (run it with writers stopped): one ``INSERT … SELECT`` per
    scope.
    """
    db.session.execute(sa.delete(RatingRollup))
    table = RatingRollup.__table__
    columns = ["day", "scope", "key_id", "center_id", *COUNTS]
    written = 0
    for scope in RollupScope:
        result = db.session.execute(
            table.insert().from_select(columns, recomputed(scope)),
        )
        written += result.rowcount or 0
    return written


@dataclass(frozen=True)
class Difference:
    scope: str
    day: date
    key_id: int
    stored: tuple[int, ...] | None
    recomputed: tuple[int, ...] | None

    def describe(self) -> str:
        def show(counts):
            return "missing" if counts is None else ",".join(str(n) for n in counts)

        return (
            f"rating_rollups scope={self.scope} key_id={self.key_id} day={self.day.isoformat()}: "
            f"stored {show(self.stored)}, recomputed {show(self.recomputed)}"
        )


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def differences(*, limit: int | None = None) -> list[Difference]:
    """Every rollup row that differs from the raw ratings, per scope, day and key.

    A stored row whose counts are all zero is the same as no row (a removed rating
    leaves one). One ``FULL OUTER JOIN`` per scope, in the database.
    """
    out: list[Difference] = []
    t = RatingRollup
    for scope in RollupScope:
        r = recomputed(scope).subquery("r")
        s = (
            sa.select(t.day, t.key_id, *(getattr(t, n) for n in COUNTS))
            .where(
                t.scope == str(scope),
                sa.not_(sa.and_(*(getattr(t, n) == 0 for n in COUNTS))),
            )
            .subquery("s")
        )
        joined = r.join(s, sa.and_(r.c.day == s.c.day, r.c.key_id == s.c.key_id), full=True)
        stmt = (
            sa.select(
                sa.func.coalesce(r.c.day, s.c.day),
                sa.func.coalesce(r.c.key_id, s.c.key_id),
                r.c.day.is_not(None),
                s.c.day.is_not(None),
                *(r.c[n] for n in COUNTS),
                *(s.c[n] for n in COUNTS),
            )
            .select_from(joined)
            .where(
                sa.or_(
                    r.c.day.is_(None),
                    s.c.day.is_(None),
                    *(r.c[n] != s.c[n] for n in COUNTS),
                )
            )
            .order_by(sa.func.coalesce(r.c.day, s.c.day), sa.func.coalesce(r.c.key_id, s.c.key_id))
        )
        if limit is not None:
            stmt = stmt.limit(limit - len(out))
        for row in db.session.execute(stmt):
            day, key_id, in_r, in_s = row[0], row[1], row[2], row[3]
            out.append(
                Difference(
                    scope=str(scope),
                    day=_as_date(day),
                    key_id=int(key_id),
                    stored=tuple(int(x) for x in row[9:14]) if in_s else None,
                    recomputed=tuple(int(x) for x in row[4:9]) if in_r else None,
                )
            )
        if limit is not None and len(out) >= limit:
            break
    return out
