"""The published ranking read back: the board's query, the open-data and API records,
their version (an entity tag), one center's figures and its class history.

A published period is read from one revision's frozen rows (the latest unless another is
asked for), so the board, the CSV, the exports and the API show the same figures; a
period never published is read from its live snapshots (staff pages only)."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, defer

from ..assessments.models import AssessmentPeriod
from ..centers.models import Center
from ..extensions import db
from .models import PublishedRow, ResultRevision, ScoreSnapshot, SnapshotState
from .publication import period_status
from .revisions import latest_revision, latest_revision_ids


def _revision(period: AssessmentPeriod, revision: ResultRevision | None):
    return revision if revision is not None else latest_revision(period)


def _board_order(row: type[ScoreSnapshot] | type[PublishedRow]) -> tuple:
    """A ranking's order: by province, the ranked centers first, by rank, then by code."""
    return (Center.province_code, row.rank.is_(None), row.rank, Center.code)


def _filtered(
    stmt: sa.Select,
    row: type[ScoreSnapshot] | type[PublishedRow],
    *,
    level: str | None,
    classification: str | None,
    search_key: str | None,
    province_code: int | None,
) -> sa.Select:
    """``stmt`` (rows of ``row``'s table joined with their centers) narrowed by the board's
    filters, ranked first, then by code."""
    if province_code is not None:
        stmt = stmt.where(Center.province_code == province_code)
    if level:
        stmt = stmt.where(Center.level == level)
    if classification:
        stmt = stmt.where(row.classification == classification)
    if search_key:
        stmt = stmt.where(Center.search_key.contains(search_key, autoescape=True))
    return stmt.order_by(*_board_order(row))


def ranking_query(
    period: AssessmentPeriod,
    *,
    revision: ResultRevision | None = None,
    level: str | None = None,
    classification: str | None = None,
    search_key: str | None = None,
    province_code: int | None = None,
) -> sa.Select:
    """The rows of a period (its published revision's, else its live snapshots) joined
    with their centers, ranked first, then by code."""
    published = _revision(period, revision)
    row: type[ScoreSnapshot] | type[PublishedRow]
    if published is not None:
        row = PublishedRow
        stmt = (
            sa.select(PublishedRow)
            .join(Center, Center.id == PublishedRow.center_id)
            .options(contains_eager(PublishedRow.center))
            .where(PublishedRow.revision_id == published.id)
        )
    else:
        row = ScoreSnapshot
        stmt = (
            sa.select(ScoreSnapshot)
            .join(Center, Center.id == ScoreSnapshot.center_id)
            .options(
                contains_eager(ScoreSnapshot.center),
                # Not shown in a ranking (a center's page reads them): two JSON documents
                # fewer to parse per row, a quarter of the time for the whole country.
                defer(ScoreSnapshot.areas),
                defer(ScoreSnapshot.settings),
            )
            .where(ScoreSnapshot.period_id == period.id)
        )
    return _filtered(
        stmt,
        row,
        level=level,
        classification=classification,
        search_key=search_key,
        province_code=province_code,
    )


def ranking_rows(
    period: AssessmentPeriod, revision: ResultRevision | None = None
) -> list[ScoreSnapshot | PublishedRow]:
    return list(db.session.scalars(ranking_query(period, revision=revision)))


#: The columns of a published ranking, as :func:`snapshot_record` names them.
_RECORD_COLUMNS = (
    Center.code,
    Center.name,
    Center.level,
    ScoreSnapshot.compliance_self,
    ScoreSnapshot.compliance_verified,
    ScoreSnapshot.satisfaction_index,
    ScoreSnapshot.satisfaction_adjusted,
    ScoreSnapshot.csat,
    ScoreSnapshot.csat_wilson_lower,
    ScoreSnapshot.n_ratings,
    ScoreSnapshot.quality,
    ScoreSnapshot.classification.label("class"),
    ScoreSnapshot.rank,
    ScoreSnapshot.satisfaction_rank,
    ScoreSnapshot.standardized,
    ScoreSnapshot.state,
)


