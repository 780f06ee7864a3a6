"""`flask demo seed` gives every center believable ratings, consistent with the rollups."""

from __future__ import annotations

import sqlalchemy as sa

from portal.complaints.models import Case
from portal.extensions import db
from portal.ratings.models import Rating, RatingRollup


def _raw_and_rollup_totals():
    raw = dict(
        db.session.execute(
            sa.select(Rating.center_id, sa.func.count())
            .where(Rating.flags == "", Rating.channel != "staff")
            .group_by(Rating.center_id)
        ).all()
    )
    rolled = dict(
        db.session.execute(
            sa.select(
                RatingRollup.center_id,
                sa.func.sum(
                    RatingRollup.n1
                    + RatingRollup.n2
                    + RatingRollup.n3
                    + RatingRollup.n4
                    + RatingRollup.n5
                ),
            )
            .where(RatingRollup.scope == "center")
            .group_by(RatingRollup.center_id)
        ).all()
    )
    return raw, rolled


def test_demo_ratings_match_their_rollups_and_are_seeded_once(demo_data, runner, count_rows):
    # demo_data: a copy of a database `flask demo seed --province 25` filled (and checked).
    ratings = count_rows(Rating)
    assert ratings > 149 * 8  # every center has some
    raw, rolled = _raw_and_rollup_totals()
    assert len(raw) == 149
    assert {k: int(v) for k, v in rolled.items()} == raw
    # Per score too, for one busy center.
    center_id = max(raw, key=raw.get)
    for score in range(1, 6):
        n_raw = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Rating)
            .where(Rating.center_id == center_id, Rating.score == score, Rating.flags == "")
        )
        n_rolled = db.session.scalar(
            sa.select(sa.func.sum(getattr(RatingRollup, f"n{score}"))).where(
                RatingRollup.scope == "center", RatingRollup.center_id == center_id
            )
        )
        assert n_raw == (n_rolled or 0)
    # Recent dissatisfied comments opened cases, as live ratings do.
    assert count_rows(Case) > 0
    again = runner.invoke(args=["demo", "seed", "--province", "25"])
    assert again.exit_code == 0
    assert count_rows(Rating) == ratings
