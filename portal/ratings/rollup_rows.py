"""The rollup rows of reportable ratings: which rows a rating counts in, the upsert that
adds (or removes) it in its own transaction, and the counts read back from them."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..shared.prepared import PreparedFamily
from .models import Rating, RatingRollup, RollupScope


def _rollup_upsert(dialect: str, key: tuple[int, int]) -> sa.Executable:
    rows, score = key
    table = RatingRollup.__table__
    counts = {f"n{s}": sa.bindparam("delta") if s == score else 0 for s in range(1, 6)}
    values = [
        {
            "day": sa.bindparam(f"day{i}", type_=sa.Date()),
            "scope": sa.bindparam(f"scope{i}"),
            "key_id": sa.bindparam(f"key{i}"),
            "center_id": sa.bindparam("center_id"),
            **counts,
        }
        for i in range(rows)
    ]
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table).values(values)
    column = f"n{score}"
    return stmt.on_conflict_do_update(
        index_elements=[table.c.day, table.c.scope, table.c.key_id],
        set_={column: table.c[column] + stmt.excluded[column]},
    )


#: One multi-row upsert per (number of rows, score), compiled once per database.
_ROLLUP_UPSERTS = PreparedFamily(_rollup_upsert)


def rollup_keys(
    center_id: int, counter_id: int | None, officer_id: int | None, day: date
) -> list[tuple[RollupScope, int, date]]:
    """``(scope, key_id, day)`` of the rollup rows a reportable rating counts in: its day's
    center, counter and officer rows, and its center's month row. Every writer of rollups
    (this module, the demo, the bulk rebuild's SQL) keeps to this list."""
    keys = [(RollupScope.CENTER, center_id, day)]
    if counter_id is not None:
        keys.append((RollupScope.COUNTER, counter_id, day))
    if officer_id is not None:
        keys.append((RollupScope.OFFICER, officer_id, day))
    keys.append((RollupScope.MONTH, center_id, day.replace(day=1)))
    return keys


def apply_to_rollups(rating: Rating, delta: int = 1) -> None:
    """Add (or with ``delta=-1`` remove) a reportable rating in its rollups.

    One multi-row ``INSERT … ON CONFLICT DO UPDATE`` for the center, counter, officer and
    month rows (PostgreSQL and SQLite ≥ 3.24 share the syntax), in the caller's transaction.
    """
    keys = rollup_keys(rating.center_id, rating.counter_id, rating.officer_id, rating.day)
    params = {"center_id": rating.center_id, "delta": delta}
    for i, (scope, key_id, day) in enumerate(keys):
        params[f"scope{i}"] = str(scope)
        params[f"key{i}"] = key_id
        params[f"day{i}"] = day
    _ROLLUP_UPSERTS[len(keys), rating.score].execute(**params)


def rollup_counts(
    scope: str, key_ids, start: date, end: date
) -> dict[int, tuple[int, int, int, int, int]]:
    """Counts per score 1–5 per key over ``[start, end]`` (inclusive), from the rollups."""
    t = RatingRollup
    rows = db.session.execute(
        sa.select(
            t.key_id,
            sa.func.sum(t.n1),
            sa.func.sum(t.n2),
            sa.func.sum(t.n3),
            sa.func.sum(t.n4),
            sa.func.sum(t.n5),
        )
        .where(t.scope == scope, t.key_id.in_(list(key_ids)), t.day >= start, t.day <= end)
        .group_by(t.key_id)
    ).all()
    return {row[0]: tuple(int(x or 0) for x in row[1:]) for row in rows}  # type: ignore[misc]