def ranking_version(period: AssessmentPeriod, revision: ResultRevision | None = None) -> str:
    """A validator of the period's published ranking (an HTTP entity tag): it changes with
    every revision (anything that changes a published figure writes one). A period never
    published: with any recompute, a center added or removed."""
    published = _revision(period, revision)
    if published is not None:
        text = f"{period.code}|r{published.id}|{published.number}|{published.status}"
        return hashlib.sha256(text.encode()).hexdigest()[:32]
    count, latest = db.session.execute(
        sa.select(sa.func.count(), sa.func.max(ScoreSnapshot.computed_at)).where(
            ScoreSnapshot.period_id == period.id
        )
    ).one()
    status = period_status(period)
    text = f"{period.code}|{count}|{latest}|{status.published_on}|{status.final}|{status.final_on}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def ranking_records(period: AssessmentPeriod, revision: ResultRevision | None = None) -> list[dict]:
    """Every center's published figures for ``period`` (the country's ranking, in the
    order of :func:`ranking_query`), as :func:`snapshot_record` dicts.

    A Core select of the columns a ranking shows: no ORM objects, for the open-data CSV
    and the API, which list all ~3,355 centers at once.
    """
    published = _revision(period, revision)
    if published is not None:
        rows = db.session.execute(
            sa.select(Center.code, Center.name, Center.level, PublishedRow.figures)
            .join(Center, Center.id == PublishedRow.center_id)
            .where(PublishedRow.revision_id == published.id)
            .order_by(*_board_order(PublishedRow))
        ).all()
        return [_record(r.code, r.name, r.level, r.figures) for r in rows]
    stmt = (
        sa.select(*_RECORD_COLUMNS)
        .join(Center, Center.id == ScoreSnapshot.center_id)
        .where(ScoreSnapshot.period_id == period.id)
        .order_by(*_board_order(ScoreSnapshot))
    )
    return [
        {**row, "under_appeal": row["state"] == SnapshotState.UNDER_APPEAL}
        for row in (dict(r) for r in db.session.execute(stmt).mappings())
    ]


#: The figures of a record, by their snapshot names (the record's name when it differs).
_RECORD_FIGURES = {
    "compliance_self": "compliance_self",
    "compliance_verified": "compliance_verified",
    "satisfaction_index": "satisfaction_index",
    "satisfaction_adjusted": "satisfaction_adjusted",
    "csat": "csat",
    "csat_wilson_lower": "csat_wilson_lower",
    "n_ratings": "n_ratings",
    "quality": "quality",
    "class": "classification",
    "rank": "rank",
    "satisfaction_rank": "satisfaction_rank",
    "standardized": "standardized",
    "state": "state",
}


def _record(code: str, name: str, level: str, figures) -> dict:
    get = figures.get if isinstance(figures, dict) else lambda k: getattr(figures, k)
    record = {"code": code, "name": name, "level": level}
    record.update({key: get(name) for key, name in _RECORD_FIGURES.items()})
    record["under_appeal"] = record["state"] == SnapshotState.UNDER_APPEAL
    return record


def snapshot_record(snapshot) -> dict:
    """One center's published figures (a snapshot or a published row), the same for the
    CSV and the API."""
    center = snapshot.center
    return _record(center.code, center.name, center.level, snapshot)


def snapshot_for(
    period: AssessmentPeriod, center: Center, revision: ResultRevision | None = None
) -> ScoreSnapshot | PublishedRow | None:
    """The center's figures in the period: its published revision's row, else (a period
    never published) its live snapshot."""
    published = _revision(period, revision)
    if published is not None:
        return db.session.scalar(
            sa.select(PublishedRow).where(
                PublishedRow.revision_id == published.id, PublishedRow.center_id == center.id
            )
        )
    return db.session.scalar(
        sa.select(ScoreSnapshot).where(
            ScoreSnapshot.period_id == period.id, ScoreSnapshot.center_id == center.id
        )
    )


def class_history(center: Center) -> list[tuple[AssessmentPeriod, PublishedRow]]:
    """The center's row in the latest revision of every published period, oldest first."""
    rows = db.session.execute(
        sa.select(AssessmentPeriod, PublishedRow)
        .join(ResultRevision, ResultRevision.period_id == AssessmentPeriod.id)
        .join(PublishedRow, PublishedRow.revision_id == ResultRevision.id)
        .where(PublishedRow.center_id == center.id, ResultRevision.id.in_(latest_revision_ids()))
        .order_by(AssessmentPeriod.opens_on)
    ).all()
    return [tuple(r) for r in rows]
