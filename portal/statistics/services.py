"""Writing imported months (replace, audited) and reading the dossier figures back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from ..audit import services as audit
from ..extensions import db
from .importers import DossierRow, IndexRow
from .models import INDEX_GROUPS, DossierStat, ServiceIndex


@dataclass(frozen=True)
class ImportResult:
    rows: int
    replaced: int
    centers: int
    months: int


def _replace_months(model, rows) -> tuple[set[tuple[int, date]], int]:
    """Delete ``model``'s rows of the (center, month) pairs in ``rows``: a file replaces the
    months it holds. The pairs, and how many rows were deleted."""
    pairs = {(r.center.id, r.month) for r in rows}
    replaced = 0
    for center_id, month in pairs:
        replaced += db.session.execute(
            sa.delete(model).where(model.center_id == center_id, model.month == month)
        ).rowcount
    return pairs, replaced


def _imported(action: str, rows, pairs, replaced: int, actor, source: str, api_key=None):
    """Flush the new rows, audit the import and say what it did."""
    db.session.flush()
    result = ImportResult(
        len(rows), replaced, len({p[0] for p in pairs}), len({p[1] for p in pairs})
    )
    _audit(action, actor, source, result, api_key)
    return result


def import_dossiers(rows: list[DossierRow], *, actor, source: str, api_key=None) -> ImportResult:
    """Replace the months of the file for its centers by the file's figures (one transaction;
    the caller commits). ``actor`` is the user, or ``None`` with the ``api_key`` used."""
    pairs, replaced = _replace_months(DossierStat, rows)
    user_id = actor.id if actor is not None else None
    db.session.add_all(
        DossierStat(
            center_id=r.center.id,
            counter_id=r.counter.id if r.counter else None,
            month=r.month,
            received=r.received,
            on_time=r.on_time,
            late=r.late,
            returned=r.returned,
            online=r.online,
            source=source[:200],
            imported_by_id=user_id,
        )
        for r in rows
    )
    return _imported("statistics.dossiers_imported", rows, pairs, replaced, actor, source, api_key)


def import_index(rows: list[IndexRow], *, actor, source: str) -> ImportResult:
    pairs, replaced = _replace_months(ServiceIndex, rows)
    user_id = actor.id if actor is not None else None
    db.session.add_all(
        ServiceIndex(
            center_id=r.center.id,
            month=r.month,
            total=r.total,
            source=source[:200],
            imported_by_id=user_id,
            **{k: r.values.get(k) for k, _max in INDEX_GROUPS},
        )
        for r in rows
    )
    return _imported("statistics.index_imported", rows, pairs, replaced, actor, source)


def _audit(action: str, actor, source: str, result: ImportResult, api_key=None) -> None:
    audit.record(
        actor=actor,
        action=action,
        object_type="statistics",
        object_id=None,
        summary={
            "source": source[:200],
            "rows": result.rows,
            "replaced": result.replaced,
            "centers": result.centers,
            "months": result.months,
            "api_key": api_key.audit_label if api_key is not None else None,
        },
    )


@dataclass(frozen=True)
class DossierTotals:
    received: int
    on_time: int
    late: int
    returned: int
    online: int
    months: int
    source: str
    imported_at: object

    @property
    def settled(self) -> int:
        return self.on_time + self.late

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.settled if self.settled else None

    @property
    def online_share(self) -> float | None:
        return self.online / self.received if self.received else None


def center_totals(center_id: int, start: date, end: date) -> DossierTotals | None:
    """A center's dossiers over the months touching ``[start, end]``, with the latest source."""
    t = DossierStat
    first = start.replace(day=1)
    row = db.session.execute(
        sa.select(
            sa.func.sum(t.received),
            sa.func.sum(t.on_time),
            sa.func.sum(t.late),
            sa.func.sum(t.returned),
            sa.func.sum(t.online),
            sa.func.count(sa.distinct(t.month)),
            sa.func.max(t.imported_at),
        ).where(t.center_id == center_id, t.month >= first, t.month <= end)
    ).one()
    if not row[5]:
        return None
    source = db.session.scalar(
        sa.select(t.source)
        .where(t.center_id == center_id, t.month >= first, t.month <= end)
        .order_by(t.imported_at.desc(), t.id.desc())
        .limit(1)
    )
    return DossierTotals(*(int(x or 0) for x in row[:6]), source or "", row[6])
