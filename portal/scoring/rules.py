"""The scoring rules of PRODUCT.md §6 as pure functions.

No Flask, no database, no translation: numbers in, numbers out, so that every
rule can be tested exhaustively and a published ranking can be recomputed by
anyone from the open data. All weights and thresholds are parameters with the
documented defaults; a period may override them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from enum import StrEnum
from fractions import Fraction
from typing import TypedDict, Unpack

# Precision -------------------------------------------------------------------------

#: Every figure is computed exactly (fractions; the Wilson bound, a square root, in
#: decimal arithmetic with ``WILSON_DIGITS`` significant digits) from unrounded inputs.
#: Only what is shown is rounded, once, half up: scores with two decimals. Q is classed
#: and ranked as shown; ties and the satisfaction ranking use the exact values.
DIGITS = 2
WILSON_DIGITS = 40

Number = int | float | Decimal | Fraction


def exact(value: Number) -> Fraction:
    """A figure as an exact fraction. A float is read as its shortest decimal, the number
    it was typed or stored as (0.7 → 7/10, not 0.6999999999999999555910790149937…)."""
    if isinstance(value, Fraction | int | Decimal):
        return Fraction(value)
    return Fraction(repr(float(value)))


def round_half_up(value: Number, digits: int = DIGITS) -> Decimal:
    """``value`` rounded once, half up (away from zero at the half), to ``digits`` decimals."""
    x = exact(value)
    scaled = abs(x) * 10**digits
    whole = math.floor(scaled + Fraction(1, 2))
    return Decimal(whole if x >= 0 else -whole).scaleb(-digits)


def shown(value: Number) -> Decimal:
    """The value as the portal shows it: two decimals, half up (86.125 → 86.13)."""
    return round_half_up(value, DIGITS)


# Criterion answers ---------------------------------------------------------------


class AnswerType(StrEnum):
    LEVEL = "level"  # met / partial / not met
    NUMBER = "number"  # a number against a target
    YES_NO = "yes_no"


class Level(StrEnum):
    MET = "met"
    PARTIAL = "partial"
    NOT_MET = "not_met"


LEVEL_FRACTIONS = {Level.MET: 1.0, Level.PARTIAL: 0.5, Level.NOT_MET: 0.0}


def criterion_fraction(
    answer_type: AnswerType | str,
    value: str | float | bool | None,
    *,
    target: float | None = None,
    not_applicable: bool = False,
) -> float | None:
    """The fraction f ∈ [0, 1] a criterion earns; ``None`` when N/A (left out).

    - level: met 1, partial 0.5, not met 0;
    - number: min(value / target, 1), never below 0;
    - yes/no: yes 1, no 0.
    An unanswered criterion earns 0 (it is not N/A).
    """
    if not_applicable:
        return None
    answer_type = AnswerType(answer_type)
    if value is None or value == "":
        return 0.0
    if answer_type is AnswerType.LEVEL:
        return LEVEL_FRACTIONS[Level(value)]
    if answer_type is AnswerType.YES_NO:
        if isinstance(value, str):
            return 1.0 if value == "yes" else 0.0
        return 1.0 if value else 0.0
    if target is None or target <= 0:
        raise ValueError("a numeric criterion needs a positive target")
    number = float(value)
    if math.isnan(number):
        return 0.0
    return max(0.0, min(number / target, 1.0))


@dataclass(frozen=True)
class ScoredCriterion:
    area: str
    points: float
    fraction: float | None  # None = N/A
    mandatory: bool = False


def area_score_exact(criteria: Iterable[ScoredCriterion]) -> Fraction | None:
    """Σ f·points / Σ points over the applicable criteria, exactly; ``None`` if none applies."""
    earned = total = Fraction(0)
    for c in criteria:
        if c.fraction is None or c.points <= 0:
            continue
        points = exact(c.points)
        earned += exact(c.fraction) * points
        total += points
    return earned / total if total > 0 else None


def area_score(criteria: Iterable[ScoredCriterion]) -> float | None:
    """Σ f·points / Σ points over the applicable criteria; ``None`` if none applies."""
    value = area_score_exact(criteria)
    return None if value is None else float(value)


def _by_area(criteria: Iterable[ScoredCriterion]) -> dict[str, list[ScoredCriterion]]:
    by_area: dict[str, list[ScoredCriterion]] = {}
    for c in criteria:
        by_area.setdefault(c.area, []).append(c)
    return by_area


def area_scores(criteria: Iterable[ScoredCriterion]) -> dict[str, float | None]:
    return {area: area_score(items) for area, items in _by_area(criteria).items()}


def area_scores_exact(criteria: Iterable[ScoredCriterion]) -> dict[str, Fraction | None]:
    return {area: area_score_exact(items) for area, items in _by_area(criteria).items()}


def compliance_exact(
    scores: Mapping[str, Number | None], weights: Mapping[str, Number]
) -> Fraction | None:
    """C on 0–100, exactly: Σ weight × area score over the areas that have a score.

    When an area has no applicable criterion at all (everything N/A), its weight
    is spread over the other areas, so that C stays on 0–100. ``None`` when
    no area has a score.
    """
    earned = total = Fraction(0)
    for area, weight in weights.items():
        score = scores.get(area)
        if score is None or weight <= 0:
            continue
        w = exact(weight)
        earned += w * exact(score)
        total += w
    if total <= 0:
        return None
    return 100 * earned / total


def compliance(scores: Mapping[str, Number | None], weights: Mapping[str, Number]) -> float | None:
    """C on 0–100 as a float (see :func:`compliance_exact`)."""
    value = compliance_exact(scores, weights)
    return None if value is None else float(value)


def gates_met(criteria: Iterable[ScoredCriterion]) -> bool:
    """Every mandatory gate fully met (N/A gates do not block)."""
    return all(c.fraction is None or c.fraction >= 1.0 for c in criteria if c.mandatory)


STANDARDIZED_THRESHOLD = 80.0


def is_standardized(
    *,
    gates_ok: bool,
    compliance_verified: Number | None,
    threshold: Number = STANDARDIZED_THRESHOLD,
) -> bool:
    """'Đạt chuẩn một cửa số': every gate met and C_verified ≥ 80 (as shown)."""
    return (
        gates_ok
        and compliance_verified is not None
        and shown(compliance_verified) >= shown(threshold)
    )


# Satisfaction ----------------------------------------------------------------------

SCORES = (1, 2, 3, 4, 5)
Z_95 = 1.96
DEFAULT_MIN_N = 30


@dataclass(frozen=True)
class Satisfaction:
    n: int
    counts: tuple[int, int, int, int, int]
    csat: float | None  # share of 4–5, 0–1
    index: float | None  # mean((score − 1) / 4 × 100), 0–100
    wilson_lower: float | None  # 95% lower bound of csat, 0–1
    #: The same figures exactly (what ranks and S_adj are computed from).
    csat_exact: Fraction | None = None
    index_exact: Fraction | None = None
    wilson_exact: Decimal | None = None


def satisfaction(counts: Mapping[int, int] | Sequence[int], *, z: Number = Z_95) -> Satisfaction:
    """Summarise ratings given as counts per score 1–5."""
    if isinstance(counts, Mapping):
        c = tuple(int(counts.get(s, 0)) for s in SCORES)
    else:
        c = tuple(int(x) for x in counts)
        if len(c) != 5:
            raise ValueError("counts must have five entries, for scores 1 to 5")
    if any(x < 0 for x in c):
        raise ValueError("counts cannot be negative")
    n = sum(c)
    if n == 0:
        return Satisfaction(0, c, None, None, None)  # type: ignore[arg-type]
    satisfied = c[3] + c[4]
    total_points = sum((score - 1) * count for score, count in zip(SCORES, c, strict=True))
    csat = Fraction(satisfied, n)
    index = Fraction(total_points * 100, 4 * n)
    wilson = wilson_lower_exact(satisfied, n, z)
    return Satisfaction(
        n=n,
        counts=c,  # type: ignore[arg-type]
        csat=float(csat),
        index=float(index),
        wilson_lower=float(wilson),
        csat_exact=csat,
        index_exact=index,
        wilson_exact=wilson,
    )


def wilson_lower_exact(successes: int, n: int, z: Number = Z_95) -> Decimal | None:
    """Lower bound of the Wilson score interval, to ``WILSON_DIGITS`` significant digits.

    (p + z²/2n − z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n), in decimal arithmetic: the only
    figure that is not a fraction (a square root), carried far beyond any tie that
    two different counts could produce.
    """
    if n <= 0:
        return None
    if not 0 <= successes <= n:
        raise ValueError("successes must be between 0 and n")
    with localcontext() as ctx:
        ctx.prec = WILSON_DIGITS + 10
        zd = Decimal(exact(z).numerator) / Decimal(exact(z).denominator)
        nd = Decimal(n)
        p = Decimal(successes) / nd
        z2 = zd * zd
        centre = p + z2 / (2 * nd)
        margin = zd * (p * (1 - p) / nd + z2 / (4 * nd * nd)).sqrt()
        bound = (centre - margin) / (1 + z2 / nd)
        bound = min(p, max(Decimal(0), bound))
        ctx.prec = WILSON_DIGITS
        return +bound


def wilson_lower_bound(successes: int, n: int, z: Number = Z_95) -> float | None:
    """Lower bound of the Wilson score interval (see :func:`wilson_lower_exact`)."""
    value = wilson_lower_exact(successes, n, z)
    return None if value is None else float(value)


def adjusted_index_exact(
    n: int, index: Number | None, pooled_index: Number | None, m: int = DEFAULT_MIN_N
) -> Fraction | None:
    """Bayesian average S_adj = (n·S + m·S̄) / (n + m), exactly; S̄ when there are no ratings.

    ``None`` only when the province has no reportable rating at all (S̄ undefined):
    then nobody has satisfaction data, and ``quality`` uses compliance alone.
    """
    if n <= 0 or index is None:
        return None if pooled_index is None else exact(pooled_index)
    if pooled_index is None:  # cannot happen with n > 0 pooled over the same ratings
        return exact(index)
    return (n * exact(index) + m * exact(pooled_index)) / (n + m)


def adjusted_index(
    n: int, index: Number | None, pooled_index: Number | None, m: int = DEFAULT_MIN_N
) -> float | None:
    """S_adj as a float (see :func:`adjusted_index_exact`)."""
    value = adjusted_index_exact(n, index, pooled_index, m)
    return None if value is None else float(value)


def pooled_counts(all_counts: Iterable[Sequence[int]]) -> list[int]:
    total = [0, 0, 0, 0, 0]
    for counts in all_counts:
        for i, x in enumerate(counts):
            total[i] += x
    return total


def pooled_index_exact(all_counts: Iterable[Sequence[int]]) -> Fraction | None:
    """The index over every reportable rating of the province (S̄), exactly."""
    return satisfaction(pooled_counts(all_counts)).index_exact


def pooled_index(all_counts: Iterable[Sequence[int]]) -> float | None:
    """The index over every reportable rating of the province (S̄)."""
    return satisfaction(pooled_counts(all_counts)).index


# Overall quality, classes and rankings --------------------------------------------------

COMPLIANCE_WEIGHT = 0.7
SATISFACTION_WEIGHT = 0.3


def quality_exact(
    compliance_verified: Number,
    satisfaction_adjusted: Number | None,
    *,
    compliance_weight: Number = COMPLIANCE_WEIGHT,
    satisfaction_weight: Number = SATISFACTION_WEIGHT,
) -> Fraction:
    """Q = 0.7·C_verified + 0.3·S_adj exactly, from the unrounded inputs.

    Without any rating in the province (S_adj undefined) Q is C_verified alone.
    """
    cw, sw = exact(compliance_weight), exact(satisfaction_weight)
    if cw + sw != 1:
        raise ValueError("the two quality weights must sum to 1")
    if satisfaction_adjusted is None:
        return exact(compliance_verified)
    return cw * exact(compliance_verified) + sw * exact(satisfaction_adjusted)


class QualityWeights(TypedDict, total=False):
    """A period's weights of Q, by keyword; :func:`quality_exact` holds their defaults."""

    compliance_weight: Number
    satisfaction_weight: Number


