"""The database connection dies under a request (PostgreSQL restarted, a backend
terminated, a SQLite handle lost): the citizen gets the portal's error page with its
reference, and the next request works again by itself."""

from __future__ import annotations

import psycopg
import pytest
import sqlalchemy as sa

from portal.extensions import db


def kill_own_connection():
    conn = db.session.connection()
    if db.engine.dialect.name == "postgresql":
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        admin = db.engine.url.set(drivername="postgresql").render_as_string(False)
        with psycopg.connect(admin, autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", (pid,))
    else:
        conn.connection.driver_connection.close()


@pytest.fixture
def fragile_app(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/_test/dies")
    def dies():
        db.session.execute(sa.text("SELECT 1"))
        kill_own_connection()
        db.session.execute(sa.text("SELECT 1"))
        return "unreachable"

    @app.route("/_test/dies-after")
    def dies_after():
        db.session.execute(sa.text("SELECT 1"))
        kill_own_connection()  # the page is rendered; only the closing rollback fails
        return "rendered"

    @app.route("/_test/works")
    def works():
        return str(db.session.execute(sa.text("SELECT 41 + 1")).scalar())

    return app


def test_a_dead_connection_gives_the_error_page_and_the_portal_recovers(fragile_app, client):
    response = client.get("/_test/dies")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert 'class="error-code">500<' in page
    assert response.headers["X-Request-ID"] in page
    # The next requests get a working connection (pool_pre_ping), without a restart.
    for _ in range(3):
        assert client.get("/_test/works").get_data(as_text=True) == "42"


def test_a_connection_dying_after_the_page_is_rendered_still_serves_the_page(fragile_app, client):
    """Found by bench/fault_drill.py: the session's closing rollback on a terminated
    connection raised in teardown, and gunicorn replaced a good page with a bare 500."""
    response = client.get("/_test/dies-after")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "rendered"
    assert client.get("/_test/works").get_data(as_text=True) == "42"
