"""API keys for the province's one-stop software (hệ thống thông tin giải quyết TTHC)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..shared.timeutils import now_utc

KEY_PREFIX_LENGTH = 8


def hash_key(key: str) -> str:
    # The key is 256 random bits: a fast hash is enough, nothing to brute-force.
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key() -> str:
    return "osp_" + secrets.token_urlsafe(32)


class ApiKey(db.Model):
    """A key allowed to issue receipts for the centers of one province (or all, if ``None``)."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    prefix: Mapped[str] = mapped_column(sa.String(16), index=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    province_code: Mapped[int | None]
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    last_used_at: Mapped[datetime | None]

    @property
    def audit_label(self) -> str:
        return f"api-key:{self.prefix}"