def quality(
    compliance_verified: Number,
    satisfaction_adjusted: Number | None,
    **weights: Unpack[QualityWeights],
) -> float:
    """Q as shown: computed exactly, rounded once, half up, to two decimals.

    ``quality(79.994, 80)`` is 80.00 (exactly 79.9958), not 79.99 as it would be
    from C_verified already rounded to 79.99.
    """
    return float(shown(quality_exact(compliance_verified, satisfaction_adjusted, **weights)))


class Classification(StrEnum):
    EXCELLENT = "excellent"  # Xuất sắc
    GOOD = "good"  # Tốt
    FAIR = "fair"  # Khá
    AVERAGE = "average"  # Trung bình
    WEAK = "weak"  # Yếu


CLASS_THRESHOLDS = (
    (90.0, Classification.EXCELLENT),
    (80.0, Classification.GOOD),
    (65.0, Classification.FAIR),
    (50.0, Classification.AVERAGE),
)


#: Best first: a cap "at most Khá" allows FAIR, AVERAGE and WEAK.
CLASS_ORDER = (
    Classification.EXCELLENT,
    Classification.GOOD,
    Classification.FAIR,
    Classification.AVERAGE,
    Classification.WEAK,
)
#: The best class a center that is not standardized may have (a per-period setting).
DEFAULT_CLASS_CAP = Classification.FAIR


