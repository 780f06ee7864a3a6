"""``flask exports purge`` (cron) and ``flask exports worker`` (an RQ worker with the app)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db
from . import jobs

cli = AppGroup("exports", help="Export files: purge old ones, run the RQ worker.")


@cli.command("purge")
@click.option("--days", type=int, default=None, help="Keep files this many days (default 7).")
def purge(days: int | None) -> None:
    """Delete export files and their jobs older than DAYS."""
    days = current_app.config["EXPORTS_KEEP_DAYS"] if days is None else days
    count = jobs.purge(days)
    db.session.commit()
    click.echo(f"{count} export files deleted.")


@cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker(burst: bool) -> None:
    """Run an RQ worker on REDIS_URL's export queue, inside this app."""
    url = current_app.config.get("EXPORTS_REDIS_URL")
    if not url:
        raise click.ClickException("REDIS_URL is not set: exports run in the web process.")
    from redis import Redis
    from rq import Queue, Worker

    connection = Redis.from_url(url)
    queue = Queue(current_app.config["EXPORTS_QUEUE"], connection=connection)
    Worker([queue], connection=connection).work(burst=burst)
