"""Snapshots: rollups, verified results and settings → every figure of a period, stored.

Every figure goes through ``scoring.rules`` (never a formula of its own here) and is
stored as shown: scores with two decimals, CSAT and its Wilson bound as fractions
with four (a percentage with two decimals). Ranks and classes are taken on the
stored values, so anyone can recompute a published ranking from the open data.

Decisions (PRODUCT.md §6, documented on the methodology page):
- an area whose criteria are all N/A has no score; its weight is spread over the
  other areas (``rules.compliance``);
- a mandatory gate answered N/A does not block the standardized status;
- when the province has no reportable rating at all, S̄ is undefined, S_adj is
  empty and Q is C_verified alone;
- a period's satisfaction counts the reportable ratings from its first day to its
  last, also after a provisional publication: the public board does not drift, because
  it reads the published revision's frozen rows (``revisions``), and a recompute that
  changes a figure of a published period writes its next revision.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, selectinload

from ..assessments.models import Assessment, AssessmentPeriod
from ..audit import services as audit
from ..centers.models import Center
from ..extensions import db
from ..inspections import services as inspection_services
from ..inspections.models import AppealStatus, Inspection, InspectionStatus, ResultState
from ..ratings.models import RollupScope
from ..ratings.services import rollup_counts
from ..scoring import rules
from ..shared.timeutils import local_day, now_utc, today_local
from .models import RevisionReason, ScoreSnapshot, ScoringSettings, SnapshotState
from .revisions import revise_if_changed
from .satisfaction import ZERO
from .scoring_settings import settings_for


def _show(value: float | None, digits: int = 2) -> float | None:
    """A figure as stored and shown (half up, in decimal arithmetic)."""
    if value is None:
        return None
    if digits == 2:
        return float(rules.shown(value))
    # A fraction with four decimals is a percentage with two: 0.87655 → 87.66 % → 0.8766.
    return float(rules.shown(Decimal(repr(float(value))) * 100) / 100)


def period_window(period: AssessmentPeriod, settings: ScoringSettings) -> tuple[date, date]:
    """The days whose ratings count: the whole period, through its last day (a publication
    does not cut it; ``settings`` is kept for the callers)."""
    return period.opens_on, max(period.closes_on, period.opens_on)


def _verified_inspections(period: AssessmentPeriod) -> dict[int, Inspection]:
    # The assessment and the appeals come with the inspection (``_state`` reads both):
    # two queries for the whole country instead of two per center.
    rows = db.session.scalars(
        sa.select(Inspection)
        .join(Assessment, Assessment.id == Inspection.assessment_id)
        .options(contains_eager(Inspection.assessment), selectinload(Inspection.appeals))
        .where(
            Assessment.period_id == period.id,
            Inspection.status.in_([InspectionStatus.FINALIZED, InspectionStatus.UNDER_APPEAL]),
            Inspection.verified_score.is_not(None),
        )
    ).all()
    return {i.assessment.center_id: i for i in rows}


def _state(inspection: Inspection | None, today: date) -> tuple[SnapshotState, date | None]:
    if inspection is None:
        return SnapshotState.NOT_VERIFIED, None
    state = inspection_services.result_state(inspection, today)
    if state == ResultState.UNDER_APPEAL:
        return SnapshotState.UNDER_APPEAL, None
    if state == ResultState.PROVISIONAL:
        return SnapshotState.PROVISIONAL, None
    decided = [
        a.decided_at
        for a in inspection.appeals
        if a.status == AppealStatus.DECIDED and a.decided_at
    ]
    if decided:
        return SnapshotState.FINAL, local_day(max(decided))
    if inspection.appeal_until is not None:
        return SnapshotState.FINAL, inspection.appeal_until + timedelta(days=1)
    return SnapshotState.FINAL, None


def settings_record(settings: ScoringSettings) -> dict:
    return settings.as_dict()


def compute_figures(
    period: AssessmentPeriod,
    settings: ScoringSettings,
    *,
    today: date | None = None,
    counts_source: Callable[..., Mapping[int, tuple]] | None = None,
) -> dict[int, dict]:
    """Every snapshot figure per center id, through ``scoring.rules``.

    ``counts_source(center_ids, start, end)`` gives the counts per score 1–5 per center;
    the default reads the rollups (``bench/scale.py`` passes one over raw ratings, to
    check that both give the same ranking).
    """
    today = today or today_local()
    start, end = period_window(period, settings)
    centers = db.session.scalars(sa.select(Center).order_by(Center.code)).all()
    if counts_source is None:
        counts = rollup_counts(RollupScope.CENTER, [c.id for c in centers], start, end)
    else:
        counts = counts_source([c.id for c in centers], start, end)
    inspections = _verified_inspections(period)
    version = period.standard_version.version
    used = settings_record(settings)
    pooled: dict[int, float | None] = {}
    for province in {c.province_code for c in centers}:
        pooled[province] = rules.pooled_index(
            counts.get(c.id, ZERO) for c in centers if c.province_code == province
        )
    out: dict[int, dict] = {}
    for c in centers:
        sat = rules.satisfaction(counts.get(c.id, ZERO))
        s_bar = _show(pooled[c.province_code])
        s_adj = _show(
            rules.adjusted_index(sat.n, sat.index, pooled[c.province_code], settings.prior_weight)
        )
        inspection = inspections.get(c.id)
        state, final_on = _state(inspection, today)
        row = {
            "state": str(state),
            "final_on": final_on,
            "compliance_self": None,
            "compliance_verified": None,
            "areas": {},
            "gates_ok": None,
            "standardized": False,
            "n_ratings": sat.n,
            "counts": list(sat.counts),
            "csat": _show(sat.csat, 4),
            "csat_wilson_lower": _show(sat.wilson_lower, 4),
            "satisfaction_index": _show(sat.index),
            "pooled_index": s_bar,
            "satisfaction_adjusted": s_adj,
            "quality": None,
            "classification": None,
            "rank": None,
            "satisfaction_rank": None,
            "settings": used,
            "standard_version": version,
            "_province": c.province_code,
            "_code": c.code,
        }
        if inspection is not None:
            verified = _show(inspection.verified_score)
            q = rules.quality(
                verified,
                s_adj,
                compliance_weight=settings.compliance_weight,
                satisfaction_weight=settings.satisfaction_weight,
            )
            areas = (inspection.result or {}).get("areas", {})
            row.update(
                compliance_self=_show(inspection.self_score),
                compliance_verified=verified,
                areas={
                    code: [_show(None if v is None else v * 100) for v in pair]
                    for code, pair in sorted(areas.items())
                },
                gates_ok=bool(inspection.gates_ok),
                standardized=rules.is_standardized(
                    gates_ok=bool(inspection.gates_ok),
                    compliance_verified=verified,
                    threshold=settings.standardized_threshold,
                ),
                quality=q,
                classification=str(rules.classify(q, settings.thresholds)),
            )
        out[c.id] = row
    for province in pooled:
        rows = [r for r in out.values() if r["_province"] == province]
        inputs = [
            rules.RankInput(
                r["_code"],
                r["quality"],
                r["compliance_verified"],
                r["n_ratings"],
                r["csat_wilson_lower"],
            )
            for r in rows
        ]
        overall = rules.overall_ranking(inputs)
        by_satisfaction = rules.satisfaction_ranking(inputs, min_n=settings.min_n)
        for r in rows:
            r["rank"] = overall.get(r["_code"])
            r["satisfaction_rank"] = by_satisfaction.get(r["_code"])
    return out


@dataclass
class Change:
    center_code: str
    fields: dict = field(default_factory=dict)  # name -> [old, new]
    created: bool = False


def _same(old, new) -> bool:
    if isinstance(old, float) and isinstance(new, float):
        return math.isclose(old, new, rel_tol=0, abs_tol=1e-9)
    if isinstance(old, tuple):
        old = list(old)
    return old == new


def recompute_snapshots(
    period: AssessmentPeriod,
    *,
    actor,
    progress: Callable[[int], None] | None = None,
    today: date | None = None,
    reason: RevisionReason | None = RevisionReason.RECOMPUTE,
    detail: str = "",
) -> list[Change]:
    """Store the period's figures; return what changed (nothing on a second run).

    A published period whose figures changed gets its next revision (``reason``); the
    publication itself passes ``reason=None`` and writes its own."""
    settings = settings_for(period)
    figures = compute_figures(period, settings, today=today)
    existing = {
        s.center_id: s
        for s in db.session.scalars(
            sa.select(ScoreSnapshot).where(ScoreSnapshot.period_id == period.id)
        )
    }
    changes: list[Change] = []
    for center_id, row in figures.items():
        snapshot = existing.get(center_id)
        change = Change(row["_code"])
        if snapshot is None:
            snapshot = ScoreSnapshot(period_id=period.id, center_id=center_id)
            db.session.add(snapshot)
            change.created = True
        for name in ScoreSnapshot.FIGURES:
            old = None if change.created else getattr(snapshot, name)
            if change.created or not _same(old, row[name]):
                change.fields[name] = [old, row[name]]
                setattr(snapshot, name, row[name])
        if change.fields:
            snapshot.computed_at = now_utc()
            changes.append(change)
        if progress is not None:
            progress(1)
    db.session.flush()
    if changes:
        audit.record(
            actor=actor,
            action="scores.recompute",
            object_type="period",
            object_id=period.code,
            summary={
                "changed": len(changes),
                "centers": [c.center_code for c in changes[:50]],
            },
        )
        if reason is not None:
            revise_if_changed(period, reason=reason, actor=actor, detail=detail, today=today)
    return changes


def has_snapshots(period: AssessmentPeriod) -> bool:
    return (
        db.session.scalar(
            sa.select(ScoreSnapshot.id).where(ScoreSnapshot.period_id == period.id).limit(1)
        )
        is not None
    )


#: The ``reason`` an inspection sends with ``inspection_result_changed``.
_SIGNAL_REASONS = {
    "finalized": RevisionReason.FINALIZED,
    "appeal_filed": RevisionReason.APPEAL_FILED,
    "appeal_decided": RevisionReason.APPEAL_DECIDED,
}


def on_inspection_result_changed(
    inspection: Inspection, *, actor=None, reason: str | None = None, **_kwargs
) -> None:
    """Finalization, an appeal filed or decided: keep a scored period's snapshots up to
    date (and a published one's revisions)."""
    period = inspection.assessment.period
    if has_snapshots(period):
        center = inspection.assessment.center
        recompute_snapshots(
            period,
            actor=actor,
            reason=_SIGNAL_REASONS.get(reason or "", RevisionReason.RECOMPUTE),
            detail=f"{center.code} {center.name}",
        )


def worked_example() -> dict:
    """The methodology page's example, computed at render time by the same rules."""
    counts = (2, 3, 5, 20, 10)
    sat = rules.satisfaction(counts)
    pooled = 72.5
    m = rules.DEFAULT_MIN_N
    s_adj = rules.adjusted_index(sat.n, sat.index, pooled, m)
    area_scores = {"nhan_luc": 0.9, "quy_trinh": 0.8}
    weights = {"nhan_luc": 60.0, "quy_trinh": 40.0}
    c_verified = rules.compliance(area_scores, {k: v / 100 for k, v in weights.items()})
    q = rules.quality(c_verified, s_adj)
    return {
        "counts": counts,
        "n": sat.n,
        "csat": _show(sat.csat, 4),
        "wilson": _show(sat.wilson_lower, 4),
        "index": _show(sat.index),
        "pooled": pooled,
        "m": m,
        "s_adj": _show(s_adj),
        "areas": area_scores,
        "weights": weights,
        "c_verified": _show(c_verified),
        "q": q,
        "classification": str(rules.classify(q)),
        "boundary_q": rules.quality(86.1, 99.1),
        "boundary_class": str(rules.classify(rules.quality(86.1, 99.1))),
    }
