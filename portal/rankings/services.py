"""The one read floor: rollups, verified results and settings → figures, snapshots, rankings.

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
  last, but never after its publication (a published ranking does not drift).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager, defer, selectinload

from ..assessments.models import Assessment, AssessmentPeriod
from ..audit import services as audit
from ..centers.models import Center, Officer
from ..extensions import db
from ..inspections import services as inspection_services
from ..inspections.models import AppealStatus, Inspection, InspectionStatus, ResultState
from ..ratings.models import RatingRollup, RollupScope
from ..ratings.services import rollup_counts
from ..scoring import rules
from ..shared.errors import PortalError
from ..shared.timeutils import local_day, now_utc, today_local
from .models import ScoreSnapshot, ScoringSettings, SnapshotState

ZERO = (0, 0, 0, 0, 0)


class RankingsError(PortalError):
    """A scoring or publication step that cannot be done."""


class SettingsLocked(RankingsError):
    """The period is published: its settings no longer change."""


def _show(value: float | None, digits: int = 2) -> float | None:
    """A figure as stored and shown (half up, in decimal arithmetic)."""
    if value is None:
        return None
    if digits == 2:
        return float(rules.shown(value))
    # A fraction with four decimals is a percentage with two: 0.87655 → 87.66 % → 0.8766.
    return float(rules.shown(Decimal(repr(float(value))) * 100) / 100)


# Settings ------------------------------------------------------------------------------


def settings_for(period: AssessmentPeriod) -> ScoringSettings:
    """The period's settings, created with the documented defaults on first use."""
    settings = db.session.scalar(
        sa.select(ScoringSettings).where(ScoringSettings.period_id == period.id)
    )
    if settings is None:
        settings = ScoringSettings(
            period=period,
            compliance_weight=rules.COMPLIANCE_WEIGHT,
            satisfaction_weight=rules.SATISFACTION_WEIGHT,
            prior_weight=rules.DEFAULT_MIN_N,
            min_n=current_app.config.get("RATING_MIN_N", rules.DEFAULT_MIN_N),
            standardized_threshold=rules.STANDARDIZED_THRESHOLD,
            band_excellent=rules.CLASS_THRESHOLDS[0][0],
            band_good=rules.CLASS_THRESHOLDS[1][0],
            band_fair=rules.CLASS_THRESHOLDS[2][0],
            band_average=rules.CLASS_THRESHOLDS[3][0],
            appeal_window_days=current_app.config.get("APPEAL_WINDOW_DAYS", 10),
        )
        db.session.add(settings)
        db.session.flush()
    return settings


def _decimal(value) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise RankingsError(_("Enter numbers only.")) from exc
    if not number.is_finite():
        raise RankingsError(_("Enter numbers only."))
    return number


def validate_settings(values: Mapping) -> dict:
    """Clean values for :class:`ScoringSettings`, or a :class:`RankingsError` saying why not."""
    cw, sw = _decimal(values["compliance_weight"]), _decimal(values["satisfaction_weight"])
    if cw < 0 or sw < 0 or cw + sw != 1:
        raise RankingsError(_("The two weights of Q must be between 0 and 1 and sum to 1."))
    ints = {}
    for name in ("prior_weight", "min_n", "appeal_window_days"):
        number = _decimal(values[name])
        if number != number.to_integral_value() or number < 0 or number > 100000:
            raise RankingsError(_("m, the minimum n and the appeal window are whole numbers."))
        ints[name] = int(number)
    if ints["min_n"] < 1:
        raise RankingsError(_("The minimum number of ratings is at least 1."))
    if ints["appeal_window_days"] > 90:
        raise RankingsError(_("The appeal window is at most 90 days."))
    bands = [_decimal(values[n]) for n in ("band_excellent", "band_good", "band_fair")]
    bands.append(_decimal(values["band_average"]))
    threshold = _decimal(values["standardized_threshold"])
    if not all(0 <= b <= 100 for b in [*bands, threshold]):
        raise RankingsError(_("Thresholds are on 0–100."))
    if not all(a > b for a, b in zip(bands, bands[1:], strict=False)):
        raise RankingsError(_("Class thresholds must decrease from Excellent to Average."))
    return {
        "compliance_weight": float(cw),
        "satisfaction_weight": float(sw),
        **ints,
        "standardized_threshold": float(threshold),
        "band_excellent": float(bands[0]),
        "band_good": float(bands[1]),
        "band_fair": float(bands[2]),
        "band_average": float(bands[3]),
    }


