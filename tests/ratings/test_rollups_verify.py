"""``flask rollups verify``: clean after randomized ratings through the real paths, and
every corrupted, missing or extra rollup row is named with its stored and raw counts."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.ratings import nonces, screening, services
from portal.ratings.models import Channel, FlagReview, Rating, RatingRollup
from portal.shared.timeutils import now_utc


@pytest.fixture
def app_config(app_config):
    return {**app_config, "RATING_BURST_MAX": 10_000}


def _verify(runner):
    return runner.invoke(args=["rollups", "verify"])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_verify_is_clean_after_randomized_ratings_reviews_and_erasures(
    app, runner, center, other_center, users, create_officer, monkeypatch, seed
):
    rng = random.Random(seed)
    officers = [create_officer(center, counter=center.counters[0]), None]
    start = now_utc() - timedelta(days=20)
    ratings: list[Rating] = []
    for i in range(60):
        # Spread over days (the rollup key) by moving the service's clock.
        moment = start + timedelta(days=rng.randrange(20), hours=rng.randrange(24))
        monkeypatch.setattr(screening, "now_utc", lambda m=moment: m)
        monkeypatch.setattr(nonces, "now_utc", lambda m=moment: m)
        where = rng.choice([center, other_center])
        counter = rng.choice(where.counters)
        kind = rng.random()
        if kind < 0.15:
            rating = services.submit_staff_assisted(
                where, counter, score=rng.randint(1, 5), comment="Nhập hộ", actor=users["admin"]
            )
        else:
            app.config["RATING_BURST_MAX"] = 0 if kind > 0.7 else 10_000  # flagged or not
            target = services.Target(
                channel=rng.choice([Channel.COUNTER_QR, Channel.KIOSK]),
                center=where,
                counter=counter,
                officer=rng.choice(officers) if where is center else None,
            )
            rating = services.submit_rating(
                target,
                services.RatingInput(score=rng.randint(1, 5), comment=rng.choice(["", "Tốt"])),
                nonce_key=f"verify-{seed}-{i}",
            )
        db.session.commit()
        ratings.append(rating)
    monkeypatch.undo()
    for rating in ratings:
        if rating.is_pending_review and rng.random() < 0.7:
            verdict = rng.choice([FlagReview.CONFIRMED, FlagReview.REJECTED])
            services.review_flags(rating, verdict, "Đã kiểm tra camera", actor=users["inspector"])
        elif rating.comment and rng.random() < 0.3:
            services.erase_personal_data(rating)
        db.session.commit()
    flagged = [r for r in ratings if r.flags]
    assert flagged and any(r.flag_review for r in flagged)  # the seeds exercise reviews
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert "no difference" in result.output


def test_verify_names_a_corrupted_a_missing_and_an_extra_row(app, runner, center, users):
    target = services.Target(channel=Channel.COUNTER_QR, center=center, counter=center.counters[0])
    for i, score in enumerate((5, 5, 3)):
        services.submit_rating(target, services.RatingInput(score=score), nonce_key=f"corrupt-{i}")
    db.session.commit()
    assert _verify(runner).exit_code == 0
    t = RatingRollup
    counter_row = db.session.scalars(sa.select(t).where(t.scope == "counter")).one()
    day = counter_row.day.isoformat()
    counter_row.n5 = 7  # corrupted
    db.session.execute(sa.delete(t).where(t.scope == "center"))  # missing
    db.session.add(  # extra: a counter that never had a rating that day
        RatingRollup(
            day=counter_row.day,
            scope="counter",
            key_id=center.counters[1].id,
            center_id=center.id,
            n1=1,
            n2=0,
            n3=0,
            n4=0,
            n5=0,
        )
    )
    db.session.commit()
    result = _verify(runner)
    assert result.exit_code == 1
    out = result.output
    assert (
        f"scope=counter key_id={center.counters[0].id} day={day}: "
        "stored 0,0,1,0,7, recomputed 0,0,1,0,2"
    ) in out
    assert f"scope=center key_id={center.id} day={day}: stored missing, recomputed 0,0,1,0,2" in out
    assert (
        f"scope=counter key_id={center.counters[1].id} day={day}: "
        "stored 1,0,0,0,0, recomputed missing"
    ) in out
    assert "3 rollup row(s) differ" in out


def test_a_center_month_row_counts_its_ratings_and_verify_checks_it(app, runner, center):
    target = services.Target(channel=Channel.COUNTER_QR, center=center, counter=center.counters[0])
    for i, score in enumerate((4, 2, 4)):
        services.submit_rating(target, services.RatingInput(score=score), nonce_key=f"month-{i}")
    db.session.commit()
    t = RatingRollup
    month = db.session.scalars(sa.select(t).where(t.scope == "month")).one()
    day = db.session.scalars(sa.select(t).where(t.scope == "center")).one().day
    assert (month.key_id, month.day, month.counts) == (
        center.id,
        day.replace(day=1),
        (0, 1, 0, 2, 0),
    )
    month.n4 = 5
    db.session.commit()
    result = _verify(runner)
    assert result.exit_code == 1
    assert (
        f"scope=month key_id={center.id} day={day.replace(day=1).isoformat()}: "
        "stored 0,1,0,5,0, recomputed 0,1,0,2,0"
    ) in result.output
