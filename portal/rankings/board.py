"""The published ranking read back: the board's query, the open-data and API records,
their version (an entity tag), one center's snapshot and its class history."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, defer

from ..assessments.models import AssessmentPeriod
from ..centers.models import Center
from ..extensions import db
from .models import ScoreSnapshot, ScoringSettings
from .publication import period_status


def ranking_query(
    period: AssessmentPeriod,
    *,
    level: str | None = None,
    classification: str | None = None,
    search_key: str | None = None,
    province_code: int | None = None,
) -> sa.Select:
    """The snapshots of a period joined with their centers, ranked first, then by code."""
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
    if province_code is not None:
        stmt = stmt.where(Center.province_code == province_code)
    if level:
        stmt = stmt.where(Center.level == level)
    if classification:
        stmt = stmt.where(ScoreSnapshot.classification == classification)
    if search_key:
        stmt = stmt.where(Center.search_key.contains(search_key, autoescape=True))
    return stmt.order_by(
        Center.province_code,
        ScoreSnapshot.rank.is_(None),
        ScoreSnapshot.rank,
        Center.code,
    )


def ranking_rows(period: AssessmentPeriod) -> list[ScoreSnapshot]:
    return list(db.session.scalars(ranking_query(period)))


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


def ranking_version(period: AssessmentPeriod) -> str:
    """A validator of the period's published ranking (an HTTP entity tag): it changes with
    any recompute (every snapshot written gets a new ``computed_at``), a center added or
    removed, and the publication or finality of the period. One indexed aggregate."""
    count, latest = db.session.execute(
        sa.select(sa.func.count(), sa.func.max(ScoreSnapshot.computed_at)).where(
            ScoreSnapshot.period_id == period.id
        )
    ).one()
    status = period_status(period)
    text = f"{period.code}|{count}|{latest}|{status.published_on}|{status.final}|{status.final_on}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def ranking_records(period: AssessmentPeriod) -> list[dict]:
    """Every center's published figures for ``period`` (the country's ranking, in the
    order of :func:`ranking_query`), as :func:`snapshot_record` dicts.

    A Core select of the columns a ranking shows: no ORM objects and no JSON documents,
    for the open-data CSV and the API, which list all ~3,355 centers at once.
    """
    stmt = (
        sa.select(*_RECORD_COLUMNS)
        .join(Center, Center.id == ScoreSnapshot.center_id)
        .where(ScoreSnapshot.period_id == period.id)
        .order_by(
            Center.province_code,
            ScoreSnapshot.rank.is_(None),
            ScoreSnapshot.rank,
            Center.code,
        )
    )
    return [dict(row) for row in db.session.execute(stmt).mappings()]


def snapshot_record(snapshot) -> dict:
    """One center's published figures, the same for the CSV and the API."""
    center = snapshot.center
    return {
        "code": center.code,
        "name": center.name,
        "level": center.level,
        "compliance_self": snapshot.compliance_self,
        "compliance_verified": snapshot.compliance_verified,
        "satisfaction_index": snapshot.satisfaction_index,
        "satisfaction_adjusted": snapshot.satisfaction_adjusted,
        "csat": snapshot.csat,
        "csat_wilson_lower": snapshot.csat_wilson_lower,
        "n_ratings": snapshot.n_ratings,
        "quality": snapshot.quality,
        "class": snapshot.classification,
        "rank": snapshot.rank,
        "satisfaction_rank": snapshot.satisfaction_rank,
        "standardized": snapshot.standardized,
        "state": snapshot.state,
    }


def snapshot_for(period: AssessmentPeriod, center: Center) -> ScoreSnapshot | None:
    return db.session.scalar(
        sa.select(ScoreSnapshot).where(
            ScoreSnapshot.period_id == period.id, ScoreSnapshot.center_id == center.id
        )
    )


def class_history(center: Center) -> list[tuple[AssessmentPeriod, ScoreSnapshot]]:
    """The center's snapshots in every published period, oldest first."""
    rows = db.session.execute(
        sa.select(AssessmentPeriod, ScoreSnapshot)
        .join(ScoreSnapshot, ScoreSnapshot.period_id == AssessmentPeriod.id)
        .join(ScoringSettings, ScoringSettings.period_id == AssessmentPeriod.id)
        .where(ScoreSnapshot.center_id == center.id, ScoringSettings.published_at.is_not(None))
        .order_by(AssessmentPeriod.opens_on)
    ).all()
    return [tuple(r) for r in rows]