def update_settings(settings: ScoringSettings, values: Mapping, *, actor) -> dict:
    """Change the settings of an unpublished period; every change audited (old → new)."""
    if settings.is_published:
        raise SettingsLocked(_("The period is published: its settings are locked."))
    clean = validate_settings(values)
    changes = audit.diff(settings.as_dict(), clean)
    if not changes:
        return {}
    for name, value in clean.items():
        setattr(settings, name, value)
    settings.updated_at = now_utc()
    db.session.flush()
    audit.record(
        actor=actor,
        action="scores.settings",
        object_type="period",
        object_id=settings.period.code,
        summary=changes,
    )
    return changes


# Satisfaction figures (from the daily rollups, never raw ratings) ----------------------


def satisfaction_figures(
    scope: str, ids: Iterable[int], start: date, end: date
) -> dict[int, rules.Satisfaction]:
    """n, counts, CSAT, index and Wilson bound per center, counter or officer over [start, end]."""
    ids = list(ids)
    counts = rollup_counts(str(scope), ids, start, end) if ids else {}
    return {key: rules.satisfaction(counts.get(key, ZERO)) for key in ids}


@dataclass
class OfficerRow:
    officer: Officer
    figures: rules.Satisfaction
    center_rank: int | None
    center_ranked: int
    province_rank: int | None
    province_ranked: int


def officer_rows(
    province_code: int, start: date, end: date, *, min_n: int, center: Center | None = None
) -> list[OfficerRow]:
    """Officers' figures ranked within their center and the province, above ``min_n`` only."""
    officers = db.session.scalars(
        sa.select(Officer)
        .join(Center, Center.id == Officer.center_id)
        .where(Center.province_code == province_code)
        .order_by(Officer.center_id, Officer.full_name, Officer.id)
    ).all()
    figures = satisfaction_figures(RollupScope.OFFICER, [o.id for o in officers], start, end)

    def ranks(group: list[Officer]) -> dict[str, int]:
        rows = [
            rules.RankInput(str(o.id), None, None, figures[o.id].n, figures[o.id].wilson_lower)
            for o in group
        ]
        return rules.satisfaction_ranking(rows, min_n=min_n)

    province = ranks(officers)
    by_center: dict[int, list[Officer]] = {}
    for o in officers:
        by_center.setdefault(o.center_id, []).append(o)
    out = []
    for center_id, group in by_center.items():
        if center is not None and center_id != center.id:
            continue
        in_center = ranks(group)
        for o in group:
            out.append(
                OfficerRow(
                    o,
                    figures[o.id],
                    in_center.get(str(o.id)),
                    len(in_center),
                    province.get(str(o.id)),
                    len(province),
                )
            )
    return out


def officer_row(officer: Officer, start: date, end: date, *, min_n: int) -> OfficerRow:
    """One officer's figures and ranks (what the officer sees of themselves)."""
    rows = officer_rows(
        officer.center.province_code, start, end, min_n=min_n, center=officer.center
    )
    return next(r for r in rows if r.officer.id == officer.id)


# Snapshots -----------------------------------------------------------------------------


def period_window(period: AssessmentPeriod, settings: ScoringSettings) -> tuple[date, date]:
    """The days whose ratings count: the period, cut at its publication."""
    end = period.closes_on
    if settings.published_at is not None:
        end = min(end, local_day(settings.published_at))
    return period.opens_on, max(end, period.opens_on)


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
) -> list[Change]:
    """Store the period's figures; return what changed (nothing on a second run)."""
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
    return changes


