"""Slow exports off the request path.

``submit(job)`` (after the job row is committed) hands the job to a runner:

- with ``REDIS_URL`` set: an RQ queue (``EXPORTS_QUEUE``) on that Redis, run by
  ``rq worker -u $REDIS_URL portal-exports`` (or ``flask exports worker``) on any host;
- without it (the embedded default of ``make run``): a small thread pool of this process.

Either way the job's state, progress and file live in ``export_jobs`` so that any web
worker can answer "is my file ready".
"""

from __future__ import annotations

import logging
import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context

from ..accounts.models import User
from ..assessments.models import AssessmentPeriod
from ..centers.models import Center
from ..database import read_transactions, write_transactions
from ..extensions import db
from ..shared.timeutils import now_utc
from . import services
from .models import ExportJob, JobStatus

log = logging.getLogger("portal.exports")
_pool: ThreadPoolExecutor | None = None


def exports_dir(app: Flask | None = None) -> Path:
    app = app or current_app
    path = Path(app.config.get("EXPORTS_DIR") or Path(app.instance_path) / "exports")
    path.mkdir(parents=True, exist_ok=True)
    return path


def create_job(user: User, *, kind: str, fmt: str, period: str, center: str | None) -> ExportJob:
    """A queued job (flushed, not committed): the view commits, then calls ``submit``."""
    job = ExportJob(
        requested_by_id=user.id,
        kind=kind,
        fmt=fmt,
        params={"period": period, "center": center},
    )
    db.session.add(job)
    db.session.flush()
    return job


def submit(job_id: int) -> None:
    app = current_app._get_current_object()
    url = app.config.get("EXPORTS_REDIS_URL")
    if url:
        from redis import Redis
        from rq import Queue

        queue = Queue(app.config["EXPORTS_QUEUE"], connection=Redis.from_url(url))
        queue.enqueue("portal.exports.jobs.run_job", job_id, job_timeout=3600)
        return
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(
            max_workers=app.config.get("EXPORTS_THREADS", 2), thread_name_prefix="exports"
        )
    _pool.submit(_run_in_app, app, job_id)


def wait_for_threads() -> None:
    """Tests and shutdown: finish the in-process jobs."""
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=True)
        _pool = None


def _run_in_app(app: Flask, job_id: int) -> None:
    try:
        with app.app_context():
            run(job_id)
    except Exception:  # a thread's exception would vanish into its future
        log.exception("export job %s could not run", job_id)


_worker_app: Flask | None = None


def run_job(job_id: int) -> None:
    """The RQ entry point: in the caller's app context if there is one, else a new app."""
    if has_app_context():
        run(job_id)
        return
    global _worker_app
    if _worker_app is None:
        from .. import create_app

        _worker_app = create_app()
    with _worker_app.app_context():
        run(job_id)


def _update(job_id: int, **values) -> None:
    """Progress in its own short transaction, visible at once to the progress page; each
    is also the worker's heartbeat. A job already finished (marked failed as orphaned
    while a slow worker still ran) is left as it is."""
    with write_transactions(), db.engine.begin() as conn:
        conn.execute(
            sa.update(ExportJob)
            .where(
                ExportJob.id == job_id,
                ExportJob.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]),
            )
            .values(heartbeat_at=now_utc(), **values)
        )


def _orphaned() -> sa.ColumnElement[bool]:
    """Jobs no worker is making any more: running without a heartbeat for
    ``EXPORTS_STALE_SECONDS`` (the worker was killed), or still queued after
    ``EXPORTS_QUEUED_STALE_SECONDS`` (the process holding the queue ended)."""
    now = now_utc()
    config = current_app.config
    stale = now - timedelta(seconds=config["EXPORTS_STALE_SECONDS"])
    queued_stale = now - timedelta(seconds=config["EXPORTS_QUEUED_STALE_SECONDS"])
    return sa.or_(
        sa.and_(
            ExportJob.status == JobStatus.RUNNING,
            sa.func.coalesce(ExportJob.heartbeat_at, ExportJob.started_at) < stale,
        ),
        sa.and_(ExportJob.status == JobStatus.QUEUED, ExportJob.created_at < queued_stale),
    )


def any_orphans() -> bool:
    """Whether :func:`reap_orphans` has anything to mark (a read: a progress page polls)."""
    return db.session.scalar(sa.select(sa.exists().where(_orphaned()))) or False


