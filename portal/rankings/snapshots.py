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

import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, selectinload

from ..assessments import services as checklist
from ..assessments.models import Assessment, AssessmentPeriod, AssessmentStatus
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


def _show(value: rules.Number | None, digits: int = 2) -> float | None:
    """A figure as stored and shown, rounded once, half up, from its exact value.

    Two decimals for scores; four for a fraction (a percentage with two: 0.87655 → 0.8766).
    """
    if value is None:
        return None
    return float(rules.round_half_up(value, digits))


def _text(value: rules.Number | None) -> str | None:
    """An exact figure for the snapshot's ``exact`` record: a fraction "p/q", or the
    Wilson bound's decimal digits."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return str(value)
    return str(rules.exact(value))


def exact_value(text: str | None) -> rules.Number | None:
    """Read back a figure of ``ScoreSnapshot.exact``."""
    if text is None:
        return None
    return Fraction(text) if "/" in text or "." not in text else Decimal(text)


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


@dataclass(frozen=True)
class GateCriterion:
    code: str
    area: str
    points: float
    mandatory: bool


def standard_criteria(period: AssessmentPeriod) -> tuple[list[GateCriterion], dict[str, float]]:
    """The criteria (code, area, points, gate) and area weights of the period's standard."""
    version = period.standard_version
    criteria = [
        GateCriterion(c.code, c.area.code, c.points, bool(c.mandatory)) for c in version.criteria
    ]
    return criteria, version.weights()


@dataclass(frozen=True)
class ExactCompliance:
    self_score: rules.Number | None
    verified: rules.Number | None
    failed_gates: list[str]


def exact_compliance(
    inspection: Inspection, criteria: list[GateCriterion], weights: dict[str, float]
) -> ExactCompliance:
    """C_self and C_verified exactly, from the criterion fractions of the verified result,
    and the mandatory gates not met.

    A result stored without its criteria (an import of figures only) falls back to the
    stored, unrounded C.
    """
    fractions = (inspection.result or {}).get("criteria") or {}
    if not fractions or any(c.code not in fractions for c in criteria):
        return ExactCompliance(inspection.self_score, inspection.verified_score, [])
    self_score, verified = _exact_scores(
        tuple(criteria),
        tuple(tuple(fractions[c.code][:2]) for c in criteria),
        tuple(sorted(weights.items())),
    )
    failed = [
        c.code
        for c in criteria
        if c.mandatory and fractions[c.code][1] is not None and fractions[c.code][1] < 1
    ]
    return ExactCompliance(self_score, verified, failed)


@functools.lru_cache(maxsize=65536)
def _exact_scores(
    criteria: tuple[GateCriterion, ...],
    fractions: tuple[tuple[float | None, float | None], ...],
    weights: tuple[tuple[str, float], ...],
) -> tuple[Fraction | None, Fraction | None]:
    """C_self and C_verified of one result: a pure function of its criterion fractions, so
    memoized per process. A year's page ranks every center of the province and recomputed
    each of their results exactly (Fractions, 3 ms each) on every request."""
    scores = []
    for side in (0, 1):
        scored = [
            rules.ScoredCriterion(c.area, c.points, pair[side], c.mandatory)
            for c, pair in zip(criteria, fractions, strict=True)
        ]
        scores.append(rules.compliance_exact(rules.area_scores_exact(scored), dict(weights)))
    return scores[0], scores[1]


