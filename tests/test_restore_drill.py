"""The restore drill: `flask backup`, then `flask restore` into a fresh database; integrity,
row counts and the audit chain are the same. Also a backup taken while ratings pour in is
a consistent copy (every rating with its nonce and its rollup, nothing half-written)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
import time

import psycopg
import pytest
import sqlalchemy as sa

from portal.audit import services as audit
from portal.extensions import db
from portal.ratings import services as rating_services
from portal.ratings.models import Channel
from tests.conftest import RATINGS_TEST_CONFIG

POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")


def table_counts() -> dict[str, int]:
    names = sa.inspect(db.engine).get_table_names()
    with db.engine.connect() as conn:
        return {n: conn.execute(sa.text(f'SELECT count(*) FROM "{n}"')).scalar_one() for n in names}


@pytest.fixture
def scratch_url(db_url, tmp_path):
    """A fresh, empty database of the same kind as the test database."""
    if not POSTGRES:
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump and pg_restore are not installed")
    url = sa.engine.make_url(db_url)
    name = f"{url.database}_restore"
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def some_data(app, users, center, create_officer):
    app.config.update(RATINGS_TEST_CONFIG)
    create_officer(center, counter=center.counters[0])
    target = rating_services.Target(
        channel=Channel.COUNTER_QR, center=center, counter=center.counters[0]
    )
    for i in range(12):
        rating_services.submit_rating(
            target,
            rating_services.RatingInput(score=i % 5 + 1, comment=f"Góp ý {i}"),
            nonce_key=f"drill-{i}",
        )
    rating_services.submit_staff_assisted(
        center, center.counters[0], score=4, comment="", actor=users["officer"]
    )
    db.session.commit()


def test_backup_then_restore_into_a_fresh_database(
    runner, make_app, app_config, some_data, scratch_url, tmp_path
):
    before = table_counts()
    assert before["ratings"] == 13 and before["audit_entries"] > 0
    backup = tmp_path / "portal.backup"
    result = runner.invoke(args=["backup", str(backup)])
    assert result.exit_code == 0, result.output

    fresh = make_app({**app_config, "SQLALCHEMY_DATABASE_URI": scratch_url})
    with fresh.app_context():  # else the CLI runner reuses the pushed test app
        result = fresh.test_cli_runner().invoke(args=["restore", str(backup)])
    assert result.exit_code == 0, result.output
    assert "counts checked" in result.output
    assert f"Audit chain: OK, {before['audit_entries']} entries." in result.output
    with fresh.app_context():
        restored = table_counts()
        if not POSTGRES:
            with db.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        assert audit.verify_chain().ok
    assert {k: v for k, v in restored.items() if k != "alembic_version"} == {
        k: v for k, v in before.items() if k != "alembic_version"
    }

    # A second restore onto the now full database is refused and changes nothing.
    with fresh.app_context():
        again = fresh.test_cli_runner().invoke(args=["restore", str(backup)])
    assert again.exit_code != 0 and "not empty" in again.output
    with fresh.app_context():
        assert table_counts()["ratings"] == 13


def test_backup_while_ratings_pour_in_is_consistent(app, runner, center, tmp_path):
    """Four threads post ratings through the web app while `flask backup` runs."""
    app.config.update(
        RATINGS_TEST_CONFIG
        | {
            "RATING_MIN_FILL_SECONDS": 0,
            "RATING_LIMIT_DEVICE": "100000 per hour",
            "RATING_LIMIT_NETWORK": "100000 per hour",
            "RATING_BURST_MAX": 100000,
        }
    )
    with app.test_request_context():
        url = f"/r/{rating_services.counter_token(center.counters[0])}"
    db.session.commit()
    stop = threading.Event()
    acknowledged: list[int] = []

    def rate(n: int) -> None:
        from tests.ratings.conftest import nonce_of

        client = app.test_client()
        while not stop.is_set():
            nonce = nonce_of(client.get(url))
            response = client.post(url, data={"nonce": nonce, "score": str(n % 5 + 1)})
            if response.status_code == 303:  # stored (Post/Redirect/Get)
                acknowledged.append(n)

    threads = [threading.Thread(target=rate, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()

    def wait_for(count: int) -> None:
        deadline = time.monotonic() + 60  # generous: a busy CI machine is slow
        while len(acknowledged) < count and time.monotonic() < deadline:
            time.sleep(0.05)

    try:
        wait_for(3)
        during = len(acknowledged)
        backup = tmp_path / "under-load.backup"
        result = runner.invoke(args=["backup", str(backup)])
        wait_for(during + 3)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert result.exit_code == 0, result.output
    assert during > 0 and len(acknowledged) > during  # ratings kept flowing

    if POSTGRES:
        import json

        from portal.backup import counts_path

        counts = json.loads(counts_path(backup).read_text())
        # Each rating consumed its nonce in the same transaction: equal in one snapshot.
        assert counts["ratings"] == counts["used_nonces"] > 0
        return
    copy = sqlite3.connect(backup)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        ratings = copy.execute("SELECT count(*) FROM ratings").fetchone()[0]
        assert ratings == copy.execute("SELECT count(*) FROM used_nonces").fetchone()[0] > 0
        # The center's rollup equals the raw count in the copy: no half-applied rating.
        rolled = copy.execute(
            "SELECT coalesce(sum(n1 + n2 + n3 + n4 + n5), 0) FROM rating_rollups "
            "WHERE scope = 'center'"
        ).fetchone()[0]
        assert rolled == ratings
    finally:
        copy.close()
