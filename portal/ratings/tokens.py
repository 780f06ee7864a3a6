"""Counter and kiosk tokens (the QR codes and short codes on posters): signing, resolving
to a rating target, telling an old poster from a forged link, and reprinting posters."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import event, orm

from ..audit import services as audit
from ..centers.models import Center, Counter, Officer
from ..extensions import db
from ..shared import qr
from ..shared.errors import PermissionDenied, PortalError
from ..shared.prepared import PreparedFamily
from .models import Channel, CounterQR, Receipt


def secret() -> str:
    return current_app.config["SECRET_KEY"]


class PublicUrlMissing(PortalError):
    """Production without ``PUBLIC_BASE_URL``: no QR code or receipt link can be issued."""


def public_base_url() -> str:
    """The public address printed in QR codes and receipt links, never the request's Host
    header (a client controls it). Raises :class:`PublicUrlMissing` in production when
    ``PUBLIC_BASE_URL`` is not set."""
    base = current_app.config.get("PUBLIC_BASE_URL") or current_app.config.get(
        "PUBLIC_BASE_URL_FALLBACK"
    )
    if not base:
        raise PublicUrlMissing(
            _(
                "The portal's public address (PUBLIC_BASE_URL) is not configured, so QR "
                "codes and receipt links cannot be issued. Ask the administrator to set it."
            )
        )
    return base.rstrip("/")


# Tokens ------------------------------------------------------------------------------------


@dataclass
class Target:
    """What a rating is about, resolved from a verified token."""

    channel: Channel
    center: Center | CenterRef
    counter: Counter | CounterRef | None = None
    officer: Officer | OfficerRef | None = None
    receipt: Receipt | None = None
    token: str = ""

    @property
    def target_id(self) -> int:
        if self.receipt is not None:
            return self.receipt.id
        assert self.counter is not None
        return self.counter.id


def counter_version(counter_id: int) -> int:
    row = db.session.get(CounterQR, counter_id)
    return row.version if row else 1


def counter_token(counter: Counter | CounterRef, *, kiosk: bool = False) -> str:
    return qr.sign(secret(), "k" if kiosk else "c", counter.id, counter_version(counter.id))


def counter_short_code(counter: Counter) -> str:
    return qr.short_code(secret(), counter.id, counter_version(counter.id))


def _counter_lookup(_dialect: str, with_officer: bool) -> sa.Executable:
    """Counter, its center, its poster version and (for a submission) its one active
    officer, in one statement: this runs on every rating page view and every POST."""
    columns = [
        Counter.id,
        Counter.number,
        Counter.field,
        Counter.is_active,
        sa.func.coalesce(CounterQR.version, 1),
        Center.id,
        Center.name,
        Center.province_code,
    ]
    if with_officer:
        active = sa.and_(Officer.counter_id == Counter.id, Officer.is_active.is_(True))
        columns += [
            sa.select(sa.func.count()).where(active).scalar_subquery(),
            sa.select(sa.func.min(Officer.id)).where(active).scalar_subquery(),
        ]
    return (
        sa.select(*columns)
        .join(Center, Center.id == Counter.center_id)
        .outerjoin(CounterQR, CounterQR.counter_id == Counter.id)
        .where(Counter.id == sa.bindparam("counter_id"))
    )


_COUNTER_LOOKUP = PreparedFamily(_counter_lookup)


@dataclass(frozen=True, slots=True)
class CenterRef:
    """The center of a counter token, as the counter lookup read it: what the rating
    page, the anomaly checks and the insert use, without an ORM object to build."""

    id: int
    name: str
    province_code: int


@dataclass(frozen=True, slots=True)
class CounterRef:
    id: int
    center_id: int
    number: int
    field: str


@dataclass(frozen=True, slots=True)
class OfficerRef:
    id: int


def _active_counter(
    counter_id: int, version: int, *, with_officer: bool = False
) -> tuple[CounterRef | None, CenterRef | None, OfficerRef | None]:
    """The counter and its center if the counter is active and ``version`` is its current
    poster version, and the officer assigned to it if exactly one (``with_officer``)."""
    row = _COUNTER_LOOKUP[with_officer].execute(counter_id=counter_id).first()
    if row is None:
        return None, None, None
    cid, number, field_name, is_active, current, center_id, center_name, province = row[:8]
    if not is_active or current != version:
        return None, None, None
    center = CenterRef(id=center_id, name=center_name, province_code=province)
    counter = CounterRef(id=cid, center_id=center_id, number=number, field=field_name)
    officer = OfficerRef(id=row[9]) if with_officer and row[8] == 1 else None
    return counter, center, officer


# The rating page's targets, per process --------------------------------------------------------

#: Per application (``app.extensions``): ``(counter id, poster version) → (valid until,
#: generation, counter, center)`` of tokens verified active, so the rating page (GET)
#: reads no database for a poster seen recently.
_PAGE_TARGETS_KEY = "rating_page_targets"
_PAGE_TARGETS_MAX = 20_000
_PAGE_TARGETS_LOCK = threading.Lock()
GENERATION_FILE = "rating-targets.generation"


_GENERATION_PATHS: dict[str, str] = {}


def _generation_path() -> str:
    instance = current_app.instance_path
    path = _GENERATION_PATHS.get(instance)
    if path is None:
        path = _GENERATION_PATHS[instance] = str(Path(instance) / GENERATION_FILE)
    return path


def targets_generation() -> int:
    """Bumped by :func:`forget_page_targets`; shared by the workers of one host (a file's
    modification time: one ``stat`` per rating page)."""
    try:
        return os.stat(_generation_path()).st_mtime_ns
    except OSError:
        return 0


def forget_page_targets() -> None:
    """Every worker of this host reads its counters again from the database: called after
    a commit that changed a counter, a center or a counter's posters."""
    if not has_app_context():
        return
    with _PAGE_TARGETS_LOCK:
        _page_targets().clear()
    path = Path(_generation_path())
    try:
        path.touch()
        now = time.time_ns()
        os.utime(path, ns=(now, max(now, path.stat().st_mtime_ns + 1)))
    except OSError:  # a read-only instance folder: the TTL still bounds the staleness
        pass


