"""Account operations: authentication, passwords, user management.

Services take the acting user explicitly, flush but never commit, record every
change in the audit log, and raise :class:`AccountError` with a translated
message when a rule is broken.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite

from ..audit import services as audit
from ..centers.models import Center, Officer
from ..extensions import db
from ..shared.errors import PermissionDenied, PortalError
from ..shared.search import like_contains
from ..shared.timeutils import now_utc
from . import models as account_models
from .models import CENTER_ROLES, LoginThrottle, Role, User, new_session_token
from .passwords import is_place_or_name_pattern

MIN_PASSWORD_LENGTH = 10
# The most common passwords and the portal's own words (ASVS 6.2.4 asks for a
# deny list; this short one catches what people here actually type).
COMMON_PASSWORDS = frozenset(
    [
        "123456789012",
        "1234567890",
        "12345678910",
        "0123456789",
        "1111111111",
        "password123",
        "password1234",
        "passw0rd123",
        "qwertyuiop",
        "qwerty123456",
        "abc1234567",
        "iloveyou123",
        "admin12345",
        "administrator",
        "matkhau123",
        "matkhau1234",
        "motcuaso123",
        "motcuaso2025",
        "motcuaso2026",
        "phutho2025",
        "phutho2026",
        "vietnam123",
        "vietnam2025",
        "hanoi12345",
        "123456789a",
        "123456789q",
        "1q2w3e4r5t",
        "1qaz2wsx3edc",
        "zaq12wsxcde",
        "987654321a",
        "9876543210",
        "changeme123",
        "welcome123",
        "letmein123",
    ]
)


class AccountError(PortalError):
    """An account rule was broken (bad password, wrong scope, …)."""


class LoginError(AccountError):
    """Login refused. The message never tells whether the username exists."""


def normalize_username(username: str) -> str:
    return unicodedata.normalize("NFKC", username).strip().lower()


def check_password_policy(password: str, *, username: str = "") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            _("The password must be at least %(n)d characters long.", n=MIN_PASSWORD_LENGTH)
        )
    if len(password) > 128:
        raise AccountError(_("The password must be at most 128 characters long."))
    if is_place_or_name_pattern(password):
        raise AccountError(
            _(
                "This password is a place name, a personal name or a word of this portal with "
                "only digits or symbols added; such passwords are among the first an attacker "
                "tries. Choose another one, for example a few unrelated words."
            )
        )
    lowered = password.lower()
    if (
        lowered in COMMON_PASSWORDS
        or (username and username.lower() in lowered)
        or _guessable(password, username)
    ):
        raise AccountError(_("This password is too easy to guess. Choose another one."))


#: zxcvbn scores 0–4; below 3 a password falls to an offline attack in under ~10^8 guesses.
MIN_PASSWORD_SCORE = 3
#: Words a guesser tries first here, besides zxcvbn's own lists (30,000 common passwords,
#: names, English words) and its repeat, sequence, keyboard and date patterns.
LOCAL_WORDS = ("motcuaso", "motcua", "phutho", "matkhau", "vietnam", "hanoi", "congchuc", "admin")


def _guessable(password: str, username: str) -> bool:
    from zxcvbn import zxcvbn

    # zxcvbn refuses more than 72 characters; a longer password is never short of entropy
    # beyond its first 72.
    result = zxcvbn(
        password[:72], user_inputs=[username, *LOCAL_WORDS] if username else LOCAL_WORDS
    )
    return result["score"] < MIN_PASSWORD_SCORE


# Authentication ----------------------------------------------------------------

# Used to spend the same time on unknown usernames as on known ones.
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        from werkzeug.security import generate_password_hash

        # The same method as real accounts, so that both paths take the same time.
        _DUMMY_HASH = generate_password_hash(
            secrets.token_urlsafe(16), method=account_models.PASSWORD_HASH_METHOD
        )
    return _DUMMY_HASH


def throttle_key(username: str, network: str) -> str:
    return hashlib.sha256(f"{normalize_username(username)}|{network}".encode()).hexdigest()


def network_throttle_key(network: str) -> str:
    """All usernames tried from one network (a guesser walking through usernames)."""
    return hashlib.sha256(f"\x00network|{network}".encode()).hexdigest()


@dataclass(frozen=True)
class LoginAttempt:
    """The outcome of checking a password, decided in a read-only transaction (hashing
    takes ~100 ms and must not hold the SQLite write lock)."""

    key: str
    network_key: str
    user_id: int | None
    ok: bool
    throttled: bool
    reason: str


def check_credentials(username: str, password: str, *, network: str) -> LoginAttempt:
    """Check a login without writing anything.

    Every path computes exactly one password hash, so an unknown, a throttled and a
    real account answer in the same time.
    """
    key, net_key = throttle_key(username, network), network_throttle_key(network)
    user = db.session.scalar(sa.select(User).where(User.username == normalize_username(username)))
    now = now_utc()
    throttled = (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(LoginThrottle)
            .where(LoginThrottle.key.in_([key, net_key]), LoginThrottle.blocked_until > now)
        )
        > 0
    )
    user_id = user.id if user else None
    if user is None or throttled:
        account_models.check_password_hash(_dummy_hash(), password)
        reason = "throttled" if throttled else "unknown username"
        return LoginAttempt(key, net_key, user_id, False, throttled, reason)
    if not user.check_password(password):
        return LoginAttempt(key, net_key, user_id, False, False, "wrong password")
    if not user.is_active:
        return LoginAttempt(key, net_key, user_id, False, False, "disabled")
    return LoginAttempt(key, net_key, user_id, True, False, "")


def login_delay(failures: int, *, free: int, base_seconds: int, max_seconds: int) -> int:
    """Seconds to wait after ``failures`` failed attempts: none for the first ``free - 1``,
    then ``base``, doubling each time, at most ``max``."""
    if failures < free:
        return 0
    return min(base_seconds * 2 ** min(failures - free, 30), max_seconds)


def record_user_event(
    user: User, action: str, *, actor: User | None, summary: Mapping[str, Any] | None = None
) -> None:
    """Record ``action`` on ``user``'s account, in the audit trail of the user's center."""
    audit.record_about(user, "user", action, actor=actor, summary=summary)


def record_login(
    attempt: LoginAttempt,
    *,
    free: int,
    base_seconds: int,
    max_seconds: int,
    network_free: int = 50,
) -> User:
    """Write the outcome of :func:`check_credentials` (in the write transaction): the audit
    entry, and the throttle row of this username and network. Returns the user, or raises
    :class:`LoginError` with one message for every kind of failure."""
    generic = _("Wrong username or password, or too many attempts: wait a little and try again.")
    now = now_utc()
    if attempt.ok:
        user = db.session.get(User, attempt.user_id)
        db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == attempt.key))
        user.failed_logins = 0
        user.locked_until = None
        user.last_login_at = now
        record_user_event(user, "login", actor=user)
        return user
    audit.record(
        actor=None,
        action="login.failed",
        object_type="user",
        object_id=attempt.user_id,
        summary={"reason": attempt.reason},
    )
    if not attempt.throttled:
        _count_failure(attempt.key, now, free=free, base=base_seconds, cap=max_seconds)
        _count_failure(
            attempt.network_key, now, free=network_free, base=base_seconds, cap=max_seconds
        )
    raise LoginError(generic)


def _count_failure(key: str, now, *, free: int, base: int, cap: int) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = LoginThrottle.__table__
    stmt = insert(table).values(key=key, failures=1, updated_at=now)
    db.session.execute(
        stmt.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={"failures": table.c.failures + 1, "updated_at": now},
        )
    )
    failures = db.session.scalar(sa.select(LoginThrottle.failures).where(LoginThrottle.key == key))
    delay = login_delay(failures or 0, free=free, base_seconds=base, max_seconds=cap)
    if delay:
        db.session.execute(
            sa.update(LoginThrottle)
            .where(LoginThrottle.key == key)
            .values(blocked_until=now + timedelta(seconds=delay))
        )


def purge_login_throttles(older_than: timedelta) -> int:
    result = db.session.execute(
        sa.delete(LoginThrottle).where(LoginThrottle.updated_at < now_utc() - older_than)
    )
    return result.rowcount or 0


def record_logout(user: User) -> None:
    record_user_event(user, "logout", actor=user)


def check_password_change(user: User, *, current_password: str, new_password: str) -> str:
    """Check a password change without writing; return the new password's hash.

    Both hashes (~100 ms each) are computed here, before the write transaction."""
    if not user.check_password(current_password):
        raise AccountError(_("The current password is wrong."))
    if current_password == new_password:
        raise AccountError(_("The new password must differ from the current one."))
    check_password_policy(new_password, username=user.username)
    return account_models.hash_password(new_password)


def change_password(user: User, *, current_password: str, new_password: str) -> None:
    new_hash = check_password_change(
        user, current_password=current_password, new_password=new_password
    )
    apply_password_change(user, new_hash)


def apply_password_change(user: User, new_hash: str) -> None:
    user.set_password_hash(new_hash)
    user.must_change_password = False
    record_user_event(user, "user.password_changed", actor=user)


def set_language(user: User, language: str) -> None:
    user.language = language


# User management (admins) -----------------------------------------------------


@dataclass
class UserData:
    username: str
    full_name: str
    email: str | None
    role: str
    center_id: int | None
    scope_province_code: int | None
    scope_center_ids: Sequence[int]
    is_active: bool = True
    officer_id: int | None = None


def _require_admin(actor: User) -> None:
    if actor.role != Role.ADMIN or not actor.is_active:
        raise PermissionDenied(_("Only administrators can manage users."))


def _apply(user: User, data: UserData) -> None:
    role = Role(data.role)
    if role in CENTER_ROLES:
        if data.center_id is None or db.session.get(Center, data.center_id) is None:
            raise AccountError(_("Managers and officers must belong to a center."))
        user.center_id = data.center_id
    else:
        user.center_id = None
    user.officer_id = None
    if role == Role.OFFICER and data.officer_id:
        officer = db.session.get(Officer, data.officer_id)
        if officer is None or officer.center_id != user.center_id:
            raise AccountError(_("Choose an officer of the account's center."))
        user.officer_id = officer.id
    if role == Role.INSPECTOR:
        user.scope_province_code = data.scope_province_code
        centers = []
        if data.scope_center_ids:
            centers = list(
                db.session.scalars(
                    sa.select(Center).where(Center.id.in_(list(data.scope_center_ids)))
                )
            )
        user.scope_centers = centers
        if user.scope_province_code is None and not centers:
            raise AccountError(
                _("An inspector needs a scope: a whole province or at least one center.")
            )
    else:
        user.scope_province_code = None
        user.scope_centers = []
    user.role = role.value
    user.full_name = data.full_name.strip()
    user.email = (data.email or "").strip() or None


def create_user(*, actor: User, data: UserData, password: str | None = None) -> tuple[User, str]:
    """Create an account; returns it and its initial password (to be changed at first login)."""
    _require_admin(actor)
    username = normalize_username(data.username)
    if db.session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        raise AccountError(_("This username is already taken."))
    initial = password or generate_initial_password()
    check_password_policy(initial, username=username)
    user = User(username=username, full_name="", role=data.role, password_hash="")
    _apply(user, data)
    user.set_password(initial)
    user.must_change_password = password is None
    user.is_active = data.is_active
    db.session.add(user)
    db.session.flush()
    record_user_event(
        user,
        "user.created",
        actor=actor,
        summary=audit.diff(None, user.audit_state(), personal=User.PERSONAL_FIELDS),
    )
    return user, initial


def update_user(user: User, *, actor: User, data: UserData) -> User:
    _require_admin(actor)
    if user.id == actor.id and (data.role != Role.ADMIN or not data.is_active):
        raise AccountError(_("You cannot remove your own administrator rights."))
    before = user.audit_state()
    _apply(user, data)
    if user.is_active and not data.is_active:
        user.session_token = new_session_token()  # end the user's sessions now
    user.is_active = data.is_active
    db.session.flush()
    changes = audit.diff(before, user.audit_state(), personal=User.PERSONAL_FIELDS)
    if changes:
        record_user_event(user, "user.updated", actor=actor, summary=changes)
    return user


def reset_password(user: User, *, actor: User) -> str:
    """Give the user a new random password that must be changed at the next login."""
    _require_admin(actor)
    password = generate_initial_password()
    user.set_password(password)
    user.must_change_password = True
    user.failed_logins = 0
    user.locked_until = None
    record_user_event(user, "user.password_reset", actor=actor)
    return password


def generate_initial_password() -> str:
    return secrets.token_urlsafe(12)


def list_users(*, actor: User, query: str = "", role: str = "") -> sa.Select:
    _require_admin(actor)
    stmt = sa.select(User).order_by(User.name_sort_key, User.username)
    if query:
        text = query.strip().lower()
        stmt = stmt.where(
            sa.or_(
                like_contains(sa.func.lower(User.username), text),
                like_contains(sa.func.lower(User.full_name), text),
            )
        )
    if role in {r.value for r in Role}:
        stmt = stmt.where(User.role == role)
    return stmt
