"""Statements built and compiled once per process and database, run through the driver.

The rating POST is the portal's hot path. Building a Core statement and running it
through the ORM session costs about half a millisecond of Python per statement (argument
coercion, the cache key, the ORM execution context), most of a rating's cost; running
the same SQL through ``Connection.exec_driver_sql`` in the session's transaction costs
about 30 µs (``bench/stages.py``). A :class:`Prepared` statement is built from Core on
first use for each dialect (so it is the same SQL the ORM would emit, with the same
column types), compiled, and then only executed; psycopg 3 also prepares it on the
server after a few executions.

Limits, on purpose: bind values go through the column types' bind processors (dates and
booleans on SQLite are stored exactly as the ORM stores them), but result rows are the
driver's own values, so a :class:`Prepared` statement should return integers, strings
or nothing. It does not autoflush the session: use it where nothing is pending, or flush
first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult, Dialect

from ..extensions import db

#: Builds the statement for a dialect name (``sqlite``, ``postgresql``).
Builder = Callable[[str], sa.Executable]


class _Compiled:
    __slots__ = ("sql", "positions", "defaults", "processors")

    def __init__(self, statement: sa.Executable, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql: str = compiled.string
        self.positions: tuple[str, ...] | None = (
            tuple(compiled.positiontup or ()) if compiled.positional else None
        )
        # Literal values written in the statement (``column == "api"``) are anonymous binds.
        self.defaults: dict[str, Any] = {
            name: bind.effective_value
            for name, bind in compiled.binds.items()
            if not bind.required and bind.callable is None
        }
        self.processors: dict[str, Callable[[Any], Any]] = {}
        for name, bind in compiled.binds.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.processors[name] = processor

    def arguments(self, params: dict[str, Any]):
        values = {**self.defaults, **params}
        for name, processor in self.processors.items():
            if name in values and values[name] is not None:
                values[name] = processor(values[name])
        if self.positions is None:
            return values
        return tuple(values[name] for name in self.positions)


class Prepared:
    """One statement, compiled on first use per dialect. ``execute(**params)`` runs it
    in the current session's transaction and returns the driver's cursor result."""

    def __init__(self, build: Builder) -> None:
        self._build = build
        self._compiled: dict[str, _Compiled] = {}

    def compiled(self, dialect: Dialect) -> _Compiled:
        entry = self._compiled.get(dialect.name)
        if entry is None:
            entry = _Compiled(self._build(dialect.name), dialect)
            self._compiled[dialect.name] = entry
        return entry

    def execute(self, **params: Any) -> CursorResult:
        connection = db.session.connection()
        entry = self.compiled(connection.dialect)
        return connection.exec_driver_sql(entry.sql, entry.arguments(params))


class PreparedFamily:
    """A few variants of one statement, by key (e.g. the number of rows of an upsert)."""

    def __init__(self, build: Callable[[str, Any], sa.Executable]) -> None:
        self._build = build
        self._members: dict[Any, Prepared] = {}

    def __getitem__(self, key: Any) -> Prepared:
        member = self._members.get(key)
        if member is None:
            member = Prepared(lambda dialect: self._build(dialect, key))
            self._members[key] = member
        return member
