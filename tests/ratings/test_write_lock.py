"""A rating holds SQLite's write lock only for its writes: the token, the form, the
confirmation step and the anomaly checks read in a deferred transaction, which no writer
waits for, so another writer (an import, a long save) delays a citizen no more than needed."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.ratings.models import Rating

from .conftest import nonce_of


@pytest.fixture
def app_config(app_config):
    # A short busy timeout: a request that waits for the write lock fails fast.
    return {**app_config, "SQLITE_BUSY_TIMEOUT_MS": 300}


@pytest.fixture
def other_writer(app):
    """Another connection holding SQLite's write lock until ``release()``."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        pytest.skip("SQLite's database-wide write lock")
    db.session.commit()
    conn = sqlite3.connect(url.database, timeout=30, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    released = []

    def release():
        if not released:
            conn.rollback()
            released.append(True)

    yield release
    release()
    conn.close()


def test_the_confirmation_step_needs_no_write_lock(app, client, counter_url, other_writer):
    app.config["RATING_MIN_FILL_SECONDS"] = 60  # this post comes too fast: it is held
    nonce = nonce_of(client.get(counter_url))
    response = client.post(counter_url, data={"nonce": nonce, "score": "2"})
    assert response.status_code == 200
    assert 'name="confirm"' in response.get_data(as_text=True)


def test_a_rating_waits_only_for_the_writes(app, client, counter_url, other_writer):
    """The lock is released 150 ms into the post (less than the 300 ms busy timeout):
    the rating is stored, and nothing it read was read under a lock it could not get."""
    nonce = nonce_of(client.get(counter_url))
    timer = threading.Timer(0.15, other_writer)
    timer.start()
    started = time.monotonic()
    response = client.post(counter_url, data={"nonce": nonce, "score": "5"})
    timer.join()
    assert response.status_code == 303
    assert time.monotonic() - started >= 0.1  # it did wait for the other writer
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Rating)) == 1
