"""The scoring rules of PRODUCT.md §6: hand-computed examples and properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.scoring import rules as r

counts5 = st.lists(st.integers(min_value=0, max_value=5000), min_size=5, max_size=5)


def test_level_and_yes_no_fractions():
    assert r.criterion_fraction("level", "met") == 1
    assert r.criterion_fraction("level", "partial") == 0.5
    assert r.criterion_fraction("level", "not_met") == 0
    assert r.criterion_fraction("yes_no", "yes") == 1
    assert r.criterion_fraction("yes_no", "no") == 0
    assert r.criterion_fraction("level", None) == 0  # unanswered earns nothing
    assert r.criterion_fraction("level", "met", not_applicable=True) is None


def test_numeric_fraction_is_capped():
    assert r.criterion_fraction("number", 45, target=90) == 0.5
    assert r.criterion_fraction("number", 120, target=90) == 1
    assert r.criterion_fraction("number", -3, target=90) == 0
    with pytest.raises(ValueError):
        r.criterion_fraction("number", 1, target=0)


def test_area_and_compliance_hand_computed():
    items = [
        r.ScoredCriterion("personnel", 4, 1.0),
        r.ScoredCriterion("personnel", 2, 0.5),
        r.ScoredCriterion("personnel", 3, None),  # N/A: out of the denominator
        r.ScoredCriterion("equipment", 5, 0.0),
        r.ScoredCriterion("equipment", 5, 1.0),
    ]
    scores = r.area_scores(items)
    assert scores["personnel"] == pytest.approx(5 / 6)
    assert scores["equipment"] == pytest.approx(0.5)
    c = r.compliance(scores, {"personnel": 60, "equipment": 40})
    assert c == pytest.approx(60 * 5 / 6 + 40 * 0.5)  # 70.0


def test_compliance_spreads_the_weight_of_an_all_na_area():
    scores = {"a": 1.0, "b": None}
    assert r.compliance(scores, {"a": 30, "b": 70}) == pytest.approx(100)
    assert r.compliance({"a": None}, {"a": 100}) is None


def test_standardized_needs_gates_and_80():
    gate = [r.ScoredCriterion("a", 1, 0.5, mandatory=True)]
    assert not r.gates_met(gate)
    assert r.gates_met([r.ScoredCriterion("a", 1, None, mandatory=True)])
    assert r.is_standardized(gates_ok=True, compliance_verified=80)
    assert not r.is_standardized(gates_ok=True, compliance_verified=79.99)
    assert not r.is_standardized(gates_ok=False, compliance_verified=100)


def test_satisfaction_hand_computed():
    s = r.satisfaction({1: 1, 2: 1, 3: 2, 4: 3, 5: 3})
    assert s.n == 10
    assert s.csat == pytest.approx(0.6)
    # mean((score-1)/4*100) = (0 + 25 + 2*50 + 3*75 + 3*100) / 10
    assert s.index == pytest.approx((0 + 25 + 100 + 225 + 300) / 10)
    assert s.wilson_lower == pytest.approx(0.312678, abs=1e-5)


def test_no_ratings():
    s = r.satisfaction([0, 0, 0, 0, 0])
    assert (s.n, s.csat, s.index, s.wilson_lower) == (0, None, None, None)
    assert r.adjusted_index(0, None, 72.5) == 72.5


def test_small_sample_cannot_top_a_large_one():
    small = r.satisfaction([0, 0, 0, 0, 3])
    large = r.satisfaction([50, 50, 100, 800, 2000])
    rows = [
        r.RankInput("A", None, None, small.n, small.wilson_lower),
        r.RankInput("B", None, None, large.n, large.wilson_lower),
    ]
    assert r.satisfaction_ranking(rows, min_n=0) == {"B": 1, "A": 2}
    assert r.satisfaction_ranking(rows) == {"B": 1}  # A is below the minimum n


def test_quality_and_classes():
    assert r.quality(90, 80) == pytest.approx(87)
    assert [r.classify(q) for q in (95, 90, 89.9, 80, 65, 50, 49.9)] == [
        "excellent",
        "excellent",
        "good",
        "good",
        "fair",
        "average",
        "weak",
    ]


def test_overall_ranking_tie_breaks():
    rows = [
        r.RankInput("03", 85.0, 90.0, 10, None),
        r.RankInput("02", 85.0, 90.0, 50, None),
        r.RankInput("01", 85.0, 92.0, 5, None),
        r.RankInput("04", 85.0, 90.0, 50, None),
        r.RankInput("05", None, None, 500, None),  # not verified: not ranked
    ]
    assert r.overall_ranking(rows) == {"01": 1, "02": 2, "04": 3, "03": 4}


@given(counts5)
def test_satisfaction_bounds(counts):
    s = r.satisfaction(counts)
    if s.n == 0:
        return
    assert 0 <= s.wilson_lower <= s.csat <= 1
    assert 0 <= s.index <= 100


@given(counts5, st.integers(min_value=1, max_value=1000))
def test_more_satisfied_ratings_never_lower_the_bound(counts, extra):
    s = r.satisfaction(counts)
    more = list(counts)
    more[4] += extra
    t = r.satisfaction(more)
    assert t.wilson_lower >= (s.wilson_lower or 0) - 1e-12


@given(st.integers(0, 10_000), st.floats(0, 100), st.floats(0, 100), st.integers(1, 200))
def test_adjusted_index_lies_between_own_and_pooled(n, own, pooled, m):
    adj = r.adjusted_index(n, own, pooled, m)
    assert min(own, pooled) - 1e-9 <= adj <= max(own, pooled) + 1e-9


@given(
    st.lists(
        st.tuples(
            st.sampled_from("abc"), st.floats(0.1, 10), st.one_of(st.none(), st.floats(0, 1))
        ),
        min_size=1,
        max_size=30,
    ),
    st.tuples(st.floats(0, 100), st.floats(0, 100), st.floats(0.01, 100)),
)
def test_compliance_stays_on_0_100(items, w):
    criteria = [r.ScoredCriterion(a, p, f) for a, p, f in items]
    c = r.compliance(r.area_scores(criteria), dict(zip("abc", w, strict=True)))
    assert c is None or -1e-9 <= c <= 100 + 1e-9


@given(st.floats(0, 100), st.floats(0, 100))
def test_quality_is_monotone_and_bounded(c, s):
    q = r.quality(c, s)
    assert 0 <= q <= 100 + 1e-9
    assert r.quality(min(c + 1, 100), s) >= q - 1e-9
    assert not math.isnan(q)