def has_snapshots(period: AssessmentPeriod) -> bool:
    return (
        db.session.scalar(
            sa.select(ScoreSnapshot.id).where(ScoreSnapshot.period_id == period.id).limit(1)
        )
        is not None
    )


def on_inspection_result_changed(inspection: Inspection, *, actor=None, **_kwargs) -> None:
    """Finalization or an appeal decision: keep a scored period's snapshots up to date."""
    period = inspection.assessment.period
    if has_snapshots(period):
        recompute_snapshots(period, actor=actor)


# Publication ---------------------------------------------------------------------------


def publish(period: AssessmentPeriod, *, actor) -> list[Change]:
    """Compute the snapshots and make the period's ranking public; settings lock."""
    settings = settings_for(period)
    if settings.is_published:
        raise RankingsError(_("This period is already published."))
    changes = recompute_snapshots(period, actor=actor)
    verified = db.session.scalar(
        sa.select(sa.func.count(ScoreSnapshot.id)).where(
            ScoreSnapshot.period_id == period.id, ScoreSnapshot.rank.is_not(None)
        )
    )
    if not verified:
        raise RankingsError(
            _("Nothing to publish: no center of this period has a finalized verified result.")
        )
    settings.published_at = now_utc()
    settings.published_by_id = actor.id if actor is not None else None
    db.session.flush()
    audit.record(
        actor=actor,
        action="scores.publish",
        object_type="period",
        object_id=period.code,
        summary={"published": ["no", "yes"], "ranked": verified},
    )
    return changes


def published_periods() -> list[AssessmentPeriod]:
    return list(
        db.session.scalars(
            sa.select(AssessmentPeriod)
            .join(ScoringSettings, ScoringSettings.period_id == AssessmentPeriod.id)
            .where(ScoringSettings.published_at.is_not(None))
            .order_by(AssessmentPeriod.opens_on.desc(), AssessmentPeriod.code.desc())
        )
    )


def published_period(code: str | None) -> AssessmentPeriod | None:
    """The published period with this code, or the latest published one."""
    periods = published_periods()
    if code is None:
        return periods[0] if periods else None
    return next((p for p in periods if p.code == code), None)


@dataclass(frozen=True)
class PeriodStatus:
    final: bool
    final_on: date | None
    published_on: date | None


def period_status(period: AssessmentPeriod) -> PeriodStatus:
    """Provisional while any verified result may still change; final from the last day one did."""
    settings = settings_for(period)
    rows = db.session.execute(
        sa.select(ScoreSnapshot.state, ScoreSnapshot.final_on).where(
            ScoreSnapshot.period_id == period.id,
            ScoreSnapshot.state != SnapshotState.NOT_VERIFIED,
        )
    ).all()
    final = bool(rows) and all(r.state == SnapshotState.FINAL for r in rows)
    final_on = max((r.final_on for r in rows if r.final_on), default=None) if final else None
    published_on = local_day(settings.published_at) if settings.published_at else None
    return PeriodStatus(final, final_on, published_on)


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


def monthly_trend(
    center: Center, *, months: int = 12, today: date | None = None
) -> list[tuple[date, rules.Satisfaction]]:
    """Satisfaction per calendar month (the last ``months``), from the month rollups
    (one row per month)."""
    today = today or today_local()
    first = today.replace(day=1)
    for _i in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    t = RatingRollup
    rows = db.session.execute(
        sa.select(t.day, t.n1, t.n2, t.n3, t.n4, t.n5).where(
            t.scope == RollupScope.MONTH, t.key_id == center.id, t.day >= first, t.day <= today
        )
    ).all()
    totals: dict[date, list[int]] = {}
    for row in rows:
        month = row.day.replace(day=1)
        acc = totals.setdefault(month, [0, 0, 0, 0, 0])
        for i, x in enumerate(row[1:]):
            acc[i] += int(x or 0)
    return [(m, rules.satisfaction(totals[m])) for m in sorted(totals)]


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
