"""Request ids, and security events in the audit log.

Every request gets a random id, returned as ``X-Request-ID`` and shown on error pages
so that a person can quote it; audit entries written during the request carry it.

Denied actions (403), CSRF failures and rate-limit hits (429) are recorded as audit
entries without personal data: the endpoint and method (never the path, which may hold
a token), the actor's account if logged in, and a keyed hash of the client's network
(/24 or /64), never the address itself.

Recording must never make things worse than the denial itself:

* the request's own transaction is rolled back first (a denied request changes
  nothing, and on SQLite it may hold the write lock this recording needs);
* the entry is written in its own short transaction, ``BEGIN IMMEDIATE`` even during
  a GET, with a short busy timeout (SQLite) or lock timeout (PostgreSQL), so a busy
  database costs at most about a second and never turns the 403 into a 500: on any
  failure the event goes to the log instead;
* repeats of the same event from the same network and endpoint within a minute are
  counted in the process and folded into the next entry, so a flood of denials cannot
  turn into a flood of writes.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import random
import re
import threading
import time
from dataclasses import dataclass

from flask import Flask, Response, current_app, g, has_request_context, request
from flask_wtf.csrf import CSRFError
from sqlalchemy import orm, text

from ..database import write_transactions
from ..extensions import db
from ..shared import crypto
from . import services as audit

log = logging.getLogger("portal.security")

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_RE = re.compile(r"[0-9a-f]{16}")
#: How long the recorder may wait for the database (SQLite busy timeout, PG lock timeout).
RECORD_TIMEOUT_MS = 1000
#: Repeats of one event (action, endpoint, network) within this window are only counted.
COALESCE_SECONDS = 60.0
_COALESCE_MAX_KEYS = 10_000

_recent: dict[tuple[str, str, str], tuple[float, int]] = {}
_recent_lock = threading.Lock()


def assign_request_id() -> None:
    # 64 random bits: a reference to quote, not a secret (``random`` is reseeded in each
    # forked worker), without a system call per request.
    g.request_id = f"{random.getrandbits(64):016x}"


def request_id() -> str:
    rid = g.get("request_id")
    if rid is None:  # a request that failed before the before_request hooks ran
        assign_request_id()
        rid = g.request_id
    return rid


def network_hash() -> str:
    """A keyed hash of the client's /24 (IPv4) or /64 (IPv6): groups repeat offenders in
    the log without storing an address."""
    addr = request.remote_addr or ""
    try:
        ip = ipaddress.ip_address(addr)
        network = str(ipaddress.ip_network(f"{ip}/{24 if ip.version == 4 else 64}", strict=False))
    except ValueError:
        network = "unknown"
    key = crypto.derive_key(current_app.config["SECRET_KEY"], b"network-hash")
    return hmac.new(key, network.encode("ascii"), hashlib.sha256).hexdigest()[:16]


@dataclass(frozen=True)
class _ActorSnapshot:
    """The logged-in user as plain values, taken before the request's session rolls back."""

    id: int
    audit_label: str


def _actor() -> _ActorSnapshot | None:
    # Only a user Flask-Login already loaded: looking one up here would start a query.
    user = g.get("_login_user")
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        return _ActorSnapshot(user.id, user.audit_label)
    except Exception:  # an expired or detached user: record the event without it
        return None


def _event_action(response: Response) -> str | None:
    if isinstance(g.get("error"), CSRFError):
        return "security.csrf_failed"
    if response.status_code == 403:
        return "security.denied"
    if response.status_code == 429:
        return "security.rate_limited"
    return None


def _coalesce(key: tuple[str, str, str]) -> int | None:
    """``None`` to skip this event (counted), else the number of skipped repeats."""
    now = time.monotonic()
    with _recent_lock:
        last = _recent.get(key)
        if last is not None and now - last[0] < COALESCE_SECONDS:
            _recent[key] = (last[0], last[1] + 1)
            return None
        if len(_recent) >= _COALESCE_MAX_KEYS:
            _recent.clear()
        _recent[key] = (now, 0)
        return last[1] if last is not None else 0


def _write(action: str, actor: _ActorSnapshot | None, summary: dict) -> None:
    engine = db.engine
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        raw = conn.connection.driver_connection if sqlite else None
        if raw is not None:
            raw.execute(f"PRAGMA busy_timeout = {RECORD_TIMEOUT_MS}")
        try:
            with write_transactions(), orm.Session(bind=conn, expire_on_commit=False) as session:
                if not sqlite:
                    session.execute(text(f"SET LOCAL lock_timeout = {RECORD_TIMEOUT_MS}"))
                audit.record(
                    actor=actor,
                    action=action,
                    object_type="request",
                    object_id=request.endpoint or "",
                    summary=summary,
                    session=session,
                )
                session.commit()
        finally:
            if raw is not None:
                raw.execute(
                    f"PRAGMA busy_timeout = {int(current_app.config['SQLITE_BUSY_TIMEOUT_MS'])}"
                )


def record_security_event(action: str, status: int) -> None:
    """Write one security event; on any failure log it instead. Never raises."""
    try:
        actor = _actor()
        network = network_hash()
        endpoint = request.endpoint or "unknown"
        skipped = _coalesce((action, endpoint, network))
        if skipped is None:
            return
        summary = {
            "endpoint": endpoint,
            "method": request.method,
            "status": status,
            "network": network,
        }
        if skipped:
            summary["repeats_not_recorded"] = skipped
        db.session.rollback()
        _write(action, actor, summary)
    except Exception:
        log.warning(
            "security event not written to the audit log: action=%s request_id=%s",
            action,
            g.get("request_id"),
            exc_info=True,
        )


def finish_request(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = request_id()
    action = _event_action(response)
    if action is not None:
        record_security_event(action, response.status_code)
    return response


class RequestIdLogFilter(logging.Filter):
    """Appends the request id to the application's log lines (a 500's traceback, …), so the
    reference a citizen quotes from the error page finds the line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context() and "request_id" in g:
            record.msg = f"{record.msg} [request_id={g.request_id}]"
        return True


def register_request_events(app: Flask) -> None:
    # First of all before_request hooks, so that even a request refused by another hook
    # (an upload too large, a CSRF failure) has its id.
    app.before_request_funcs.setdefault(None, []).insert(0, assign_request_id)
    app.after_request(finish_request)
    app.context_processor(lambda: {"request_id": request_id()})
    app.logger.addFilter(RequestIdLogFilter())
