"""A ready export for the demo's admin and inspector, so ``make run`` shows a file to download.

The file is made by the same job code as an export started from the page (``exports.jobs``),
run here in the seeding process: the export list then holds a finished job with its progress
page and its file. Idempotent: a user who already has an export gets no second one.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..accounts.models import Role, User
from ..assessments.models import AssessmentPeriod
from ..exports import jobs
from ..exports.models import ExportJob
from ..extensions import db

#: (username, kind, format) of the demo's ready exports.
READY = (("admin", "rankings", "xlsx"), ("thanhtra", "assessments", "csv"))


def seed_exports(period: AssessmentPeriod) -> int:
    """Make the demo's ready exports of ``period``; returns how many were made."""
    made = 0
    for username, kind, fmt in READY:
        user = db.session.scalar(sa.select(User).where(User.username == username))
        if user is None or user.role not in (Role.ADMIN, Role.INSPECTOR):
            continue
        exists = db.session.scalar(
            sa.select(ExportJob.id).where(ExportJob.requested_by_id == user.id).limit(1)
        )
        if exists:
            continue
        job_id = jobs.create_job(user, kind=kind, fmt=fmt, period=period.code, center=None).id
        db.session.commit()
        # Nothing may touch the session between the commit and the run: a lazy reload here
        # would begin a write transaction that blocks the job's own progress updates.
        jobs.run(job_id)
        made += 1
    return made
