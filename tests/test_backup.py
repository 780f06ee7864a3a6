"""`flask backup FILE`: an online, consistent and verified copy."""

from __future__ import annotations

import os
import sqlite3
import subprocess

import pytest
import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.centers.models import Counter
from portal.extensions import db


def test_backup_copies_every_row(runner, users, center, tmp_path):
    target = tmp_path / "backup.db"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "Backup written to" in result.output
    if db.engine.dialect.name == "sqlite":
        copy = sqlite3.connect(target)
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT count(*) FROM users").fetchone()[0] == len(users)
        assert copy.execute("SELECT count(*) FROM counters").fetchone()[0] == db.session.scalar(
            sa.select(sa.func.count(Counter.id))
        )
        copy.close()
    else:
        listing = subprocess.run(
            ["pg_restore", "--list", str(target)], capture_output=True, text=True, check=True
        ).stdout
        assert "TABLE DATA public users" in listing


@pytest.mark.skipif(
    os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="SQLite-specific: a copy taken while another connection writes",
)
def test_sqlite_backup_while_writing_is_consistent(app, users, tmp_path):
    from portal.backup import backup_sqlite

    source = db.engine.url.database
    writer = sqlite3.connect(source, timeout=30)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute(
        "INSERT INTO audit_heads (id, last_entry_id, last_hash, count) VALUES (99, 0, 'x', 0)"
    )
    # An uncommitted write is not in the copy, and the copy is still sound.
    report = backup_sqlite(source, tmp_path / "copy.db")
    writer.rollback()
    writer.close()
    copy = sqlite3.connect(report.path)
    assert copy.execute("SELECT count(*) FROM audit_heads WHERE id = 99").fetchone()[0] == 0
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    copy.close()
    assert report.row_counts["users"] == len(users)


def test_backup_refuses_an_unwritable_target(runner, tmp_path):
    result = runner.invoke(args=["backup", str(tmp_path / "missing-dir" / "b.db")])
    assert result.exit_code != 0
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == 0
