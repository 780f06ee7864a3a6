"""Writing to and verifying the audit chain.

Every feature records its changes with :func:`record` inside the transaction
that makes the change, so the log and the data commit or roll back together.
Summaries hold field names and non-personal values only: personal fields
(names, e-mail addresses, phone numbers) are recorded as ``"changed"``.

Each entry is also sealed with an HMAC under the audit key (``AUDIT_KEY``, or a key
derived from ``SECRET_KEY``), which lives outside the database: someone with write
access to the database alone can re-hash the chain but cannot re-seal it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa
from flask import current_app, g, has_request_context
from sqlalchemy import orm

from ..extensions import db
from ..shared import crypto
from ..shared.timeutils import now_utc
from .models import GENESIS_HASH, AuditEntry, AuditHead

REDACTED = "changed"


class Actor(Protocol):
    id: int

    @property
    def audit_label(self) -> str: ...


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def compute_hash(
    *,
    prev_hash: str,
    created_at: datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str | None,
    center_id: int | None,
    summary: str,
    request_id: str | None = None,
) -> str:
    fields = [
        prev_hash,
        created_at.isoformat(timespec="microseconds"),
        actor_id,
        actor_label,
        action,
        object_type,
        object_id,
        center_id,
        summary,
    ]
    if request_id is not None:  # entries written before request ids hash as they did
        fields.append(request_id)
    payload = json.dumps(
        fields,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def diff(
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    *,
    personal: Iterable[str] = (),
) -> dict[str, Any]:
    """Summarise a change as ``{field: [old, new]}``, hiding personal values."""
    personal = set(personal)
    before = dict(before or {})
    after = dict(after or {})
    out: dict[str, Any] = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if key in personal:
            out[key] = REDACTED
        else:
            out[key] = [_canonical(old), _canonical(new)]
    return out


def audit_key() -> bytes:
    """The sealing key: ``AUDIT_KEY`` if set, else derived from ``SECRET_KEY``."""
    configured = current_app.config.get("AUDIT_KEY")
    return crypto.derive_key(configured or current_app.config["SECRET_KEY"], b"audit-chain")


def entry_mac(entry_hash: str, key: bytes) -> str:
    return hmac.new(key, entry_hash.encode("ascii"), hashlib.sha256).hexdigest()


def head_mac(last_entry_id: int, last_hash: str, count: int, key: bytes) -> str:
    message = f"head:{last_entry_id}:{last_hash}:{count}".encode("ascii")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def current_request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


def _lock_head(session: orm.Session) -> AuditHead:
    stmt = sa.select(AuditHead).where(AuditHead.id == 1)
    if session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    head = session.scalars(stmt).one_or_none()
    if head is None:
        head = AuditHead(id=1, last_entry_id=0, last_hash=GENESIS_HASH, count=0)
        session.add(head)
        session.flush()
    return head


def _content_hash(entry: AuditEntry) -> str:
    """The hash of ``entry``'s content and link: what its ``hash`` must be."""
    return compute_hash(
        prev_hash=entry.prev_hash,
        created_at=entry.created_at,
        actor_id=entry.actor_id,
        actor_label=entry.actor_label,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        center_id=entry.center_id,
        summary=entry.summary,
        request_id=entry.request_id,
    )


def record(
    *,
    actor: Actor | None,
    action: str,
    object_type: str,
    object_id: Any = None,
    center_id: int | None = None,
    summary: Mapping[str, Any] | None = None,
    session: orm.Session | None = None,
) -> AuditEntry:
    """Append one entry to the chain in the current transaction (flushes, never commits).

    ``session`` defaults to the request's session; the security-event recorder passes
    its own short-lived one.
    """
    session = session if session is not None else db.session
    head = _lock_head(session)
    created_at = now_utc()
    summary_json = json.dumps(dict(summary or {}), ensure_ascii=False, sort_keys=True, default=str)
    actor_id = actor.id if actor is not None else None
    actor_label = actor.audit_label if actor is not None else "system"
    oid = None if object_id is None else str(object_id)
    request_id = current_request_id()
    entry = AuditEntry(
        created_at=created_at,
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        object_type=object_type,
        object_id=oid,
        center_id=center_id,
        summary=summary_json,
        request_id=request_id,
        prev_hash=head.last_hash,
    )
    key = audit_key()
    entry.hash = _content_hash(entry)
    entry.mac = entry_mac(entry.hash, key)
    session.add(entry)
    session.flush()
    head.last_entry_id = entry.id
    head.last_hash = entry.hash
    head.count = (head.count or 0) + 1
    head.mac = head_mac(head.last_entry_id, head.last_hash, head.count, key)
    return entry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_entry_id: int | None = None
    reason: str = ""


