"""Users, roles and scopes."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..shared.roles import Role
from ..shared.text import vietnamese_sort_string
from ..shared.timeutils import now_utc

if TYPE_CHECKING:
    from ..centers.models import Center, Officer


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_HASH_METHOD)


ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.INSPECTOR: _l("Inspector"),
    Role.MANAGER: _l("Center manager"),
    Role.OFFICER: _l("Counter officer"),
}

#: Roles bound to exactly one center.
CENTER_ROLES = frozenset({Role.MANAGER, Role.OFFICER})

inspector_centers = sa.Table(
    "inspector_centers",
    db.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("center_id", sa.ForeignKey("centers.id", ondelete="CASCADE"), primary_key=True),
)


#: werkzeug's default (scrypt). The test suite lowers the cost for speed.
PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - an algorithm name, not a secret


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    """A portal account.

    ``session_token`` is part of the Flask-Login id: changing the password,
    disabling the account or an admin reset rotates it, and every session that
    carries the old value stops working at once (ASVS 7.4.2).
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(120))
    #: ``full_name`` in Vietnamese list order (given name first), kept by ``_sort_name``.
    name_sort_key: Mapped[str] = mapped_column(sa.String(500), default="", index=True)
    email: Mapped[str | None] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[str] = mapped_column(sa.String(20), index=True)
    center_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("centers.id", ondelete="RESTRICT"), index=True
    )
    #: A counter officer's own record in the center's staff list (their ratings).
    officer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("officers.id", ondelete="SET NULL"), index=True
    )
    #: An inspector whose scope is a whole province (else: ``scope_centers``).
    scope_province_code: Mapped[int | None]
    is_active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    language: Mapped[str] = mapped_column(sa.String(5), default="vi")
    session_token: Mapped[str] = mapped_column(sa.String(64), default=new_session_token)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=now_utc)

    center: Mapped[Center | None] = relationship()
    officer: Mapped[Officer | None] = relationship()
    scope_centers: Mapped[list[Center]] = relationship(secondary=inspector_centers)

    __table_args__ = (
        sa.CheckConstraint("role IN ('admin', 'inspector', 'manager', 'officer')", name="role"),
        sa.CheckConstraint(
            "(role NOT IN ('manager', 'officer')) OR center_id IS NOT NULL",
            name="center_role_has_center",
        ),
    )

    PERSONAL_FIELDS = ("full_name", "email")

    def __repr__(self) -> str:
        return f"<User {self.username} ({self.role})>"

    @validates("full_name")
    def _sort_name(self, _key: str, value: str) -> str:
        self.name_sort_key = vietnamese_sort_string(value or "")
        return value

    # Flask-Login -----------------------------------------------------------
    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    # Passwords ---------------------------------------------------------------
    def set_password(self, password: str) -> None:
        self.set_password_hash(hash_password(password))

    def set_password_hash(self, password_hash: str) -> None:
        """Store a hash computed beforehand (outside the write transaction); ends every
        other session of the user."""
        self.password_hash = password_hash
        self.session_token = new_session_token()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    # Roles -------------------------------------------------------------------
    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_inspector(self) -> bool:
        return self.role == Role.INSPECTOR

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    @property
    def is_officer(self) -> bool:
        return self.role == Role.OFFICER

    @property
    def display_name(self) -> str:
        """The person's name: a counter officer's from the center's staff list, which the
        account's own name (often a placeholder such as "Công chức quầy 1") may not match."""
        if self.officer is not None and self.officer.center_id == self.center_id:
            return self.officer.full_name
        return self.full_name or self.username

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS[Role(self.role)])

    @property
    def audit_label(self) -> str:
        # The username, not the person's name: the log holds no personal data.
        return f"{self.username} ({self.role})"

    def audit_state(self) -> dict:
        return {
            "username": self.username,
            "full_name": self.full_name,
            "email": self.email,
            "role": self.role,
            "center_id": self.center_id,
            "officer_id": self.officer_id,
            "scope_province_code": self.scope_province_code,
            "scope_center_ids": sorted(c.id for c in self.scope_centers),
            "is_active": self.is_active,
        }


class LoginThrottle(db.Model):
    """Failed logins per (username, client network): a growing delay, never a lock.

    Keyed by a hash of the typed username and the client's /24 (IPv4) or /64 (IPv6), so
    a guesser slows only themselves: the owner, from another network, logs in as usual,
    and unknown usernames are throttled exactly like real ones (no timing or message
    difference). Stored in the database, so every worker sees the same count.
    """

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    blocked_until: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=now_utc, index=True)
