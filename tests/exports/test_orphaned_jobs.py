"""Issue 22, finding 7: a whole-province export whose worker was killed stayed "running
33 %" forever. A job whose worker stopped sending progress is marked failed with the
reason, and its owner starts it again with one button."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from portal.exports import jobs
from portal.exports.models import ExportJob, JobStatus
from portal.extensions import db
from portal.shared.timeutils import now_utc


def _killed_job(user, *, minutes_ago: int) -> ExportJob:
    """A job as a killed worker leaves it: running, its last progress long ago."""
    then = now_utc() - timedelta(minutes=minutes_ago)
    job = ExportJob(
        requested_by_id=user.id,
        kind="rankings",
        fmt="xlsx",
        params={"period": "2026-Q1", "center": None},
        status=JobStatus.RUNNING,
        progress=33,
        created_at=then,
        started_at=then,
        heartbeat_at=then,
    )
    db.session.add(job)
    db.session.commit()
    return job


def test_a_job_without_progress_for_long_is_shown_failed(client, auth, users, scored):
    job = _killed_job(users["inspector"], minutes_ago=60)
    auth.login(users["inspector"])
    html = client.get(f"/exports/jobs/{job.id}").text
    assert 'data-status="failed"' in html
    assert "Tiến trình tạo tệp đã dừng" in html  # the reason, translated
    assert "33 %" not in html
    db.session.expire_all()
    assert db.session.get(ExportJob, job.id).status == JobStatus.FAILED


def test_a_job_with_recent_progress_keeps_running(client, auth, users, scored):
    job = _killed_job(users["inspector"], minutes_ago=1)
    auth.login(users["inspector"])
    html = client.get(f"/exports/jobs/{job.id}").text
    assert 'data-status="running"' in html and "33 %" in html


def test_the_owner_tries_again_and_gets_the_file(client, auth, users, scored):
    job = _killed_job(users["inspector"], minutes_ago=60)
    auth.login(users["inspector"])
    assert "retry" in client.get(f"/exports/jobs/{job.id}").text
    response = client.post(f"/exports/jobs/{job.id}/retry")
    assert response.status_code == 302
    jobs.wait_for_threads()
    new = db.session.scalar(sa.select(ExportJob).where(ExportJob.id != job.id))
    assert response.headers["Location"].endswith(f"/exports/jobs/{new.id}")
    assert (new.kind, new.fmt, new.params) == ("rankings", "xlsx", job.params)
    assert "job-file" in client.get(f"/exports/jobs/{new.id}").text


def test_only_the_owner_retries_and_only_a_failed_job(client, auth, users, scored):
    job = _killed_job(users["inspector"], minutes_ago=1)
    auth.login(users["inspector"])
    assert client.post(f"/exports/jobs/{job.id}/retry").status_code == 409  # still running
    auth.logout()
    auth.login(users["manager"])
    assert client.post(f"/exports/jobs/{job.id}/retry").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExportJob)) == 1


def test_a_late_worker_cannot_revive_a_job_marked_failed(app, users, scored):
    job_id = _killed_job(users["inspector"], minutes_ago=60).id
    assert jobs.reap_orphans() == 1
    db.session.commit()
    jobs._update(job_id, progress=50)  # as the slow worker would, on its own connection
    db.session.commit()
    job = db.session.get(ExportJob, job_id)
    assert (job.status, job.progress, job.failure) == (JobStatus.FAILED, 33, "lost")


def test_a_worker_committing_progress_while_the_page_reads_does_not_break_it(
    client, auth, users, scored, monkeypatch
):
    """The browser test met it: the progress page read the jobs, the export's worker then
    committed progress on its own connection, and the page's orphan check wrote in its read
    transaction; SQLite refused ("database is locked") and the page answered 500."""
    lost = _killed_job(users["inspector"], minutes_ago=60)
    running = _killed_job(users["inspector"], minutes_ago=0)
    check = jobs.any_orphans

    def worker_commits_meanwhile() -> bool:
        found = check()
        jobs._update(running.id, progress=50)  # the worker's own connection and commit
        return found

    monkeypatch.setattr(jobs, "any_orphans", worker_commits_meanwhile)
    auth.login(users["inspector"])
    response = client.get(f"/exports/jobs/{running.id}")
    assert response.status_code == 200
    assert 'data-status="running"' in response.text and "50 %" in response.text
    db.session.rollback()  # this test's own read ends: read what the page committed
    assert db.session.get(ExportJob, lost.id).status == JobStatus.FAILED
