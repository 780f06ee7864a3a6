"""`flask db upgrade` on an empty database builds exactly the models' schema (no drift),
on SQLite and, in the PostgreSQL run, on a fresh PostgreSQL database."""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from portal import create_app
from portal.database import include_for_dialect
from portal.extensions import db


@pytest.fixture
def empty_database_url(tmp_path):
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    name = f"portal_mig_{uuid.uuid4().hex[:10]}"
    admin_url = sa.engine.make_url(url).set(database="postgres")
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield str(sa.engine.make_url(url).set(database=name).render_as_string(False))
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _diff(app) -> list:
    with db.engine.connect() as conn:
        # Items built only on another database (ddl_if) are not expected here.
        include = include_for_dialect(conn.dialect.name)
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include}
        )
        return compare_metadata(context, db.metadata)


def test_upgrade_matches_models_and_downgrade_works(empty_database_url, monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "testing")
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        assert _diff(app) == []
        downgrade(revision="base")
        tables = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade()
        assert _diff(app) == []
        db.engine.dispose()


def test_month_rollups_are_built_from_the_stored_days(empty_database_url, monkeypatch):
    """d41c7e2a9b6f: an existing database gets one month row per center and month, the sum
    of its daily center rows (counter and officer days are not months)."""
    monkeypatch.setenv("PORTAL_ENV", "testing")
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(revision="5a1805f33b0a")
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO centers (id, code, name, level, unit_code, unit_name, unit_type, "
                "province_code, province_name, address, phone, opening_hours, extra_sites, "
                "search_key, created_at, updated_at) VALUES (1, '07900', 'A', 'commune', 7900, "
                "'P', 'phường', 25, 'Phú Thọ', '', '', '', '', '', '2026-01-01', '2026-01-01')"
            )
            for day, scope, key, counts in (
                ("2026-10-30", "center", 1, (0, 0, 1, 2, 3)),
                ("2026-10-31", "center", 1, (1, 0, 0, 0, 4)),
                ("2026-11-02", "center", 1, (0, 0, 0, 1, 0)),
                ("2026-10-30", "counter", 5, (0, 0, 1, 2, 3)),
            ):
                conn.execute(
                    sa.text(
                        "INSERT INTO rating_rollups VALUES (:d, :s, :k, 1, :a, :b, :c, :e, :f)"
                    ),
                    dict(zip("dskabcef", (day, scope, key, *counts), strict=True)),
                )
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT day, key_id, n1, n2, n3, n4, n5 FROM rating_rollups "
                "WHERE scope = 'month' ORDER BY day"
            ).all()
        assert [(str(r[0]), *r[1:]) for r in rows] == [
            ("2026-10-01", 1, 1, 0, 1, 2, 7),
            ("2026-11-01", 1, 0, 0, 0, 1, 0),
        ]
        downgrade(revision="5a1805f33b0a")
        with db.engine.connect() as conn:
            scopes = conn.exec_driver_sql("SELECT DISTINCT scope FROM rating_rollups").scalars()
            assert set(scopes) == {"center", "counter"}
        db.engine.dispose()