FORGED = "seal does not match: entry forged or re-hashed without the audit key"
UNSEALED = "entry has no seal (run `flask audit seal` once after upgrading)"


def record_about(
    row: Any,
    object_type: str,
    action: str,
    *,
    actor: Actor | None,
    summary: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """:func:`record` about ``row``, a row of a center (it has ``id`` and ``center_id``):
    the object and the center's trail come from the row."""
    return record(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=row.id,
        center_id=row.center_id,
        summary=summary,
    )


def verify_chain(*, batch_size: int = 5000, progress=None) -> VerifyResult:
    """Walk the chain in id order; report the first entry whose link, hash or seal fails."""
    key = audit_key()
    expected_prev = GENESIS_HASH
    checked = 0
    last_id = 0
    while True:
        rows = db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.id > last_id)
            .order_by(AuditEntry.id)
            .limit(batch_size)
        ).all()
        if not rows:
            break
        for entry in rows:
            if entry.prev_hash != expected_prev:
                return VerifyResult(False, checked, entry.id, "previous entry missing or altered")
            if _content_hash(entry) != entry.hash:
                return VerifyResult(False, checked, entry.id, "entry content altered")
            if entry.mac is None:
                return VerifyResult(False, checked, entry.id, UNSEALED)
            if not hmac.compare_digest(entry.mac, entry_mac(entry.hash, key)):
                return VerifyResult(False, checked, entry.id, FORGED)
            expected_prev = entry.hash
            checked += 1
            last_id = entry.id
            if progress is not None:
                progress(1)
        db.session.expire_all()
    head = db.session.get(AuditHead, 1)
    head_hash = head.last_hash if head else GENESIS_HASH
    head_count = head.count if head else 0
    if head_hash != expected_prev or head_count != checked:
        return VerifyResult(
            False,
            checked,
            (head.last_entry_id if head else None),
            "newest entries missing (head does not match the chain)",
        )
    if head is not None and not hmac.compare_digest(
        head.mac or "", head_mac(head.last_entry_id, head.last_hash, head.count, key)
    ):
        return VerifyResult(False, checked, head.last_entry_id, "head " + FORGED)
    return VerifyResult(True, checked)


def seal_unsealed() -> int:
    """Seal the entries written before seals existed, once, after checking their hashes.

    Refuses (returns -1) when the chain is broken for another reason than missing seals:
    sealing must never bless tampered history.
    """
    key = audit_key()
    expected_prev = GENESIS_HASH
    sealed = 0
    for entry in db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)):
        if entry.prev_hash != expected_prev or _content_hash(entry) != entry.hash:
            return -1
        if entry.mac is None:
            entry.mac = entry_mac(entry.hash, key)
            sealed += 1
        elif not hmac.compare_digest(entry.mac, entry_mac(entry.hash, key)):
            return -1
        expected_prev = entry.hash
    head = _lock_head(db.session)
    if head.last_hash != expected_prev:
        return -1
    head.mac = head_mac(head.last_entry_id, head.last_hash, head.count, key)
    return sealed


def entry_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) or 0


def search_entries(
    *,
    action: str = "",
    object_type: str = "",
    actor_prefix: str = "",
    center_id: int | None = None,
    date_from: datetime | None = None,
    date_to: datetime | None = None,
) -> sa.Select:
    """Newest first. Dates are UTC bounds (``date_to`` exclusive)."""
    stmt = sa.select(AuditEntry).order_by(AuditEntry.id.desc())
    if action:
        stmt = stmt.where(AuditEntry.action.startswith(action, autoescape=True))
    if object_type:
        stmt = stmt.where(AuditEntry.object_type == object_type)
    if actor_prefix:
        stmt = stmt.where(AuditEntry.actor_label.startswith(actor_prefix, autoescape=True))
    if center_id is not None:
        stmt = stmt.where(AuditEntry.center_id == center_id)
    if date_from is not None:
        stmt = stmt.where(AuditEntry.created_at >= date_from)
    if date_to is not None:
        stmt = stmt.where(AuditEntry.created_at < date_to)
    return stmt