def reap_orphans() -> int:
    """Mark failed ("lost") the orphaned jobs (:func:`_orphaned`). Flushed, not committed;
    returns how many."""
    result = db.session.execute(
        sa.update(ExportJob)
        .where(_orphaned())
        .values(status=JobStatus.FAILED, failure="lost", finished_at=now_utc())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def retry(job: ExportJob, user: User) -> ExportJob:
    """A new queued job with the same choice (flushed): the view commits, then submits."""
    return create_job(
        user,
        kind=job.kind,
        fmt=job.fmt,
        period=job.params.get("period", ""),
        center=job.params.get("center"),
    )


def run(job_id: int) -> None:
    with read_transactions():
        _run(job_id)


def _run(job_id: int) -> None:
    job = db.session.get(ExportJob, job_id)
    if job is None or job.status != JobStatus.QUEUED:
        return
    _update(job_id, status=JobStatus.RUNNING, started_at=now_utc(), progress=1)
    try:
        values = make_file(job)
    except services.ExportForbidden:
        db.session.rollback()
        values = {"status": JobStatus.FAILED, "failure": "forbidden"}
    except services.ExportError:
        db.session.rollback()
        values = {"status": JobStatus.FAILED, "failure": "no_data"}
    except Exception:
        db.session.rollback()
        log.exception("export job %s failed", job_id)
        values = {"status": JobStatus.FAILED, "failure": "error"}
    else:
        values.update(status=JobStatus.DONE, progress=100)
    db.session.rollback()
    _update(job_id, finished_at=now_utc(), **values)


def resolve(user: User, period_code: str, center_code: str | None):
    """The period and the centers of a request, checked against the user's scope now."""
    period = db.session.scalar(
        sa.select(AssessmentPeriod).where(AssessmentPeriod.code == period_code)
    )
    if period is None:
        raise services.ExportError("no such period")
    center = None
    if center_code:
        center = db.session.scalar(sa.select(Center).where(Center.code == center_code))
        if center is None:
            raise services.ExportError("no such center")
    return period, services.scope_for(user, center)


def make_file(job: ExportJob) -> dict:
    """Write the job's file; authorization is checked again here, at run time."""
    user = db.session.get(User, job.requested_by_id)
    period, centers = resolve(user, job.params.get("period", ""), job.params.get("center"))
    if job.kind == "rankings" and not services.rankings_visible(user, period):
        raise services.ExportError("no ranking")
    folder = exports_dir()
    name = f"{job.id}-{secrets.token_hex(8)}.{job.fmt}"
    path = folder / name
    if job.kind in services.REPORT_KINDS:
        from .reports import center_reports

        data = center_reports(period, centers, progress=lambda p: _update(job.id, progress=p))
        path.write_bytes(data)
        rows, download = len(centers), f"bao-cao-{period.code}-{len(centers)}-trung-tam"
    else:
        table = services.build_table(job.kind, period, centers)
        total = max(table.count, 1)

        def progress(n: int) -> None:
            _update(job.id, progress=max(1, min(99, n * 100 // total)))

        from . import writers

        if job.fmt == "csv":
            with open(path, "w", encoding="utf-8", newline="") as out:
                rows = writers.write_csv(table, out, progress)
        else:
            rows = writers.write_xlsx(table, str(path), progress)
        download = table.download_name
    return {
        "file_name": name,
        "download_name": f"{download}.{job.fmt}",
        "size": os.path.getsize(path),
        "rows": rows,
    }


def file_path(job: ExportJob) -> Path | None:
    if job.status != JobStatus.DONE or not job.file_name:
        return None
    path = exports_dir() / job.file_name
    return path if path.is_file() else None


def purge(days: int) -> int:
    """Delete jobs (and their files) finished more than ``days`` ago; returns how many."""
    cutoff = now_utc() - timedelta(days=days)
    old = list(
        db.session.scalars(
            sa.select(ExportJob).where(
                sa.or_(ExportJob.finished_at < cutoff, ExportJob.created_at < cutoff)
            )
        )
    )
    folder = exports_dir()
    for job in old:
        if job.file_name:
            (folder / job.file_name).unlink(missing_ok=True)
        db.session.delete(job)
    return len(old)
