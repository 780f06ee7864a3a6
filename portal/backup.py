"""``flask backup FILE``: an online, consistent copy of the database.

SQLite: the online backup API (pages changed during the copy are copied
again), then ``PRAGMA integrity_check`` and a row-count comparison of every
table on the copy. Never ``cp`` a live WAL database. PostgreSQL: ``pg_dump
--format=custom`` (a consistent snapshot; restore with ``pg_restore``).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from .extensions import db


class BackupError(Exception):
    pass


@dataclass
class BackupReport:
    path: Path
    kind: str
    size: int
    row_counts: dict[str, int] = field(default_factory=dict)


def _table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def backup_sqlite(source: str, target: Path, *, progress=None) -> BackupReport:
    tmp = target.with_name(target.name + ".part")
    tmp.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(tmp)
    try:

        def _progress(status, remaining, total):
            if progress is not None:
                progress(total - remaining, total)

        src.backup(dst, pages=256, progress=_progress)
        dst.execute("PRAGMA journal_mode=DELETE")
        check = dst.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"integrity_check on the copy failed: {check}")
        copied = _table_counts(dst)
        # Rows may only have been added to the live database since the copy began.
        src.execute("BEGIN")
        live = _table_counts(src)
        src.execute("COMMIT")
        short = {t: (copied.get(t), n) for t, n in live.items() if copied.get(t, -1) > n}
        if set(copied) != set(live) or short:
            raise BackupError(f"the copy does not match the database: {short or 'tables differ'}")
    finally:
        dst.close()
        src.close()
    os.replace(tmp, target)
    return BackupReport(target, "sqlite", target.stat().st_size, copied)


def backup_postgresql(url: sa.engine.URL, target: Path) -> BackupReport:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError("pg_dump is not installed (Debian: apt-get install postgresql-client)")
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = url.password
    args = [
        pg_dump,
        "--format=custom",
        "--no-owner",
        f"--file={target}",
        f"--host={url.host or 'localhost'}",
        f"--port={url.port or 5432}",
        f"--username={url.username or os.environ.get('USER', 'postgres')}",
        url.database or "",
    ]
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(result.stderr.strip() or "pg_dump failed")
    listing = subprocess.run(
        [shutil.which("pg_restore") or "pg_restore", "--list", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    if listing.returncode != 0:
        raise BackupError("the dump cannot be read back by pg_restore")
    return BackupReport(target, "postgresql", target.stat().st_size)


def backup_database(target: Path, *, progress=None) -> BackupReport:
    if not target.parent.is_dir():
        raise BackupError(f"the directory {target.parent} does not exist")
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise BackupError("an in-memory database cannot be backed up")
        return backup_sqlite(url.database, target, progress=progress)
    if url.get_backend_name() == "postgresql":
        return backup_postgresql(url, target)
    raise BackupError(f"no backup method for {url.get_backend_name()}")


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(file: Path) -> None:
    """Write an online, consistent backup of the database to FILE."""
    db.session.remove()  # hold no transaction of our own during the copy
    with click.progressbar(length=100, label="Backing up", show_percent=True) as bar:
        state = {"done": 0}

        def progress(copied: int, total: int) -> None:
            pct = int(copied * 100 / total) if total else 100
            bar.update(pct - state["done"])
            state["done"] = pct

        try:
            report = backup_database(file, progress=progress)
        except BackupError as exc:
            raise click.ClickException(str(exc)) from exc
        bar.update(100 - state["done"])
    rows = sum(report.row_counts.values())
    detail = f", {rows} rows verified" if report.row_counts else ", readable by pg_restore"
    click.echo(f"Backup written to {report.path} ({report.size} bytes{detail}).")
    current_app.logger.info("backup written to %s", report.path)