def _page_targets() -> dict[tuple[int, int], tuple[float, int, CounterRef, CenterRef]]:
    return current_app.extensions.setdefault(_PAGE_TARGETS_KEY, {})


def _page_target(counter_id: int, version: int) -> tuple[CounterRef | None, CenterRef | None]:
    now = time.monotonic()
    generation = targets_generation()
    targets = _page_targets()
    entry = targets.get((counter_id, version))
    if entry is not None and entry[0] > now and entry[1] == generation:
        return entry[2], entry[3]
    counter, center, _officer = _active_counter(counter_id, version)
    if counter is not None:
        ttl = float(current_app.config.get("RATING_PAGE_TARGET_SECONDS", 0))
        if ttl > 0:
            with _PAGE_TARGETS_LOCK:
                if len(targets) >= _PAGE_TARGETS_MAX:
                    targets.clear()
                targets[(counter_id, version)] = (now + ttl, generation, counter, center)
    return counter, center


def _watch_target_changes(session, _flush_context) -> None:
    """``after_flush``: remember that this transaction changed what a rating page shows."""
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Counter | Center | CounterQR):
            session.info["rating_targets_changed"] = True
            return


def _after_commit(session) -> None:
    if session.info.pop("rating_targets_changed", False):
        forget_page_targets()


def _after_rollback(session) -> None:
    session.info.pop("rating_targets_changed", None)


event.listen(orm.Session, "after_flush", _watch_target_changes)
event.listen(orm.Session, "after_commit", _after_commit)
event.listen(orm.Session, "after_soft_rollback", lambda s, _t: _after_rollback(s))