def figures_row(
    *,
    sat: rules.Satisfaction,
    pooled: Fraction | None,
    compliance_: ExactCompliance | None,
    gates_ok: bool | None,
    settings: ScoringSettings,
) -> dict:
    """One center's figures from its exact inputs: everything computed exactly, each shown
    figure rounded once. ``compliance_`` is None for a center not yet verified."""
    s_adj = rules.adjusted_index_exact(sat.n, sat.index_exact, pooled, settings.prior_weight)
    row = {
        "compliance_self": None,
        "compliance_verified": None,
        "gates_ok": None,
        "standardized": False,
        "failed_gates": [],
        "n_ratings": sat.n,
        "counts": list(sat.counts),
        "csat": _show(sat.csat_exact, 4),
        "csat_wilson_lower": _show(sat.wilson_exact, 4),
        "satisfaction_index": _show(sat.index_exact),
        "pooled_index": _show(pooled),
        "satisfaction_adjusted": _show(s_adj),
        "quality": None,
        "classification": None,
        "capped": False,
    }
    exact = {
        "satisfaction_index": _text(sat.index_exact),
        "pooled_index": _text(pooled),
        "satisfaction_adjusted": _text(s_adj),
        "csat_wilson_lower": _text(sat.wilson_exact),
    }
    if compliance_ is not None and compliance_.verified is not None:
        q = rules.quality_exact(
            compliance_.verified,
            s_adj,
            compliance_weight=settings.compliance_weight,
            satisfaction_weight=settings.satisfaction_weight,
        )
        shown_q = rules.shown(q)
        standardized = rules.is_standardized(
            gates_ok=bool(gates_ok),
            compliance_verified=compliance_.verified,
            threshold=settings.standardized_threshold,
        )
        cap = settings.class_cap or None
        row.update(
            compliance_self=_show(compliance_.self_score),
            compliance_verified=_show(compliance_.verified),
            gates_ok=bool(gates_ok),
            standardized=standardized,
            failed_gates=list(compliance_.failed_gates),
            quality=float(shown_q),
            classification=str(
                rules.classify(shown_q, settings.thresholds, standardized=standardized, cap=cap)
            ),
            capped=rules.is_capped(
                shown_q, settings.thresholds, standardized=standardized, cap=cap
            ),
        )
        exact.update(
            compliance_self=_text(compliance_.self_score),
            compliance_verified=_text(compliance_.verified),
            quality=_text(q),
        )
    row["exact"] = exact
    return row


def rank_rows(rows: list[dict], *, min_n: int) -> None:
    """Set ``rank`` and ``satisfaction_rank`` on rows of one province (see ``rules``):
    shown Q, then the exact C_verified, n and code; the exact Wilson bound."""
    inputs = [
        rules.RankInput(
            r["_code"],
            r["quality"],
            exact_value(r["exact"].get("compliance_verified")),
            r["n_ratings"],
            exact_value(r["exact"].get("csat_wilson_lower")),
        )
        for r in rows
    ]
    overall = rules.overall_ranking(inputs)
    by_satisfaction = rules.satisfaction_ranking(inputs, min_n=min_n)
    for r in rows:
        r["rank"] = overall.get(r["_code"])
        r["satisfaction_rank"] = by_satisfaction.get(r["_code"])


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
    criteria, weights = standard_criteria(period)
    version = period.standard_version.version
    used = settings_record(settings)
    pooled: dict[int, Fraction | None] = {}
    for province in {c.province_code for c in centers}:
        pooled[province] = rules.pooled_index_exact(
            counts.get(c.id, ZERO) for c in centers if c.province_code == province
        )
    out: dict[int, dict] = {}
    submitted = _submitted_unverified(period, set(inspections))
    for c in centers:
        inspection = inspections.get(c.id)
        state, final_on = _state(inspection, today)
        row = figures_row(
            sat=rules.satisfaction(counts.get(c.id, ZERO)),
            pooled=pooled[c.province_code],
            compliance_=None
            if inspection is None
            else exact_compliance(inspection, criteria, weights),
            gates_ok=None if inspection is None else inspection.gates_ok,
            settings=settings,
        )
        areas = (inspection.result or {}).get("areas", {}) if inspection is not None else {}
        if c.id in submitted:  # submitted, not yet verified: its C_self and area scores
            self_score, areas = self_figures(submitted[c.id])
            row["compliance_self"] = _show(self_score)
            row["exact"]["compliance_self"] = _text(self_score)
        row.update(
            state=str(state),
            final_on=final_on,
            areas={
                code: [_show(None if v is None else rules.exact(v) * 100) for v in pair]
                for code, pair in sorted(areas.items())
            },
            settings=used,
            standard_version=version,
            _province=c.province_code,
            _code=c.code,
        )
        out[c.id] = row
    for province in pooled:
        rank_rows([r for r in out.values() if r["_province"] == province], min_n=settings.min_n)
    return out


