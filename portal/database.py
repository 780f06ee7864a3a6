"""Engine set-up that both databases need to be correct under concurrency.

SQLite: WAL journal, foreign keys on, a busy timeout, and explicit transaction
control so that every transaction that may write begins ``BEGIN IMMEDIATE``
(a deferred transaction that upgrades to a write fails at once with
SQLITE_BUSY under WAL, whatever the busy timeout). Requests with a safe HTTP
method (GET, HEAD, OPTIONS) are read-only by design and begin a plain deferred
transaction so that readers never queue behind the write lock; so do the first
transactions of views marked :func:`reads_before_writing` (login, evidence uploads),
which do their slow work before :func:`begin_writing`.

PostgreSQL needs nothing here: psycopg 3 and READ COMMITTED, with unique
constraints and row locks where the code needs them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy import text as sa_text
from sqlalchemy.engine import Engine

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
log = logging.getLogger("portal.database")

_FORCE_IMMEDIATE: ContextVar[bool] = ContextVar("force_immediate", default=False)


@contextmanager
def write_transactions() -> Iterator[None]:
    """Transactions begun inside this block begin ``BEGIN IMMEDIATE`` even during a GET
    (the one write a safe request makes: recording a denied access)."""
    token = _FORCE_IMMEDIATE.set(True)
    try:
        yield
    finally:
        _FORCE_IMMEDIATE.reset(token)


_FORCE_DEFERRED: ContextVar[bool] = ContextVar("force_deferred", default=False)


@contextmanager
def read_transactions() -> Iterator[None]:
    """Transactions begun inside this block begin deferred (read-only) outside a request
    too: a background export reads for minutes while it records its progress through
    :func:`write_transactions` on another connection."""
    token = _FORCE_DEFERRED.set(True)
    try:
        yield
    finally:
        _FORCE_DEFERRED.reset(token)


def read_body_first() -> None:
    """``before_request``, ahead of every hook and view that may query the database: read
    the whole body of a request that may write (a form is parsed, its files spooled).

    A client that sends its body slowly (a bad network, or on purpose) would otherwise
    hold the SQLite write lock while the view reads it, since a writing request's first
    query begins ``BEGIN IMMEDIATE``: an API key looked up, then a 53-byte body arriving
    over 16 s, and citizens' ratings failed. Reading first costs nothing more: every view
    reads its body anyway, and the size limits (``MAX_CONTENT_LENGTH``, the per-view
    limits set just before) apply as they do in the view.
    """
    if request.method not in SAFE_METHODS:
        request.get_data(cache=True, parse_form_data=True)


def reads_before_writing(view: Callable) -> Callable:
    """Mark a POST view whose slow part (decoding photos, hashing a password) must not
    hold the SQLite write lock: its transactions begin deferred (read-only) until the view
    calls :func:`begin_writing`, which ends the read transaction first."""
    view.reads_before_writing = True  # type: ignore[attr-defined]
    return view


def begin_writing() -> None:
    """End the current (read) transaction; the next one begins ``BEGIN IMMEDIATE``.

    Objects loaded so far are expired and reload in the write transaction, so checks made
    on them must be repeated there if they can change meanwhile.
    """
    from .extensions import db

    db.session.rollback()
    g.db_writing = True


def may_write() -> bool:
    """Whether the current transaction may write: outside a request, in a request with an
    unsafe method, or inside :func:`write_transactions`. A GET that would write on first
    use (a default row) must not: its deferred SQLite transaction cannot become a write
    once another connection has written since it began ("database is locked")."""
    return _FORCE_IMMEDIATE.get() or not has_request_context() or request.method not in SAFE_METHODS


def _begins_deferred() -> bool:
    if not has_request_context():
        return False
    if request.method in SAFE_METHODS:
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "reads_before_writing", False)) and not g.get("db_writing", False)


def refresh_statistics(*tables: str) -> None:
    """``ANALYZE`` the given tables in the current transaction, after a bulk write.

    A revision writes a row per center of the country (3,355) at once. Without statistics
    on that table SQLite guessed "revision_id = ?" selects a handful of rows and read every
    row of the revision to keep one province's (9.9 ms on the scale data, with a temporary
    B-tree for the ORDER BY); with them it starts from the province's centers (1.0 ms).
    PostgreSQL's autovacuum would get there eventually; this makes it immediate.
    """
    from .extensions import db

    for table in tables:
        if not table.isidentifier():
            raise ValueError(f"not a table name: {table!r}")
        db.session.execute(sa_text(f"ANALYZE {table}"))


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def configure_sqlite(engine: Engine, *, synchronous: str, busy_timeout_ms: int) -> None:
    """Install the connect/begin listeners (SQLAlchemy's pysqlite recipe), once per engine:
    apps given the same engine (the tests share one per database) configure it once."""
    if synchronous.upper() not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
        raise ValueError(f"invalid SQLITE_SYNCHRONOUS: {synchronous!r}")
    settings = (synchronous.upper(), int(busy_timeout_ms))
    done = getattr(engine, "_portal_sqlite", None)
    if done is not None:
        if done != settings:
            raise ValueError(f"engine already configured with {done}, not {settings}")
        return
    engine._portal_sqlite = settings  # type: ignore[attr-defined]

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - exercised by every test
        # Disable pysqlite's own BEGIN handling; we emit BEGIN ourselves below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA synchronous = {synchronous.upper()}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        deferred = _begins_deferred() or _FORCE_DEFERRED.get()
        if deferred and not _FORCE_IMMEDIATE.get():
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def register_database_events(app: Flask) -> None:
    from .extensions import db

    @app.teardown_appcontext
    def _remove_session(_exc):
        """Close the request's session before Flask-SQLAlchemy's own teardown does, and
        survive a connection that died meanwhile (PostgreSQL restarted, backend terminated):
        the rollback on close would raise, and the citizen would get the server's bare 500
        instead of the page already rendered. The dead connection is invalidated by
        SQLAlchemy; the next request checks out a fresh one (``pool_pre_ping``)."""
        try:
            db.session.remove()
        except Exception:
            log.warning("session closed on a dead connection; discarded", exc_info=True)
            db.session.registry.clear()

    with app.app_context():
        engine = db.engine
        if is_sqlite(engine):
            configure_sqlite(
                engine,
                synchronous=app.config["SQLITE_SYNCHRONOUS"],
                busy_timeout_ms=app.config["SQLITE_BUSY_TIMEOUT_MS"],
            )


def include_for_dialect(dialect_name: str):
    """An Alembic ``include_object`` that leaves out schema items built only on another
    database (``Index(...).ddl_if(dialect=...)``, e.g. PostgreSQL's BRIN index), which
    autogenerate would otherwise report as missing on SQLite."""

    def include(obj, _name, _type, _reflected, _compare_to) -> bool:
        rule = getattr(obj, "_ddl_if", None)
        if rule is None or rule.dialect is None:
            return True
        dialects = (rule.dialect,) if isinstance(rule.dialect, str) else tuple(rule.dialect)
        return dialect_name in dialects

    return include