def resolve_counter_token(
    token: str, *, kiosk: bool = False, with_officer: bool = True, page: bool = False
) -> Target | None:
    """The target of a counter (or kiosk) token; ``with_officer=False`` skips the officer
    lookup, which only a submission needs (the page does not show it). ``page``: the
    rating page (GET) may use the per-process copy of a recently verified counter
    (:func:`_page_target`); a submission always reads the database."""
    values = qr.verify(secret(), token, "k" if kiosk else "c", arity=2)
    if values is None:
        return None
    if page and not with_officer:
        counter, center = _page_target(*values)
        officer = None
    else:
        # Attribute the rating to the officer assigned to the counter, if exactly one.
        counter, center, officer = _active_counter(*values, with_officer=with_officer)
    if counter is None:
        return None
    return Target(
        channel=Channel.KIOSK if kiosk else Channel.COUNTER_QR,
        center=center,
        counter=counter,
        officer=officer,
        token=token,
    )


def resolve_short_code(code: str) -> str | None:
    """The counter token for a typed short code, or ``None``."""
    parsed = qr.parse_short_code(code)
    if parsed is None:
        return None
    counter_id, _mac = parsed
    version = counter_version(counter_id)
    if not qr.verify_short_code(secret(), code, counter_id, version):
        return None
    counter, _center, _officer = _active_counter(counter_id, version)
    return counter_token(counter) if counter else None


def short_code_replaced(code: str) -> bool:
    """Whether ``code`` is the genuine short code of one of its counter's last 50 posters
    before the current one (a bounded loop: this runs on an anonymous lookup)."""
    parsed = qr.parse_short_code(code)
    if parsed is None:
        return False
    counter_id, _mac = parsed
    current = counter_version(counter_id)
    return any(
        qr.verify_short_code(secret(), code, counter_id, version)
        for version in range(max(1, current - 50), current)
    )


class TokenProblem:
    """Why a counter or kiosk token opens no rating form."""

    REPLACED = "replaced"  # genuine, but the counter's posters were reprinted since
    RETIRED = "retired"  # genuine, but the counter no longer takes ratings
    UNKNOWN = "unknown"  # forged, mistyped or of a counter that does not exist


def counter_token_problem(token: str, *, kiosk: bool = False) -> str:
    """Tell an old poster (valid signature of an older version) from a forged link."""
    values = qr.verify(secret(), token, "k" if kiosk else "c", arity=2)
    if values is None:
        return TokenProblem.UNKNOWN
    counter_id, version = values
    row = db.session.execute(
        sa.select(Counter.is_active, CounterQR.version)
        .outerjoin(CounterQR, CounterQR.counter_id == Counter.id)
        .where(Counter.id == counter_id)
    ).first()
    if row is None:
        return TokenProblem.UNKNOWN
    is_active, current = row
    if version < (current or 1):
        return TokenProblem.REPLACED
    if not is_active:
        return TokenProblem.RETIRED
    return TokenProblem.UNKNOWN


def _require_manager(actor, center: Center) -> None:
    from ..accounts.permissions import can_manage_center

    if actor is None or not can_manage_center(actor, center):
        raise PermissionDenied(_("You are not allowed to change this center."))


def revoke_counter_posters(counter: Counter, *, actor) -> int:
    """Reprint: bump the poster version so every older poster and short code stops working."""
    _require_manager(actor, counter.center)
    row = db.session.get(CounterQR, counter.id)
    if row is None:
        row = CounterQR(counter_id=counter.id, version=2)
        db.session.add(row)
    else:
        row.version += 1
    db.session.flush()
    audit.record(
        actor=actor,
        action="qr.posters_revoked",
        object_type="counter",
        object_id=counter.id,
        center_id=counter.center_id,
        summary={"version": [row.version - 1, row.version]},
    )
    return row.version
