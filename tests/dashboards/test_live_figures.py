"""One figure per center and period: after a held rating is released, the center dashboard,
its counter table and the ratings page agree, and figures are labelled live or published."""

from __future__ import annotations

import re

import sqlalchemy as sa

from portal.extensions import db
from portal.rankings import services
from portal.rankings.models import ScoreSnapshot
from portal.ratings.models import Rating
from portal.ratings.services import apply_to_rollups, review_flags
from portal.shared.timeutils import now_utc, today_local


def _rate(center, score: int, *, flags: str = "") -> Rating:
    counter = center.counters[0]
    rating = Rating(
        tracking_code=f"L{db.session.scalar(sa.select(sa.func.count(Rating.id)))}z",
        center_id=center.id,
        counter_id=counter.id,
        channel="counter_qr",
        score=score,
        flags=flags,
        day=today_local(),
        created_at=now_utc(),
    )
    db.session.add(rating)
    db.session.flush()
    if rating.is_reportable:
        apply_to_rollups(rating)
    return rating


def _setup(period, center, users, *, held_score: int = 5):
    from ..rankings.conftest import add_verified

    add_verified(period, center, verified=86.1)
    for score in (5, 4, 3, 5):
        _rate(center, score)
    held = _rate(center, held_score, flags="burst")
    db.session.commit()
    services.recompute_snapshots(period, actor=users["admin"])
    db.session.commit()
    return held


def _n_on_dashboard(html: str) -> int:
    return int(re.search(r"n = (\d+) ·", html).group(1))


def _counter_sum(html: str) -> int:
    table = html.split('id="counters"', 1)[1].split("</table>", 1)[0]
    return sum(int(n) for n in re.findall(r'<td class="n">(\d+)</td>', table))


def test_released_rating_counts_on_the_dashboard_of_an_open_period(
    client, auth, users, period, center
):
    held = _setup(period, center, users)
    review_flags(held, "rejected", "Không phải gian lận", actor=users["inspector"])
    db.session.commit()
    auth.login(users["inspector"])
    html = client.get(f"/dashboards/centers/{center.code}?period={period.code}").text
    assert _n_on_dashboard(html) == 5
    assert _counter_sum(html) == 5
    assert "Số liệu trực tiếp, lúc" in html
    snap = db.session.scalar(sa.select(ScoreSnapshot).where(ScoreSnapshot.center_id == center.id))
    assert snap.n_ratings == 5


def test_published_period_keeps_its_figure_and_says_what_is_live(
    client, auth, users, period, center
):
    held = _setup(period, center, users)
    services.publish(period, actor=users["admin"])
    db.session.commit()
    review_flags(held, "rejected", "Không phải gian lận", actor=users["inspector"])
    db.session.commit()
    auth.login(users["inspector"])
    html = client.get(f"/dashboards/centers/{center.code}?period={period.code}").text
    # The published figure stays (a change to a published result needs a revision) ...
    assert _n_on_dashboard(html) == 4
    board = client.get(f"/rankings/centers/{center.code}?period={period.code}").text
    assert "n = 4" in board or ">4<" in board
    # ... and the live one is shown beside it, labelled with its time.
    assert "Số liệu trực tiếp, lúc" in html
    assert re.search(r"id=\"live-n\"[^>]*>5<", html)
    assert _counter_sum(html) == 5
