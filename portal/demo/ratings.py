"""Demo citizen ratings: 60 days of realistic ratings for every center, with rollups.

Centers differ in quality and volume (a provincial center is busier than a
mountain commune); comments come with the low and some of the high scores;
a few ratings are held for review as anomalies would be, and the recent
dissatisfied comments open complaint cases. Centers that already have ratings
are left alone, so their rollup rows are new and are written in bulk.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from ..centers.models import Center, Counter, Officer
from ..complaints.services import open_case_for_rating
from ..extensions import db
from ..ratings.models import ASPECTS, Channel, Rating, RatingRollup
from ..ratings.services import new_tracking_code, rollup_keys
from ..shared.timeutils import DISPLAY_TZ

#: Dissatisfied ratings with a comment from the last days open cases, as live ones do.
CASE_DAYS = 10

DAYS = 60
GOOD_COMMENTS = (
    "Cán bộ hướng dẫn tận tình, chu đáo.",
    "Thủ tục nhanh, đúng hẹn.",
    "Nơi làm việc sạch sẽ, có chỗ ngồi chờ.",
    "Được hướng dẫn nộp hồ sơ trực tuyến rất dễ hiểu.",
)
BAD_COMMENTS = (
    "Phải chờ lâu, không có số thứ tự.",
    "Hồ sơ bị yêu cầu bổ sung nhiều lần.",
    "Cán bộ trả lời thiếu nhiệt tình.",
    "Máy lấy số không hoạt động.",
)
GOOD_CHIPS = ("fast", "clear_guidance", "polite", "clean")
BAD_CHIPS = ("slow", "unclear", "rude", "extra_papers")


def _score(rng: random.Random, quality: float) -> int:
    """A score 1–5 whose mean rises with ``quality`` (0–1)."""
    weights = [
        max(0.02, 0.25 - 0.25 * quality),
        max(0.03, 0.25 - 0.22 * quality),
        0.25 - 0.1 * quality,
        0.2 + 0.15 * quality,
        0.05 + 0.55 * quality,
    ]
    return rng.choices((1, 2, 3, 4, 5), weights=weights)[0]


def seed_ratings(
    province_code: int,
    *,
    today: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Add demo ratings to each center of the province that has none. Returns the count."""
    rng = random.Random(province_code * 7919)  # noqa: S311 - demo data, reproducible
    now = today or datetime.now(UTC)
    local_today = now.astimezone(DISPLAY_TZ).date()
    rated = set(
        db.session.scalars(
            sa.select(Rating.center_id)
            .join(Center, Center.id == Rating.center_id)
            .where(Center.province_code == province_code)
            .distinct()
        )
    )
    centers = db.session.scalars(
        sa.select(Center).where(Center.province_code == province_code).order_by(Center.code)
    ).all()
    created = 0
    rollups: dict[tuple, RatingRollup] = {}
    for center in centers:
        if progress:
            progress(1)
        if center.id in rated:
            continue
        counters = db.session.scalars(
            sa.select(Counter).where(Counter.center_id == center.id, Counter.is_active)
        ).all()
        if not counters:
            continue
        officers = {
            c.id: db.session.scalars(sa.select(Officer).where(Officer.counter_id == c.id)).all()
            for c in counters
        }
        quality = rng.betavariate(5, 2)
        center_ratings = []
        if center.is_provincial:
            total = rng.randint(150, 400)
        elif center.unit_name == "Phường Việt Trì":  # the demo manager's center
            total = rng.randint(150, 250)
        else:
            total = rng.randint(8, 90)
        for _ in range(total):
            day = local_today - timedelta(days=rng.randrange(DAYS))
            if day.weekday() == 6:
                day -= timedelta(days=1)
            local = datetime.combine(day, time(rng.randint(7, 16), rng.randrange(60)), DISPLAY_TZ)
            moment = local.astimezone(UTC).replace(tzinfo=None)
            counter = rng.choice(counters)
            staff = officers.get(counter.id) or [None]
            officer = rng.choice(staff)
            score = _score(rng, quality)
            comment = ""
            chips = ""
            if score <= 2 and rng.random() < 0.6:
                comment = rng.choice(BAD_COMMENTS)
                chips = rng.choice(BAD_CHIPS)
            elif score >= 4 and rng.random() < 0.2:
                comment = rng.choice(GOOD_COMMENTS)
                chips = rng.choice(GOOD_CHIPS)
            rating = Rating(
                tracking_code=new_tracking_code(),
                center_id=center.id,
                counter_id=counter.id,
                officer_id=officer.id if officer else None,
                channel=str(Channel.COUNTER_QR if rng.random() < 0.9 else Channel.KIOSK),
                score=score,
                chips=chips,
                comment=comment,
                flags="burst" if rng.random() < 0.01 else "",
                day=day,
                created_at=moment,
            )
            for aspect in ASPECTS:
                if rng.random() < 0.4:
                    setattr(rating, f"aspect_{aspect}", max(1, min(5, score + rng.randint(-1, 1))))
            center_ratings.append(rating)
            if rating.is_reportable:
                _count(rollups, rating)
        db.session.add_all(center_ratings)
        db.session.flush()
        for rating in center_ratings:
            if (local_today - rating.day).days < CASE_DAYS:
                open_case_for_rating(rating, explicit=False)
        created += len(center_ratings)
    db.session.add_all(rollups.values())
    db.session.flush()
    return created


def _count(rollups: dict, rating: Rating) -> None:
    """Add a rating to its rollup rows (center, counter, officer, month; new keys only)."""
    keys = rollup_keys(rating.center_id, rating.counter_id, rating.officer_id, rating.day)
    for scope, key_id, day in keys:
        row = rollups.get((day, scope, key_id))
        if row is None:
            row = RatingRollup(
                day=day,
                scope=str(scope),
                key_id=key_id,
                center_id=rating.center_id,
                n1=0,
                n2=0,
                n3=0,
                n4=0,
                n5=0,
            )
            rollups[(day, scope, key_id)] = row
        column = f"n{rating.score}"
        setattr(row, column, getattr(row, column) + 1)
