"""Ranks and classes taken on exact figures: display rounding never decides an order,
and a center that is not standardized never has a class above the cap."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from portal.scoring import rules as r

counts5 = st.lists(st.integers(0, 400), min_size=5, max_size=5)
#: C_verified as a criterion-weighted score has any denominator, not only hundredths.
exact_score = st.fractions(min_value=0, max_value=100, max_denominator=100_000)
weight = st.sampled_from([Fraction(7, 10), Fraction(3, 5), Fraction(13, 20), Fraction(1, 2)])


def half_up(x: Fraction) -> Fraction:
    """The test's own rounding: two decimals, half up."""
    return Fraction(math.floor(x * 100 + Fraction(1, 2)), 100)


def test_q_is_rounded_once_from_exact_inputs():
    # From C_verified already rounded (79.99) Q would be 79.993 → 79.99, Khá.
    assert r.quality(79.994, 80.00) == 80.00
    assert r.classify(r.quality(79.994, 80.00)) == r.Classification.GOOD
    assert r.quality(Fraction(1, 3) * 240, 80) == 80.00


@given(
    st.lists(st.tuples(exact_score, counts5), min_size=2, max_size=25),
    exact_score,
    weight,
)
def test_the_rank_order_never_depends_on_display_rounding(centers, pooled, cw):
    """The ranks are the order of (shown Q, exact C_verified, n, code), computed here with
    fractions; giving the portal's rules the same inputs as floats (the shortest decimals
    of their binary values) or as 30-digit decimals changes no rank."""
    rows, expected = [], []
    for i, (c, counts) in enumerate(centers):
        code = f"{i:05d}"
        s = r.satisfaction(counts)
        s_adj = r.adjusted_index_exact(s.n, s.index_exact, pooled, 30)
        q = r.quality_exact(c, s_adj, compliance_weight=cw, satisfaction_weight=1 - cw)
        rows.append(r.RankInput(code, r.shown(q), c, s.n, s.wilson_exact))
        own_s_adj = (
            pooled
            if s.n == 0
            else (Fraction(sum(k * x for k, x in enumerate(counts)) * 25) + 30 * pooled)
            / (s.n + 30)
        )
        own_q = half_up(cw * c + (1 - cw) * own_s_adj)
        expected.append((-own_q, -c, -s.n, code))
    ranks = r.overall_ranking(rows)
    assert [ranks[e[3]] for e in sorted(expected)] == list(range(1, len(rows) + 1))
    # Shown Q alone never orders two centers against their exact C_verified on a tie.
    for a in rows:
        for b in rows:
            if (
                r.shown(a.quality) == r.shown(b.quality)
                and a.compliance_verified > b.compliance_verified
            ):
                assert ranks[a.code] < ranks[b.code]
    as_decimals = [
        r.RankInput(
            x.code,
            x.quality,
            Decimal(x.compliance_verified.numerator) / Decimal(x.compliance_verified.denominator),
            x.n,
            x.wilson_lower,
        )
        for x in rows
    ]
    if len({x.compliance_verified for x in rows}) == len(rows):
        assert r.overall_ranking(as_decimals) == ranks


@given(st.lists(counts5, min_size=2, max_size=25))
def test_the_satisfaction_rank_orders_by_the_exact_bound(all_counts):
    rows = []
    for i, counts in enumerate(all_counts):
        s = r.satisfaction(counts)
        rows.append(r.RankInput(f"{i:05d}", None, None, s.n, s.wilson_exact))
    ranks = r.satisfaction_ranking(rows, min_n=1)
    for a in rows:
        for b in rows:
            if a.code in ranks and b.code in ranks and a.wilson_lower > b.wilson_lower:
                assert ranks[a.code] < ranks[b.code]


def test_two_bounds_equal_to_four_decimals_are_still_ordered():
    """Two counts whose bounds agree to four decimals rank by the exact bound."""
    seen: dict[Decimal, tuple] = {}
    for n in range(30, 200):
        for k in range(n + 1):
            w = r.wilson_lower_exact(k, n)
            key = r.round_half_up(w, 4)
            if key in seen and seen[key][0] != w:
                other_w, other = seen[key]
                rows = [
                    r.RankInput("A", None, None, other[1], other_w),
                    r.RankInput("B", None, None, n, w),
                ]
                ranks = r.satisfaction_ranking(rows)
                assert (ranks["A"] < ranks["B"]) == (other_w > w)
                return
            seen[key] = (w, (k, n))
    raise AssertionError("no two bounds equal to four decimals")


bands = st.lists(st.integers(1, 99), min_size=4, max_size=4, unique=True).map(
    lambda xs: tuple(zip(sorted(xs, reverse=True), r.CLASS_ORDER[:4], strict=True))
)


@given(
    exact_score,
    bands,
    st.booleans(),
    st.sampled_from([c for c in r.CLASS_ORDER[1:]]),
)
def test_no_center_above_the_cap_is_not_standardized(q, thresholds, standardized, cap):
    cls = r.classify(q, thresholds, standardized=standardized, cap=cap)
    if not standardized:
        assert r.CLASS_ORDER.index(cls) >= r.CLASS_ORDER.index(cap)
        # The cap only lowers: below it, Q alone decides.
        assert r.CLASS_ORDER.index(cls) == max(
            r.CLASS_ORDER.index(r.classify(q, thresholds)), r.CLASS_ORDER.index(cap)
        )
    else:
        assert cls == r.classify(q, thresholds)


@given(st.fractions(min_value=0, max_value=100, max_denominator=10**6))
def test_rounding_half_up_matches_the_definition(x):
    assert Fraction(r.round_half_up(x)) == half_up(x)
