"""The nonce race (exactly one of N parallel posts counts) and rollup correctness."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.extensions import db
from portal.ratings import services
from portal.ratings.models import Channel, Rating, RatingRollup, UsedNonce

from .conftest import nonce_of


def test_twenty_parallel_posts_with_one_nonce_store_exactly_one(app, counter_url):
    nonce = nonce_of(app.test_client().get(counter_url))
    # Outside a request the test's own session begins IMMEDIATE: end it so that it does
    # not hold the write lock while the threads race.
    db.session.rollback()
    barrier = threading.Barrier(20)
    statuses: list[int] = []
    lock = threading.Lock()

    def post():
        client = app.test_client()
        barrier.wait()
        response = client.post(counter_url, data={"nonce": nonce, "score": "5"})
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=post) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    db.session.expire_all()
    assert sorted(statuses) == [303] + [409] * 19  # one redirect to its thank-you page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Rating)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UsedNonce)) == 1
    rollup = db.session.scalars(sa.select(RatingRollup).where(RatingRollup.scope == "center")).one()
    assert rollup.counts == (0, 0, 0, 0, 1)


def raw_counts(scope_column) -> dict:
    """The raw aggregate of reportable ratings, as the rollup should hold it."""
    rows = db.session.execute(
        sa.select(Rating.day, scope_column, Rating.score, sa.func.count())
        .where(
            Rating.channel != Channel.STAFF,
            sa.or_(Rating.flags == "", Rating.cleared_at.is_not(None)),
            sa.or_(Rating.flag_review.is_(None), Rating.flag_review != "confirmed"),
            scope_column.is_not(None),
        )
        .group_by(Rating.day, scope_column, Rating.score)
    ).all()
    out: dict = {}
    for day, key, score, n in rows:
        counts = out.setdefault((day, key), [0, 0, 0, 0, 0])
        counts[score - 1] = n
    return {k: tuple(v) for k, v in out.items()}


def rollup_counts(scope: str) -> dict:
    rows = db.session.scalars(sa.select(RatingRollup).where(RatingRollup.scope == scope)).all()
    return {(r.day, r.key_id): r.counts for r in rows if any(r.counts)}


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=5),
            st.sampled_from([Channel.COUNTER_QR, Channel.KIOSK, Channel.STAFF]),
            st.booleans(),  # flagged
            st.sampled_from([None, "rejected", "confirmed"]),  # the inspector's verdict
            st.integers(min_value=0, max_value=1),  # which counter
        ),
        max_size=25,
    )
)
def test_rollups_equal_the_raw_aggregate(app, center, users, create_officer, items):
    db.session.execute(sa.delete(RatingRollup))
    db.session.execute(sa.delete(Rating))
    db.session.execute(sa.delete(UsedNonce))
    db.session.commit()
    officer = create_officer(center, counter=center.counters[0])
    for i, (score, channel, flagged, verdict, which) in enumerate(items):
        counter = center.counters[which]
        target = services.Target(
            channel=channel,
            center=center,
            counter=counter,
            officer=officer if which == 0 else None,
        )
        app.config["RATING_BURST_MAX"] = 0 if flagged else 10_000
        rating = services.submit_rating(
            target, services.RatingInput(score=score), nonce_key=f"prop-{i}-{len(items)}"
        )
        db.session.commit()
        if rating.is_pending_review and verdict:
            services.review_flags(rating, verdict, "Đã kiểm tra camera", actor=users["inspector"])
            db.session.commit()
    db.session.expire_all()
    assert rollup_counts("center") == raw_counts(Rating.center_id)
    assert rollup_counts("counter") == raw_counts(Rating.counter_id)
    assert rollup_counts("officer") == raw_counts(Rating.officer_id)
    db.session.execute(sa.delete(RatingRollup))
    db.session.execute(sa.delete(Rating))
    db.session.commit()


@pytest.fixture
def app_config(app_config):
    return {**app_config, "RATING_BURST_MAX": 10_000}
