"""Export jobs: a file being made off the request path, and whose it is.

Any web worker answers "is my file ready" from this table, whichever process (a thread of
the web worker, or an RQ worker on another host) makes the file.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..shared.timeutils import now_utc

if TYPE_CHECKING:
    from ..accounts.models import User


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


STATUS_LABELS = {
    JobStatus.QUEUED: _l("Waiting in the queue"),
    JobStatus.RUNNING: _l("Being made"),
    JobStatus.DONE: _l("Ready"),
    JobStatus.FAILED: _l("Failed"),
}

#: Why a job failed: a code stored in the table, its message translated when shown.
FAILURE_MESSAGES = {
    "forbidden": _l("You may no longer export these centers."),
    "no_data": _l("There is nothing to export for this choice."),
    "error": _l("The file could not be made. Try again; if it fails again, tell support."),
    "lost": _l("The process making the file stopped before it finished. Try again."),
}


class ExportJob(db.Model):
    __tablename__ = "export_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(20))
    fmt: Mapped[str] = mapped_column(sa.String(5))
    #: The choice made (period code, center code or none for the whole scope).
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    status: Mapped[str] = mapped_column(sa.String(8), default=JobStatus.QUEUED)
    progress: Mapped[int] = mapped_column(default=0)
    failure: Mapped[str] = mapped_column(sa.String(20), default="")
    #: The file's name under the exports folder, and the name the person downloads.
    file_name: Mapped[str] = mapped_column(sa.String(120), default="")
    download_name: Mapped[str] = mapped_column(sa.String(120), default="")
    size: Mapped[int] = mapped_column(default=0)
    rows: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=now_utc, index=True)
    started_at: Mapped[datetime | None]
    #: The worker's last sign of life (every progress step): a running job whose worker
    #: was killed stops updating it, and is then marked failed ("lost").
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    requested_by: Mapped[User] = relationship()

    __table_args__ = (
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name="progress_range"),
    )

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[JobStatus(self.status)])

    @property
    def failure_message(self) -> str:
        if not self.failure:
            return ""
        return str(FAILURE_MESSAGES.get(self.failure, FAILURE_MESSAGES["error"]))

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def can_retry(self) -> bool:
        """Failed for a reason that another run may not meet (not a refusal)."""
        return self.status == JobStatus.FAILED and self.failure in ("lost", "error")
