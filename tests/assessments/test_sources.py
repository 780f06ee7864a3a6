"""Automatic sources from citizen ratings: hints beside TB04 and TD05, from the rollups."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.assessments import services
from portal.extensions import db
from portal.rankings import sources
from portal.ratings.models import RatingRollup


def _rollup(center, day, counts):
    db.session.add(
        RatingRollup(
            day=day,
            scope="center",
            key_id=center.id,
            center_id=center.id,
            **{f"n{i + 1}": n for i, n in enumerate(counts)},
        )
    )
    db.session.commit()


def test_no_ratings_yet(app, period, center):
    text = sources.compute("qr_ratings_collected", center, period).text
    assert text == "Chưa có đánh giá nào của người dân trong kỳ này."
    value = sources.compute("satisfaction_csat", center, period)
    assert not value.available
    assert "0" in value.text and "30" in value.text


def test_ratings_of_the_period_only(app, period, center):
    today = services.today_local()
    _rollup(center, today, (1, 1, 2, 10, 26))  # 40 ratings, 36 satisfied
    _rollup(center, period.opens_on - timedelta(days=1), (50, 0, 0, 0, 0))  # before the period
    assert sources.compute("qr_ratings_collected", center, period).text.startswith("40 ")
    value = sources.compute("satisfaction_csat", center, period)
    assert value.available
    # Vietnamese conventions: decimal comma.
    assert value.text.startswith("90,0% hài lòng (mức 4–5) trên 40 đánh giá")
    assert "cận dưới 95% là 76,9%" in value.text


@pytest.mark.parametrize("n", [29, 30])
def test_minimum_n(app, period, center, n):
    _rollup(center, services.today_local(), (0, 0, 0, 0, n))
    assert sources.compute("satisfaction_csat", center, period).available is (n >= 30)


def test_hint_is_shown_on_the_checklist(client, auth, users, assessment, center):
    _rollup(center, services.today_local(), (0, 0, 5, 5, 30))
    auth.login(users["manager"])
    html = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    assert "40 đánh giá của người dân đã được thu thập qua cổng trong kỳ." in html
    assert "87,5% hài lòng" in html