def _submitted_unverified(period: AssessmentPeriod, verified: set[int]) -> dict[int, Assessment]:
    """The period's submitted self-assessments without a verified result, by center id."""
    rows = db.session.scalars(
        sa.select(Assessment)
        .options(selectinload(Assessment.answers))
        .where(
            Assessment.period_id == period.id,
            Assessment.status == AssessmentStatus.SUBMITTED,
        )
    ).all()
    return {a.center_id: a for a in rows if a.center_id not in verified}


def self_figures(assessment: Assessment) -> tuple[rules.Number | None, dict[str, list]]:
    """C_self (exact, from the score stored at submission or resubmission) and the area
    scores as ``{code: [self fraction, None]}``: what a submitted self-assessment shows
    before it is verified."""
    summary = checklist.score(assessment)
    self_score = assessment.self_score
    if self_score is None:
        self_score = summary.compliance
    areas = {p.area.code: [p.score, None] for p in summary.areas if p.score is not None}
    return (None if self_score is None else rules.exact(self_score)), areas


def on_assessment_submitted(assessment: Assessment, **_kwargs) -> None:
    """A submission or a resubmission: the center's snapshot, if the period is scored and
    the center not yet verified, shows its C_self and area scores from now on."""
    snapshot = db.session.scalar(
        sa.select(ScoreSnapshot).where(
            ScoreSnapshot.period_id == assessment.period_id,
            ScoreSnapshot.center_id == assessment.center_id,
        )
    )
    if snapshot is None or snapshot.compliance_verified is not None:
        return
    self_score, areas = self_figures(assessment)
    snapshot.compliance_self = _show(self_score)
    snapshot.areas = {
        code: [_show(None if v is None else rules.exact(v) * 100) for v in pair]
        for code, pair in sorted(areas.items())
    }
    snapshot.exact = {**(snapshot.exact or {}), "compliance_self": _text(self_score)}
    snapshot.computed_at = now_utc()


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


def worked_example(settings: ScoringSettings) -> dict:
    """The methodology page's example, computed at render time by the same code as the
    snapshots (:func:`figures_row`), with the period's own settings."""
    counts = (2, 3, 5, 20, 10)
    sat = rules.satisfaction(counts)
    pooled = Fraction(145, 2)  # 72.5
    area_scores = {"nhan_luc": Fraction(9, 10), "quy_trinh": Fraction(4, 5)}
    weights = {"nhan_luc": 60, "quy_trinh": 40}
    c_verified = rules.compliance_exact(area_scores, weights)
    gates = ExactCompliance(c_verified, c_verified, [])
    row = figures_row(sat=sat, pooled=pooled, compliance_=gates, gates_ok=True, settings=settings)
    failing = figures_row(
        sat=sat,
        pooled=pooled,
        compliance_=ExactCompliance(c_verified, c_verified, ["BM01"]),
        gates_ok=False,
        settings=settings,
    )
    # Rounding once: 0.7 × 79.994 + 0.3 × 80 is exactly 79.9958, shown 80.00; from
    # C_verified shown first (79.99) it would be 79.993, shown 79.99.
    boundary = rules.quality(
        Fraction(79994, 1000),
        80,
        compliance_weight=settings.compliance_weight,
        satisfaction_weight=settings.satisfaction_weight,
    )
    return {
        "counts": counts,
        "n": sat.n,
        "csat": row["csat"],
        "wilson": row["csat_wilson_lower"],
        "index": row["satisfaction_index"],
        "pooled": float(pooled),
        "m": settings.prior_weight,
        "s_adj": row["satisfaction_adjusted"],
        "areas": {k: float(v) for k, v in area_scores.items()},
        "weights": weights,
        "c_verified": row["compliance_verified"],
        "q": row["quality"],
        "classification": row["classification"],
        "capped_classification": failing["classification"],
        "capped": failing["capped"],
        "boundary_q": boundary,
        "boundary_class": str(rules.classify(boundary, settings.thresholds)),
    }
