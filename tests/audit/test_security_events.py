"""Request ids, and denials, CSRF failures and rate-limit hits in the audit log."""

from __future__ import annotations

import json
import sqlite3
import threading
import time

import pytest
import sqlalchemy as sa

from portal.audit import events
from portal.audit import services as audit
from portal.audit.models import AuditEntry
from portal.extensions import db


@pytest.fixture(autouse=True)
def fresh_coalescing():
    events._recent.clear()
    yield
    events._recent.clear()


def entries(action: str) -> list[AuditEntry]:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    ).all()


def test_every_response_has_a_request_id_shown_on_error_pages(client):
    first = client.get("/account/login")
    second = client.get("/no-such-page")
    ids = {first.headers["X-Request-ID"], second.headers["X-Request-ID"]}
    assert len(ids) == 2 and all(events.REQUEST_ID_RE.fullmatch(i) for i in ids)
    assert second.headers["X-Request-ID"] in second.get_data(as_text=True)
    api = client.get("/api/v1/no-such-endpoint")
    assert api.get_json()["error"]["request_id"] == api.headers["X-Request-ID"]


def test_a_denied_page_is_recorded_without_personal_data(client, auth, users):
    auth.login(users["manager"])
    response = client.get("/admin/users", environ_base={"REMOTE_ADDR": "203.0.113.77"})
    assert response.status_code == 403
    rid = response.headers["X-Request-ID"]
    assert rid in response.get_data(as_text=True)
    (entry,) = entries("security.denied")
    assert entry.request_id == rid
    assert entry.actor_id == users["manager"].id
    summary = json.loads(entry.summary)
    assert summary["endpoint"] == "admin.users" and summary["method"] == "GET"
    assert summary["status"] == 403 and len(summary["network"]) == 16
    assert "203.0.113" not in entry.summary
    assert audit.verify_chain().ok


def test_a_denied_post_is_recorded_even_though_it_held_the_write_lock(client, auth, users):
    """On SQLite a POST begins IMMEDIATE at its first query: the recorder must not wait
    for its own request's lock."""
    auth.login(users["officer"])
    started = time.monotonic()
    response = client.post("/admin/users/new", data={"username": "x"})
    assert response.status_code == 403
    assert time.monotonic() - started < 3
    (entry,) = entries("security.denied")
    assert json.loads(entry.summary)["method"] == "POST"
    assert entries("user.created") == []
    assert audit.verify_chain().ok


def test_the_same_network_from_two_addresses_has_the_same_hash(client, auth, users):
    auth.login(users["manager"])
    client.get("/admin/users", environ_base={"REMOTE_ADDR": "198.51.100.7"})
    events._recent.clear()
    client.get("/admin/users", environ_base={"REMOTE_ADDR": "198.51.100.200"})
    events._recent.clear()
    client.get("/admin/users", environ_base={"REMOTE_ADDR": "192.0.2.1"})
    networks = [json.loads(e.summary)["network"] for e in entries("security.denied")]
    assert networks[0] == networks[1] != networks[2]


def test_a_csrf_failure_is_recorded(app, client, users):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/account/login", data={"username": "admin", "password": "x"})
    assert response.status_code == 400
    (entry,) = entries("security.csrf_failed")
    assert entry.request_id == response.headers["X-Request-ID"]
    assert entry.actor_id is None and "admin" not in entry.summary
    # The failed form changed nothing: no login attempt was counted.
    assert entries("login.failed") == []


def test_rate_limit_hits_are_recorded_and_a_flood_is_folded(app, client):
    app.config["RATING_LIMIT_LOOKUP"] = "2 per minute"
    codes = [client.get("/t/?code=ABCD2345").status_code for _ in range(8)]
    assert codes[:2] == [200, 200] and set(codes[2:]) == {429}
    (entry,) = entries("security.rate_limited")  # six hits, one write
    assert json.loads(entry.summary)["endpoint"] == "rate.track"
    # After the window the next hit is written with the count of the folded ones.
    for key, (_at, skipped) in list(events._recent.items()):
        events._recent[key] = (_at - events.COALESCE_SECONDS - 1, skipped)
    assert client.get("/t/?code=ABCD2345").status_code == 429
    last = entries("security.rate_limited")[-1]
    assert json.loads(last.summary)["repeats_not_recorded"] == 5


def test_a_locked_database_never_turns_a_denial_into_a_500(app, client, auth, users):
    """Another writer holds the lock the recorder needs (a GET itself needs none): the
    denial still answers 403 within about a second, and the event goes to the log."""
    auth.login(users["officer"])
    db.session.commit()
    release = threading.Event()
    holding = threading.Event()
    url = db.engine.url

    def hold_lock():
        if url.get_backend_name() == "sqlite":
            conn = sqlite3.connect(url.database, timeout=30, isolation_level=None)
            conn.execute("BEGIN IMMEDIATE")
            holding.set()
            release.wait(15)
            conn.rollback()
            conn.close()
        else:
            with app.app_context(), db.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1 FROM audit_heads WHERE id = 1 FOR UPDATE"))
                holding.set()
                release.wait(15)
                conn.rollback()

    # The PostgreSQL variant needs a head row to lock.
    audit.record(actor=None, action="test.start", object_type="test")
    db.session.commit()
    holder = threading.Thread(target=hold_lock)
    holder.start()
    assert holding.wait(10)
    try:
        started = time.monotonic()
        response = client.get("/admin/users")
        elapsed = time.monotonic() - started
    finally:
        release.set()
        holder.join(20)
    assert response.status_code == 403
    assert response.headers["X-Request-ID"] in response.get_data(as_text=True)
    assert elapsed < events.RECORD_TIMEOUT_MS / 1000 + 3
    assert entries("security.denied") == []
    assert audit.verify_chain().ok


def test_staff_assisted_rating_is_recorded_with_its_request_id(client, auth, users, center):
    auth.login(users["officer"])
    response = client.post(
        "/ratings/07900/assist",
        data={"counter": str(center.counters[0].id), "score": "4", "comment": ""},
    )
    assert response.status_code == 302
    (entry,) = entries("rating.staff_assisted")
    assert entry.actor_id == users["officer"].id
    assert entry.request_id == response.headers["X-Request-ID"]