def classify(
    q: Number,
    thresholds: Sequence[tuple[Number, Classification]] = CLASS_THRESHOLDS,
    *,
    standardized: bool = True,
    cap: Classification | str | None = DEFAULT_CLASS_CAP,
) -> Classification:
    """The class of Q as shown (89.995 shows as 90.00 and is 'Xuất sắc'), at most
    ``cap`` when the center is not standardized."""
    value = shown(q)
    found = Classification.WEAK
    for threshold, cls in thresholds:
        if value >= shown(threshold):
            found = cls
            break
    if not standardized and cap is not None:
        cap = Classification(cap)
        if CLASS_ORDER.index(found) < CLASS_ORDER.index(cap):
            return cap
    return found


def is_capped(
    q: Number,
    thresholds: Sequence[tuple[Number, Classification]] = CLASS_THRESHOLDS,
    *,
    standardized: bool,
    cap: Classification | str | None = DEFAULT_CLASS_CAP,
) -> bool:
    """Whether the standard lowered the class Q alone would earn."""
    return classify(q, thresholds, standardized=standardized, cap=cap) != classify(q, thresholds)


@dataclass(frozen=True)
class RankInput:
    code: str
    quality: Number | None  # Q as shown; None: not yet verified, not ranked
    compliance_verified: Number | None  # exact
    n: int
    wilson_lower: Number | None  # exact


