"""The audit log as sentences, for its browsing page (administrators, ``admin.audit_log``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, time

import sqlalchemy as sa
from flask_babel import gettext as _

from ..accounts.models import User
from ..audit import sentences
from ..audit.models import AuditEntry
from ..centers.models import Center, Counter, Officer
from ..extensions import db
from ..shared.timeutils import DISPLAY_TZ


def local_midnight_utc(day) -> datetime:
    """Start of ``day`` in Vietnam, as the naive UTC datetime stored in the database."""
    return datetime.combine(day, time.min, tzinfo=DISPLAY_TZ).astimezone(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Line:
    entry: AuditEntry
    sentence: str
    changes: list[sentences.Change]


def _ids(entries, object_type: str, field: str) -> set[int]:
    out: set[int] = set()
    for e, summary in entries:
        if e.object_type == object_type and e.object_id and e.object_id.isdigit():
            out.add(int(e.object_id))
        value = summary.get(field)
        for v in value if isinstance(value, list) else [value]:
            for x in v if isinstance(v, list) else [v]:
                if isinstance(x, int):
                    out.add(x)
    return out


def _names(entries) -> sentences.Names:
    """Look up, in four queries, the names a page of entries refers to."""
    names = sentences.Names()
    center_ids = {e.center_id for e, _s in entries if e.center_id} | _ids(
        entries, "center", "center_id"
    )
    for _e, summary in entries:
        for v in summary.get("scope_center_ids") or []:
            if isinstance(v, list):
                center_ids.update(x for x in v if isinstance(x, int))
    if center_ids:
        rows = db.session.execute(
            sa.select(Center.id, Center.code, Center.name).where(Center.id.in_(center_ids))
        )
        names.centers = {i: f"{name} ({code})" for i, code, name in rows}
    user_ids = _ids(entries, "user", "_none")
    if user_ids:
        rows = db.session.execute(sa.select(User.id, User.username).where(User.id.in_(user_ids)))
        names.users = {i: v for i, v in rows}
    officer_ids = _ids(entries, "officer", "officer_id")
    if officer_ids:
        rows = db.session.execute(
            sa.select(Officer.id, Officer.full_name).where(Officer.id.in_(officer_ids))
        )
        names.officers = {i: v for i, v in rows}
    counter_ids = _ids(entries, "counter", "counter_id")
    if counter_ids:
        rows = db.session.execute(
            sa.select(Counter.id, Counter.number).where(Counter.id.in_(counter_ids))
        )
        names.counters = {i: _("counter %(n)d", n=n) for i, n in rows}
    return names


def _object(entry: AuditEntry, names: sentences.Names) -> str:
    oid = entry.object_id
    looked_up = None
    if oid and oid.isdigit():
        looked_up = {
            "user": names.users,
            "officer": names.officers,
            "counter": names.counters,
        }.get(entry.object_type, {}).get(int(oid))
        if entry.object_type == "center":
            looked_up = names.centers.get(int(oid))
        if entry.object_type == "province":
            looked_up = _("province %(code)s", code=oid)
    if entry.object_type == "holiday" and oid:
        looked_up = sentences.format_value("day", oid)
    return sentences.object_name(
        entry.object_type, oid, looked_up, with_type=not sentences.is_known(entry.action)
    )


def lines(items) -> list[Line]:
    parsed = [(e, json.loads(e.summary or "{}")) for e in items]
    names = _names(parsed)
    lines = []
    for entry, summary in parsed:
        sentence = sentences.describe(
            entry.action,
            actor=sentences.actor_name(entry.actor_label),
            obj=_object(entry, names),
            center=names.centers.get(entry.center_id) if entry.center_id else None,
        )
        lines.append(Line(entry, sentence, sentences.changes(summary, names)))
    return lines
