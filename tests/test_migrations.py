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
