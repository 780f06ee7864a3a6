"""The append-only, hash-chained audit log."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..shared.timeutils import now_utc

GENESIS_HASH = "0" * 64


class AuditEntry(db.Model):
    """One change. Never updated or deleted; ``hash`` covers the entry and ``prev_hash``."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=now_utc, index=True)
    actor_id: Mapped[int | None] = mapped_column(index=True)
    actor_label: Mapped[str] = mapped_column(sa.String(120))
    action: Mapped[str] = mapped_column(sa.String(60), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(40), index=True)
    object_id: Mapped[str | None] = mapped_column(sa.String(64))
    center_id: Mapped[int | None] = mapped_column(index=True)
    summary: Mapped[str] = mapped_column(sa.Text, default="{}")
    #: The request that made the change (``X-Request-ID``), so a person can quote it.
    request_id: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: HMAC of ``hash`` under the audit key, which is not in the database: someone who can
    #: write to the database alone cannot re-hash history without ``verify`` noticing.
    mac: Mapped[str | None] = mapped_column(sa.String(64))


class AuditHead(db.Model):
    """A single row pointing at the newest entry.

    Appending locks this row (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's
    ``BEGIN IMMEDIATE`` already serialises writers), so two transactions can
    never chain onto the same predecessor. It also lets ``verify`` notice a
    deleted tail, which the chain alone cannot show.
    """

    __tablename__ = "audit_heads"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_entry_id: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(sa.String(64), default=GENESIS_HASH)
    count: Mapped[int] = mapped_column(default=0)
    #: HMAC of (last_entry_id, last_hash, count) under the audit key.
    mac: Mapped[str | None] = mapped_column(sa.String(64))
