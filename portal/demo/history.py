"""Two earlier quarters for the demo, so that trends and comparisons show in ``make run``.

Each earlier quarter gets its period, self-assessments and finalized inspections for most
centers (the same seeding code as the current quarter, shifted back in time, without
photos), the citizens' ratings of its days, and a published ranking. Ratings of these
quarters lie strictly before the current quarter and before the current 60 days, so the
current period's figures stay as they were. Idempotent: a quarter that exists is left
alone; a center that already has ratings before the current ones gets none.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from ..assessments.models import Assessment, AssessmentPeriod
from ..centers.models import Center, Counter, Officer
from ..extensions import db
from ..inspections.models import ActionStatus, CorrectiveAction, Inspection
from ..rankings import services as score_services
from ..ratings import rollups as rollups_sql
from ..ratings.models import Channel, Rating
from ..ratings.services import new_tracking_code, rollup_keys
from ..shared.timeutils import DISPLAY_TZ, now_utc, today_local
from .inspections import seed_inspections
from .ratings import DAYS, _score
from .services import create_quarter, first_admin, period_by_code

#: Earlier quarters: almost every center finalized, a few never started.
EARLIER_PLAN = (("not_started", 0.06),)
EARLIER = 2


def previous_quarter(opens_on: date) -> tuple[str, date, date]:
    closes_on = opens_on - timedelta(days=1)
    q = (closes_on.month - 1) // 3 + 1
    start = date(closes_on.year, 3 * q - 2, 1)
    return f"{closes_on.year}-Q{q}", start, closes_on


def earlier_periods(current: AssessmentPeriod) -> list[AssessmentPeriod]:
    """The two quarters before ``current`` (created once), oldest first."""
    admin = first_admin()
    out = []
    opens_on = current.opens_on
    for _i in range(EARLIER):
        code, start, end = previous_quarter(opens_on)
        period = period_by_code(code)
        if period is None and admin is not None:
            period = create_quarter(code, start, end, current.standard_version, actor=admin)
        if period is not None:
            out.append(period)
        opens_on = start
    return list(reversed(out))


def seed_earlier_ratings(
    province_code: int, first_day: date, last_day: date, *, today: date
) -> int:
    """Ratings on [first_day, last_day] for centers with none there yet; bulk rows."""
    if last_day < first_day:
        return 0
    rng = random.Random(province_code * 104729)  # noqa: S311 - demo data, reproducible
    had = set(
        db.session.scalars(
            sa.select(Rating.center_id)
            .join(Center, Center.id == Rating.center_id)
            .where(Center.province_code == province_code, Rating.day <= last_day)
            .distinct()
        )
    )
    centers = db.session.scalars(
        sa.select(Center).where(Center.province_code == province_code).order_by(Center.code)
    ).all()
    counters = {}
    for c in db.session.scalars(sa.select(Counter).where(Counter.is_active.is_(True))):
        counters.setdefault(c.center_id, []).append(c)
    officers = {}
    for o in db.session.scalars(sa.select(Officer).where(Officer.counter_id.is_not(None))):
        officers.setdefault(o.counter_id, []).append(o)
    span = (last_day - first_day).days + 1
    rows, rollups = [], {}
    for center in centers:
        if center.id in had or not counters.get(center.id):
            continue
        # A center improved or slipped a little since; quality drifts across the months.
        quality = rng.betavariate(5, 2)
        drift = rng.uniform(-0.15, 0.2)
        if center.is_provincial:
            total = rng.randint(200, 500)
        elif center.unit_name == "Phường Việt Trì":
            total = rng.randint(200, 320)
        else:
            total = rng.randint(10, 110)
        for _ in range(total):
            offset = rng.randrange(span)
            day = first_day + timedelta(days=offset)
            if day.weekday() == 6:
                day -= timedelta(days=1) if day > first_day else timedelta(days=-1)
            counter = rng.choice(counters[center.id])
            officer = rng.choice(officers.get(counter.id) or [None])
            # Older days: quality further from today's by the drift.
            q = min(0.98, max(0.05, quality - drift * (1 - offset / span)))
            score = _score(rng, q)
            local = datetime.combine(day, time(rng.randint(7, 16), rng.randrange(60)), DISPLAY_TZ)
            rows.append(
                {
                    "tracking_code": new_tracking_code(),
                    "center_id": center.id,
                    "counter_id": counter.id,
                    "officer_id": officer.id if officer else None,
                    "channel": str(Channel.COUNTER_QR if rng.random() < 0.9 else Channel.KIOSK),
                    "score": score,
                    "chips": "",
                    "comment": "",
                    "comment_hidden": False,
                    "comment_hidden_reason": "",
                    "flags": "",
                    "from_center_network": False,
                    "flag_review_reason": "",
                    "day": day,
                    "created_at": local.astimezone(UTC).replace(tzinfo=None),
                }
            )
            officer_id = officer.id if officer else None
            for scope, key_id, row_day in rollup_keys(center.id, counter.id, officer_id, day):
                acc = rollups.setdefault((row_day, str(scope), key_id, center.id), [0] * 5)
                acc[score - 1] += 1
    if rows:
        db.session.execute(sa.insert(Rating), rows)
        rollups_sql.add_counts(
            [
                {
                    "day": day,
                    "scope": scope,
                    "key_id": key_id,
                    "center_id": center_id,
                    **{f"n{i + 1}": n for i, n in enumerate(counts)},
                }
                for (day, scope, key_id, center_id), counts in rollups.items()
            ],
        )
    return len(rows)


def seed_history(
    current: AssessmentPeriod | None,
    province_code: int,
    *,
    progress: Callable[[int], None] | None = None,
) -> list[AssessmentPeriod]:
    """The two earlier quarters: ratings, finalized inspections, a published ranking."""
    if current is None:
        return []
    today = today_local()
    periods = earlier_periods(current)
    if not periods:
        return []
    # Strictly before the current quarter and before the current demo ratings' 60 days.
    last = min(current.opens_on, today - timedelta(days=DAYS)) - timedelta(days=1)
    seed_earlier_ratings(province_code, periods[0].opens_on, last, today=today)
    for period in periods:
        seed_inspections(period, province_code, plan=EARLIER_PLAN, earlier=True, progress=progress)
        db.session.flush()
        # What the earlier quarters asked to fix has been done and confirmed since.
        actions = sa.select(CorrectiveAction.id).join(Inspection).join(Assessment)
        db.session.execute(
            sa.update(CorrectiveAction)
            .where(
                CorrectiveAction.id.in_(actions.where(Assessment.period_id == period.id)),
                CorrectiveAction.status != ActionStatus.CONFIRMED,
            )
            .values(
                status=ActionStatus.CONFIRMED,
                closed_note="Đã khắc phục, đoàn kiểm tra đã xác nhận.",
                closed_at=now_utc(),
                confirmed_at=now_utc(),
            ),
            execution_options={"synchronize_session": False},
        )
        if not score_services.settings_for(period).is_published:
            try:  # a finished quarter whose appeal windows have closed: final
                score_services.publish(period, actor=None, final=True)
            except score_services.RankingsError:
                score_services.publish(period, actor=None)
    return periods
