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
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

# Precision -------------------------------------------------------------------------

#: Scores are shown, classified and ranked with two decimals. Floats carry noise
#: (0.7·86.1 + 0.3·99.1 is 89.99999999999999), so every decision is taken on the
#: value as shown, rounded half up in decimal arithmetic, never on the raw float.
DIGITS = 2
_QUANTUM = Decimal(1).scaleb(-DIGITS)


def shown(value: float | int | Decimal) -> Decimal:
    """The value as the portal shows it: two decimals, half up (86.125 → 86.13)."""
    if not isinstance(value, Decimal):
        value = Decimal(repr(float(value)))  # the shortest decimal reading back as this float
    return value.quantize(_QUANTUM, rounding=ROUND_HALF_UP)


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


def area_score(criteria: Iterable[ScoredCriterion]) -> float | None:
    """Σ f·points / Σ points over the applicable criteria; ``None`` if none applies."""
    earned = total = 0.0
    for c in criteria:
        if c.fraction is None or c.points <= 0:
            continue
        earned += c.fraction * c.points
        total += c.points
    return earned / total if total > 0 else None


def area_scores(criteria: Iterable[ScoredCriterion]) -> dict[str, float | None]:
    by_area: dict[str, list[ScoredCriterion]] = {}
    for c in criteria:
        by_area.setdefault(c.area, []).append(c)
    return {area: area_score(items) for area, items in by_area.items()}


def compliance(scores: Mapping[str, float | None], weights: Mapping[str, float]) -> float | None:
    """C on 0–100: Σ weight × area score, over the areas that have a score.

    When an area has no applicable criterion at all (everything N/A), its weight
    is spread over the other areas, so that C stays on 0–100. ``None`` when
    no area has a score.
    """
    earned = total = 0.0
    for area, weight in weights.items():
        score = scores.get(area)
        if score is None or weight <= 0:
            continue
        earned += weight * score
        total += weight
    if total <= 0:
        return None
    return 100.0 * earned / total


def gates_met(criteria: Iterable[ScoredCriterion]) -> bool:
    """Every mandatory gate fully met (N/A gates do not block)."""
    return all(c.fraction is None or c.fraction >= 1.0 for c in criteria if c.mandatory)


STANDARDIZED_THRESHOLD = 80.0


def is_standardized(
    *, gates_ok: bool, compliance_verified: float | None, threshold: float = STANDARDIZED_THRESHOLD
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


def satisfaction(counts: Mapping[int, int] | Sequence[int]) -> Satisfaction:
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
    return Satisfaction(
        n=n,
        counts=c,  # type: ignore[arg-type]
        csat=satisfied / n,
        index=total_points / (4 * n) * 100.0,
        wilson_lower=wilson_lower_bound(satisfied, n),
    )


def wilson_lower_bound(successes: int, n: int, z: float = Z_95) -> float | None:
    """Lower bound of the Wilson score interval for a proportion."""
    if n <= 0:
        return None
    if not 0 <= successes <= n:
        raise ValueError("successes must be between 0 and n")
    p = successes / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # Clamp float noise: the bound lies in [0, p] by construction.
    return min(p, max(0.0, (centre - margin) / (1 + z2 / n)))


def adjusted_index(
    n: int, index: float | None, pooled_index: float | None, m: int = DEFAULT_MIN_N
) -> float | None:
    """Bayesian average S_adj = (n·S + m·S̄) / (n + m); S̄ when there are no ratings.

    ``None`` only when the province has no reportable rating at all (S̄ undefined):
    then nobody has satisfaction data, and ``quality`` uses compliance alone.
    """
    if n <= 0 or index is None:
        return pooled_index
    if pooled_index is None:  # cannot happen with n > 0 pooled over the same ratings
        return index
    return (n * index + m * pooled_index) / (n + m)


def pooled_index(all_counts: Iterable[Sequence[int]]) -> float | None:
    """The index over every reportable rating of the province (S̄)."""
    total = [0, 0, 0, 0, 0]
    for counts in all_counts:
        for i, x in enumerate(counts):
            total[i] += x
    return satisfaction(total).index


# Overall quality, classes and rankings --------------------------------------------------

COMPLIANCE_WEIGHT = 0.7
SATISFACTION_WEIGHT = 0.3


def quality(
    compliance_verified: float,
    satisfaction_adjusted: float | None,
    *,
    compliance_weight: float = COMPLIANCE_WEIGHT,
    satisfaction_weight: float = SATISFACTION_WEIGHT,
) -> float:
    """Q = 0.7·C_verified + 0.3·S_adj (weights sum to 1), exact to the shown precision.

    Both inputs enter as shown (two decimals) and Q is computed in decimal
    arithmetic, so Q = 0.7·86.10 + 0.3·99.10 is exactly 90.00. Without any rating
    in the province (S_adj undefined) Q is C_verified alone.
    """
    if not math.isclose(compliance_weight + satisfaction_weight, 1.0):
        raise ValueError("the two quality weights must sum to 1")
    if satisfaction_adjusted is None:
        return float(shown(compliance_verified))
    exact = Decimal(repr(compliance_weight)) * shown(compliance_verified) + Decimal(
        repr(satisfaction_weight)
    ) * shown(satisfaction_adjusted)
    return float(shown(exact))


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


def classify(
    q: float, thresholds: Sequence[tuple[float, Classification]] = CLASS_THRESHOLDS
) -> Classification:
    """The class of Q as shown: 89.995 shows as 90.00 and is 'Xuất sắc'."""
    value = shown(q)
    for threshold, cls in thresholds:
        if value >= shown(threshold):
            return cls
    return Classification.WEAK


@dataclass(frozen=True)
class RankInput:
    code: str
    quality: float | None  # None: not yet verified, not ranked
    compliance_verified: float | None
    n: int
    wilson_lower: float | None


def overall_ranking(rows: Iterable[RankInput]) -> dict[str, int]:
    """Rank by Q, ties broken by C_verified, then n, then center code."""
    ranked = sorted(
        (r for r in rows if r.quality is not None and r.compliance_verified is not None),
        key=lambda r: (-shown(r.quality), -shown(r.compliance_verified), -r.n, r.code),
    )
    return {r.code: i for i, r in enumerate(ranked, start=1)}


def satisfaction_ranking(
    rows: Iterable[RankInput], *, min_n: int = DEFAULT_MIN_N
) -> dict[str, int]:
    """Rank by the Wilson lower bound, only centers with at least ``min_n`` ratings."""
    ranked = sorted(
        (r for r in rows if r.n >= min_n and r.wilson_lower is not None),
        key=lambda r: (-r.wilson_lower, -r.n, r.code),
    )
    return {r.code: i for i, r in enumerate(ranked, start=1)}
