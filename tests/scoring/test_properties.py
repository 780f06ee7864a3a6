"""Properties of the scoring rules that a center, an inspector or a journalist relies on."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from portal.scoring import rules as r

counts5 = st.lists(st.integers(0, 500), min_size=5, max_size=5)
score = st.floats(0, 100, allow_nan=False)
criterion = st.builds(
    r.ScoredCriterion,
    area=st.sampled_from("abc"),
    points=st.sampled_from([1.0, 2.0, 3.0, 5.0]),
    fraction=st.one_of(st.none(), st.sampled_from([0.0, 0.5, 1.0]), st.floats(0, 1)),
    mandatory=st.booleans(),
)
weights = st.fixed_dictionaries({a: st.floats(1, 30) for a in "abc"})


@given(st.lists(criterion, min_size=1, max_size=30), weights)
def test_every_score_stays_within_its_bounds(criteria, w):
    for value in r.area_scores(criteria).values():
        assert value is None or 0 <= value <= 1 + 1e-12
    c = r.compliance(r.area_scores(criteria), w)
    assert c is None or 0 <= c <= 100 + 1e-9


@given(st.lists(criterion, min_size=1, max_size=30), weights, st.data())
def test_not_applicable_never_lowers_a_score_against_not_met(criteria, w, data):
    """Declaring a not-met criterion N/A can raise the score, never lower it."""
    not_met = [i for i, c in enumerate(criteria) if c.fraction == 0.0]
    assume(not_met)
    i = data.draw(st.sampled_from(not_met))
    as_na = list(criteria)
    as_na[i] = r.ScoredCriterion(criteria[i].area, criteria[i].points, None, criteria[i].mandatory)
    before, after = r.area_scores(criteria), r.area_scores(as_na)
    area = criteria[i].area
    assert after[area] is None or after[area] >= before[area] - 1e-12
    c_before, c_after = r.compliance(before, w), r.compliance(after, w)
    if c_after is not None:
        assert c_after >= c_before - 1e-9


@given(counts5)
def test_adding_a_satisfied_rating_never_lowers_csat(counts):
    before = r.satisfaction(counts)
    for s in (4, 5):
        more = list(counts)
        more[s - 1] += 1
        after = r.satisfaction(more)
        assert before.csat is None or after.csat >= before.csat
        # A 5 never lowers the index; a 4 (75 points) lowers an index above 75.
        if s == 5:
            assert before.index is None or after.index >= before.index - 1e-9


@given(counts5)
def test_the_wilson_bound_lies_below_csat(counts):
    s = r.satisfaction(counts)
    assume(s.n > 0)
    assert 0 <= s.wilson_lower <= s.csat


@given(st.integers(1, 200), st.integers(1, 50))
def test_the_wilson_bound_rises_with_n_at_fixed_csat(satisfied, times):
    n = satisfied + satisfied  # CSAT 50%
    small = r.wilson_lower_bound(satisfied, n)
    large = r.wilson_lower_bound(satisfied * (times + 1), n * (times + 1))
    assert large > small


@given(st.lists(st.tuples(counts5, st.booleans()), min_size=1, max_size=20), st.integers(1, 60))
def test_below_the_minimum_n_no_center_gets_a_satisfaction_rank(centers, min_n):
    rows = []
    for i, (counts, _verified) in enumerate(centers):
        s = r.satisfaction(counts)
        rows.append(r.RankInput(f"{i:05d}", None, None, s.n, s.wilson_lower))
    ranks = r.satisfaction_ranking(rows, min_n=min_n)
    for row in rows:
        if row.n < min_n:
            assert row.code not in ranks
    assert sorted(ranks.values()) == list(range(1, len(ranks) + 1))


@given(st.lists(st.tuples(st.one_of(st.none(), score), score), min_size=1, max_size=20))
def test_an_unverified_center_never_gets_q_or_a_rank(centers):
    rows = []
    for i, (c_verified, s_adj) in enumerate(centers):
        q = None if c_verified is None else r.quality(c_verified, s_adj)
        rows.append(r.RankInput(f"{i:05d}", q, c_verified, 10, None))
    ranks = r.overall_ranking(rows)
    for row in rows:
        if row.compliance_verified is None:
            assert row.quality is None and row.code not in ranks
        else:
            assert row.code in ranks


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        (90, "excellent"),
        (89.99, "good"),
        (89.995, "excellent"),  # shown as 90.00
        (89.99999999999999, "excellent"),
        (80, "good"),
        (79.994, "fair"),
        (65, "fair"),
        (64.99, "average"),
        (50, "average"),
        (49.99, "weak"),
        (0, "weak"),
        (100, "excellent"),
    ],
)
def test_classes_at_their_exact_boundaries(q, expected):
    assert r.classify(q) == expected


def test_quality_is_exact_where_floats_are_not():
    assert 0.7 * 86.1 + 0.3 * 99.1 == 89.99999999999999  # the float trap
    q = r.quality(86.1, 99.1)
    assert q == 90.0
    assert r.classify(q) == "excellent"


def test_equal_shown_quality_is_ordered_by_compliance_not_by_float_noise():
    # Both Q are 50.21 exactly; in floats the first is 50.209999999999994.
    a = r.RankInput("A", 0.7 * 50.3 + 0.3 * 50.0, 50.3, 40, None)
    b = r.RankInput("B", 50.21, 50.0, 40, None)
    assert r.shown(a.quality) == r.shown(b.quality) == Decimal("50.21")
    assert r.overall_ranking([b, a]) == {"A": 1, "B": 2}


def test_no_rating_in_the_province_leaves_q_to_compliance():
    pooled = r.pooled_index([[0, 0, 0, 0, 0]])
    assert pooled is None
    s_adj = r.adjusted_index(0, None, pooled)
    assert s_adj is None
    assert r.quality(83.456, s_adj) == 83.46


@given(score, score)
def test_quality_lies_between_its_two_parts(c, s):
    q = r.quality(c, s)
    low, high = sorted((float(r.shown(c)), float(r.shown(s))))
    assert low - 0.01 <= q <= high + 0.01