def overall_ranking(rows: Iterable[RankInput]) -> dict[str, int]:
    """Rank by Q as shown, ties broken by the exact C_verified, then n, then center code."""
    ranked = sorted(
        (r for r in rows if r.quality is not None and r.compliance_verified is not None),
        key=lambda r: (-shown(r.quality), -exact(r.compliance_verified), -r.n, r.code),
    )
    return {r.code: i for i, r in enumerate(ranked, start=1)}


def satisfaction_ranking(
    rows: Iterable[RankInput], *, min_n: int = DEFAULT_MIN_N
) -> dict[str, int]:
    """Rank by the exact Wilson lower bound, only centers with at least ``min_n`` ratings."""
    ranked = sorted(
        (r for r in rows if r.n >= min_n and r.wilson_lower is not None),
        key=lambda r: (-exact(r.wilson_lower), -r.n, r.code),
    )
    return {r.code: i for i, r in enumerate(ranked, start=1)}


# Officers' classification ------------------------------------------------------------------


class OfficerClass(StrEnum):
    """The citizen-satisfaction component of a civil servant's annual appraisal."""

    EXCELLENT = "excellent"  # Hoàn thành xuất sắc nhiệm vụ
    GOOD = "good"  # Hoàn thành tốt nhiệm vụ
    DONE = "done"  # Hoàn thành nhiệm vụ
    NOT_DONE = "not_done"  # Không hoàn thành nhiệm vụ


#: Default bands after the civil-servant rubric in DOMAIN.md §3 (Hải Phòng QĐ 212/2025,
#: on 100 points): above 90 excellent, above 80 good, from 50 done, below 50 not done.
#: A province's own rubric replaces them (an operational setting).
OFFICER_BANDS = (90.0, 80.0, 50.0)


def officer_class(score: Number, bands: Sequence[Number] = OFFICER_BANDS) -> OfficerClass:
    """The class of an officer's S_adj as shown (two decimals): strictly above the first
    band excellent, strictly above the second good, from the third done, else not done."""
    excellent, good, passing = (shown(b) for b in bands)
    if not excellent >= good >= passing:
        raise ValueError("officer bands must be given best first, in decreasing order")
    value = shown(score)
    if value > excellent:
        return OfficerClass.EXCELLENT
    if value > good:
        return OfficerClass.GOOD
    if value >= passing:
        return OfficerClass.DONE
    return OfficerClass.NOT_DONE
